"""The shared web i18n package's own Node tests (web/i18n/test/*.test.mjs, `npm test` there):
a content language's writing direction, and messages with elements in them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.support.browser import tool_unavailable

I18N = Path(__file__).resolve().parents[1] / "web" / "i18n"


def test_the_i18n_package_tests_pass() -> None:
    node = shutil.which("node")
    if node is None:
        tool_unavailable("node is not installed (apt-get install nodejs)")
    assert node is not None
    files = sorted(str(p.relative_to(I18N)) for p in (I18N / "test").glob("*.test.mjs"))
    assert files, "no tests found in web/i18n/test"
    out = subprocess.run(
        [node, "--test", *files], cwd=I18N, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert "# fail 0" in out.stdout
    assert "# pass 0" not in out.stdout
