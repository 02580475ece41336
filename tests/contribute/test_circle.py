"""Issue 18's whole circle in browsers, as people go through it: an editor invites, a resident
records and consents on their phone, the editor reviews, places and publishes, a visitor hears
the story, the resident withdraws it, and then the audio is gone from every place it was."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from server.db.models import Asset, Story
from tests.contribute import steps
from tests.contribute.conftest import Site, phone
from tests.support.audio import ffmpeg_make, tone
from tests.support.browser import artefact, phone_context, player_state
from tests.support.drafts import add_stop, new_trail
from tests.support.studio_pages import desktop, sign_in
from trails.bundle.model import MANIFEST_NAME
from trails.vocabulary import AUDIO_PROFILES

SLUG = "voix-du-quartier"
TRAIL = "Les voix du quartier"
MILL = (4.395, 50.4036)  # the first stop's centre, [lon, lat]
FACTORY = (4.399, 50.4036)  # the stop the resident's story is for, about 280 m east
TITLE = "The siren of the glassworks"


def shot(page: Any, name: str) -> None:
    """A full-page screenshot for people to look at, in test-artefacts/circle/."""
    page.screenshot(path=str(artefact("circle", f"{name}.png")), full_page=True)


def _published_trail(site: Site, folder: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """As a deployer would, through the API: a trail whose first stop tells a story and whose
    second waits for the residents' one; published. Returns the trail and the waiting stop."""
    editor = site.people["editor"]
    with httpx.Client(base_url=site.url, headers=editor, timeout=60) as api:
        # A tone of its own: the other tests' contributions send the ``voice`` WAV, and the
        # same bytes are the same recording to a withdrawal.
        mill = ffmpeg_make(folder / "mill.wav", *tone(2, rate=22050, freq=262))
        with mill.open("rb") as fh:
            asset = api.post(
                "/v1/orgs/mill/assets", files={"file": ("mill.wav", fh, "audio/wav")}
            ).json()
        story = api.post(
            "/v1/orgs/mill/stories",
            json={"title": "Le moulin", "versions": {"fr": {"audio_asset_id": asset["id"]}}},
        ).json()
        trail = new_trail(api, editor, SLUG, title=TRAIL)
        add_stop(
            api, editor, trail["id"], "moulin", title="Le moulin", center=MILL, story_id=story["id"]
        )
        # Silent until the residents' story is placed on it: the checks accept it on purpose.
        stop = add_stop(
            api, editor, trail["id"], "usine", title="La verrerie", center=FACTORY, silent=True
        )
        released = api.post(f"/v1/orgs/mill/trails/{trail['id']}/releases", json={})
        assert released.status_code == 201, released.text
    return trail, stop


def _invite_in_the_studio(page: Any, trail: dict[str, Any], stop: dict[str, Any]) -> str:
    """The editor makes a link for the stop; returns the link the page shows."""
    sign_in(page, "editor")
    page.click("#nav-invitations")
    page.get_by_label("Name of the link").fill("Glassworks memory workshop")
    page.get_by_label("Trail", exact=True).select_option(str(trail["id"]))
    page.wait_for_function("() => !document.querySelector('select[name=stop]').disabled")
    page.get_by_label("Stop", exact=True).select_option(str(stop["id"]))
    page.get_by_label("Number of contributions").fill("3")
    page.click("#create-invitation")
    page.locator("#created-invitation").wait_for()
    url: str = page.input_value("#invitation-url")
    page.wait_for_function(
        "() => { const i = document.getElementById('invitation-qr');"
        " return i.src.startsWith('blob:') && i.complete && i.naturalWidth > 0; }"
    )
    shot(page, "1-studio-invitation")
    return url


def _resident_contributes(page: Any, link: str) -> str:
    """The resident opens the link, records, names and consents; returns the withdrawal link."""
    page.goto(link)
    steps.heading(page, "Mill invites you to share a story")
    assert f"For the walk “{TRAIL}”, at the place “La verrerie”" in page.inner_text("main")
    shot(page, "2-resident-welcome")
    page.get_by_role("button", name="Start").click()
    steps.heading(page, "Record your story")
    steps.record(page)
    steps.about(page, TITLE, "The siren called the night shift at ten.")
    steps.credit(
        page, "Marie Dupont", "My first name only", "Visitors will read your name as: “Marie”"
    )
    steps.consent(page, publication=True, archive=True)
    steps.licence(page, "Creative Commons Attribution 4.0 (CC BY)")
    steps.heading(page, "Ready to send")
    shot(page, "3-resident-ready")
    page.get_by_role("button", name="Send my story").click()
    steps.heading(page, "Thank you!")
    assert TITLE in page.inner_text("main")
    withdrawal: str = page.get_by_label("Withdrawal link").input_value()
    shot(page, "4-resident-receipt")
    return withdrawal


