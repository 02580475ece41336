"""Docker does not run here: read the Dockerfile and compose file against the code instead."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from authoring.cli import app
from server.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = {f"BALADEUR_{name.upper()}" for name in Settings.model_fields}
PLANNED: set[str] = set()
PLANNED_COMMANDS = {"worker"}


def _cli_commands() -> set[str]:
    return {c.name for c in app.registered_commands if c.name} | {
        g.name for g in app.registered_groups if g.name
    }


def test_compose_uses_known_settings_and_commands() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    env = compose["x-baladeur-environment"]
    assert set(env) - SETTINGS - PLANNED == set()
    assert env["BALADEUR_DATABASE_URL"].split(":-", 1)[1].startswith("postgresql+psycopg://")
    for name, service in compose["services"].items():
        command = service.get("command")
        if isinstance(command, list) and command[0] == "baladeur":
            assert command[1] in _cli_commands() | PLANNED_COMMANDS, name
    assert compose["services"]["api"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )


def test_dockerfile_matches_settings_and_cli() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert set(re.findall(r"BALADEUR_[A-Z0-9_]+", dockerfile)) <= SETTINGS
    assert "libsqlite3-mod-spatialite" in dockerfile
    assert re.search(r"^USER baladeur$", dockerfile, flags=re.MULTILINE)
    assert "/healthz" in dockerfile
    cmd = re.search(r'^CMD \["baladeur", "(\w+)"', dockerfile, flags=re.MULTILINE)
    assert cmd and cmd.group(1) in _cli_commands()


def _stages(dockerfile: str) -> dict[str, str]:
    """Each build stage's text by name (the last, unnamed one is "final")."""
    parts = re.split(r"^FROM ", dockerfile, flags=re.MULTILINE)[1:]
    stages = {}
    for part in parts:
        first = part.splitlines()[0]
        named = re.search(r"\bAS (\w+)$", first)
        stages[named.group(1) if named else "final"] = part
    return stages


def test_dockerfile_installs_the_wheel_with_the_server_extra() -> None:
    stages = _stages((ROOT / "Dockerfile").read_text())
    assert list(stages) == ["web", "wheel", "final"]
    # The wheel is built after the web apps, with them copied in as package data.
    for app_name in ("player", "studio", "apidocs"):
        assert f"COPY --from=web /web/server/static/{app_name} " in stages["wheel"]
    assert "python -m build --wheel" in stages["wheel"]
    final = stages["final"]
    # The image installs that wheel with [server], and no source tree.
    assert "COPY --from=wheel " in final
    assert re.search(r"set -- /tmp/dist/baladeur-\*\.whl", final)
    assert 'pip install --no-cache-dir "$1[server]"' in final
    assert not re.search(r"^COPY \. ", final, flags=re.MULTILINE)
    assert not re.search(r"pip install[^\n]* \.(\s|$)", final)
