"""A live server whose every user-text field holds script, stored through the API and importers.

Each field gets ``hostile(name)``: the field's name, then three ways a string runs script if
something reads it as HTML (an ``<img onerror>``, an attribute break into ``<svg onload>``,
a ``<script>``). Each of them would count ``window.__xss`` up. The browser tests open every
screen on this data and check that nothing ran and that the text shows as typed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from media.blobs.local import LocalBlobStore
from server.app import create_app
from server.db import migrate
from server.db.engine import make_engine
from server.db.models import Stop, Trail, User
from server.db.session import Database
from server.jobs import Jobs, make_huey
from server.keys import keyring
from server.settings import Settings
from server.webapps import PLAYER, STUDIO
from tests.support.audio import ffmpeg_make, tone

# csp_kept is an autouse fixture: importing it applies it to this folder's tests.
from tests.support.browser import csp_kept, tool_unavailable  # noqa: F401
from tests.support.live import live_server
from tests.support.people import People, make_people

EXAMPLE_MEDIA = Path(__file__).resolve().parents[2] / "examples" / "moulin-de-marchienne" / "media"
RUN = "window.__xss=(window.__xss||0)+1"
IMG = f'<img src=x onerror="{RUN}">'
SVG = f'"><svg onload="{RUN}">'
SCRIPT = f"<script>{RUN}</script>"
# Where the imported trail's stop and ambience are, and where the visitor stands.
CENTRE = (4.395, 50.4036)


def hostile(name: str, *, short: bool = False, slash: bool = True) -> str:
    """The text stored in field ``name``: its name, then script in three disguises.

    ``short`` keeps one disguise (for fields of 100 characters); ``slash`` False leaves out
    the ``</script>`` (file names lose what comes before a slash).
    """
    if short:
        return f"{name} {IMG}"
    return f"{name} {IMG}{SVG}{SCRIPT if slash else ''}"


@dataclass
class World:
    """The running server, its data and which hostile text went where."""

    url: str
    db: Database
    people: People
    folder: Path
    trails: dict[str, int] = field(default_factory=dict)  # api, folder, gpx -> trail id
    slugs: dict[str, str] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)  # field name -> stored text

    def text(self, name: str, **options: bool) -> str:
        """The hostile text of ``name``, remembered for the checks."""
        value = hostile(name, **options)
        self.texts[name] = value
        return value


def _made(response: Any, status: int = 201) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def _cli(folder: Path, *args: str) -> None:
    """``baladeur`` as an operator runs it, on this world's database and data directory."""
    env = {
        **os.environ,
        "BALADEUR_DATA_DIR": str(folder),
        "BALADEUR_DATABASE_URL": f"sqlite:///{folder / 'test.db'}",
        "BALADEUR_WORKERS": "1",
        "BALADEUR_LOG_FORMAT": "text",
    }
    baladeur = Path(sys.executable).with_name("baladeur")
    done = subprocess.run(
        [str(baladeur), *args], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _vtt(text: str) -> str:
    return f"WEBVTT\n\n00:00.000 --> 00:01.500\n{text}\n"


def _trail_folder(world: World, root: Path) -> Path:
    """A trail folder for ``baladeur import``: every text in trail.yaml is hostile."""
    folder = root / "hostile-folder"
    (folder / "media").mkdir(parents=True)
    shutil.copyfile(EXAMPLE_MEDIA / "moulin.fr.opus", folder / "media" / "voice.opus")
    shutil.copyfile(EXAMPLE_MEDIA / "riviere.opus", folder / "media" / "river.opus")
    (folder / "media" / "voice.fr.vtt").write_text(_vtt(world.text("yaml-cue-text")))
    lon, lat = CENTRE
    source = {
        "format": 1,
        "slug": "hostile-folder",
        "languages": ["fr"],
        "title": {"fr": world.text("yaml-trail-title")},
        "description": {"fr": world.text("yaml-trail-description")},
        "visibility": "public",
        "credits": [
            {"name": world.text("yaml-credit-name"), "role": world.text("yaml-credit-role")}
        ],
        "stops": [
            {
                "key": "moulin",
                "title": {"fr": world.text("yaml-stop-title")},
                "zone": {"type": "circle", "center": [lon, lat], "radius_m": 30},
                "story": {
                    "versions": {
                        "fr": {
                            "audio": "media/voice.opus",
                            "transcript": "media/voice.fr.vtt",
                            "text": world.text("yaml-story-text"),
                        }
                    },
                    "credits": [
                        {
                            "name": world.text("yaml-story-credit-name"),
                            "role": world.text("yaml-story-credit-role"),
                        }
                    ],
                    "consents": [
                        {
                            "person": world.text("yaml-consent-person"),
                            "given_on": "2026-01-15",
                            "scope": world.text("yaml-consent-scope"),
                            "reference": world.text("yaml-consent-reference"),
                        }
                    ],
                },
            }
        ],
        "ambience": [
            {
                "key": "riviere",
                "title": {"fr": world.text("yaml-ambience-title")},
                "audio": "media/river.opus",
                "zone": {"type": "circle", "center": [lon, lat], "radius_m": 40},
                "max_distance_m": 80,
            }
        ],
    }
    (folder / "trail.yaml").write_text(yaml.safe_dump(source, allow_unicode=True))
    return folder


def _gpx(world: World, root: Path) -> Path:
    """A GPX file whose waypoint names are hostile (the path of issue 16's report)."""
    lon, lat = CENTRE
    name = escape(world.text("gpx-trail-name"))
    first = escape(world.text("gpx-waypoint-name"))
    second = escape(world.text("gpx-waypoint-description"))
    path = root / "hostile.gpx"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">\n'
        f"  <metadata><name>{name}</name></metadata>\n"
        f'  <wpt lat="{lat}" lon="{lon}"><name>{first}</name><desc>{second}</desc></wpt>\n'
        f'  <wpt lat="{lat + 0.001}" lon="{lon + 0.001}"><name>{second}</name></wpt>\n'
        "</gpx>\n"
    )
    return path


