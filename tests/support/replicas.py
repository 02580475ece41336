"""The scale mode on loopback: API replicas and workers as real processes behind nginx.

What docker-compose.yml describes, started the way a deployer would: ``baladeur db upgrade``
once, then three ``baladeur serve`` replicas and two ``baladeur worker`` processes sharing
one PostGIS database, one Redis and one blob store, with nginx (rendered from
``deploy/nginx.conf``) balancing round robin in front.

Every process has its own data directory, as on separate machines: what they must share
(the session secret, the bundle signing key) comes from the environment, never from a
shared volume. :data:`SHARED_SETTINGS` names those settings; the compose file sets the same.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import stop, wait_http
from tests.support.live import free_port
from tests.support.s3 import S3Endpoint

ROOT = Path(__file__).resolve().parents[2]
NGINX_TEMPLATE = ROOT / "deploy" / "nginx.conf"
BALADEUR = str(Path(sys.executable).with_name("baladeur"))
REPLICAS = 3
WORKERS = 2
BUCKET = "baladeur"

# Settings every process of the topology must hold alike (docker-compose.yml sets each).
SHARED_SETTINGS = (
    "BALADEUR_DATABASE_URL",
    "BALADEUR_REDIS_URL",
    "BALADEUR_BLOB_BACKEND",
    "BALADEUR_SECRET_KEY",
    "BALADEUR_SIGNING_KEY",
    "BALADEUR_INPROCESS_WORKER",
    "BALADEUR_FORWARDED_ALLOW_IPS",
)
S3_SETTINGS = (
    "BALADEUR_S3_ENDPOINT_URL",
    "BALADEUR_S3_BUCKET",
    "BALADEUR_S3_REGION",
    "BALADEUR_S3_ACCESS_KEY_ID",
    "BALADEUR_S3_SECRET_ACCESS_KEY",
)
# The test's additions to deploy/nginx.conf: where its files go, and which replica answered.
_NGINX_PROLOGUE = """{user}
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
"""
_NGINX_HTTP = """
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    log_format upstreams '$remote_addr $upstream_addr $status $request';
    access_log {dir}/access.log upstreams;"""


def render_nginx_conf(template: str, upstreams: list[str], listen: str, workdir: Path) -> str:
    """``deploy/nginx.conf`` with these replicas and this listen address, files in ``workdir``.

    Only the lines marked ``@replicas`` and ``@listen`` and the access log change; every
    proxy setting stays the template's.
    """

    def servers(line: re.Match[str]) -> str:
        indent, options = line.group(1), line.group(2)
        return "\n".join(f"{indent}server {u} {options};" for u in upstreams)

    replicas, n = re.subn(
        r"^(\s*)server \S+ (.*);\s*# @replicas$", servers, template, flags=re.MULTILINE
    )
    listened, m = re.subn(
        r"^(\s*)listen \S+;\s*# @listen$", rf"\1listen {listen};", replicas, flags=re.MULTILINE
    )
    if n != 1 or m != 1:
        raise ValueError("deploy/nginx.conf lost its @replicas or @listen line")
    # As root, nginx's workers would run as nobody, who cannot read the private temp dir.
    user = "user root root;" if os.geteuid() == 0 else ""
    body = listened.replace("    access_log off;", _NGINX_HTTP.format(dir=workdir).strip("\n"))
    return _NGINX_PROLOGUE.format(user=user, dir=workdir) + body


@dataclass
class Replica:
    """One ``baladeur serve`` process."""

    url: str
    process: subprocess.Popen[bytes]

    def kill(self) -> None:
        """SIGKILL: no chance to finish a response or give anything up."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)


@dataclass
class Topology:
    """The running processes, their shared environment and the balancer's address."""

    env: dict[str, str]
    workdir: Path
    balancer: str = ""
    replicas: list[Replica] = field(default_factory=list)
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def cli(self, *args: str, name: str = "cli") -> str:
        """Run a ``baladeur`` command with the topology's settings (its own data dir); stdout."""
        env = self.env | {"BALADEUR_DATA_DIR": str(self.workdir / name)}
        done = subprocess.run([BALADEUR, *args], env=env, capture_output=True, timeout=300)
        if done.returncode:
            raise RuntimeError(f"baladeur {' '.join(args)}: {done.stderr.decode()[-2000:]}")
        return done.stdout.decode()

    def upstreams(self) -> list[str]:
        """The replica each balanced request went to, in order (from nginx's access log)."""
        log = self.workdir / "nginx" / "access.log"
        return [line.split()[1] for line in log.read_text().splitlines()] if log.exists() else []


