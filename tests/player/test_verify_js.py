"""The bundle verifier of @baladeur/engine (run by node) refuses what the reference verifier
refuses, from every input type it accepts, and reads format versions as the reference does."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from tests.bundle.conftest import (
    Demo,
    build_demo,
    data_offset,
    flip_byte,
    newer_major,
    newer_minor,
    resigned,
    rezip,
)
from tests.support.browser import tool_unavailable
from trails.bundle.signing import SigningKey, generate_key
from trails.bundle.verify import verify_bundle
from trails.bundle.writer import zip_info

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "web" / "engine" / "tools" / "verify-bundle.mjs"
Damage = Callable[[Demo, Path], Path]


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return SigningKey(generate_key())


@pytest.fixture
def demo(tmp_path: Path, key: SigningKey) -> Demo:
    return build_demo(tmp_path / "demo.zip", key)


def keys_document(key: SigningKey) -> dict[str, Any]:
    raw = key.public.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return {
        "keys": [
            {"id": key.id, "algorithm": "Ed25519", "public_key": base64.b64encode(raw).decode()}
        ]
    }


def run_js(
    bundle: Path, keys: dict[str, Any], tmp_path: Path, given_as: str = "uint8array"
) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        tool_unavailable("node is not installed (apt-get install nodejs)")
    assert node is not None
    keys_file = tmp_path / "keys.json"
    keys_file.write_text(json.dumps(keys))
    out = subprocess.run(
        [node, str(SCRIPT), str(bundle), str(keys_file), given_as],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return dict(json.loads(out.stdout))


def first_media(demo: Demo) -> str:
    with zipfile.ZipFile(demo.path) as zf:
        return next(n for n in zf.namelist() if n.startswith("media/"))


def flipped_media(demo: Demo, tmp: Path) -> Path:
    name = first_media(demo)
    flip_byte(demo.path, data_offset(demo.path, name) + 100)
    return demo.path


def flipped_manifest(demo: Demo, tmp: Path) -> Path:
    flip_byte(demo.path, data_offset(demo.path, "manifest.json") + 40)
    return demo.path


def missing_media(demo: Demo, tmp: Path) -> Path:
    return rezip(demo.path, tmp / "bad.zip", drop={first_media(demo)})


def unlisted(demo: Demo, tmp: Path) -> Path:
    return rezip(demo.path, tmp / "bad.zip", add=[("media/extra.txt", b"x")])


def unsafe(demo: Demo, tmp: Path) -> Path:
    return rezip(demo.path, tmp / "bad.zip", add=[("../evil.txt", b"x")])


def symlink(demo: Demo, tmp: Path) -> Path:
    info = zip_info("media/link", 11)
    info.external_attr = 0o120777 << 16
    return rezip(demo.path, tmp / "bad.zip", add=[(info, b"/etc/passwd")])


def compressed(demo: Demo, tmp: Path) -> Path:
    name = first_media(demo)

    def change(info: zipfile.ZipInfo, data: bytes) -> tuple[zipfile.ZipInfo, bytes]:
        if info.filename == name:
            info.compress_type = zipfile.ZIP_DEFLATED
        return info, data

    return rezip(demo.path, tmp / "bad.zip", change=change)


def no_signature(demo: Demo, tmp: Path) -> Path:
    return rezip(demo.path, tmp / "bad.zip", drop={"manifest.sig.json"})


def bad_signature(demo: Demo, tmp: Path) -> Path:
    def change(info: zipfile.ZipInfo, data: bytes) -> tuple[zipfile.ZipInfo, bytes]:
        if info.filename == "manifest.sig.json":
            doc = json.loads(data)
            sig = bytearray(base64.b64decode(doc["signature"]))
            sig[5] ^= 0xFF
            data = json.dumps(doc | {"signature": base64.b64encode(sig).decode()}).encode()
            info = zip_info(info.filename, len(data))
        return info, data

    return rezip(demo.path, tmp / "bad.zip", change=change)


def compressed_manifest(demo: Demo, tmp: Path) -> Path:
    def change(info: zipfile.ZipInfo, data: bytes) -> tuple[zipfile.ZipInfo, bytes]:
        if info.filename == "manifest.json":
            info.compress_type = zipfile.ZIP_DEFLATED
        return info, data

    return rezip(demo.path, tmp / "bad.zip", change=change)


def damaged_signature_file(demo: Demo, tmp: Path) -> Path:
    flip_byte(demo.path, data_offset(demo.path, "manifest.sig.json") + 3)
    return demo.path


def utf16_signature_file(demo: Demo, tmp: Path) -> Path:
    def change(info: zipfile.ZipInfo, data: bytes) -> tuple[zipfile.ZipInfo, bytes]:
        if info.filename == "manifest.sig.json":
            data = data.decode().encode("utf-16")
            info = zip_info(info.filename, len(data))
        return info, data

    return rezip(demo.path, tmp / "bad.zip", change=change)


def _resigned_with(edit: Callable[[dict[str, Any]], None]) -> Damage:
    def damage(demo: Demo, tmp: Path) -> Path:
        def change(manifest: dict[str, Any]) -> dict[str, Any]:
            edit(manifest)
            return manifest

        return resigned(demo, tmp / "bad.zip", change)

    return damage


unsorted_media = _resigned_with(lambda m: m["media"].reverse())
empty_publisher = _resigned_with(lambda m: m.update(publisher=""))
other_media_type = _resigned_with(lambda m: m["media"][0].update(mime_type="audio/mpeg"))
type_of_another_kind = _resigned_with(lambda m: m["media"][0].update(mime_type="image/png"))
key_twice = _resigned_with(lambda m: m["stops"][1].update(key=m["stops"][0]["key"]))


def truncated(demo: Demo, tmp: Path) -> Path:
    path = tmp / "cut.zip"
    path.write_bytes(demo.path.read_bytes()[: demo.path.stat().st_size // 2])
    return path


def not_a_zip(demo: Demo, tmp: Path) -> Path:
    path = tmp / "bad.zip"
    path.write_bytes(b"this is not a zip file at all" * 10)
    return path


@pytest.mark.parametrize(
    ("damage", "code"),
    [
        (flipped_media, "hash-mismatch"),
        (flipped_manifest, "manifest-unreadable"),
        (missing_media, "missing-media"),
        (unlisted, "unlisted-entry"),
        (unsafe, "unsafe-name"),
        (symlink, "symlink"),
        (compressed, "compressed"),
        (compressed_manifest, "compressed"),
        (damaged_signature_file, "signature-malformed"),
        (utf16_signature_file, "signature-malformed"),
        (unsorted_media, "media-not-sorted"),
        (empty_publisher, "schema"),
        (other_media_type, "schema"),
        (type_of_another_kind, "schema"),
        (key_twice, "duplicate-key"),
        (no_signature, "signature-missing"),
        (bad_signature, "signature-invalid"),
        (not_a_zip, "not-a-zip"),
        (truncated, "not-a-zip"),
    ],
)
def test_damaged_bundles_are_refused_like_the_reference(
    demo: Demo, key: SigningKey, tmp_path: Path, damage: Damage, code: str
) -> None:
    bad = damage(demo, tmp_path)
    got = run_js(bad, keys_document(key), tmp_path)
    assert got["ok"] is False
    assert got["code"] == code
    assert code in verify_bundle(bad, demo.keys).codes


@pytest.mark.parametrize("given_as", ["uint8array", "buffer", "arraybuffer", "blob"])
def test_a_good_bundle_verifies(demo: Demo, key: SigningKey, tmp_path: Path, given_as: str) -> None:
    got = run_js(demo.path, keys_document(key), tmp_path, given_as)
    media = len(demo.built.manifest["media"])
    assert got == {"ok": True, "slug": "moulin-de-marchienne", "media": media, "format": 1}


@pytest.mark.parametrize("given_as", ["buffer", "blob"])
def test_a_damaged_bundle_is_refused_from_every_input_type(
    demo: Demo, key: SigningKey, tmp_path: Path, given_as: str
) -> None:
    bad = flipped_media(demo, tmp_path)
    assert run_js(bad, keys_document(key), tmp_path, given_as)["code"] == "hash-mismatch"


def test_another_input_type_is_refused_with_a_code(
    demo: Demo, key: SigningKey, tmp_path: Path
) -> None:
    got = run_js(demo.path, keys_document(key), tmp_path, "text")
    assert got["ok"] is False
    assert (got["name"], got["code"]) == ("VerifyError", "unsupported-input")


def test_a_newer_minor_format_is_read_by_both(demo: Demo, key: SigningKey, tmp_path: Path) -> None:
    bundle = resigned(demo, tmp_path / "minor.zip", newer_minor)
    assert run_js(bundle, keys_document(key), tmp_path)["ok"] is True
    assert verify_bundle(bundle, demo.keys).ok


def test_an_unknown_member_without_a_newer_minor_is_refused_by_both(
    demo: Demo, key: SigningKey, tmp_path: Path
) -> None:
    bundle = resigned(demo, tmp_path / "stray.zip", lambda m: m | {"accessibility": {}})
    assert run_js(bundle, keys_document(key), tmp_path)["code"] == "schema"
    assert verify_bundle(bundle, demo.keys).codes == {"schema"}


def test_a_newer_major_format_is_refused_by_both(
    demo: Demo, key: SigningKey, tmp_path: Path
) -> None:
    bundle = resigned(demo, tmp_path / "major.zip", newer_major)
    got = run_js(bundle, keys_document(key), tmp_path)
    assert (got["ok"], got["code"]) == (False, "unsupported-format")
    assert "update the app" in got["message"]
    assert verify_bundle(bundle, demo.keys).codes == {"unsupported-format"}


def test_a_key_not_trusted_is_refused(demo: Demo, tmp_path: Path) -> None:
    other = SigningKey(generate_key())
    assert run_js(demo.path, keys_document(other), tmp_path)["code"] == "unknown-key"


def test_a_key_whose_id_does_not_match_is_ignored(
    demo: Demo, key: SigningKey, tmp_path: Path
) -> None:
    doc = keys_document(key)
    other = keys_document(SigningKey(generate_key()))["keys"][0]["public_key"]
    doc["keys"][0]["public_key"] = other  # same id, another key: not to be trusted
    assert run_js(demo.path, doc, tmp_path)["code"] == "unknown-key"


def test_both_stop_or_go_on_as_documented_after_a_crc_failure(
    demo: Demo, key: SigningKey, tmp_path: Path
) -> None:
    rows = demo.built.manifest["media"]
    for row in rows[:2]:
        flip_byte(demo.path, data_offset(demo.path, row["path"]) + 10)
    # The reference reports every damaged entry; the package stops at the first one.
    reference = [(p.code, p.entry) for p in verify_bundle(demo.path, demo.keys).problems]
    assert reference == [("hash-mismatch", rows[0]["path"]), ("hash-mismatch", rows[1]["path"])]
    got = run_js(demo.path, keys_document(key), tmp_path)
    assert got["code"] == "hash-mismatch" and rows[0]["path"] in got["message"]


def test_entry_order_and_a_spaced_signature_file_are_accepted_by_both(
    demo: Demo, key: SigningKey, tmp_path: Path
) -> None:
    def spaced(info: zipfile.ZipInfo, data: bytes) -> tuple[zipfile.ZipInfo, bytes]:
        if info.filename == "manifest.sig.json":
            data = json.dumps(json.loads(data), indent=2).encode()
            info = zip_info(info.filename, len(data))
        return info, data

    copy = rezip(demo.path, tmp_path / "spaced.zip", change=spaced)
    bundle = tmp_path / "reordered.zip"
    with zipfile.ZipFile(copy) as zin, zipfile.ZipFile(bundle, "w") as zout:
        for info in reversed(zin.infolist()):
            zout.writestr(zip_info(info.filename, info.file_size), zin.read(info))
    assert run_js(bundle, keys_document(key), tmp_path)["ok"] is True
    assert verify_bundle(bundle, demo.keys).ok


def test_a_1_2_bundle_with_sound_objects_verifies_and_a_repeated_object_key_is_refused(
    tmp_path: Path, key: SigningKey
) -> None:
    from tests.bundle.test_sound_objects import _spatial_folder
    from trails.source import load_source

    demo = build_demo(tmp_path / "spatial.zip", key, load_source(_spatial_folder(tmp_path)))
    assert demo.built.manifest["format_minor"] == 2
    assert run_js(demo.path, keys_document(key), tmp_path) == {
        "ok": True,
        "slug": "moulin-de-marchienne",
        "media": len(demo.built.manifest["media"]),
        "format": 1,
    }

    def repeat_key(manifest: dict[str, Any]) -> dict[str, Any]:
        manifest["objects"][0]["key"] = manifest["stops"][0]["key"]
        return manifest

    bad = resigned(demo, tmp_path / "bad.zip", repeat_key)
    assert run_js(bad, keys_document(key), tmp_path)["code"] == "duplicate-key"
    assert "duplicate-key" in verify_bundle(bad, demo.keys).codes
