"""Docker does not run here: read the Dockerfile and compose file against the code instead."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from authoring.cli import app
from server.settings import Settings
from tests.support.replicas import (
    NGINX_TEMPLATE,
    REPLICAS,
    S3_SETTINGS,
    SHARED_SETTINGS,
    WORKERS,
    render_nginx_conf,
    scale_environment,
)
from tests.support.s3 import S3Endpoint

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = {f"BALADEUR_{name.upper()}" for name in Settings.model_fields}
PLANNED: set[str] = set()


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
            assert command[1] in _cli_commands(), name
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
    for app_name in ("player", "studio", "contribute", "apidocs"):
        assert f"COPY --from=web /web/server/static/{app_name} " in stages["wheel"]
    assert "python -m build --wheel" in stages["wheel"]
    final = stages["final"]
    # The image installs that wheel with [server], and no source tree.
    assert "COPY --from=wheel " in final
    assert re.search(r"set -- /tmp/dist/baladeur-\*\.whl", final)
    assert 'pip install --no-cache-dir "$1[server]"' in final
    assert not re.search(r"^COPY \. ", final, flags=re.MULTILINE)
    assert not re.search(r"pip install[^\n]* \.(\s|$)", final)


def test_compose_describes_the_multi_replica_tests_topology() -> None:
    # tests/reliability/test_replicas.py runs this topology on loopback; keep the two alike.
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    env, services = compose["x-baladeur-environment"], compose["services"]
    tested = scale_environment("postgresql+psycopg://db", "redis://r", S3Endpoint("http://s3"))
    assert set(SHARED_SETTINGS) | set(S3_SETTINGS) <= set(tested)
    assert set(SHARED_SETTINGS) | set(S3_SETTINGS) <= set(env)
    for name in ("BALADEUR_BLOB_BACKEND", "BALADEUR_INPROCESS_WORKER"):
        assert env[name] == tested[name], name
    # The shared secrets must be given, not generated per container.
    for name in ("BALADEUR_SECRET_KEY", "BALADEUR_SIGNING_KEY"):
        assert env[name].startswith(f"${{{name}:?"), name
    assert services["api"]["deploy"]["replicas"] == REPLICAS
    assert services["worker"]["deploy"]["replicas"] == WORKERS
    # Migrations run once, before the API and the workers start.
    assert services["migrate"]["command"] == ["baladeur", "db", "upgrade"]
    assert "deploy" not in services["migrate"]
    for name in ("api", "worker"):
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully", name
    # Only the load balancer is published, with deploy/nginx.conf, in front of the API.
    assert "ports" not in services["api"]
    lb = services["lb"]
    assert lb["image"].startswith("nginx:")
    assert "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro" in lb["volumes"]
    assert "api" in lb["depends_on"]
    api_port = services["api"]["command"][-1]
    template = NGINX_TEMPLATE.read_text()
    assert re.search(rf"^\s*server api:{api_port} .*# @replicas$", template, re.MULTILINE)
    listen = re.search(r"^\s*listen (\d+);\s*# @listen$", template, re.MULTILINE)
    assert listen and lb["ports"] == [f"8000:{listen.group(1)}"]


def _proxying(conf: str) -> list[str]:
    """The directives that decide how requests reach the replicas (not where files go)."""
    prefixes = ("proxy_", "client_max_body_size", "keepalive", "upstream", "location")
    lines = (line.strip() for line in conf.splitlines())
    return [line for line in lines if line.startswith(prefixes) and "_temp_path " not in line]


def test_the_tests_nginx_config_is_the_deployed_one(tmp_path: Path) -> None:
    upstreams = [f"127.0.0.1:{port}" for port in (8101, 8102, 8103)]
    template = NGINX_TEMPLATE.read_text()
    rendered = render_nginx_conf(template, upstreams, "127.0.0.1:8100", tmp_path)
    assert _proxying(rendered) == _proxying(template)
    servers = re.findall(r"^\s*server (\S+) (.*);$", rendered, re.MULTILINE)
    deployed = re.search(r"^\s*server api:\d+ (.*);\s*# @replicas$", template, re.MULTILINE)
    assert deployed and servers == [(u, deployed.group(1)) for u in upstreams]
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.skip("nginx is not installed")
    conf = tmp_path / "nginx.conf"
    conf.write_text(rendered)
    checked = subprocess.run(
        [nginx, "-t", "-c", str(conf), "-p", str(tmp_path), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        timeout=30,
    )
    assert checked.returncode == 0, checked.stderr.decode()
