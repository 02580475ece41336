"""`npm pack` of @baladeur/engine installs in a fresh project outside the repository, and the
examples of docs/app-developers.md (read from the page, so the two cannot drift) verify a
demo bundle and play it, as an ES module and as CommonJS."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.bundle.conftest import build_demo
from tests.support.browser import tool_unavailable
from trails.bundle.signing import SigningKey, generate_key, raw_public

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "web" / "engine"
DOC = ROOT / "docs" / "app-developers.md"
_BLOCK = re.compile(r"^```js (esm|cjs)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def doc_examples() -> dict[str, str]:
    """The page's example code blocks by module system (``js esm`` and ``js cjs`` fences)."""
    found = {kind: code for kind, code in _BLOCK.findall(DOC.read_text())}
    assert set(found) == {"esm", "cjs"}
    return found


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        tool_unavailable(f"{name} is not installed (apt-get install nodejs npm)")
    assert path is not None
    return path


def _run(args: list[str], cwd: Path, timeout: int = 300) -> str:
    out = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, f"{args}: {out.stdout[-3000:]}{out.stderr[-3000:]}"
    return out.stdout


def test_the_doc_has_the_two_examples() -> None:
    examples = doc_examples()
    assert 'from "@baladeur/engine"' in examples["esm"]
    assert 'require("@baladeur/engine")' in examples["cjs"]


@pytest.mark.slow
def test_the_packed_package_runs_the_doc_examples(tmp_path_factory: pytest.TempPathFactory) -> None:
    npm, node = _tool("npm"), _tool("node")
    packed = tmp_path_factory.mktemp("packed")
    _run([npm, "pack", "--pack-destination", str(packed), "--loglevel=error"], ENGINE)
    [tarball] = packed.glob("baladeur-engine-*.tgz")
    listing = _run(["tar", "-tzf", str(tarball)], packed).split()
    assert {"package/dist/index.mjs", "package/dist/index.cjs"} <= set(listing)
    shipped = {"package/dist/types/index.d.ts", "package/dist/types-cjs/index.d.cts"}
    shipped |= {"package/index.js", "package/README.md", "package/dist/THIRD-PARTY-LICENSES.txt"}
    assert shipped <= set(listing)
    assert not [name for name in listing if "/test/" in name or "/tools/" in name]

    app = tmp_path_factory.mktemp("app")
    assert not app.resolve().is_relative_to(ROOT)  # no workspace or node_modules of ours
    (app / "package.json").write_text(json.dumps({"name": "demo-app", "private": True}))
    _run([npm, "install", "--no-audit", "--no-fund", "--loglevel=error", str(tarball)], app)
    assert not (app / "node_modules" / "@baladeur" / "engine").is_symlink()

    key = SigningKey(generate_key())
    demo = build_demo(app / "trail.zip", key)
    public = base64.b64encode(raw_public(key.public)).decode()
    document = {"keys": [{"id": key.id, "algorithm": "Ed25519", "public_key": public}]}
    (app / "keys.json").write_text(json.dumps(document))

    outputs = {}
    for kind, code in doc_examples().items():
        script = app / f"app.{'mjs' if kind == 'esm' else 'cjs'}"
        script.write_text(code)
        outputs[kind] = _run([node, script.name], app, timeout=60)
    assert outputs["esm"] == outputs["cjs"]
    lines = outputs["esm"].splitlines()
    media = len(demo.built.manifest["media"])
    assert lines[0] == f"verified moulin-de-marchienne release 1: {media} media files"
    events = [json.loads(line) for line in lines[1:] if line.startswith("{")]
    first = demo.built.manifest["stops"][0]["key"]
    assert {"t": 0, "type": "enter", "stop": first} in events
    assert {"t": 0, "type": "play", "stop": first} in events
    assert any(line.startswith("play media/") and line.endswith(" bytes)") for line in lines)

    check_types(app, node)


# Typed uses of the package: TypeScript must accept them, and see a wrong type in the second.
TYPED = """\
import { TriggerEngine, VerifyError, trailFromManifest, verifyBundle } from "@baladeur/engine";
import type { EngineEvent, Fix, VerifiedBundle } from "@baladeur/engine";
type Keys = Map<string, Uint8Array>;
export async function slug(bytes: Uint8Array | Blob, keys: Keys): Promise<string> {
  const { manifest, media }: VerifiedBundle = await verifyBundle(bytes, keys);
  const engine = new TriggerEngine(trailFromManifest(manifest, "en"));
  const sizes: number[] = [...media.values()].map((b: Uint8Array) => b.byteLength);
  const fix: Fix = { t: 0, lat: 0, lon: 0, accuracy_m: 5 };
  const events: EngineEvent[] = engine.feed(fix);
  return `${manifest.trail.slug} ${sizes.length} ${events.map((e) => e.type).join()}`;
}
export const code: string = new VerifyError("schema", "x").code;
"""
MISTYPED = """\
import { TriggerEngine, VerifyError } from "@baladeur/engine";
export const n: number = new VerifyError("a", "b").code;
export const late = (e: TriggerEngine) => e.feed({ t: 0, lat: 0, lon: 0 });
"""


def check_types(app: Path, node: str) -> None:
    """The installed declarations resolve for ``import`` and ``require`` and carry types."""
    tsc = ROOT / "node_modules" / "typescript" / "bin" / "tsc"
    options = ["--noEmit", "--strict", "--module", "nodenext", "--target", "es2022"]
    (app / "typed.mts").write_text(TYPED)
    (app / "typed.cts").write_text(TYPED)
    _run([node, str(tsc), *options, "typed.mts", "typed.cts"], app)
    # node16 resolution cannot require ES modules: the require() types must be CommonJS ones.
    node16 = ["--noEmit", "--strict", "--module", "node16", "--target", "es2022"]
    _run([node, str(tsc), *node16, "typed.mts", "typed.cts"], app)
    (app / "mistyped.mts").write_text(MISTYPED)
    out = subprocess.run(
        [node, str(tsc), *options, "mistyped.mts"], cwd=app, capture_output=True, text=True
    )
    assert out.returncode != 0
    assert "not assignable to type 'number'" in out.stdout
    assert "accuracy_m" in out.stdout  # a fix without its accuracy
