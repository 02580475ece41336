"""docs/python-library.md's examples and the folder they run in."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.bundle.conftest import DEMO, build_demo
from trails.bundle.signing import SigningKey, generate_key, public_key_pem

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "python-library.md"


def doc_examples() -> str:
    """Every ```python block of the page, in order, as one script."""
    blocks = re.findall(r"^```python\n(.*?)^```$", DOC.read_text(), flags=re.MULTILINE | re.DOTALL)
    assert blocks, f"no python example in {DOC}"
    return "\n".join(blocks)


def prepare_workdir(workdir: Path) -> Path:
    """The folder the examples expect: the demo trail, one of its bundles and the key."""
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.copytree(DEMO, workdir / DEMO.name)
    key = SigningKey(generate_key())
    build_demo(workdir / "moulin.zip", key)
    (workdir / "moulin-key.pem").write_bytes(public_key_pem(key.public))
    (workdir / "examples.py").write_text(doc_examples())
    return workdir
