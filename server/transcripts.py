"""Transcripts proposed from what a mediator has: plain text, an SRT file or a WebVTT file.

Plain text is split into sentences (pysbd, per language) and timed by the recording's
speech: each sentence gets a share of the speaking time in proportion to its length, and
the boundaries between sentences move to the nearest pause when one is close. SRT becomes
WebVTT; WebVTT is checked. Nothing is stored: the mediator reviews the proposal first.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import pysbd

from media.speech import Speech
from server.stories import vtt_problem
from trails.errors import invalid
from trails.messages import msg

# The languages pysbd splits; another language is split by the English rules (full stops,
# question and exclamation marks), which suits most languages written in Latin script.
_SPLIT_LANGUAGES = {"fr", "nl", "en", "de", "es", "it", "da", "pl", "ru", "el", "ja", "zh"}
# A cue may end this much after the probed end of the recording (decoders differ by a frame).
END_SLACK_S = 0.5
# A pause farther than this share of a sentence's own time from where its boundary would
# fall is not that sentence's pause.
_SNAP_SHARE = 0.5
# Whatever the sentence lengths, a cue is on screen at least this long.
_MIN_CUE_S = 0.2

_SRT_TIME = r"(\d{1,2}):([0-5]\d):([0-5]\d)[,.](\d{3})"
_SRT_TIMING = re.compile(rf"^{_SRT_TIME}\s*-->\s*{_SRT_TIME}(?:\s+.*)?$")
_VTT_TIMING = re.compile(r"^((?:\d{2,}:)?[0-5]\d:[0-5]\d\.\d{3})[ \t]+-->[ \t]+((?:\d{2,}:)?\S+)")


class TranscriptFormat(StrEnum):
    """What the mediator gave: found from the text itself when ``auto``."""

    auto = "auto"
    text = "text"
    srt = "srt"
    vtt = "vtt"


@dataclass(frozen=True)
class Cue:
    """One caption: from ``start`` to ``end`` seconds."""

    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Proposal:
    """A WebVTT transcript proposed from what was given, and how it was read."""

    vtt: str
    cues: int
    source: TranscriptFormat


def format_of(text: str) -> TranscriptFormat:
    """What ``text`` is: a WebVTT document, SRT subtitles, or plain words."""
    body = text.removeprefix("\ufeff").lstrip()
    if re.match(r"WEBVTT(?:[ \t\r\n]|$)", body):
        return TranscriptFormat.vtt
    if "-->" in body:
        return TranscriptFormat.srt
    return TranscriptFormat.text


def sentences(text: str, language: str) -> list[str]:
    """The sentences of ``text`` (those with at least one letter or digit), in order."""
    code = language.lower().split("-")[0]
    splitter = pysbd.Segmenter(language=code if code in _SPLIT_LANGUAGES else "en", clean=False)
    found: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        flat = " ".join(paragraph.split())
        if flat:
            found += [s.strip() for s in splitter.segment(flat)]
    return [s for s in found if re.search(r"\w", s)]


def _to_real(speech: Speech, position: float) -> float:
    """The time in the recording at ``position`` seconds of speech."""
    for start, end in speech.spans:
        if position <= end - start:
            return start + position
        position -= end - start
    return speech.spans[-1][1]


def timed(texts: Sequence[str], speech: Speech) -> list[Cue]:
    """Cues for ``texts`` over the recording's speech, changing at its pauses when close."""
    if not speech.spans:
        # A recording silent throughout: the sentences share all of it.
        speech = Speech(((0.0, speech.duration_s),), speech.duration_s)
    spoken = sum(end - start for start, end in speech.spans)
    lengths = [len(t) for t in texts]
    total = sum(lengths)
    # Where each boundary between two sentences falls in speaking time, by their lengths.
    shares = [spoken * n / total for n in lengths]
    wanted = [sum(shares[: i + 1]) for i in range(len(texts) - 1)]
    # Each pause sits at a point of speaking time: the speech heard before it.
    pause_at, heard = [], 0.0
    for (start, end), _ in zip(speech.spans, speech.pauses, strict=False):
        heard += end - start
        pause_at.append(heard)
    starts = [speech.spans[0][0]]
    ends: list[float] = []
    used = -1
    for i, point in enumerate(wanted):
        reach = _SNAP_SHARE * min(shares[i], shares[i + 1])
        near = [
            (abs(at - point), k)
            for k, at in enumerate(pause_at)
            if k > used and abs(at - point) <= reach
        ]
        if near:
            used = min(near)[1]
            pause = speech.pauses[used]
            ends.append(pause[0])
            starts.append(pause[1])
        else:
            moment = max(_to_real(speech, point), starts[-1] + _MIN_CUE_S)
            ends.append(moment)
            starts.append(moment)
    ends.append(max(speech.spans[-1][1], starts[-1] + _MIN_CUE_S))
    return [Cue(round(s, 3), round(e, 3), t) for s, e, t in zip(starts, ends, texts, strict=True)]


