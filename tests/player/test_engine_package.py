"""The package's own Node tests (web/engine/test/*.test.mjs, `npm test` there) pass: run
here so that `make test` and CI run them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.support.browser import tool_unavailable

ENGINE = Path(__file__).resolve().parents[2] / "web" / "engine"


def test_the_engine_package_tests_pass() -> None:
    node = shutil.which("node")
    if node is None:
        tool_unavailable("node is not installed (apt-get install nodejs)")
    assert node is not None
    files = sorted(str(p.relative_to(ENGINE)) for p in (ENGINE / "test").glob("*.test.mjs"))
    assert len(files) >= 2  # the trigger vectors and the verifier
    out = subprocess.run(
        [node, "--test", *files], cwd=ENGINE, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert "# fail 0" in out.stdout
    assert "# pass 0" not in out.stdout
