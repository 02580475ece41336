"""``verify_bundle``: a good bundle passes; each kind of damage is named, all at once."""

from __future__ import annotations

import json
import shutil
import struct
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.bundle.conftest import (
    Demo,
    data_offset,
    flip_byte,
    newer_major,
    newer_minor,
    resigned,
    rezip,
    rezip_entry,
)
from trails.bundle.model import MANIFEST_NAME, SIGNATURE_NAME
from trails.bundle.signing import SigningKey, generate_key
from trails.bundle.verify import read_bundle, verify_bundle
from trails.bundle.writer import zip_info
from trails.errors import InvalidInput


def _first_media(demo: Demo) -> str:
    return demo.built.manifest["media"][0]["path"]


def test_good_bundle_verifies(demo: Demo) -> None:
    report = verify_bundle(demo.path, demo.keys)
    assert report.ok, report.problems
    assert report.signature_checked and report.key_id == demo.key.id
    assert report.manifest == demo.built.manifest
    assert report.entries == 2 + len(demo.built.manifest["media"])


def test_without_keys_everything_but_the_signature_is_checked(demo: Demo) -> None:
    report = verify_bundle(demo.path, None)
    assert report.ok and not report.signature_checked


def test_a_key_not_given_is_reported(demo: Demo) -> None:
    other = SigningKey(generate_key())
    report = verify_bundle(demo.path, {other.id: other.public})
    assert report.codes == {"unknown-key"}


def test_a_signature_by_another_key_under_the_same_id_fails(demo: Demo) -> None:
    impostor = SigningKey(generate_key())
    report = verify_bundle(demo.path, {demo.key.id: impostor.public})
    assert report.codes == {"signature-invalid"}


def test_flipped_byte_in_media(demo: Demo) -> None:
    name = _first_media(demo)
    flip_byte(demo.path, data_offset(demo.path, name) + 100)
    report = verify_bundle(demo.path, demo.keys)
    assert report.codes == {"hash-mismatch"}
    assert report.problems[0].entry == name


def test_flipped_byte_in_manifest_text(demo: Demo) -> None:
    data = demo.built.manifest_bytes
    # Inside a title: the JSON still parses, only the signature can tell.
    offset = data.index(b"Moulin de Marchienne") + 2
    flip_byte(demo.path, data_offset(demo.path, MANIFEST_NAME) + offset)
    report = verify_bundle(demo.path, demo.keys)
    assert "signature-invalid" in report.codes
    assert "manifest-unreadable" in report.codes  # the zip's CRC-32 disagrees too


def test_flipped_byte_in_manifest_structure(demo: Demo) -> None:
    flip_byte(demo.path, data_offset(demo.path, MANIFEST_NAME))  # the opening brace
    report = verify_bundle(demo.path, demo.keys)
    assert "signature-invalid" in report.codes


def test_manifest_resealed_with_a_valid_crc_still_fails_the_signature(
    demo: Demo, tmp_path: Path
) -> None:
    bad = rezip_entry(
        demo.path,
        tmp_path / "bad.zip",
        MANIFEST_NAME,
        data=lambda data: data.replace(b'"release":1', b'"release":2'),
    )
    assert verify_bundle(bad, demo.keys).codes == {"signature-invalid"}


def test_missing_media_entry(demo: Demo, tmp_path: Path) -> None:
    name = _first_media(demo)
    bad = rezip(demo.path, tmp_path / "bad.zip", drop={name})
    report = verify_bundle(bad, demo.keys)
    assert report.codes == {"missing-media"} and report.problems[0].entry == name


def test_extra_unlisted_entry(demo: Demo, tmp_path: Path) -> None:
    bad = rezip(demo.path, tmp_path / "bad.zip", add=[("media/notes.txt", b"hello")])
    report = verify_bundle(bad, demo.keys)
    assert report.codes == {"unlisted-entry"}


@pytest.mark.parametrize(
    "name",
    ["../evil.txt", "media/../../evil.txt", "/etc/passwd", "C:/evil.txt", "media\\evil.txt"],
)
def test_unsafe_names(demo: Demo, tmp_path: Path, name: str) -> None:
    bad = rezip(demo.path, tmp_path / "bad.zip", add=[(name, b"x")])
    report = verify_bundle(bad, demo.keys)
    assert "unsafe-name" in report.codes
    assert any(p.entry == name for p in report.problems if p.code == "unsafe-name")


def test_symlink_entry(demo: Demo, tmp_path: Path) -> None:
    info = zip_info("media/link", 11)
    info.external_attr = 0o120777 << 16
    bad = rezip(demo.path, tmp_path / "bad.zip", add=[(info, b"/etc/passwd")])
    assert "symlink" in verify_bundle(bad, demo.keys).codes


def test_symlink_replacing_a_listed_media(demo: Demo, tmp_path: Path) -> None:
    name = _first_media(demo)
    bad = rezip_entry(demo.path, tmp_path / "bad.zip", name, external_attr=0o120777 << 16)
    assert verify_bundle(bad, demo.keys).codes == {"symlink"}


