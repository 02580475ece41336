"""Identify an audio container from its first bytes, never from its name or declared type."""

from __future__ import annotations

from pathlib import Path

_HEAD = 1 << 16
_W64_RIFF = b"riff\x2e\x91\xcf\x11\xa5\xd6\x28\xdb\x04\xc1\x00\x00"
_W64_WAVE = b"wave\xf3\xac\xd3\x11\x8c\xd1\x00\xc0\x4f\x8e\xdb\x8a"

# kbit/s by bitrate index; index 0 (free format) and 15 are invalid.
_KBPS_V1_L2 = (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384)
_KBPS_V1_L3 = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_KBPS_V2 = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}

# Things people upload by mistake, named so that the refusal makes sense to them.
_NOT_AUDIO: list[tuple[bytes, str]] = [
    (b"%PDF", "a PDF document"),
    (b"#EXTM3U", "an M3U/HLS playlist"),
    (b"#EXTINF", "an M3U playlist"),
    (b"[playlist]", "a PLS playlist"),
    (b"ffconcat", "an ffmpeg concat script"),
    (b"PK\x03\x04", "a ZIP archive or an office document"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"{\\rtf", "an RTF document"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"<", "an XML or HTML document"),
    (b"caff", "a Core Audio (CAF) file, which we do not accept"),
    (b"#!AMR", "an AMR voice memo, which we do not accept"),
]


def _mp3_frame(buf: bytes, i: int) -> tuple[int, tuple[int, int, int]] | None:
    """Length and (version, layer, rate index) of an MPEG audio frame header at ``i``."""
    if i + 4 > len(buf) or buf[i] != 0xFF or buf[i + 1] & 0xE0 != 0xE0:
        return None
    version = (buf[i + 1] >> 3) & 3  # 0: MPEG-2.5, 1: reserved, 2: MPEG-2, 3: MPEG-1
    layer = (buf[i + 1] >> 1) & 3  # 1: layer III, 2: layer II, 3: layer I (not accepted)
    bitrate_index = buf[i + 2] >> 4
    rate_index = (buf[i + 2] >> 2) & 3
    if version == 1 or layer not in (1, 2) or bitrate_index in (0, 15) or rate_index == 3:
        return None
    mpeg1 = version == 3
    table = (_KBPS_V1_L2 if layer == 2 else _KBPS_V1_L3) if mpeg1 else _KBPS_V2
    kbps = table[bitrate_index]
    rate = _RATES[version][rate_index]
    padding = (buf[i + 2] >> 1) & 1
    coefficient = 72 if (layer == 1 and not mpeg1) else 144
    length = coefficient * kbps * 1000 // rate + padding
    return length, (version, layer, rate_index)


def _is_mpeg_audio(buf: bytes, start: int) -> bool:
    """Three chained, consistent MPEG audio frames within 4 KB of ``start``."""
    for i in range(start, min(start + 4096, len(buf) - 4)):
        first = _mp3_frame(buf, i)
        if first is None:
            continue
        chained, at, kind = 1, i + first[0], first[1]
        while chained < 3:
            frame = _mp3_frame(buf, at)
            if frame is None or frame[1] != kind:
                break
            chained, at = chained + 1, at + frame[0]
        if chained == 3:
            return True
    return False


def _skip_id3(path: Path) -> tuple[int, bytes]:
    """Offset after any ID3v2 tags, and the bytes read from there."""
    offset = 0
    with path.open("rb") as f:
        for _ in range(4):  # some files carry several tags back to back
            f.seek(offset)
            header = f.read(10)
            if len(header) < 10 or header[:3] != b"ID3":
                break
            size = 0
            for byte in header[6:10]:
                size = (size << 7) | (byte & 0x7F)
            offset += 10 + size + (10 if header[5] & 0x10 else 0)
        f.seek(offset)
        return offset, f.read(_HEAD)


def sniff(path: Path) -> str | None:
    """Our format name (a key of ``media.ffmpeg.DEMUXERS``) for the file, or ``None``."""
    with path.open("rb") as f:
        head = f.read(_HEAD)
    if len(head) >= 12 and head[:4] in (b"RIFF", b"RF64", b"BW64") and head[8:12] == b"WAVE":
        return "wav"
    if head[:16] == _W64_RIFF and head[24:40] == _W64_WAVE:
        return "w64"
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return "aiff"
    if head[:4] == b"OggS":
        return "ogg"
    if head[4:8] == b"ftyp":
        return "mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    after = _skip_id3(path)[1] if head[:3] == b"ID3" else head
    if after[:4] == b"fLaC":
        return "flac"
    if _is_mpeg_audio(after, 0):
        return "mp3"
    return None


def describe(path: Path) -> str:
    """What a file that is not accepted audio seems to be, in a mediator's words."""
    with path.open("rb") as f:
        head = f.read(4096)
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    for magic, what in _NOT_AUDIO:
        if stripped.startswith(magic):
            return what
    if head[:2] in (b"\xff\xf1", b"\xff\xf9"):
        return "raw AAC (ADTS), which we do not accept; export it as M4A"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "not a format we recognise"
    return "a text file"
