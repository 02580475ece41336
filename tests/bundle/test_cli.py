"""``baladeur build`` and ``baladeur verify`` end to end, with tiny generated audio."""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from authoring.cli import main
from tests.bundle.conftest import data_offset, flip_byte
from tests.support.cli import run_cli
from trails.bundle.signing import (
    Keyring,
    SigningKey,
    generate_key,
    private_key_pem,
    public_b64,
    public_key_pem,
)


@pytest.fixture(autouse=True)
def own_config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Pins made by --server go to a throwaway config dir, never the user's."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path / "config"


def _tone(path: Path, seconds: float, frequency: int, channels: int = 1) -> None:
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
         f"sine=frequency={frequency}:duration={seconds}", "-ac", str(channels), str(path)],
        check=True,
    )  # fmt: skip


@pytest.fixture(scope="module")
def trail_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("trail")
    _tone(folder / "a.wav", 2, 440)
    _tone(folder / "b.flac", 1.5, 660)
    _tone(folder / "amb.wav", 2, 220, channels=2)
    (folder / "a.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nBonjour\n", encoding="utf-8")
    data = {
        "slug": "tiny",
        "languages": ["fr"],
        "title": {"fr": "Petit"},
        "stops": [
            {
                "key": "a",
                "title": {"fr": "A"},
                "zone": {"type": "circle", "center": [4.40, 50.41], "radius_m": 20},
                "story": {"versions": {"fr": {"audio": "a.wav", "transcript": "a.vtt"}}},
            },
            {
                "key": "b",
                "title": {"fr": "B"},
                "zone": {"type": "circle", "center": [4.41, 50.41], "radius_m": 20},
                "story": {"versions": {"fr": {"audio": "b.flac"}}},
            },
        ],
        "ambience": [
            {
                "key": "amb",
                "audio": "amb.wav",
                "zone": {"type": "circle", "center": [4.405, 50.41], "radius_m": 30},
            }
        ],
    }
    (folder / "trail.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    return folder


@dataclass
class Built:
    opus: Path
    aac: Path
    opus_result: dict[str, Any]
    aac_result: dict[str, Any]
    data_dir: Path
    file_key: SigningKey
    key_file: Path


@pytest.fixture(scope="module")
def built(trail_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    work = tmp_path_factory.mktemp("built")
    data_dir = work / "data"
    file_key = SigningKey(generate_key())
    key_file = work / "signing.pem"
    key_file.write_bytes(private_key_pem(file_key.private))
    mp = pytest.MonkeyPatch()
    mp.setenv("BALADEUR_DATA_DIR", str(data_dir))
    mp.setenv("SOURCE_DATE_EPOCH", "1750000000")
    cap = _Capture()
    try:
        results = []
        for args in (
            ["-o", str(work / "tiny.opus.zip"), "--profile", "opus"],
            ["-o", str(work / "tiny.aac.zip"), "--profile", "aac", "--key", str(key_file)],
        ):
            code, out = cap.run("build", str(trail_dir), *args, "--json")
            assert code == 0, out
            results.append(json.loads(out))
        yield Built(
            work / "tiny.opus.zip",
            work / "tiny.aac.zip",
            results[0],
            results[1],
            data_dir,
            file_key,
            key_file,
        )
    finally:
        mp.undo()


class _Capture:
    """Run the CLI in-process and capture stdout (module-scoped fixtures have no capsys)."""

    def run(self, *args: str) -> tuple[int, str]:
        import contextlib
        import io

        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            try:
                main(list(args))
                code = 0
            except SystemExit as exc:
                code = int(exc.code or 0)
        return code, buffer.getvalue()


def test_build_reports_and_signs_with_the_local_keyring(built: Built) -> None:
    result = built.opus_result
    assert result["trail"] == "tiny" and result["profile"] == "opus"
    assert result["bytes"] == built.opus.stat().st_size
    keys_dir = built.data_dir / "keys"
    key_file = keys_dir / f"{result['key_id']}.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert Keyring(keys_dir).current().id == result["key_id"]
    size = result["size"]["profiles"]["opus"]
    assert [s["key"] for s in size["stops"]] == ["a", "b"]
    assert size["audio_s"] == pytest.approx(5.5, abs=0.1)
    assert result["size"]["warnings"] == []
    with zipfile.ZipFile(built.opus) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["built_at"] == "2025-06-15T15:06:40Z"  # SOURCE_DATE_EPOCH
    kinds = sorted((r["kind"], r["mime_type"]) for r in manifest["media"])
    assert kinds == [("audio", "audio/ogg")] * 3 + [("transcript", "text/vtt")]
    cue = manifest["stops"][0]["cues"]["fr"]
    assert cue["duration_s"] == pytest.approx(2.0, abs=0.05)
    assert all(r["loudness_lufs"] is not None for r in manifest["media"] if r["kind"] == "audio")


def test_aac_build_with_a_key_file(built: Built, capsys: pytest.CaptureFixture[str]) -> None:
    assert built.aac_result["key_id"] == built.file_key.id
    with zipfile.ZipFile(built.aac) as zf:
        names = zf.namelist()
    assert sum(n.endswith(".m4a") for n in names) == 3
    public = built.key_file.with_suffix(".pub")
    public.write_bytes(public_key_pem(built.file_key.public))
    code, out, _ = run_cli(capsys, "verify", str(built.aac), "--key", str(public), "--json")
    assert code == 0 and json.loads(out)["signature_checked"] is True


def test_verify_with_the_private_key_file(built: Built, capsys: pytest.CaptureFixture[str]) -> None:
    key = built.data_dir / "keys" / f"{built.opus_result['key_id']}.key"
    code, out, err = run_cli(capsys, "verify", str(built.opus), "--key", str(key))
    assert code == 0 and out.startswith("ok: tiny release 1 (opus)") and err == ""


def test_verify_without_a_key_warns(built: Built, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "verify", str(built.opus))
    assert code == 0 and "signature not checked" in err


def test_verify_reports_damage_and_exits_1(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.zip"
    shutil.copy(built.opus, bad)
    with zipfile.ZipFile(bad) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".opus"))
    flip_byte(bad, data_offset(bad, name) + 50)
    key = built.data_dir / "keys" / f"{built.opus_result['key_id']}.key"
    code, out, _ = run_cli(capsys, "verify", str(bad), "--key", str(key), "--json")
    report = json.loads(out)
    assert code == 1 and report["ok"] is False
    assert [(p["code"], p["entry"]) for p in report["problems"]] == [("hash-mismatch", name)]
    code, out, _ = run_cli(capsys, "verify", str(bad), "--key", str(key))
    assert code == 1 and f"hash-mismatch: content does not match its sha256 [{name}]" in out


class _KeysServer:
    def __init__(self, document: Any, status: int = 200) -> None:
        self.document = document
        seen: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                payload = json.dumps(outer.document).encode()
                seen.append(self.path)
                self.send_response(status if self.path == "/v1/keys" else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.seen = seen
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> _KeysServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_verify_against_a_server(built: Built, capsys: pytest.CaptureFixture[str]) -> None:
    document = Keyring(built.data_dir / "keys").document()
    with _KeysServer(document) as server:
        code, out, _ = run_cli(
            capsys, "verify", str(built.opus), "--server", server.url + "/", "--json"
        )
    assert code == 0 and json.loads(out)["signature_checked"] is True
    assert server.seen == ["/v1/keys"]


def test_verify_against_a_server_with_other_keys(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = Keyring(tmp_path / "other")
    other.current()
    with _KeysServer(other.document()) as server:
        code, out, _ = run_cli(capsys, "verify", str(built.opus), "--server", server.url, "--json")
    assert code == 1
    assert [p["code"] for p in json.loads(out)["problems"]] == ["unknown-key"]


@pytest.mark.parametrize(("document", "status"), [({"keys": []}, 503), ({"nope": 1}, 200)])
def test_verify_against_a_broken_server(
    built: Built, capsys: pytest.CaptureFixture[str], document: Any, status: int
) -> None:
    with _KeysServer(document, status) as server:
        code, out, err = run_cli(
            capsys, "verify", str(built.opus), "--server", server.url, "--json"
        )
    assert code == 1 and out == ""
    assert "/v1/keys" in json.loads(err)["detail"]


def test_verify_server_unreachable(built: Built, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "verify", str(built.opus), "--server", "http://127.0.0.1:9")
    assert code == 1 and "could not fetch the keys" in err


def test_verify_key_and_server_together_refused(
    built: Built, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(
        capsys, "verify", str(built.opus), "--key", str(built.key_file), "--server", "http://x"
    )
    assert code == 1 and "not both" in err


def test_verify_bad_key_file(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.pub"
    bad.write_text("hello", encoding="utf-8")
    code, _, err = run_cli(capsys, "verify", str(built.opus), "--key", str(bad), "--json")
    assert code == 1 and "base64" in json.loads(err)["detail"]


def test_build_refuses_an_unknown_profile(
    trail_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(
        capsys, "build", str(trail_dir), "-o", str(tmp_path / "x.zip"), "--profile", "mp3"
    )
    assert code == 1 and "profile must be one of opus, aac" in err
    assert not (tmp_path / "x.zip").exists()


def test_build_refuses_a_folder_without_trail(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(
        capsys, "build", str(tmp_path), "-o", str(tmp_path / "x.zip"), "--key", "k"
    )
    assert code == 1 and "trail.yaml" in err


def test_verify_with_a_raw_base64_public_key(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = tmp_path / "raw.pub"
    raw.write_text(public_b64(built.file_key.public) + "\n", encoding="utf-8")
    code, out, _ = run_cli(capsys, "verify", str(built.aac), "--key", str(raw), "--json")
    assert code == 0 and json.loads(out)["signature_checked"] is True


def test_server_keys_are_pinned_then_followed_through_a_rotation(
    built: Built, tmp_path: Path, own_config_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ring_dir = tmp_path / "server-keys"
    shutil.copytree(built.data_dir / "keys", ring_dir)
    with _KeysServer(Keyring(ring_dir).document()) as server:
        code, _, err = run_cli(capsys, "verify", str(built.opus), "--server", server.url)
        assert code == 0 and "pinned on first use" in err
        store = own_config_dir / "baladeur" / "trusted-keys.json"
        pins = json.loads(store.read_text())["publishers"][server.url]["keys"]
        assert [k["id"] for k in pins] == [built.opus_result["key_id"]]

        # The server makes the aac bundle's key current: its old key endorses the new one.
        Keyring(ring_dir, configured=built.file_key.private).current()
        server.document = Keyring(ring_dir).document()
        code, out, err = run_cli(capsys, "verify", str(built.aac), "--server", server.url)
        assert code == 0 and "followed a key rotation" in err and out.startswith("ok:")
        pinned = json.loads(store.read_text())["publishers"][server.url]["keys"]
        assert {k["id"] for k in pinned} == {built.opus_result["key_id"], built.file_key.id}

        # The keys are replaced by a stranger's: refused, and the pins stay as they were.
        stranger = Keyring(tmp_path / "stranger")
        stranger.current()
        server.document = stranger.document()
        code, out, err = run_cli(
            capsys, "verify", str(built.aac), "--server", server.url + "/", "--json"
        )
        assert code == 1 and out == ""
        problem = json.loads(err)
        assert problem["code"] == "keys-not-endorsed"
        assert server.url in problem["detail"] and str(store) in problem["detail"]
        assert json.loads(store.read_text())["publishers"][server.url]["keys"] == pinned

    # Offline, the trust store alone verifies what its pins signed.
    code, out, _ = run_cli(capsys, "verify", str(built.aac), "--trust", str(store), "--json")
    assert code == 0 and json.loads(out)["signature_checked"] is True


def test_a_bundle_signed_by_an_unpinned_key_is_refused_with_the_trust_store(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "trust.json"
    with _KeysServer(Keyring(built.data_dir / "keys").document()) as server:
        code, _, _ = run_cli(
            capsys, "verify", str(built.opus), "--server", server.url, "--trust", str(store)
        )
    assert code == 0
    code, out, _ = run_cli(capsys, "verify", str(built.aac), "--trust", str(store), "--json")
    assert code == 1
    assert [p["code"] for p in json.loads(out)["problems"]] == ["unknown-key"]


def test_an_empty_trust_store_is_a_clear_error(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, "verify", str(built.opus), "--trust", str(tmp_path / "none"))
    assert code == 1 and "no key is pinned" in err


def test_build_of_a_folder_with_a_sound_object_writes_format_1_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.support.factories import two_stop_folder

    folder = two_stop_folder(tmp_path)
    data = yaml.safe_load((folder / "trail.yaml").read_text())
    data["objects"] = [
        {"key": "wheel", "audio": "media/b.opus", "position": [4.39, 50.4], "radius_m": 30}
    ]
    (folder / "trail.yaml").write_text(yaml.safe_dump(data))
    monkeypatch.setenv("BALADEUR_DATA_DIR", str(tmp_path / "data"))
    out = tmp_path / "walk.zip"
    code, text = _Capture().run("build", str(folder), "-o", str(out), "--json")
    assert code == 0, text
    with zipfile.ZipFile(out) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["format_minor"] == 2
    (wheel,) = manifest["objects"]
    assert wheel["audio"] in {r["path"] for r in manifest["media"]}
    assert wheel["duration_s"] == pytest.approx(1.0, abs=0.05)
    code, text = _Capture().run("verify", str(out))
    assert code == 0, text
