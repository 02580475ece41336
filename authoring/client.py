"""A small HTTP client of a Baladeur server's authoring API (httpx), with tus uploads.

Errors become :class:`DomainError` with one clear line: a problem answer gives its title
and detail, a server that does not answer gives its URL. Requests carry the command's
language as ``Accept-Language``, so that the server's refusals come back in it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from authoring.language import environment_language
from trails.errors import DomainError, FieldError, InvalidInput
from trails.files import atomic_file
from trails.messages import msg

DEFAULT_SERVER = "http://127.0.0.1:8000"
CHUNK_BYTES = 8 * 1024 * 1024
TUS = {"Tus-Resumable": "1.0.0"}


class ServerProblem(DomainError):
    """The server refused a request (an RFC 9457 problem), in one line."""

    def __init__(
        self, status: int, title: str, detail: str, errors: list[FieldError] | None = None
    ) -> None:
        # The detail may be the client's own words ("the server answered 502"), to translate.
        super().__init__(
            msg("{title} ({status}): {detail}", title=title, status=status, detail=detail)
        )
        self.title = title
        self.status = status
        self.errors = errors or []


class Unreachable(DomainError):
    """The server did not answer."""

    title = "Server unreachable"


def state_dir() -> Path:
    """Where the CLI keeps what it must remember between runs (unfinished uploads)."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "baladeur"


def config_dir() -> Path:
    """Where the CLI keeps saved tokens (``credentials.json``, mode 0600)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "baladeur"


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Created private: it may hold tokens.
    with atomic_file(path, mode=0o600) as fh:
        fh.write(json.dumps(data, indent=2, sort_keys=True).encode())


def saved_token(server: str) -> str | None:
    """The token saved by ``baladeur login --save`` for this server, if any."""
    token = _read_json(config_dir() / "credentials.json").get(server.rstrip("/"))
    return token if isinstance(token, str) else None


def save_token(server: str, token: str) -> Path:
    """Remember a token for this server in the user's config (readable by the user only)."""
    path = config_dir() / "credentials.json"
    data = _read_json(path)
    data[server.rstrip("/")] = token
    _write_json(path, data)
    return path


class UploadState:
    """Unfinished uploads' addresses, by server, organisation and sha256, so that they resume."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or state_dir() / "uploads.json"

    def get(self, key: str) -> str | None:
        """The upload address remembered for a file, if any."""
        value = _read_json(self.path).get(key)
        return value if isinstance(value, str) else None

    def put(self, key: str, url: str) -> None:
        """Remember an upload's address."""
        data = _read_json(self.path)
        data[key] = url
        _write_json(self.path, data)

    def forget(self, key: str) -> None:
        """Drop a finished or abandoned upload."""
        data = _read_json(self.path)
        if data.pop(key, None) is not None:
            _write_json(self.path, data)


@dataclass(frozen=True)
class Uploaded:
    """One file sent: the asset it became, bytes sent now, and where it resumed from."""

    asset_id: int | None
    sent: int
    resumed_from: int


def _problem(response: httpx.Response) -> ServerProblem:
    title = response.reason_phrase or "Error"
    detail: str = msg("the server answered {status}", status=response.status_code)
    errors: list[FieldError] = []
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        title = str(body.get("title") or title)
        detail = str(body.get("detail") or detail)
        for item in body.get("errors") or []:
            if isinstance(item, dict):
                errors.append(
                    FieldError(
                        str(item.get("field", "")), item.get("value"), str(item.get("message"))
                    )
                )
    if response.status_code == 401:
        detail = msg("{detail} (run `baladeur login`, or set BALADEUR_TOKEN)", detail=detail)
    return ServerProblem(response.status_code, title, detail, errors)