def test_duplicate_names(demo: Demo, tmp_path: Path) -> None:
    name = _first_media(demo)
    bad = rezip(demo.path, tmp_path / "bad.zip", add=[(name, b"other content")])
    report = verify_bundle(bad, demo.keys)
    assert "duplicate-name" in report.codes


def test_duplicate_manifest(demo: Demo, tmp_path: Path) -> None:
    bad = rezip(demo.path, tmp_path / "bad.zip", add=[(MANIFEST_NAME, b"{}")])
    assert "duplicate-name" in verify_bundle(bad, demo.keys).codes


def test_total_declared_size_over_the_limit(demo: Demo) -> None:
    report = verify_bundle(demo.path, demo.keys, max_total_bytes=10_000)
    assert report.codes == {"too-large"}


def _patch_central_size(path: Path, name: str, size: int) -> None:
    """Make the central directory declare ``size`` uncompressed bytes for an entry."""
    data = bytearray(path.read_bytes())
    encoded = name.encode()
    at = 0
    while True:
        at = data.index(b"PK\x01\x02", at)
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46 : at + 46 + name_len]) == encoded:
            struct.pack_into("<L", data, at + 24, size)
            break
        at += 4
    path.write_bytes(bytes(data))


def test_declared_sizes_that_would_expand_past_the_limit(demo: Demo) -> None:
    name = _first_media(demo)
    _patch_central_size(demo.path, name, 0xFFFF0000)  # about 4 GB declared, 40 kB stored
    report = verify_bundle(demo.path, demo.keys)
    assert "too-large" in report.codes
    assert "size-mismatch" in report.codes  # stored entries must declare what they hold


def test_compressed_media_entry(demo: Demo, tmp_path: Path) -> None:
    name = _first_media(demo)
    bad = rezip_entry(demo.path, tmp_path / "bad.zip", name, compress_type=zipfile.ZIP_DEFLATED)
    report = verify_bundle(bad, demo.keys)
    assert report.codes == {"compressed"}


def test_missing_signature(demo: Demo, tmp_path: Path) -> None:
    bad = rezip(demo.path, tmp_path / "bad.zip", drop={SIGNATURE_NAME})
    assert verify_bundle(bad, demo.keys).codes == {"signature-missing"}


def test_malformed_signature(demo: Demo, tmp_path: Path) -> None:
    def forged(data: bytes) -> bytes:
        return json.dumps(json.loads(data) | {"signature": "bm90IGEgc2lnbmF0dXJl"}).encode()

    bad = rezip_entry(demo.path, tmp_path / "bad.zip", SIGNATURE_NAME, data=forged)
    assert verify_bundle(bad, demo.keys).codes == {"signature-malformed"}


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "x.zip"
    path.write_bytes(b"PK not really")
    assert verify_bundle(path, None).codes == {"not-a-zip"}


def test_truncated_bundle(demo: Demo, tmp_path: Path) -> None:
    cut = tmp_path / "cut.zip"
    cut.write_bytes(demo.path.read_bytes()[: demo.path.stat().st_size // 2])
    assert not verify_bundle(cut, demo.keys).ok


def test_several_problems_are_all_reported(demo: Demo, tmp_path: Path) -> None:
    rows = demo.built.manifest["media"]
    copy = tmp_path / "copy.zip"
    shutil.copy(demo.path, copy)
    flip_byte(copy, data_offset(copy, rows[1]["path"]) + 10)
    bad = rezip(copy, tmp_path / "bad.zip", drop={rows[0]["path"]}, add=[("../x", b"x")])
    report = verify_bundle(bad, demo.keys)
    assert {"missing-media", "hash-mismatch", "unsafe-name", "unlisted-entry"} <= report.codes


def test_local_header_naming_another_file(demo: Demo) -> None:
    name = _first_media(demo)
    data = bytearray(demo.path.read_bytes())
    with zipfile.ZipFile(demo.path) as zf:
        offset = zf.getinfo(name).header_offset
    data[offset + 30] = ord("x")  # first letter of the local name: "media/" -> "xedia/"
    demo.path.write_bytes(bytes(data))
    assert verify_bundle(demo.path, demo.keys).codes == {"entry-unreadable"}


def test_read_bundle_raises_with_every_problem(demo: Demo, tmp_path: Path) -> None:
    bad = rezip(demo.path, tmp_path / "bad.zip", add=[("../x", b"x")])
    with pytest.raises(InvalidInput) as caught:
        read_bundle(bad, demo.keys)
    assert {e.value for e in caught.value.errors} == {"unsafe-name", "unlisted-entry"}
    assert "not a valid bundle" in caught.value.detail


def test_a_newer_minor_format_is_read_with_unknown_members_ignored(
    demo: Demo, tmp_path: Path
) -> None:
    report = verify_bundle(resigned(demo, tmp_path / "minor.zip", newer_minor), demo.keys)
    assert report.ok, report.problems
    assert report.manifest is not None and report.manifest["format_minor"] == 7


def test_unknown_members_without_a_newer_minor_are_refused(demo: Demo, tmp_path: Path) -> None:
    def strays(manifest: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in newer_minor(manifest).items() if k != "format_minor"}

    report = verify_bundle(resigned(demo, tmp_path / "strays.zip", strays), demo.keys)
    assert report.codes == {"schema"}
    assert len(report.problems) == 4  # one per unknown member


def test_a_newer_major_format_is_refused(demo: Demo, tmp_path: Path) -> None:
    report = verify_bundle(resigned(demo, tmp_path / "major.zip", newer_major), demo.keys)
    assert report.codes == {"unsupported-format"}
    assert "newer than this verifier reads (1)" in report.problems[0].message


def _patch_central_crc(path: Path, name: str) -> None:
    """Change the CRC-32 the central directory declares for an entry; its bytes stay intact."""
    data = bytearray(path.read_bytes())
    at = data.index(b"PK\x01\x02")
    while True:
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46 : at + 46 + name_len]) == name.encode():
            struct.pack_into("<L", data, at + 16, struct.unpack_from("<L", data, at + 16)[0] ^ 1)
            break
        at = data.index(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))


