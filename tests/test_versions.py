"""Every version Baladeur states agrees with trails/versions.py, in code, metadata and docs."""

from __future__ import annotations

import json
import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest

from server.app import create_app
from trails import versions
from trails.bundle import FORMAT_MINOR, FORMAT_VERSION
from trails.bundle.schema import manifest_schema

ROOT = Path(__file__).resolve().parent.parent
ARCHITECTURE = ROOT / "docs" / "architecture.md"
# A row of the Versions table: | what | `version` | `CONSTANT` | where it shows |
_ROW = re.compile(r"^\|[^|]+\|\s*`(?P<version>[^`]+)`\s*\|\s*`(?P<name>[A-Z_]+)`\s*\|")


def test_pyproject_reads_the_package_version_from_trails() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"]
    assert "version" in project["project"]["dynamic"]
    attr = project["tool"]["setuptools"]["dynamic"]["version"]["attr"]
    assert attr == "trails.versions.PACKAGE_VERSION"


def test_installed_metadata_has_the_package_version() -> None:
    assert version("baladeur") == versions.PACKAGE_VERSION


def test_bundle_format() -> None:
    assert FORMAT_VERSION == versions.BUNDLE_FORMAT_VERSION
    schema = manifest_schema()
    assert schema["properties"]["format"] == {"const": versions.BUNDLE_FORMAT_VERSION}
    published = json.loads((ROOT / "docs" / "bundle-manifest.schema.json").read_text())
    assert published["properties"]["format"]["const"] == versions.BUNDLE_FORMAT_VERSION
    doc = (ROOT / "docs" / "bundle-format.md").read_text()
    assert f"**format version {versions.BUNDLE_FORMAT_VERSION}**" in doc
    assert f"the manifest's `format` is `{versions.BUNDLE_FORMAT_VERSION}`" in doc
    known = f"{versions.BUNDLE_FORMAT_VERSION}.{versions.BUNDLE_FORMAT_MINOR}"
    assert f"This document is format {known};" in doc


def test_the_javascript_verifier_reads_the_same_format() -> None:
    source = (ROOT / "web" / "engine" / "manifest.js").read_text()
    assert f"export const FORMAT_VERSION = {versions.BUNDLE_FORMAT_VERSION};" in source
    assert f"export const FORMAT_MINOR = {versions.BUNDLE_FORMAT_MINOR};" in source
    assert FORMAT_MINOR == versions.BUNDLE_FORMAT_MINOR


def test_openapi_document_states_the_api_version() -> None:
    assert create_app().openapi()["info"]["version"] == versions.API_VERSION


def test_npm_engine_package() -> None:
    package = json.loads((ROOT / "web" / "engine" / "package.json").read_text())
    assert package["name"] == "@baladeur/engine"
    assert package["version"] == versions.ENGINE_NPM_VERSION


def test_architecture_doc_lists_every_version() -> None:
    section = ARCHITECTURE.read_text().split("## Versions", 1)[1].split("\n## ", 1)[0]
    rows = [_ROW.match(line.strip()) for line in section.splitlines()]
    stated = {m["name"]: m["version"] for m in rows if m}
    constants = {
        name: str(value) for name, value in vars(versions).items() if name.endswith("_VERSION")
    }
    assert stated == constants


@pytest.mark.parametrize("doc", ["README.md", "docs/python-library.md"])
def test_wheel_names_in_docs_carry_the_package_version(doc: str) -> None:
    named = re.findall(r"baladeur-([0-9][^-]*)-py3-none-any\.whl", (ROOT / doc).read_text())
    assert named, doc
    assert set(named) == {versions.PACKAGE_VERSION}
