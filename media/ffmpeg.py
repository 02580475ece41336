"""Run ffmpeg and ffprobe safely: explicit argv, forced demuxer, file protocol only, timeouts.

Every input goes through :func:`input_args`, so no call can auto-detect a playlist, a concat
script or any other format that opens further files or URLs.
"""

from __future__ import annotations

import collections
import contextlib
import os
import shutil
import signal
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TypeVar

from media.errors import MediaProcessingFailed, MediaTimeout, MediaToolMissing

T = TypeVar("T")

# Our format name -> ffmpeg demuxer. Nothing outside this table is ever opened by ffmpeg.
DEMUXERS: dict[str, str] = {
    "wav": "wav",
    "w64": "w64",
    "aiff": "aiff",
    "flac": "flac",
    "mp3": "mp3",
    "ogg": "ogg",
    "mp4": "mov",
    "webm": "matroska",
}
# Demuxer options that close the remaining doors to other files (mp4 data references).
_DEMUXER_OPTIONS: dict[str, list[str]] = {
    "mov": ["-enable_drefs", "0", "-use_absolute_path", "0"],
}
_TAIL_LINES = 400
COMMON = ["-hide_banner", "-nostdin", "-nostats"]


@dataclass(frozen=True)
class Completed:
    """Exit status and the last lines of what a run printed."""

    returncode: int
    stdout: str
    stderr: str

    def last_error(self) -> str:
        """The last non-empty line of standard error, for messages."""
        lines = [line.strip() for line in self.stderr.splitlines() if line.strip()]
        return lines[-1] if lines else f"exit status {self.returncode}"


@dataclass(frozen=True)
class Tap:
    """A second output of the measuring decode, read from standard output as it comes.

    ``output_args`` shape the stream (e.g. ``-ac 1 -ar 16000 -f f32le``, without the
    destination); ``consume`` reads it to its end.
    """

    output_args: tuple[str, ...]
    consume: Callable[[IO[bytes]], object]


def tool(name: str) -> str:
    """Absolute path of ``ffmpeg`` or ``ffprobe``, or :class:`MediaToolMissing`."""
    found = shutil.which(name)
    if found is None:
        raise MediaToolMissing(f"{name} is not installed (on Debian: apt-get install ffmpeg)")
    return found


def file_url(path: Path) -> str:
    """An ffmpeg input/output name that is always read as a plain local file.

    The ``file:`` prefix keeps names starting with ``-`` or holding ``:`` from being read
    as options or protocols.
    """
    return "file:" + str(Path(path).resolve())


def input_args(path: Path, fmt: str) -> list[str]:
    """Arguments that open ``path`` with the forced demuxer of format ``fmt``."""
    demuxer = DEMUXERS[fmt]
    return [
        "-protocol_whitelist",
        "file",
        "-f",
        demuxer,
        *_DEMUXER_OPTIONS.get(demuxer, []),
        "-i",
        file_url(path),
    ]


def reading(path: Path, fmt: str, *, log_level: str = "error") -> list[str]:
    """The start of an ffmpeg command line that reads ``path`` (of format ``fmt``) safely.

    Every ffmpeg run begins this way: the tool, no banner, prompt or progress chatter, the
    given log level, and the input opened only through :func:`input_args`.
    """
    return [tool("ffmpeg"), *COMMON, "-v", log_level, *input_args(path, fmt)]


def reading_pipe(fmt: str, *, log_level: str = "error") -> list[str]:
    """The start of an ffmpeg command line that reads our own output (format ``fmt``) from
    its standard input, and nothing else."""
    return [
        tool("ffmpeg"),
        *COMMON,
        "-v",
        log_level,
        "-protocol_whitelist",
        "pipe",
        "-f",
        DEMUXERS[fmt],
        "-i",
        "pipe:0",
    ]


def reading_audio(path: Path, fmt: str) -> list[str]:
    """:func:`reading`, logging errors only, with the first audio stream mapped."""
    return [*reading(path, fmt), "-map", "0:a:0"]