def _review_and_publish(page: Any, trail: dict[str, Any], stop: dict[str, Any]) -> tuple[int, int]:
    """The editor reads the consent, trims, transcribes, approves, places and publishes; returns
    the contribution's id and its recording's asset before the trim."""
    page.click("#nav-review")
    card = page.locator(".contribution", has_text=TITLE)
    card.wait_for()
    story = int(card.get_attribute("data-id") or 0)
    card.locator("canvas.waveform[data-drawn=true]").wait_for()
    consent = card.locator(".consent-summary").inner_text()
    for expected in ("Marie Dupont", "CC BY 4.0", "First name", "Marie"):
        assert expected in consent, expected
    assert consent.count("yes") == 2  # publication and archive
    language = page.evaluate(
        "id => document.querySelector(`.contribution[data-id='${id}'] [name^=trim-end-]`)"
        ".name.slice('trim-end-'.length)",
        story,
    )
    old = card.locator(".recording").get_attribute("data-asset")
    card.locator(f"input[name=trim-end-{language}]").fill("2")
    card.locator("button.apply-edit").click()
    page.wait_for_function(
        "([id, old]) => { const r = document.querySelector(`.contribution[data-id='${id}']"
        " .recording`); return r && r.dataset.asset !== old; }",
        arg=[story, old],
        timeout=60_000,
    )
    vtt = "WEBVTT\n\n00:00.000 --> 00:02.000\nThe siren called the night shift."
    card.locator(f"textarea[name=vtt-{language}]").fill(vtt)
    card.locator("select[name=place-trail]").select_option(str(trail["id"]))
    card.locator("select[name=place-stop]:not([disabled])").select_option(str(stop["id"]))
    shot(page, "5-studio-review")
    card.locator("button.approve").click()
    follow = card.locator(".follow-up")
    follow.locator(".placement.waiting").wait_for()
    assert "Publish the trail to make it public." in follow.inner_text()
    follow.locator("button.go-publish").click()
    page.wait_for_url(f"**/studio/trails/{trail['id']}/publish")
    page.click("#publish")
    page.wait_for_selector("#published")
    page.click("#nav-review")
    live = page.locator(f"#approved-list .approved[data-id='{story}'] .placement.live")
    live.wait_for()
    assert f"Published in “{TRAIL}” (stop “La verrerie”)." in live.inner_text()
    shot(page, "6-studio-published")
    return story, int(old or 0)


def _walk_to_the_factory(context: Any, page: Any) -> None:
    """Start the walk at the mill, then stand at the factory."""
    page.click("#start-walk")
    page.wait_for_selector("#walk svg.map")
    context.set_geolocation({"latitude": MILL[1], "longitude": MILL[0], "accuracy": 5})
    page.wait_for_function("() => document.body.dataset.playing === 'moulin'")
    page.click("#start-walk")  # the walk stops, and starts again by the factory
    context.set_geolocation({"latitude": FACTORY[1], "longitude": FACTORY[0], "accuracy": 5})
    page.click("#start-walk")


def _recording(site: Site, asset_ids: set[int]) -> tuple[set[str], dict[str, bytes]]:
    """The sha256 of the story's recordings (originals and renditions), and the bytes stored
    under every blob key naming one of them."""
    hashes: set[str] = set()
    with site.db.transaction() as session:
        for asset in session.scalars(select(Asset).where(Asset.id.in_(asset_ids))):
            hashes.add(asset.sha256)
            hashes.update(r.sha256 for r in asset.renditions)
    keys = site.blobs.keys()
    stored = {k: b"".join(site.blobs.open(k)) for k in keys if any(sha in k for sha in hashes)}
    return hashes, stored


def _story_paths(site: Site) -> dict[str, set[str]]:
    """Per profile, the media paths the live manifest names for the factory stop."""
    paths: dict[str, set[str]] = {}
    for profile in AUDIO_PROFILES:
        answer = httpx.get(f"{site.url}/v1/trails/{SLUG}/manifest", params={"profile": profile})
        stop = next(s for s in answer.json()["stops"] if s["key"] == "usine")
        paths[profile] = {
            path
            for cue in stop["cues"].values()
            for path in (cue["audio"], cue["transcript"])
            if path
        }
    return paths


def _cached(page: Any) -> list[str]:
    """The paths the player keeps for offline use."""
    paths: list[str] = page.evaluate(
        "async () => (await (await caches.open('baladeur-trails')).keys())"
        ".map(r => new URL(r.url).pathname)"
    )
    return paths


def _bundle_names(site: Site, profile: str) -> tuple[list[str], str]:
    """The members of the live bundle of ``profile`` and its manifest's text."""
    answer = httpx.get(
        f"{site.url}/v1/trails/{SLUG}/bundle", params={"profile": profile}, follow_redirects=True
    )
    assert answer.status_code == 200, answer.text
    with zipfile.ZipFile(io.BytesIO(answer.content)) as bundle:
        return bundle.namelist(), bundle.read(MANIFEST_NAME).decode()


