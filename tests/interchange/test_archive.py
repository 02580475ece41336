"""Trail zips: written reproducibly; unsafe archives refused before anything is written."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest

from tests.support import sources
from trails.archive import ArchiveLimits, extract_trail, zip_folder
from trails.errors import Conflict, InvalidInput
from trails.source import load_source

SMALL_TRAIL = sources.SMALL_TRAIL.encode()


def make_zip(path: Path, entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in entries:
            archive.writestr(info, data)
    return path


def nothing_written(parent: Path, dest: Path) -> bool:
    return not dest.exists() and not [p for p in parent.iterdir() if p.name.startswith(".")]


def test_demo_round_trips_through_a_zip(tmp_path: Path, demo_folder: Path) -> None:
    first = zip_folder(load_source(demo_folder), tmp_path / "one.zip")
    second = zip_folder(load_source(demo_folder), tmp_path / "two.zip")
    assert first.read_bytes() == second.read_bytes()  # reproducible
    out = tmp_path / "out"
    loaded = extract_trail(first, out / "trail")
    assert loaded.trail == load_source(demo_folder).trail
    assert (out / "trail" / "media" / "riviere.opus").read_bytes() == (
        demo_folder / "media" / "riviere.opus"
    ).read_bytes()
    with zipfile.ZipFile(first) as archive:
        audio = archive.getinfo("media/riviere.opus")
        assert audio.compress_type == zipfile.ZIP_STORED
        assert archive.namelist()[0] == "trail.yaml"


def test_a_zip_holding_one_top_folder(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "a.zip", [("petit/trail.yaml", SMALL_TRAIL)])
    assert extract_trail(archive, tmp_path / "x").trail.slug == "petit"


def _symlink(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        ([("../evil.txt", b"x")], "../evil.txt: a path leaving the folder ('..') is refused"),
        (
            [("media/../../evil.txt", b"x")],
            "media/../../evil.txt: a path leaving the folder ('..') is refused",
        ),
        ([("/etc/cron.d/evil", b"x")], "/etc/cron.d/evil: an absolute path is refused"),
        ([("C:/evil.txt", b"x")], "C:/evil.txt: an absolute path is refused"),
        ([("media\\..\\evil.txt", b"x")], "a path leaving the folder"),
        ([(_symlink("media/a.opus"), b"/etc/passwd")], "media/a.opus: a symbolic link is refused"),
        (
            [("media/zeros.opus", b"\0" * (20 * 1024 * 1024))],
            "looks like a decompression bomb",
        ),
    ],
)
def test_unsafe_archives_are_refused_before_writing(
    tmp_path: Path, entries: list[tuple[zipfile.ZipInfo | str, bytes]], expected: str
) -> None:
    archive = make_zip(tmp_path / "bad.zip", [("trail.yaml", SMALL_TRAIL), *entries])
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(InvalidInput) as caught:
        extract_trail(archive, out / "trail")
    assert expected in str(caught.value)
    assert "nothing was extracted" in str(caught.value)
    assert nothing_written(out, out / "trail")
    assert not (tmp_path / "evil.txt").exists()


def test_declared_total_over_the_limit(tmp_path: Path) -> None:
    archive = make_zip(
        tmp_path / "big.zip", [("trail.yaml", SMALL_TRAIL), ("media/a.bin", b"x" * 5000)]
    )
    with pytest.raises(InvalidInput, match="more than the 4000 allowed"):
        extract_trail(archive, tmp_path / "t", ArchiveLimits(max_total_bytes=4000))
    assert nothing_written(tmp_path, tmp_path / "t")


def test_too_many_entries(tmp_path: Path) -> None:
    entries = [(f"media/{i}.txt", b"x") for i in range(5)]
    archive = make_zip(tmp_path / "many.zip", [("trail.yaml", SMALL_TRAIL), *entries])
    with pytest.raises(InvalidInput, match="too many entries"):
        extract_trail(archive, tmp_path / "t", ArchiveLimits(max_entries=3))


def test_a_header_that_lies_about_its_size(tmp_path: Path) -> None:
    archive = make_zip(
        tmp_path / "liar.zip", [("trail.yaml", SMALL_TRAIL), ("notes.txt", b"y" * 4096)]
    )
    raw = bytearray(archive.read_bytes())
    # Declare 16 bytes for notes.txt in both headers: extraction stops there and the
    # checksum of the truncated content fails, so the lie is caught before anything lands.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := raw.find(signature, start)) != -1:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if raw[name_at : name_at + 9] == b"notes.txt":
                raw[start + offset : start + offset + 4] = (16).to_bytes(4, "little")
            start += 4
    archive.write_bytes(bytes(raw))
    with pytest.raises(InvalidInput, match="a damaged archive: Bad CRC-32"):
        extract_trail(archive, tmp_path / "t")
    assert nothing_written(tmp_path, tmp_path / "t")


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        ([("notes.txt", b"hello")], "no trail.yaml at the top of the archive"),
        ([("trail.yaml", b"slug: [unclosed\n")], "not readable YAML at line 2, column 1"),
        ([("trail.yaml", SMALL_TRAIL.replace(b"radius_m", b"radius"))], "did you mean 'radius_m'"),
    ],
)
def test_archives_without_a_valid_trail(
    tmp_path: Path, entries: list[tuple[str, bytes]], expected: str
) -> None:
    archive = make_zip(tmp_path / "a.zip", list(entries))
    with pytest.raises(InvalidInput, match=expected):
        extract_trail(archive, tmp_path / "t")
    assert nothing_written(tmp_path, tmp_path / "t")


def test_not_a_zip(tmp_path: Path) -> None:
    (tmp_path / "a.zip").write_bytes(b"not a zip")
    with pytest.raises(InvalidInput, match="not a readable zip archive"):
        extract_trail(tmp_path / "a.zip", tmp_path / "t")


def test_never_writes_over_an_existing_folder(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "a.zip", [("trail.yaml", SMALL_TRAIL)])
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "keep.txt").write_text("mine")
    with pytest.raises(Conflict, match="already exists"):
        extract_trail(archive, tmp_path / "t")
    assert (tmp_path / "t" / "keep.txt").read_text() == "mine"
