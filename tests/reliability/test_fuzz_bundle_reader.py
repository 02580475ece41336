"""Fuzzing the bundle reader: damaged bundles give a report or InvalidInput, never a crash."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.bundle.conftest import Demo, build_demo
from trails.bundle.signing import SigningKey, generate_key
from trails.bundle.verify import read_bundle, verify_bundle
from trails.errors import InvalidInput

FUZZ = settings(
    # The suite replays the same inputs every run (no flaky CI); a hunt with
    # BALADEUR_FUZZ_EXAMPLES set draws new ones.
    derandomize="BALADEUR_FUZZ_EXAMPLES" not in os.environ,
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> tuple[Demo, bytes]:
    demo = build_demo(tmp_path_factory.mktemp("fuzz") / "demo.zip", SigningKey(generate_key()))
    return demo, demo.path.read_bytes()


def _check(data: bytes, demo: Demo) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bundle.zip"
        path.write_bytes(data)
        report = verify_bundle(path, demo.keys)
        assert isinstance(report.ok, bool)
        try:
            read_bundle(path, demo.keys)
        except InvalidInput as exc:
            assert exc.errors, "a refusal lists its reasons"


@FUZZ
@given(data=st.data())
def test_flipped_bytes(good: tuple[Demo, bytes], data: st.DataObject) -> None:
    demo, original = good
    damaged = bytearray(original)
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(damaged) - 1))
        damaged[at] ^= data.draw(st.integers(1, 255))
    report_data = bytes(damaged)
    _check(report_data, demo)
    # Damage inside the signed manifest or the hashed media must never pass unnoticed.
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bundle.zip"
        path.write_bytes(report_data)
        if verify_bundle(path, demo.keys).ok:
            assert _only_outside_checked_bytes(original, report_data, demo)


def _only_outside_checked_bytes(original: bytes, damaged: bytes, demo: Demo) -> bool:
    # Zip metadata the verifier does not rely on (timestamps, extra fields) may change.
    import zipfile

    with zipfile.ZipFile(demo.path) as zf:
        spans = []
        for info in zf.infolist():
            start = info.header_offset + 30 + len(info.filename.encode())
            spans.append((start, start + info.compress_size))
    changed = [i for i, (a, b) in enumerate(zip(original, damaged, strict=True)) if a != b]
    return not any(start <= i < end + 32 for i in changed for start, end in spans)


@FUZZ
@given(cut=st.integers(min_value=0))
def test_truncated(good: tuple[Demo, bytes], cut: int) -> None:
    demo, original = good
    _check(original[: cut % len(original)], demo)


@FUZZ
@given(junk=st.binary(max_size=4096))
def test_arbitrary_bytes(good: tuple[Demo, bytes], junk: bytes) -> None:
    demo, _ = good
    _check(junk, demo)