def _stamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def to_vtt(cues: Sequence[Cue]) -> str:
    """A WebVTT document of ``cues``, numbered from 1."""
    blocks = [
        f"{n}\n{_stamp(c.start)} --> {_stamp(c.end)}\n{c.text}" for n, c in enumerate(cues, 1)
    ]
    return "WEBVTT\n\n" + "\n\n".join(blocks) + "\n"


def _srt_seconds(h: str, m: str, s: str, ms: str) -> float:
    return int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000


def srt_cues(text: str) -> list[Cue]:
    """The subtitles of an SRT file, or a 422 naming the first line that is not SRT."""
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cues: list[Cue] = []
    number = 0
    while number < len(lines):
        if not lines[number].strip():
            number += 1
            continue
        first = number
        block = []
        while number < len(lines) and lines[number].strip():
            block.append(lines[number].strip())
            number += 1
        timing_at = 1 if block[0].isdigit() else 0
        found = _SRT_TIMING.match(block[timing_at]) if timing_at < len(block) else None
        if found is None:
            shown = block[timing_at] if timing_at < len(block) else block[0]
            raise invalid(
                "text",
                None,
                msg(
                    "line {line}: '{text}' is not an SRT timing (00:00:01,000 --> 00:00:04,000)",
                    line=first + timing_at + 1,
                    text=shown[:60],
                ),
            )
        start, end = _srt_seconds(*found.groups()[:4]), _srt_seconds(*found.groups()[4:])
        if end <= start:
            raise invalid(
                "text",
                None,
                msg("line {line}: the subtitle ends before it starts", line=first + timing_at + 1),
            )
        words = [w for w in block[timing_at + 1 :] if "-->" not in w]
        if words:
            # SRT's <i> and <b> are WebVTT's too; anything else is kept as text.
            cues.append(Cue(start, end, "\n".join(words)))
    if not cues:
        raise invalid("text", None, msg("this SRT file holds no subtitle"))
    return cues


def vtt_end(text: str) -> float:
    """Where the last cue of a valid WebVTT document ends, in seconds."""
    end = 0.0
    for line in text.replace("\r\n", "\n").split("\n"):
        found = _VTT_TIMING.match(line)
        if found:
            parts = found.group(2).split(":")
            seconds = (
                float(parts[-1])
                + 60 * int(parts[-2])
                + 3600 * (int(parts[0]) if len(parts) == 3 else 0)
            )
            end = max(end, seconds)
    return end


def _within(end: float, duration_s: float) -> None:
    if end > duration_s + END_SLACK_S:
        raise invalid(
            "text",
            None,
            msg(
                "the transcript runs to {end} s but the recording lasts {duration} s",
                end=round(end, 1),
                duration=round(duration_s, 1),
            ),
        )


def given_timings(text: str, fmt: TranscriptFormat, duration_s: float) -> Proposal:
    """An SRT or WebVTT transcript as WebVTT, checked against the recording's length."""
    if fmt is TranscriptFormat.srt:
        cues = srt_cues(text)
        _within(max(c.end for c in cues), duration_s)
        return Proposal(to_vtt(cues), len(cues), fmt)
    problem = vtt_problem(text)
    if problem is not None:
        raise invalid("text", None, msg("WebVTT {problem}", problem=problem))
    _within(vtt_end(text), duration_s)
    count = sum(1 for line in text.split("\n") if _VTT_TIMING.match(line))
    return Proposal(text.removeprefix("\ufeff"), count, fmt)


def sentences_of(text: str, language: str) -> list[str]:
    """The sentences of plain text, or a 422 when it holds none (empty, only punctuation)."""
    found = sentences(text, language)
    if not found:
        raise invalid(
            "text",
            None,
            msg("this text holds no sentence: paste the words as they are spoken"),
        )
    return found


def timed_transcript(texts: Sequence[str], speech: Speech) -> Proposal:
    """Sentences timed by the recording's speech, one cue each, as WebVTT."""
    # Plain words are text, never cue markup: "a < b" or "Dupont & fils" are escaped.
    escaped = [html.escape(t, quote=False) for t in texts]
    cues = timed(escaped, speech)
    return Proposal(to_vtt(cues), len(cues), TranscriptFormat.text)
