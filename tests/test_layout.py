"""The dependency rules of docs/architecture.md, checked on the source."""

from __future__ import annotations

import ast
import json
import re
import tomllib
from importlib.metadata import entry_points
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# What each package may not import, directly or through a submodule.
FORBIDDEN = {
    "trails": {
        "server",
        "authoring",
        "media",
        "fastapi",
        "starlette",
        "sqlalchemy",
        "geoalchemy2",
        "alembic",
        "boto3",
        "uvicorn",
    },
    "media": {"server", "authoring", "fastapi", "starlette", "sqlalchemy", "geoalchemy2"},
    # The two sides of the HTTP line: the server (with its database and process commands in
    # server/commands) and the authoring side (the offline tools and the HTTP client).
    "server": {"authoring"},
    "authoring": {
        "server",
        "fastapi",
        "sqlalchemy",
        "geoalchemy2",
        "alembic",
        "boto3",
        "uvicorn",
    },
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_dependency_direction(package: str) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & FORBIDDEN[package])
        for path in (ROOT / package).rglob("*.py")
        if _imports(path) & FORBIDDEN[package]
    }
    assert offenders == {}


def test_the_check_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from server.app import create_app\nimport sqlalchemy.orm\n")
    assert _imports(bad) & FORBIDDEN["trails"] == {"server", "sqlalchemy"}


# Browser code: each web/ package keeps to its folder; the apps take the engine, the DOM
# helper and the i18n helper by their names.
WEB_PACKAGES = ("engine", "dom", "i18n", "player", "studio", "contribute", "apidocs")
_SHARED_BY_NAME = ("@baladeur/engine", "@baladeur/dom", "@baladeur/i18n")
_JS_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.DOTALL)
# `import x from "s"` and `export { x } from "s"` (both end in `from "s"`), `import "s"` and
# `import("s")`; not `Array.from("s")`.
_JS_SPECIFIER = re.compile(r"""(?<![.$\w])(?:from\s*|import\s*\(?\s*)["']([^"']+)["']""")
# The engine runs in pages, in the studio, under node and in React Native alike: no DOM, no
# Node-only API, and none of the web APIs some React Native engines lack (Web Crypto,
# TextDecoder, atob). (`window` is left out: the engine names its time windows so.)
_NOT_IN_ENGINE = re.compile(
    r"\b(?:(?:document|navigator|process|Buffer|caches)\s*\.|(?:require|fetch|atob|btoa)\s*\("
    r"|(?:localStorage|sessionStorage|indexedDB|XMLHttpRequest|AudioContext|HTMLElement)\b"
    r"|crypto\.subtle\b|TextDecoder\b)"
)


# The engine's own tests and build script run under node only; they are not shipped.
_ENGINE_TOOLING = ("test", "tools")


def _engine_dependencies(home: Path) -> tuple[str, ...]:
    """The npm packages the engine declares it runs with (its pure-JS crypto)."""
    manifest = home / "package.json"
    if not manifest.is_file():
        return ()
    return tuple(json.loads(manifest.read_text()).get("dependencies", {}))


def _allowed_in_engine(spec: str, dependencies: tuple[str, ...], tooling: bool) -> bool:
    if any(spec == dep or spec.startswith(f"{dep}/") for dep in dependencies):
        return True
    return tooling and not spec.startswith(("/", "@baladeur/"))


def _web_offenders(web: Path) -> dict[str, list[str]]:
    """Per JS file under ``web``, the imports (and engine globals) that break the rules."""
    offenders: dict[str, list[str]] = {}
    for package in WEB_PACKAGES:
        home = (web / package).resolve()
        dependencies = _engine_dependencies(home) if package == "engine" else ()
        for path in sorted(home.rglob("*")):
            parts = path.relative_to(home).parts
            if path.suffix not in {".js", ".mjs"} or {"node_modules", "dist"} & set(parts):
                continue  # dist/ is the engine's build output, noble included
            tooling = package == "engine" and parts[0] in _ENGINE_TOOLING
            code = _JS_COMMENT.sub("", path.read_text())
            bad = []
            for spec in _JS_SPECIFIER.findall(code):
                if spec.startswith("."):
                    # A relative import must stay inside its own package's folder.
                    allowed = (path.parent / spec).resolve().is_relative_to(home)
                elif package == "engine":
                    # The engine names only its declared dependencies (its tools: node too).
                    allowed = _allowed_in_engine(spec, dependencies, tooling)
                else:
                    # The apps may name npm packages and node's modules; of ours, the engine,
                    # the DOM helper and the i18n helper.
                    allowed = spec in _SHARED_BY_NAME or not spec.startswith(("/", "@baladeur/"))
                if not allowed:
                    bad.append(spec)
            if package == "engine" and not tooling:
                bad += [m.group(0) for m in _NOT_IN_ENGINE.finditer(code)]
            if bad:
                offenders[str(path.relative_to(web.resolve()))] = bad
    return offenders


