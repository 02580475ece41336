"""``baladeur push``, ``pull``, ``publish`` and ``login`` against a real server on loopback."""

from __future__ import annotations

import hashlib
import json
import shutil
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml
from sqlalchemy import func, select

from authoring.client import Remote, UploadState
from server.app import create_app
from server.auth import tokens
from server.db.models import (
    Asset,
    AssetStatus,
    Membership,
    Organisation,
    Role,
    Trail,
    Upload,
    User,
)
from server.db.session import Database
from server.jobs import Jobs, make_huey
from server.settings import Settings
from tests import test_cli_roundtrip as roundtrip
from tests.support.cli import run_cli
from tests.support.live import free_port, live_server
from tests.support.people import PASSWORD, add_user

# The small trail of the round-trip test, using most of the format.
trail_folder = roundtrip.rich_folder
files_of = roundtrip.files_of


@pytest.fixture
def backend() -> str:
    # A real HTTP server per test is the cost here; SpatiaLite is enough for the protocol.
    return "spatialite"


@dataclass
class Site:
    """A live server, its database and data directory, and an editor's token."""

    url: str
    db: Database
    database_url: str
    data_dir: Path
    tokens: dict[str, str]


@dataclass
class Result:
    code: int
    out: str
    err: str


def _member(db: Database, email: str, org_id: int, role: Role) -> str:
    """A member of the organisation, and a token of theirs (issued without a slow sign-in)."""
    user_id = add_user(db, email)
    with db.transaction() as session:
        session.add(Membership(organisation_id=org_id, user_id=user_id, role=role))
        raw, _row = tokens.issue(session, session.get_one(User, user_id), 3600)
    return raw


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No server, token or saved state from the machine running the tests."""
    for name in ("BALADEUR_TOKEN", "BALADEUR_SERVER", "BALADEUR_ORG", "BALADEUR_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


@pytest.fixture
def site(db: Database, database_url: str, tmp_path: Path, clean_env: None) -> Iterator[Site]:
    data_dir = tmp_path / "server"
    settings = Settings(data_dir=data_dir, inprocess_worker=False)
    with db.transaction() as session:
        orgs = [Organisation(slug=slug, name=slug.title()) for slug in ("mill", "festival")]
        session.add_all(orgs)
        session.flush()
        mill, festival = (org.id for org in orgs)
    tokens_by_role = {
        "editor": _member(db, "editor@example.org", mill, Role.editor),
        "contributor": _member(db, "contributor@example.org", mill, Role.contributor),
        "stranger": _member(db, "stranger@example.org", festival, Role.owner),
    }
    # Encoding runs at once, in the request that finishes an upload.
    jobs = Jobs(settings, huey=make_huey(settings, immediate=True), database=db)
    app = create_app(settings, database=db, jobs=jobs)
    with live_server(app) as url:
        yield Site(url, db, database_url, data_dir, tokens_by_role)


@pytest.fixture
def baladeur(site: Site, capsys: pytest.CaptureFixture[str]) -> object:
    def run(*args: str, who: str | None = "editor") -> Result:
        remote = ["--server", site.url]
        if who is not None:
            remote += ["--token", site.tokens[who]]
        return Result(*run_cli(capsys, *args, *remote))

    return run


def _counts(db: Database) -> dict[str, int]:
    with db.transaction() as s:
        return {
            model.__name__: s.scalar(select(func.count()).select_from(model)) or 0
            for model in (Trail, Asset, Upload)
        }


def _statuses(db: Database) -> list[AssetStatus]:
    with db.transaction() as s:
        return list(s.scalars(select(Asset.status)))


def test_push_twice_then_pull_gives_back_the_same_trail(
    site: Site,
    baladeur,
    trail_folder: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    first = baladeur("push", str(trail_folder), "--json")
    assert first.code == 0, first.err
    report = json.loads(first.out)
    assert (report["slug"], report["created"], report["changed"]) == ("petit", True, True)
    assert sorted(item["path"] for item in report["uploaded"]) == [
        "media/deux.fr.wav",
        "media/eau.opus",
        "media/un.fr.opus",
    ]
    assert report["bytes_sent"] == sum(
        (trail_folder / item["path"]).stat().st_size for item in report["uploaded"]
    )
    assert report["assets"] == {"ready": 3, "pending": 0, "failed": 0}
    assert _statuses(site.db) == [AssetStatus.ready] * 3
    assert _counts(site.db) == {"Trail": 1, "Asset": 3, "Upload": 3}

    second = baladeur("push", str(trail_folder), "--json")
    assert second.code == 0, second.err
    again = json.loads(second.out)
    assert (again["created"], again["changed"], again["uploaded"]) == (False, False, [])
    assert (again["bytes_sent"], again["reused"]) == (0, 3)
    assert _counts(site.db) == {"Trail": 1, "Asset": 3, "Upload": 3}  # no upload request

    one = tmp_path / "pulled-1"
    pulled = baladeur("pull", "petit", str(one), "--json")
    assert pulled.code == 0, pulled.err
    assert json.loads(pulled.out)["media"] == 4
    # What came back is what went in: the trail, and every original byte for byte.
    yaml_one = yaml.safe_load((one / "trail.yaml").read_text())
    source = yaml.safe_load((trail_folder / "trail.yaml").read_text())
    for key in ("slug", "languages", "title", "mode", "timezone", "credits", "route"):
        assert yaml_one[key] == source[key], key
    version = yaml_one["stops"][0]["story"]["versions"]["fr"]
    assert (one / version["audio"]).read_bytes() == (trail_folder / "media/un.fr.opus").read_bytes()
    assert (one / version["transcript"]).read_bytes() == (
        trail_folder / "media/un.fr.vtt"
    ).read_bytes()
    assert (one / yaml_one["ambience"][0]["audio"]).read_bytes() == (
        trail_folder / "media/eau.opus"
    ).read_bytes()

    # The pulled folder pushed back is the same trail: nothing changes, nothing is sent.
    third = baladeur("push", str(one), "--json")
    assert third.code == 0, third.err
    assert (json.loads(third.out)["changed"], json.loads(third.out)["bytes_sent"]) == (False, 0)
    two = tmp_path / "pulled-2.zip"
    assert baladeur("pull", "petit", str(two)).code == 0
    unzipped = tmp_path / "unzipped"
    shutil.unpack_archive(two, unzipped)
    assert files_of(one) == files_of(unzipped)

    # And it is exactly what the local `export` writes from the server's own database.
    monkeypatch.setenv("BALADEUR_DATABASE_URL", site.database_url)
    monkeypatch.setenv("BALADEUR_DATA_DIR", str(site.data_dir))
    exported = tmp_path / "exported"
    code, _out, err = run_cli(capsys, "export", "petit", str(exported))
    assert code == 0, err
    assert files_of(exported) == files_of(one)


def test_a_changed_folder_updates_the_draft_and_sends_only_the_new_file(
    site: Site, baladeur, trail_folder: Path
) -> None:
    assert baladeur("push", str(trail_folder), "--json").code == 0
    trail = yaml.safe_load((trail_folder / "trail.yaml").read_text())
    trail["title"]["en"] = "Smaller"
    trail["stops"][1]["story"]["versions"]["fr"]["audio"] = "media/trois.wav"
    (trail_folder / "media" / "trois.wav").write_bytes(
        (trail_folder / "media" / "deux.fr.wav").read_bytes()[:-4000]
    )
    (trail_folder / "trail.yaml").write_text(yaml.safe_dump(trail, allow_unicode=True))
    result = baladeur("push", str(trail_folder))
    assert result.code == 0, result.err
    assert "trail petit: updated" in result.out
    assert "1 media uploaded" in result.out
    with site.db.transaction() as s:
        row = s.scalar(select(Trail).where(Trail.slug == "petit"))
        assert row is not None
        assert row.titles["en"] == "Smaller"
        assert row.version > 1


def test_push_with_a_bad_token_or_role_creates_nothing(
    site: Site, baladeur, trail_folder: Path
) -> None:
    site.tokens["forged"] = "not-a-token"
    result = baladeur("push", str(trail_folder), who="forged")
    assert result.code == 1
    assert result.err.startswith("error: Unauthorized (401): ")
    assert "baladeur login" in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert "Traceback" not in result.err

    refused = baladeur("push", str(trail_folder), "--json", who="contributor")
    assert refused.code == 1
    problem = json.loads(refused.err)
    assert problem["error"] == "Forbidden"
    assert "needs the editor role" in problem["detail"]
    assert _counts(site.db) == {"Trail": 0, "Asset": 0, "Upload": 0}

    # Another organisation's unpublished draft of the same name is neither refused nor told.
    theirs = yaml.safe_load((trail_folder / "trail.yaml").read_text())
    for stop in theirs["stops"]:
        stop.pop("story", None)
    theirs.pop("ambience")
    theirs.pop("objects", None)
    stranger = {"Authorization": f"Bearer {site.tokens['stranger']}"}
    url = f"{site.url}/v1/orgs/festival/trails/by-slug/petit/source"
    assert httpx.put(url, json={"trail": theirs}, headers=stranger).status_code == 201
    pushed = baladeur("push", str(trail_folder), "--org", "mill")
    assert pushed.code == 0, pushed.err
    assert _counts(site.db)["Trail"] == 2


def test_a_server_that_is_down_is_named(
    clean_env: None, trail_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    down = f"http://127.0.0.1:{free_port()}"
    for args in (("push", str(trail_folder)), ("pull", "petit"), ("publish", "petit")):
        code, out, err = run_cli(capsys, *args, "--server", down, "--token", "t", "--org", "mill")
        assert code == 1, args
        assert err.startswith(f"error: cannot reach the server at {down}"), err
        assert len(err.strip().splitlines()) == 1
        assert out == ""


def test_an_interrupted_upload_resumes(
    site: Site, baladeur, trail_folder: Path, tmp_path: Path
) -> None:
    audio = trail_folder / "media" / "deux.fr.wav"
    sha = hashlib.sha256(audio.read_bytes()).hexdigest()

    class Interrupted(Exception):
        pass

    def stop_after_first_chunk(count: int) -> None:
        raise Interrupted

    with (
        Remote(site.url, site.tokens["editor"], "mill") as remote,
        pytest.raises(Interrupted),
    ):
        remote.upload(
            audio,
            sha,
            role="voice",
            state=UploadState(),
            on_bytes=stop_after_first_chunk,
            chunk_bytes=4096,
        )
    assert _counts(site.db) == {"Trail": 0, "Asset": 0, "Upload": 1}

    result = baladeur("push", str(trail_folder), "--json")
    assert result.code == 0, result.err
    sent = {item["path"]: item for item in json.loads(result.out)["uploaded"]}
    assert sent["media/deux.fr.wav"]["resumed_from"] == 4096
    assert sent["media/deux.fr.wav"]["bytes_sent"] == audio.stat().st_size - 4096
    assert sent["media/un.fr.opus"]["resumed_from"] == 0
    assert _counts(site.db)["Upload"] == 3  # the interrupted one was finished, not restarted
    out = tmp_path / "back"
    assert baladeur("pull", "petit", str(out)).code == 0
    assert (out / "media" / f"{sha}.wav").read_bytes() == audio.read_bytes()


def test_publish_creates_a_release(site: Site, baladeur, trail_folder: Path) -> None:
    assert baladeur("push", str(trail_folder)).code == 0
    result = baladeur("publish", "petit", "--notes", "first walk", "--json")
    assert result.code == 0, result.err
    release = json.loads(result.out)
    assert (release["number"], release["state"], release["notes"]) == (1, "live", "first walk")
    assert {b["profile"] for b in release["bundles"]} == {"opus", "aac"}
    assert httpx.get(f"{site.url}/v1/trails/petit").status_code == 200

    later = baladeur("publish", "petit", "--at", "2030-01-01T10:00:00+01:00", "--json")
    assert later.code == 0, later.err
    assert json.loads(later.out)["state"] == "scheduled"
    naive = baladeur("publish", "petit", "--at", "2030-01-01T10:00")
    assert naive.code == 1
    assert "give a UTC offset" in naive.err
    unknown = baladeur("publish", "nowhere")
    assert unknown.code == 1
    assert "no trail 'nowhere' in the organisation 'mill'" in unknown.err


def test_login_keeps_a_private_token(
    site: Site, baladeur, trail_folder: Path, tmp_path: Path
) -> None:
    wrong = baladeur("login", "--email", "editor@example.org", "--password", "nope", who=None)
    assert wrong.code == 1
    assert wrong.err.startswith("error: Unauthorized (401): wrong email or password")

    printed = baladeur("login", "--email", "editor@example.org", "--password", PASSWORD, who=None)
    assert printed.code == 0, printed.err
    assert len(printed.out.strip()) > 20 and "\n" not in printed.out.strip()

    saved = baladeur(
        "login", "--email", "editor@example.org", "--password", PASSWORD, "--save", who=None
    )
    assert saved.code == 0, saved.err
    credentials = tmp_path / "config" / "baladeur" / "credentials.json"
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    # Later commands use it; the organisation is the user's only one.
    pushed = baladeur("push", str(trail_folder), "--json", who=None)
    assert pushed.code == 0, pushed.err
    assert json.loads(pushed.out)["org"] == "mill"


def test_no_token_at_all_is_a_clear_message(site: Site, baladeur, trail_folder: Path) -> None:
    result = baladeur("push", str(trail_folder), who=None)
    assert result.code == 1
    assert f"not signed in to {site.url}: run `baladeur login --save`" in result.err


# The API under the commands.


def _auth(site: Site) -> dict[str, str]:
    return {"Authorization": f"Bearer {site.tokens['editor']}"}


def test_put_source_lists_every_missing_item_and_changes_nothing(site: Site) -> None:
    trail = {
        "slug": "vide",
        "languages": ["fr"],
        "title": {"fr": "Vide"},
        "stops": [
            {
                "key": k,
                "title": {"fr": k},
                "zone": {"type": "circle", "center": [4.39, 50.4], "radius_m": 20},
                "story": {
                    "versions": {"fr": {"audio": f"media/{k}.wav", "transcript": f"media/{k}.vtt"}}
                },
            }
            for k in ("a", "b")
        ],
    }
    url = f"{site.url}/v1/orgs/mill/trails/by-slug/vide/source"
    body = {"trail": trail, "media": {"media/a.wav": {"sha256": "0" * 64}}}
    response = httpx.put(url, json=body, headers=_auth(site))
    assert response.status_code == 422
    fields = [e["field"] for e in response.json()["errors"]]
    assert fields == [
        "media.media/a.wav",
        "media.media/b.wav",
        "transcripts.media/a.vtt",
        "transcripts.media/b.vtt",
    ]
    assert _counts(site.db) == {"Trail": 0, "Asset": 0, "Upload": 0}

    mismatch = httpx.put(
        f"{site.url}/v1/orgs/mill/trails/by-slug/other/source", json=body, headers=_auth(site)
    )
    assert mismatch.status_code == 422
    assert mismatch.json()["errors"][0]["field"] == "trail.slug"


def test_put_source_needs_the_current_etag_to_replace(site: Site) -> None:
    trail = {
        "slug": "muet",
        "languages": ["fr"],
        "title": {"fr": "Muet"},
        "stops": [
            {
                "key": "a",
                "title": {"fr": "A"},
                "zone": {"type": "circle", "center": [4.39, 50.4], "radius_m": 20},
            }
        ],
    }
    url = f"{site.url}/v1/orgs/mill/trails/by-slug/muet/source"
    created = httpx.put(url, json={"trail": trail}, headers=_auth(site))
    assert created.status_code == 201, created.text
    etag = created.headers["ETag"]
    got = httpx.get(url, headers=_auth(site))
    assert (got.status_code, got.headers["ETag"]) == (200, etag)
    by_id = httpx.get(
        f"{site.url}/v1/orgs/mill/trails/{created.json()['trail_id']}/source", headers=_auth(site)
    )
    assert by_id.json()["trail"] == got.json()["trail"]

    trail["title"] = {"fr": "Muet, encore"}
    assert httpx.put(url, json={"trail": trail}, headers=_auth(site)).status_code == 428
    stale = {**_auth(site), "If-Match": '"trail-1-0"'}
    assert httpx.put(url, json={"trail": trail}, headers=stale).status_code == 412
    fresh = {**_auth(site), "If-Match": etag}
    replaced = httpx.put(url, json={"trail": trail}, headers=fresh)
    assert replaced.status_code == 200
    assert replaced.json()["changed"] is True
    assert replaced.headers["ETag"] != etag


def test_originals_answer_ranges_and_a_studio_draft_can_be_replaced(
    site: Site, trail_folder: Path
) -> None:
    audio = trail_folder / "media" / "un.fr.opus"
    data = audio.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    with Remote(site.url, site.tokens["editor"], "mill") as remote:
        assert remote.lookup([sha, "f" * 64]) == {"found": {}, "missing": [sha, "f" * 64]}
        asset_id = remote.upload(audio, sha, role="voice", state=UploadState()).asset_id
        assert remote.lookup([sha])["found"][sha]["asset_id"] == asset_id
    url = f"{site.url}/v1/orgs/mill/assets/{asset_id}/original"
    whole = httpx.get(url, headers=_auth(site))
    assert (whole.status_code, whole.content, whole.headers["ETag"]) == (200, data, f'"{sha}"')
    part = httpx.get(url, headers={**_auth(site), "Range": "bytes=10-19"})
    assert (part.status_code, part.content) == (206, data[10:20])
    contributor = {"Authorization": f"Bearer {site.tokens['contributor']}"}
    assert httpx.get(url, headers=contributor).status_code == 403

    # A draft begun in the studio, with no stop yet: not a trail source, but replaceable.
    made = httpx.post(
        f"{site.url}/v1/orgs/mill/trails",
        json={"slug": "atelier", "title": {"fr": "Atelier"}, "languages": ["fr"]},
        headers=_auth(site),
    )
    assert made.status_code == 201, made.text
    source_url = f"{site.url}/v1/orgs/mill/trails/by-slug/atelier/source"
    incomplete = httpx.get(source_url, headers=_auth(site))
    assert incomplete.status_code == 409
    assert "not a complete trail yet" in incomplete.json()["detail"]
    trail = {
        "slug": "atelier",
        "languages": ["fr"],
        "title": {"fr": "Atelier"},
        "stops": [
            {
                "key": "porte",
                "title": {"fr": "Porte"},
                "zone": {"type": "circle", "center": [4.39, 50.4], "radius_m": 20},
                "story": {"versions": {"fr": {"audio": "media/x.opus"}}},
            }
        ],
    }
    body = {"trail": trail, "media": {"media/x.opus": {"sha256": sha}}}
    headers = {**_auth(site), "If-Match": made.headers["ETag"]}
    replaced = httpx.put(source_url, json=body, headers=headers)
    assert replaced.status_code == 200, replaced.text
    document = httpx.get(source_url, headers=_auth(site)).json()
    assert document["trail"]["stops"][0]["story"]["versions"]["fr"]["audio"] == f"media/{sha}.opus"
    assert document["media"][f"media/{sha}.opus"]["asset_id"] == asset_id


def test_the_server_refuses_in_the_language_of_the_command(
    site: Site, baladeur, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    # The command sends its language as Accept-Language: the server's detail comes back in
    # German, its title (a name, like the problem's type) as it is.
    wrong = baladeur("login", "--email", "editor@example.org", "--password", "nope", who=None)
    assert wrong.code == 1
    assert wrong.err == (
        "Fehler: Unauthorized (401): falsche E-Mail-Adresse oder falsches Passwort"
        " (führen Sie `baladeur login` aus oder setzen Sie BALADEUR_TOKEN)\n"
    )
    unknown = baladeur("publish", "nowhere")
    assert unknown.code == 1
    assert unknown.err == (
        f"Fehler: kein Rundgang 'nowhere' in der Organisation 'mill' auf {site.url}\n"
    )