class Remote:
    """One server, one token, one organisation."""

    def __init__(
        self,
        server: str,
        token: str | None,
        org: str | None,
        *,
        timeout_s: float = 60,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.server = server.rstrip("/")
        self.org = org
        headers = {"Accept-Language": environment_language()}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.http = httpx.Client(
            base_url=self.server, headers=headers, timeout=timeout_s, transport=transport
        )

    def close(self) -> None:
        """Close the connections."""
        self.http.close()

    def __enter__(self) -> Remote:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # Plumbing.

    def request(self, method: str, url: str, *, ok: tuple[int, ...] = (), **kw: Any) -> Any:
        """Send a request; a problem answer (other than ``ok`` statuses) raises it in one line."""
        try:
            response = self.http.request(method, url, **kw)
        except httpx.ConnectError as exc:
            raise Unreachable(
                msg(
                    "cannot reach the server at {server}: is it running, and is the address "
                    "right? ({reason})",
                    server=self.server,
                    reason=_reason(exc),
                )
            ) from None
        except httpx.TimeoutException:
            raise Unreachable(
                msg("the server at {server} did not answer in time", server=self.server)
            ) from None
        except httpx.TransportError as exc:
            raise Unreachable(
                msg(
                    "the connection to {server} failed: {reason}",
                    server=self.server,
                    reason=_reason(exc),
                )
            ) from None
        if response.status_code >= 400 and response.status_code not in ok:
            raise _problem(response)
        return response

    def org_path(self, path: str) -> str:
        """A path under the current organisation."""
        if not self.org:
            raise DomainError(msg("no organisation: give --org or set BALADEUR_ORG"))
        return f"/v1/orgs/{self.org}{path}"

    # Accounts.

    def sign_in(self, email: str, password: str) -> dict[str, Any]:
        """Exchange an email and password for a token."""
        body: dict[str, Any] = self.request(
            "POST", "/v1/auth/tokens", json={"email": email, "password": password}
        ).json()
        return body

    def me(self) -> dict[str, Any]:
        """The signed-in user and their memberships."""
        body: dict[str, Any] = self.request("GET", "/v1/me").json()
        return body

    def choose_org(self) -> str:
        """The organisation to act in: as given, or the caller's only one."""
        if self.org:
            return self.org
        memberships = self.me()["memberships"]
        if len(memberships) != 1:
            if not memberships:
                raise DomainError(
                    msg("give --org or set BALADEUR_ORG (you are in no organisation)")
                )
            names = ", ".join(m["organisation"] for m in memberships)
            raise DomainError(
                msg("give --org or set BALADEUR_ORG (your organisations: {names})", names=names)
            )
        self.org = str(memberships[0]["organisation"])
        return self.org

    # Media.

    def lookup(self, hashes: list[str]) -> dict[str, Any]:
        """Which of these sha256 the organisation holds: ``found`` and ``missing``."""
        body: dict[str, Any] = self.request(
            "POST", self.org_path("/assets/lookup"), json={"sha256": hashes}
        ).json()
        return body

    def download(self, asset_id: int, sha256: str) -> Iterator[bytes]:
        """An asset's original bytes, checked against their sha256 at the end."""
        digest = hashlib.sha256()
        url = self.org_path(f"/assets/{asset_id}/original")
        try:
            with self.http.stream("GET", url) as response:
                if response.status_code >= 400:
                    response.read()
                    raise _problem(response)
                for chunk in response.iter_bytes(1 << 20):
                    digest.update(chunk)
                    yield chunk
        except httpx.TransportError as exc:
            raise Unreachable(
                msg(
                    "the download from {server} failed: {reason}",
                    server=self.server,
                    reason=_reason(exc),
                )
            ) from None
        if digest.hexdigest() != sha256:
            raise DomainError(
                msg("asset {asset} arrived damaged (its sha256 differs); try again", asset=asset_id)
            )

    def upload(
        self,
        path: Path,
        sha256: str,
        *,
        role: str,
        state: UploadState,
        on_bytes: Callable[[int], None] | None = None,
        chunk_bytes: int = CHUNK_BYTES,
    ) -> Uploaded:
        """Send a file with tus, resuming an upload of the same file left unfinished."""
        size = path.stat().st_size
        key = f"{self.server}|{self.org}|{sha256}"
        url, offset = self._resume(state.get(key))
        resumed_from = offset
        if url is None:
            url, offset = self._create(path, sha256, size, role), 0
            state.put(key, url)
        elif on_bytes is not None and offset:
            on_bytes(offset)
        try:
            asset_id = self._send(url, path, offset, size, chunk_bytes, on_bytes)
        except ServerProblem:
            # Refused (not audio, damaged...): the next push starts this file afresh.
            state.forget(key)
            raise
        state.forget(key)
        return Uploaded(asset_id, size - resumed_from, resumed_from)

    def _send(
        self,
        url: str,
        path: Path,
        offset: int,
        size: int,
        chunk_bytes: int,
        on_bytes: Callable[[int], None] | None,
    ) -> int | None:
        asset_id: int | None = None
        with path.open("rb") as fh:
            while offset < size:
                fh.seek(offset)
                chunk = fh.read(chunk_bytes)
                checksum = base64.b64encode(hashlib.sha256(chunk).digest()).decode()
                response = self.request(
                    "PATCH",
                    url,
                    content=chunk,
                    headers={
                        **TUS,
                        "Upload-Offset": str(offset),
                        "Content-Type": "application/offset+octet-stream",
                        "Upload-Checksum": f"sha256 {checksum}",
                    },
                )
                offset = int(response.headers["Upload-Offset"])
                if on_bytes is not None:
                    on_bytes(len(chunk))
                if "Baladeur-Asset-Id" in response.headers:
                    asset_id = int(response.headers["Baladeur-Asset-Id"])
        return asset_id

    def _resume(self, url: str | None) -> tuple[str | None, int]:
        if url is None:
            return None, 0
        response = self.request("HEAD", url, headers=TUS, ok=(404, 410))
        if response.status_code != 200:
            return None, 0  # expired or cancelled: start again
        offset = int(response.headers.get("Upload-Offset", "0"))
        if offset >= int(response.headers.get("Upload-Length", "0")):
            return None, 0  # finished already without being recorded; a new upload is cheap
        return url, offset

    def _create(self, path: Path, sha256: str, size: int, role: str) -> str:
        metadata = {"filename": path.name, "role": role, "sha256": sha256}
        encoded = ",".join(
            f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in metadata.items()
        )
        response = self.request(
            "POST",
            self.org_path("/uploads"),
            headers={**TUS, "Upload-Length": str(size), "Upload-Metadata": encoded},
        )
        return str(response.headers["Location"])

    # Trails.

    def source(self, slug: str) -> dict[str, Any] | None:
        """A draft as a trail source document, or ``None`` if there is no such trail."""
        response = self.request("GET", self.org_path(f"/trails/by-slug/{slug}/source"), ok=(404,))
        if response.status_code == 404:
            return None
        body: dict[str, Any] = response.json()
        return body

    def put_source(self, slug: str, body: dict[str, Any], etag: str | None) -> dict[str, Any]:
        """Create or replace a draft from a trail source whose media are stored."""
        headers = {"If-Match": etag} if etag else {}
        try:
            response = self.request(
                "PUT", self.org_path(f"/trails/by-slug/{slug}/source"), json=body, headers=headers
            )
        except ServerProblem as exc:
            if exc.errors:
                raise InvalidInput(exc.errors, exc.detail) from None
            raise
        result: dict[str, Any] = response.json()
        return result

    def trail_id(self, slug: str) -> int:
        """The id of the organisation's trail with this address."""
        page = self.request(
            "GET", self.org_path("/trails"), params={"q": slug, "limit": 200}
        ).json()
        for item in page["items"]:
            if item["slug"] == slug:
                return int(item["id"])
        raise DomainError(
            msg(
                "no trail '{slug}' in the organisation '{org}' on {server}",
                slug=slug,
                org=self.org,
                server=self.server,
            )
        )

    def publish(self, trail_id: int, notes: str | None, publish_at: str | None) -> dict[str, Any]:
        """Publish a draft as a new release."""
        body = {"notes": notes, "publish_at": publish_at}
        result: dict[str, Any] = self.request(
            "POST",
            self.org_path(f"/trails/{trail_id}/releases"),
            json={k: v for k, v in body.items() if v is not None},
        ).json()
        return result


def _reason(exc: Exception) -> str:
    text = str(exc).strip()
    return text or type(exc).__name__