def _through_the_api(world: World, client: TestClient, work: Path) -> None:
    """Every text field of the authoring API, set by the role that may set it."""
    people = world.people
    owner, editor, contributor = people["owner"], people["editor"], people["contributor"]
    base = "/v1/orgs/mill"

    org = _made(client.get(base, headers=owner), 200)
    _made(
        client.patch(
            base,
            json={"name": world.text("org-name")},
            headers={**owner, "If-Match": org["etag"]},
        ),
        200,
    )
    with world.db.transaction() as session:
        session.execute(
            update(User)
            .where(User.id == people.ids["owner"])
            .values(display_name=world.text("display-name"))
        )

    def recording(freq: int) -> Path:
        # Different bytes each time: the same bytes would be the same asset.
        return ffmpeg_make(work / f"{freq}.wav", *tone(1.5, rate=16000, freq=freq), "-ac", "1")

    def upload(who: dict[str, str], name: str, freq: int) -> int:
        filename = world.text(name, slash=False) + ".wav"
        with recording(freq).open("rb") as fh:
            asset = _made(
                client.post(
                    f"{base}/assets", files={"file": (filename, fh, "audio/wav")}, headers=who
                )
            )
        return int(asset["id"])

    asset = upload(editor, "file-name", 440)
    trail = _made(
        client.post(
            f"{base}/trails",
            json={
                "slug": "hostile-api",
                "title": {"fr": world.text("trail-title")},
                "description": {"fr": world.text("trail-description")},
                "languages": ["fr"],
                "visibility": "public",
                "licence": world.text("trail-licence", short=True),
                "credits": [
                    {
                        "name": world.text("trail-credit-name"),
                        "role": world.text("trail-credit-role"),
                    }
                ],
            },
            headers=editor,
        )
    )
    world.trails["api"], world.slugs["api"] = trail["id"], trail["slug"]
    story = _made(
        client.post(
            f"{base}/stories",
            json={
                "title": world.text("story-title"),
                "licence": world.text("story-licence", short=True),
                "credits": [{"name": world.text("credit-name"), "role": world.text("credit-role")}],
                "versions": {
                    "fr": {
                        "audio_asset_id": asset,
                        "transcript_vtt": _vtt(world.text("cue-text")),
                        "text": world.text("story-text"),
                    }
                },
            },
            headers=editor,
        )
    )
    _made(
        client.post(
            f"{base}/stories/{story['id']}/consents",
            json={
                "person": world.text("consent-person"),
                "publication": True,
                "archive": True,
                "given_on": "2026-05-01",
            },
            headers=editor,
        )
    )
    stops = f"{base}/trails/{trail['id']}/stops"
    lon, lat = CENTRE
    zone = {"type": "circle", "center": [lon + 0.002, lat], "radius_m": 25}
    # Keys are slugs: the API refuses anything else, hostile or not.
    refused = client.post(
        stops, json={"key": hostile("stop-key"), "title": {"fr": "x"}, "zone": zone}, headers=editor
    )
    assert refused.status_code == 422, refused.text
    _made(
        client.post(
            stops,
            json={
                "key": "bief",
                "title": {"fr": world.text("stop-title")},
                "zone": zone,
                "story_id": story["id"],
            },
            headers=editor,
        )
    )

    # A contribution waiting for review, and one rejected with a reason.
    own = upload(contributor, "contributor-file-name", 550)
    for title, status in (("contribution-title", "waiting"), ("rejected-title", "rejected")):
        contribution = _made(
            client.post(
                f"{base}/contributions",
                json={
                    "title": world.text(title),
                    "contributor_name": world.text(f"{title}-contributor"),
                    "credits": [
                        {
                            "name": world.text(f"{title}-credit-name"),
                            "role": world.text(f"{title}-credit-role"),
                        }
                    ],
                    "versions": {
                        "fr": {
                            "audio_asset_id": own,
                            "text": world.text(f"{title}-text"),
                            "transcript_vtt": _vtt(world.text(f"{title}-cue")),
                        }
                    },
                    "consent": {
                        "person": world.text(f"{title}-consent-person"),
                        "publication": True,
                        "archive": False,
                        "given_on": "2026-05-02",
                    },
                },
                headers=contributor,
            )
        )
        if status == "rejected":
            _made(
                client.post(
                    f"{base}/contributions/{contribution['id']}/reject",
                    json={"reason": world.text("rejection-reason")},
                    headers={**editor, "If-Match": contribution["etag"]},
                ),
                200,
            )

    # A resident without an account, through an invitation link.
    invitation = _made(
        client.post(
            f"{base}/invitations", json={"label": world.text("invitation-label")}, headers=editor
        )
    )
    data = {
        "title": world.text("invited-title"),
        "language": "fr",
        "contributor_name": world.text("invited-name"),
        "text": world.text("invited-text"),
        # Credited by the name, as the resident chose (issue 18): no credits of their own.
        "credit": "full-name",
        "licence": "cc-by-4.0",
        "consent": {
            "person": world.text("invited-consent-person"),
            "publication": True,
            "archive": True,
            "given_on": "2026-05-03",
        },
    }
    filename = world.text("invited-file-name", slash=False) + ".wav"
    with recording(660).open("rb") as fh:
        _made(
            client.post(
                f"/v1/invitations/{invitation['code']}/contributions",
                data={"data": json.dumps(data)},
                files={
                    "audio": (filename, fh, "audio/wav"),
                    "transcript": ("t.vtt", _vtt(world.text("invited-cue")).encode(), "text/vtt"),
                },
            )
        )
    # The owner publishes, with notes: the history shows both.
    _made(
        client.post(
            f"/v1/orgs/mill/trails/{trail['id']}/releases",
            json={"notes": world.text("release-notes")},
            headers=owner,
        )
    )


