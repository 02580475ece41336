"""``baladeur verify``: check a bundle's names, schema, hashes, stored entries and signature."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import httpx
import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from authoring.output import console, emit_json, err_console
from trails.bundle.signing import keys_from_document, public_keys_from_text
from trails.bundle.verify import verify_bundle
from trails.errors import invalid

_TIMEOUT_S = 15.0


def fetch_keys(server: str) -> dict[str, Ed25519PublicKey]:
    """The public keys a server publishes at ``/v1/keys``."""
    url = server.rstrip("/") + "/v1/keys"
    try:
        response = httpx.get(url, timeout=_TIMEOUT_S, follow_redirects=True)
        response.raise_for_status()
        document = response.json()
    except httpx.HTTPStatusError as exc:
        raise invalid("--server", url, f"{url} answered {exc.response.status_code}") from None
    except httpx.HTTPError as exc:
        raise invalid("--server", url, f"could not fetch the keys from {url}: {exc}") from None
    except ValueError:
        raise invalid("--server", url, f"{url} did not answer a JSON key list") from None
    return keys_from_document(document, field=url)


def read_key_file(path: Path) -> dict[str, Ed25519PublicKey]:
    """Public keys from a file: PEM, base64 raw public key, or a saved ``/v1/keys`` list."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise invalid("--key", str(path), f"cannot read the key file: {exc}") from None
    return public_keys_from_text(text, field=str(path))


def verify(
    bundle: Annotated[Path, typer.Argument(help="Bundle file (.zip).")],
    key: Annotated[
        Path | None,
        typer.Option("--key", help="Public key file (PEM, base64, or a /v1/keys JSON list)."),
    ] = None,
    server: Annotated[
        str | None, typer.Option("--server", help="Server whose /v1/keys to trust.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Verify a bundle completely and list every problem; exits 1 when there is one.

    Without --key or --server everything but the signature is checked.
    """
    if key is not None and server is not None:
        raise invalid("--key", str(key), "give --key or --server, not both")
    keys = read_key_file(key) if key else fetch_keys(server) if server else None
    report = verify_bundle(bundle, keys)
    if as_json:
        emit_json(report.as_dict())
    else:
        for problem in report.problems:
            where = f" [{problem.entry}]" if problem.entry else ""
            console.print(
                f"{problem.code}: {problem.message}{where}",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
        summary = report.as_dict()
        if report.ok:
            console.print(
                f"ok: {summary['trail']} release {summary['release']} ({summary['profile']}), "
                f"{report.entries} entries, {report.bytes} bytes",
                highlight=False,
                soft_wrap=True,
            )
        if keys is None:
            err_console.print("signature not checked: give --key or --server", highlight=False)
    if not report.ok:
        raise typer.Exit(1)