def _kill(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        # The process leads its own session, so this also ends anything it spawned.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _drain(stream: IO[bytes], tail: collections.deque[bytes]) -> None:
    for line in iter(stream.readline, b""):
        tail.append(line)


def _start(
    argv: list[str], *, stdin: int = subprocess.DEVNULL, stdout: int = subprocess.PIPE
) -> subprocess.Popen[bytes]:
    try:
        return subprocess.Popen(
            argv,
            stdin=stdin,
            stdout=stdout,
            stderr=subprocess.PIPE,
            start_new_session=True,
            close_fds=True,
        )
    except FileNotFoundError:
        raise MediaToolMissing(f"{argv[0]} is not installed") from None


def _text(tail: collections.deque[bytes]) -> str:
    return b"".join(tail).decode("utf-8", errors="replace")


def run(argv: list[str], *, timeout_s: float, what: str) -> Completed:
    """Run a command to completion, keeping bounded tails of its output; kill it on timeout."""
    return stream(argv, None, timeout_s=timeout_s, what=what)[1]


def stream(
    argv: list[str],
    consume: Callable[[IO[bytes]], T] | None,
    *,
    timeout_s: float,
    what: str,
) -> tuple[T | None, Completed]:
    """Run a command while ``consume`` reads its standard output as it comes.

    Memory stays bounded whatever the length of the output: ``consume`` sees a stream, and
    only the last lines of standard error (and of standard output without ``consume``) are
    kept. The whole process group is killed when ``timeout_s`` passes.
    """
    proc = _start(argv)
    assert proc.stdout is not None and proc.stderr is not None
    err_tail: collections.deque[bytes] = collections.deque(maxlen=_TAIL_LINES)
    out_tail: collections.deque[bytes] = collections.deque(maxlen=_TAIL_LINES)
    readers = [threading.Thread(target=_drain, args=(proc.stderr, err_tail), daemon=True)]
    if consume is None:
        readers.append(threading.Thread(target=_drain, args=(proc.stdout, out_tail), daemon=True))
    timed_out = threading.Event()

    def on_timeout() -> None:
        timed_out.set()
        _kill(proc)

    timer = threading.Timer(timeout_s, on_timeout)
    timer.daemon = True
    result: T | None = None
    try:
        for reader in readers:
            reader.start()
        timer.start()
        if consume is not None:
            result = consume(proc.stdout)
            # Whatever the consumer left unread must not block the process.
            while proc.stdout.read(1 << 16):
                pass
        proc.wait()
        for reader in readers:
            reader.join()
    finally:
        timer.cancel()
        _kill(proc)
        proc.stdout.close()
        proc.stderr.close()
    if timed_out.is_set():
        raise MediaTimeout(f"{what} took longer than {timeout_s:.0f} s and was stopped")
    return result, Completed(proc.returncode, _text(out_tail), _text(err_tail))


def tee(
    producer: list[str],
    consumer: list[str],
    out: Path,
    *,
    timeout_s: float,
    what: str,
) -> tuple[Completed, Completed]:
    """Run ``producer``, writing its standard output to ``out`` and, as it comes, into the
    standard input of ``consumer`` (a second ffmpeg reading ``pipe:0``).

    The two run at once, so the consumer's work (decoding what was just encoded, say) costs
    no extra wall time where a core is free. Both are killed when ``timeout_s`` passes.
    """
    reader = _start(consumer, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    assert reader.stdin is not None and reader.stderr is not None
    tail: collections.deque[bytes] = collections.deque(maxlen=_TAIL_LINES)
    drainer = threading.Thread(target=_drain, args=(reader.stderr, tail), daemon=True)
    drainer.start()

    def copy(stdout: IO[bytes]) -> None:
        assert reader.stdin is not None
        feeding = True
        try:
            with out.open("wb") as sink:
                while block := stdout.read(1 << 16):
                    sink.write(block)
                    if feeding:
                        try:
                            reader.stdin.write(block)
                        except BrokenPipeError:
                            # The consumer gave up; its exit status says why.
                            feeding = False
        finally:
            with contextlib.suppress(BrokenPipeError):
                reader.stdin.close()

    try:
        _, made = stream(producer, copy, timeout_s=timeout_s, what=what)
        try:
            reader.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            raise MediaTimeout(
                f"{what} took longer than {timeout_s:.0f} s and was stopped"
            ) from None
        drainer.join()
    finally:
        _kill(reader)
        reader.stderr.close()
    return made, Completed(reader.returncode, "", _text(tail))


def check(done: Completed, what: str) -> Completed:
    """Raise :class:`MediaProcessingFailed` unless the run succeeded."""
    if done.returncode != 0:
        raise MediaProcessingFailed(f"{what} failed: {done.last_error()}")
    return done
