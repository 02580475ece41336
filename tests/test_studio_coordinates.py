"""The studio's place reader (web/studio/src/coordinates.js) passes its node tests
(web/studio/test/*.test.mjs): run here so that `make test` and CI run them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.support.browser import tool_unavailable

STUDIO = Path(__file__).resolve().parents[1] / "web" / "studio"


def test_the_studio_node_tests_pass() -> None:
    node = shutil.which("node")
    if node is None:
        tool_unavailable("node is not installed (apt-get install nodejs)")
    assert node is not None
    files = sorted(str(p.relative_to(STUDIO)) for p in (STUDIO / "test").glob("*.test.mjs"))
    assert files, "no node tests found under web/studio/test"
    out = subprocess.run(
        [node, "--test", *files], cwd=STUDIO, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert "# fail 0" in out.stdout
    assert "# pass 0" not in out.stdout
