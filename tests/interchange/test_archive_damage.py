"""Damaged trail zips found by fuzzing: each is a clear refusal, never a crash."""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.sources import SMALL_TRAIL
from trails.archive import extract_trail
from trails.errors import InvalidInput


def _zip(path: Path) -> bytearray:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("trail.yaml", SMALL_TRAIL)
    return bytearray(path.read_bytes())


def _unknown_method(raw: bytearray) -> None:
    # The method in the central directory, which is what zipfile trusts: 99 is no method.
    at = raw.find(b"PK\x01\x02")
    raw[at + 10 : at + 12] = struct.pack("<H", 99)


def _directory_past_its_place(raw: bytearray) -> None:
    # The end record says the directory starts later than it does: the entry's offset,
    # corrected by the difference, becomes negative and seeking there fails.
    at = raw.rfind(b"PK\x05\x06")
    (offset,) = struct.unpack("<I", raw[at + 16 : at + 20])
    raw[at + 16 : at + 20] = struct.pack("<I", offset + 1000)


def _broken_stream(raw: bytearray) -> None:
    # The first byte of the deflate stream asks for the reserved block type.
    name_length, extra_length = struct.unpack("<HH", raw[26:30])
    raw[30 + name_length + extra_length] = 0xFF


@pytest.mark.parametrize("damage", [_unknown_method, _directory_past_its_place, _broken_stream])
def test_a_damaged_entry_is_refused(tmp_path: Path, damage: Callable[[bytearray], None]) -> None:
    path = tmp_path / "trail.zip"
    raw = _zip(path)
    damage(raw)
    path.write_bytes(bytes(raw))
    with pytest.raises(InvalidInput, match=r"damaged archive|not a readable zip"):
        extract_trail(path, tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["trail.zip"]