@pytest.fixture(scope="package")
def world(spatialite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The hostile world, served live; jobs run at once, as in the studio's tests."""
    if not (STUDIO.dist / "index.html").is_file() or not (PLAYER.dist / "index.html").is_file():
        tool_unavailable("the web apps are not built: run `npm ci && npm run build`")
    folder = tmp_path_factory.mktemp("hostile-site")
    shutil.copyfile(spatialite_template, folder / "test.db")
    engine = make_engine(f"sqlite:///{folder / 'test.db'}")
    migrate.upgrade(engine)
    db = Database(engine)
    settings = Settings(
        data_dir=folder,
        database_url=f"sqlite:///{folder / 'test.db'}",
        inprocess_worker=False,
        scheduler_interval_s=0,
        tile_url="",
    )
    blobs = LocalBlobStore(settings.resolved_blob_dir)
    jobs = Jobs(settings, huey=make_huey(settings, immediate=True), database=db, blobs=blobs)
    app = create_app(settings, database=db, blobs=blobs, jobs=jobs, keys=keyring(settings))
    work = tmp_path_factory.mktemp("hostile-sources")
    with TestClient(app) as client:
        world = World("", db, make_people(client, db), folder)
        _through_the_api(world, client, work)
    # What an operator imports: a trail folder (published) and a GPX file (a draft).
    _cli(folder, "import", str(_trail_folder(world, work)), "--org", "mill", "--publish")
    _cli(folder, "import", str(_gpx(world, work)), "--org", "mill", "--language", "fr")
    with db.transaction() as session:
        for name, slug in (("folder", "hostile-folder"),):
            trail = session.scalars(select(Trail).where(Trail.slug == slug)).one()
            world.trails[name], world.slugs[name] = trail.id, slug
        gpx = session.scalars(select(Trail).where(Trail.slug.startswith("gpx-trail-name"))).one()
        world.trails["gpx"], world.slugs["gpx"] = gpx.id, gpx.slug
        assert len(session.scalars(select(Stop).where(Stop.trail_id == gpx.id)).all()) == 2
    with live_server(app) as url:
        world.url = url
        yield world
    engine.dispose()