def test_the_whole_circle(site: Site, chromium: Any, phone_browser: Any, tmp_path: Path) -> None:
    """Invite, record, consent, review, place, publish, hear, withdraw: then nothing is left."""
    trail, stop = _published_trail(site, tmp_path)

    # 1. The editor makes a link for the factory stop in the studio.
    editor_context = desktop(chromium, site.url)
    studio = editor_context.new_page()
    link = _invite_in_the_studio(studio, trail, stop)
    assert link.startswith(f"{site.url}/contribute/")

    # 2. A resident, on their own phone, records, names, consents and keeps the receipt.
    resident_context = phone(phone_browser, site.url)
    resident = resident_context.new_page()
    withdrawal = _resident_contributes(resident, link)
    assert withdrawal.startswith(f"{site.url}/contribute/withdraw#")

    # 3. The editor reviews it and publishes the trail from the review.
    story, untrimmed = _review_and_publish(studio, trail, stop)
    with site.db.transaction() as session:
        saved = session.get_one(Story, story)
        trimmed = {v.audio_asset_id for v in saved.versions if v.audio_asset_id is not None}
    hashes, stored = _recording(site, {untrimmed, *trimmed})
    assert stored, "the recording is in the blob store before it is withdrawn"
    paths = _story_paths(site)
    urls = {f"{site.url}/v1/{path}" for found in paths.values() for path in found}
    assert urls and all(httpx.get(url).status_code == 200 for url in urls)

    # 4. A visitor downloads the trail and hears the story by the factory.
    visitor_context = phone_context(chromium, site.url, locale="en-GB")
    visitor = visitor_context.new_page()
    visitor.goto(f"/play/{SLUG}")
    visitor.click("#download")
    visitor.wait_for_selector("#start-walk", timeout=30_000)
    before = player_state(visitor)["release"]
    assert [p for p in _cached(visitor) if any(sha in p for sha in hashes)]
    _walk_to_the_factory(visitor_context, visitor)
    visitor.wait_for_function("() => document.body.dataset.playing === 'usine'")
    now = visitor.locator("#now-playing").inner_text()
    # The title of the place, and the resident's first name as they chose to be credited.
    assert "La verrerie" in now
    assert visitor.locator("#story-credits").inner_text() == "Credits: Marie (contributor)"
    assert "Dupont" not in visitor.inner_text("body")
    visitor.locator("#now-playing").scroll_into_view_if_needed()
    shot(visitor, "7-visitor-hears-it")
    visitor.click("#start-walk")

    # 5. The resident opens the withdrawal link, sees where the story is heard, withdraws.
    mine = resident_context.new_page()
    mine.goto(withdrawal)
    steps.heading(mine, "Your story")
    text = mine.inner_text("main")
    assert TITLE in text and "It can be heard on this walk:" in text
    assert mine.get_by_role("link", name=TRAIL).get_attribute("href") == f"{site.url}/play/{SLUG}"
    shot(mine, "8-resident-published-in")
    mine.get_by_role("button", name="Withdraw my consent").click()
    steps.heading(mine, "Withdraw your story?")
    mine.get_by_role("button", name="Yes, withdraw my story").click()
    steps.heading(mine, "Your story has been withdrawn")
    text = mine.inner_text("main")
    assert "The recording was removed from every walk and from storage on" in text
    assert mine.get_by_role("link", name=TRAIL).count() == 0
    shot(mine, "9-resident-withdrawn")

    # 6. The audio is gone: from the visitor's update, every bundle, every URL, the store.
    visitor.reload()
    visitor.click("#update")
    visitor.wait_for_function(
        f"() => JSON.parse(document.querySelector('#player-state').textContent).release > {before}"
    )
    assert not [p for p in _cached(visitor) if any(sha in p for sha in hashes)]
    _walk_to_the_factory(visitor_context, visitor)
    visitor.wait_for_function(
        "() => JSON.parse(document.querySelector('#player-state').textContent).fix?.lon === "
        f"{FACTORY[0]}"
    )
    visitor.wait_for_timeout(1000)
    assert visitor.evaluate("document.body.dataset.playing || ''") != "usine"
    assert "Nothing playing" in visitor.locator("#now-playing").inner_text()
    factory = visitor.locator("#stops li[data-stop=usine]")
    assert factory.locator("[data-play]").count() == 0
    shot(visitor, "10-visitor-after-update")

    for profile in AUDIO_PROFILES:
        names, manifest = _bundle_names(site, profile)
        for path in paths[profile]:
            assert path not in names and path not in manifest, (profile, path)
    for url in urls:
        assert httpx.get(url).status_code in (404, 410), url
    left = site.blobs.keys()
    assert not [k for k in left if any(sha in k for sha in hashes)]
    # Nor under any other name, nor inside another blob (a bundle zip keeps media as they are).
    for key in left:
        data = b"".join(site.blobs.open(key))
        assert not any(recording in data for recording in stored.values()), key
    for context in (editor_context, resident_context, visitor_context):
        context.close()