def test_verification_goes_on_after_a_crc_failure(demo: Demo) -> None:
    rows = demo.built.manifest["media"]
    _patch_central_crc(demo.path, rows[0]["path"])
    flip_byte(demo.path, data_offset(demo.path, rows[1]["path"]) + 10)
    flip_byte(demo.path, data_offset(demo.path, rows[2]["path"]) + 10)
    report = verify_bundle(demo.path, demo.keys)
    found = [(p.code, p.entry) for p in report.problems]
    assert found == [
        ("crc-mismatch", rows[0]["path"]),
        ("hash-mismatch", rows[1]["path"]),
        ("hash-mismatch", rows[2]["path"]),
    ]


def test_a_compressed_manifest_is_refused(demo: Demo, tmp_path: Path) -> None:
    bad = rezip_entry(
        demo.path, tmp_path / "bad.zip", MANIFEST_NAME, compress_type=zipfile.ZIP_DEFLATED
    )
    report = verify_bundle(bad, demo.keys)
    assert report.codes == {"compressed"}
    assert report.problems[0].entry == MANIFEST_NAME


def test_a_media_table_out_of_order_is_refused(demo: Demo, tmp_path: Path) -> None:
    def unsorted(manifest: dict[str, Any]) -> dict[str, Any]:
        manifest["media"].reverse()
        return manifest

    report = verify_bundle(resigned(demo, tmp_path / "unsorted.zip", unsorted), demo.keys)
    assert report.codes == {"media-not-sorted"}


@pytest.mark.parametrize(
    ("member", "value"),
    [
        ("publisher", ""),
        ("mime_type", "audio/mpeg"),
        ("mime_type", "image/webp"),
        ("mime_type", "image/jpeg"),  # a real type, not one of this row's kind (audio)
    ],
)
def test_an_empty_publisher_or_another_media_type_is_refused(
    demo: Demo, tmp_path: Path, member: str, value: str
) -> None:
    def change(manifest: dict[str, Any]) -> dict[str, Any]:
        target = manifest if member == "publisher" else manifest["media"][0]
        target[member] = value
        return manifest

    report = verify_bundle(resigned(demo, tmp_path / "bad.zip", change), demo.keys)
    assert report.codes == {"schema"}


def test_a_key_used_twice_is_refused(demo: Demo, tmp_path: Path) -> None:
    def twice(manifest: dict[str, Any]) -> dict[str, Any]:
        manifest["stops"][1]["key"] = manifest["stops"][0]["key"]
        return manifest

    report = verify_bundle(resigned(demo, tmp_path / "twice.zip", twice), demo.keys)
    assert report.codes == {"duplicate-key"}
    assert report.problems[0].entry == demo.built.manifest["stops"][0]["key"]


def test_entry_order_is_a_writers_rule_not_checked(demo: Demo, tmp_path: Path) -> None:
    reordered = tmp_path / "reordered.zip"
    with zipfile.ZipFile(demo.path) as zin, zipfile.ZipFile(reordered, "w") as zout:
        for info in reversed(zin.infolist()):
            zout.writestr(zip_info(info.filename, info.file_size), zin.read(info))
    with zipfile.ZipFile(reordered) as zf:
        assert zf.namelist()[-1] == MANIFEST_NAME
    assert verify_bundle(reordered, demo.keys).ok


def test_a_signature_file_need_not_be_canonical(demo: Demo, tmp_path: Path) -> None:
    def pretty(data: bytes) -> bytes:
        return json.dumps(json.loads(data), indent=2).encode()

    spaced = rezip_entry(demo.path, tmp_path / "spaced.zip", SIGNATURE_NAME, data=pretty)
    report = verify_bundle(spaced, demo.keys)
    assert report.ok and report.signature_checked
