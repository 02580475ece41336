"""Renditions land at their loudness target whatever the source's rate, depth and layout.

Each source is a few seconds of pink noise, generated here; each rendition is measured by
ffmpeg's own ebur128 meter, not by media/. The full product (7 rates x 3 depths x 4 layouts)
would take minutes, so every rate meets every layout once, the depth turning with them, and
the case of the issue (96 kHz, 24-bit, uncorrelated stereo) is run at every depth.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from media.loudness import measure
from media.probe import probe
from media.renditions import RenditionSpec, encode, layouts_for
from tests.media.conftest import MediaFactory
from tests.support.audio import ebur128_lufs, pink_noise

RATES = (8000, 16000, 22050, 44100, 48000, 96000, 192000)
DEPTHS = {"s16": "pcm_s16le", "s24": "pcm_s24le", "float": "pcm_f32le"}
LAYOUTS = ("mono", "stereo-correlated", "stereo-uncorrelated", "5.1")
SECONDS = 2
TARGET = -16.0
CASES = [
    (rate, list(DEPTHS)[i % len(DEPTHS)], layout)
    for i, (rate, layout) in enumerate(itertools.product(RATES, LAYOUTS))
] + [(96000, depth, "stereo-uncorrelated") for depth in ("s16", "float")]


def _source(make: MediaFactory, rate: int, depth: str, layout: str) -> Path:
    name = f"matrix-{rate}-{depth}-{layout}.wav"
    if layout == "mono":
        args = pink_noise(SECONDS, rate, 1)
    elif layout == "stereo-correlated":
        args = [*pink_noise(SECONDS, rate, 1), "-ac", "2"]
    else:
        count = 2 if layout == "stereo-uncorrelated" else 6
        inputs = [arg for seed in range(1, count + 1) for arg in pink_noise(SECONDS, rate, seed)]
        pads = "".join(f"[{i}]" for i in range(count))
        shape = ",aformat=channel_layouts=5.1" if count == 6 else ""
        args = [*inputs, "-filter_complex", f"{pads}amerge=inputs={count}{shape}"]
    return make(name, *args, "-c:a", DEPTHS[depth])


@pytest.mark.parametrize(("rate", "depth", "layout"), CASES)
def test_renditions_reach_the_target(
    make: MediaFactory, tmp_path: Path, rate: int, depth: str, layout: str
) -> None:
    src = _source(make, rate, depth, layout)
    found = probe(src)
    assert (found.sample_rate, found.channels) == (rate, {"mono": 1, "5.1": 6}.get(layout, 2))
    specs = [
        RenditionSpec("opus", "voice"),
        RenditionSpec("aac", "voice"),
        RenditionSpec("opus", "immersive"),
    ]
    level = measure(src, found, layouts=layouts_for(specs, found))
    for spec in specs:
        done = encode(
            src, tmp_path / f"{spec.profile}-{spec.role}{spec.extension}", spec,
            probe_result=found, loudness=level,
        )  # fmt: skip
        assert done.channels == min(found.channels, spec.max_channels)
        assert ebur128_lufs(done.path) == pytest.approx(TARGET, abs=1.0), spec


def test_voice_gain_comes_from_the_rendered_mono(make: MediaFactory) -> None:
    """Uncorrelated channels: the mono downmix is about 3 dB under the stereo source, and at
    96 kHz what lies above 24 kHz (which no rendition carries) is left out as well."""
    src = _source(make, 96000, "s24", "stereo-uncorrelated")
    found = probe(src)
    level = measure(src, found)
    assert level.integrated_lufs is not None and level.mono_lufs is not None
    assert level.stereo_lufs is not None
    assert level.integrated_lufs - level.stereo_lufs > 0.2
    assert level.stereo_lufs - level.mono_lufs == pytest.approx(3.0, abs=0.5)