def scale_environment(
    database_url: str, redis_url: str, s3: S3Endpoint | None, **extra: str
) -> dict[str, str]:
    """The environment every process shares: one database, queue, store, secret and key."""
    env = {
        "BALADEUR_DATABASE_URL": database_url,
        "BALADEUR_REDIS_URL": redis_url,
        "BALADEUR_BLOB_BACKEND": "s3" if s3 else "local",
        "BALADEUR_SECRET_KEY": secrets.token_urlsafe(48),
        "BALADEUR_SIGNING_KEY": base64.b64encode(os.urandom(32)).decode(),
        # Jobs run in the workers, not in the API replicas.
        "BALADEUR_INPROCESS_WORKER": "false",
        # Believe the balancer's X-Forwarded-For: limits count the visitor, not nginx.
        "BALADEUR_FORWARDED_ALLOW_IPS": "127.0.0.1",
        "BALADEUR_LOG_FORMAT": "text",
        "BALADEUR_LOG_LEVEL": "WARNING",
    }
    if s3 is not None:
        env |= {
            "BALADEUR_S3_ENDPOINT_URL": s3.url,
            "BALADEUR_S3_BUCKET": BUCKET,
            "BALADEUR_S3_REGION": s3.region,
            "BALADEUR_S3_ACCESS_KEY_ID": s3.access_key_id,
            "BALADEUR_S3_SECRET_ACCESS_KEY": s3.secret_access_key,
        }
    return env | extra


def _spawn(
    stack: ExitStack, args: list[str], env: dict[str, str], log: Path
) -> subprocess.Popen[bytes]:
    """Start a process logging to ``log``; the stack stops it."""
    with log.open("wb") as out:
        process = subprocess.Popen(args, env=env, stdout=out, stderr=out)
    stack.callback(stop, process)
    return process


@contextmanager
def scale_topology(
    env: dict[str, str], *, data: tuple[str, ...] = (), workers: int = WORKERS
) -> Iterator[Topology]:
    """Migrate once, run ``baladeur`` commands ``data`` (e.g. an import), then start the
    replicas, the workers and nginx; stop them all when the block ends.

    ``env`` comes from :func:`scale_environment`; each entry of ``data`` is one command line.
    """
    workdir = Path(tempfile.mkdtemp(prefix="baladeur-replicas-"))
    topology = Topology(os.environ | env, workdir)
    if env["BALADEUR_BLOB_BACKEND"] == "local":
        # Local blobs on several machines would be a shared volume: one directory for all.
        topology.env["BALADEUR_BLOB_DIR"] = str(workdir / "shared-blobs")
    try:
        with ExitStack() as stack:
            topology.cli("db", "upgrade")
            for line in data:
                topology.cli(*line.split())
            for i in range(REPLICAS):
                port = free_port()
                own = topology.env | {"BALADEUR_DATA_DIR": str(workdir / f"replica-{i}")}
                args = [BALADEUR, "serve", "--host", "127.0.0.1", "--port", str(port)]
                process = _spawn(stack, args, own, workdir / f"replica-{i}.log")
                topology.replicas.append(Replica(f"http://127.0.0.1:{port}", process))
            for i in range(workers):
                own = topology.env | {"BALADEUR_DATA_DIR": str(workdir / f"worker-{i}")}
                args = [BALADEUR, "worker", "--workers", "1"]
                topology.workers.append(_spawn(stack, args, own, workdir / f"worker-{i}.log"))
            for replica in topology.replicas:
                wait_http(f"{replica.url}/healthz", replica.process)
            topology.balancer = _start_nginx(stack, topology)
            yield topology
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _start_nginx(stack: ExitStack, topology: Topology) -> str:
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise FileNotFoundError("nginx is not installed (apt-get install nginx)")
    workdir = topology.workdir / "nginx"
    workdir.mkdir()
    port = free_port()
    upstreams = [r.url.removeprefix("http://") for r in topology.replicas]
    conf = workdir / "nginx.conf"
    conf.write_text(
        render_nginx_conf(NGINX_TEMPLATE.read_text(), upstreams, f"127.0.0.1:{port}", workdir)
    )
    args = [binary, "-c", str(conf), "-p", str(workdir), "-e", str(workdir / "error.log")]
    process = _spawn(stack, args, dict(os.environ), workdir / "nginx.out")
    wait_http(f"http://127.0.0.1:{port}/healthz", process)
    return f"http://127.0.0.1:{port}"