def test_web_apps_share_only_the_engine_dom_and_i18n_by_name(tmp_path: Path) -> None:
    assert _web_offenders(ROOT / "web") == {}
    # The check itself sees each kind of violation, and lets the allowed imports through.
    files = {
        "engine/index.js": 'export * from "./zones.js";\nimport { a } from "../player/src/a.js";',
        "engine/zones.js": (
            'import fs from "node:fs";\nconst w = document.body; // fetch(\n'
            'const c = Array.from("abc");\nexport const s = (window) => window.start;'
        ),
        "engine/package.json": '{"dependencies": {"@noble/hashes": "2.4.0"}}',
        "engine/crypto.js": (
            'import { sha256 } from "@noble/hashes/sha2.js";\nimport x from "left-pad";\n'
            "const b = Buffer.from([1]);\nconst k = crypto.subtle.digest;"
        ),
        "engine/bytes.js": "const t = new TextDecoder().decode(b) + atob(s);",
        "engine/test/run.mjs": (
            'import fs from "node:fs";\nimport { a } from "../index.js";\n'
            'import { p } from "@baladeur/player";\nprocess.stdout.write("");'
        ),
        "engine/dist/index.cjs": 'const ed = require("@noble/ed25519");',
        "player/src/a.js": 'import { b } from "./b.js";\nimport { x } from "../../engine/z.js";',
        "player/run.mjs": (
            'import { a } from "./src/a.js";\nimport { r } from "@baladeur/engine";\n'
            'export { h } from "@baladeur/dom";'
        ),
        "dom/index.js": 'import { t } from "../player/src/a.js";',
        "studio/src/c.js": (
            'import L from "leaflet";\nimport "leaflet/dist/leaflet.css";\n'
            'export { y } from "../../player/src/a.js";\nconst m = import("@baladeur/player");\n'
            '/* import { z } from "../../engine/units.js"; */'
        ),
    }
    for name, code in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(code)
    assert _web_offenders(tmp_path) == {
        "engine/index.js": ["../player/src/a.js"],
        "dom/index.js": ["../player/src/a.js"],
        "engine/bytes.js": ["TextDecoder", "atob("],
        "engine/crypto.js": ["left-pad", "Buffer.", "crypto.subtle"],
        "engine/test/run.mjs": ["@baladeur/player"],
        "engine/zones.js": ["node:fs", "document."],
        "player/src/a.js": ["../../engine/z.js"],
        "studio/src/c.js": ["../../player/src/a.js", "@baladeur/player"],
    }


def test_the_check_sees_the_sides_import_each_other(tmp_path: Path) -> None:
    client = tmp_path / "client.py"
    client.write_text("from server.remote_sources import StoredMedia\nimport fastapi\n")
    command = tmp_path / "command.py"
    command.write_text("from authoring.output import console\nimport uvicorn\n")
    assert _imports(client) & FORBIDDEN["authoring"] == {"server", "fastapi"}
    assert _imports(command) & FORBIDDEN["server"] == {"authoring"}


def test_the_server_commands_join_baladeur_by_entry_point() -> None:
    # Neither side imports the other: the one `baladeur` command finds the server's commands
    # through this entry point (a stale install lacks it: run scripts/setup.sh again).
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    group = pyproject["project"]["entry-points"]["baladeur.commands"]
    assert group == {"server": "server.commands:register"}
    installed = {e.name: e.value for e in entry_points(group="baladeur.commands")}
    assert installed == group


# Storage names: only trails/storage_names.py spells out a blob key or media path prefix.
STORAGE_NAMES = Path("trails/storage_names.py")
STORAGE_PREFIXES = (
    "media",
    "originals",
    "waveforms",
    "renditions",
    "bundles",
    "covers",
    "photos",
    "consents",
    "consent-forms",
    "transcripts",
    "renders",
)
# A string literal (plain, raw, byte or f-string; a regex may start with ^) that begins with
# one of the prefixes and a slash: what building a key or media path by hand looks like.
_STORAGE_LITERAL = re.compile(
    r"(?<![\w])[rRbBfFuU]{0,2}([\"'])(\^?(?:"
    + "|".join(re.escape(p) for p in STORAGE_PREFIXES)
    + r")/[^\"'\n]*)"
)
# OpenAPI examples of a pushed trail source: paths a client chose, not names we build.
STORAGE_LITERALS_ALLOWED = {
    Path("server/routes/sources.py"): {"media/roue.opus", "media/roue.vtt"},
}


def storage_literals(text: str) -> list[str]:
    """The string literals in source text that start like a blob key or media path."""
    return [match.group(2) for match in _STORAGE_LITERAL.finditer(text)]


def test_only_storage_names_builds_storage_names() -> None:
    offenders = {}
    for package in ("trails", "media", "server", "authoring"):
        for path in (ROOT / package).rglob("*.py"):
            relative = path.relative_to(ROOT)
            if relative == STORAGE_NAMES or relative.parts[:2] == ("server", "migrations"):
                continue  # migrations are history
            found = [
                literal
                for literal in storage_literals(path.read_text())
                if literal not in STORAGE_LITERALS_ALLOWED.get(relative, set())
            ]
            if found:
                offenders[str(relative)] = found
    assert offenders == {}, "build blob keys and media paths with trails/storage_names.py"


def test_the_storage_name_check_sees_a_violation() -> None:
    bad = (
        'KEY = f"media/{sha}{ext}"\n'
        "PREFIX = 'bundles/'\n"
        'PATTERN = r"^media/[0-9a-f]{64}$"\n'
        'fine = manifest["media"], "multimedia/x", "/v1/media/x"\n'
    )
    assert storage_literals(bad) == ["media/{sha}{ext}", "bundles/", "^media/[0-9a-f]{64}$"]
    assert storage_literals((ROOT / STORAGE_NAMES).read_text())  # the one place that may
