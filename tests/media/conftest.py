"""Fixtures for media tests: small generated media and a loopback S3-compatible server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.audio import ffmpeg_make, tone
from tests.support.s3 import s3_server

MediaFactory = Callable[..., Path]


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def make(media_dir: Path) -> MediaFactory:
    """Generate (once per session) a file from lavfi source(s) and encoder arguments."""
    cache: dict[str, Path] = {}

    def factory(name: str, *args: str) -> Path:
        if name not in cache:
            cache[name] = ffmpeg_make(media_dir / name, *args)
        return cache[name]

    return factory


@pytest.fixture(scope="session")
def voice_wav(make: MediaFactory) -> Path:
    """Two seconds of a stereo tone with noise, 48 kHz 16-bit."""
    return make(
        "voice.wav",
        *tone(2),
        "-f",
        "lavfi",
        "-i",
        "anoisesrc=c=pink:r=48000:a=0.05:d=2",
        "-filter_complex",
        "[0][1]amerge=inputs=2",
        "-c:a",
        "pcm_s16le",
    )


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A moto S3 server on a loopback port, reached over HTTP like any S3 endpoint."""
    with s3_server() as endpoint:
        yield endpoint.url


@pytest.fixture(autouse=True)
def _s3_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    # Fake credentials for the loopback server; never reach for real ones.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
