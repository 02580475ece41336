"""``baladeur verify``: check a bundle's names, schema, hashes, stored entries and signature."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from authoring.output import console, emit_json, err_console
from authoring.trust import TrustStore, default_trust_path, publisher_address
from trails.bundle.keychain import KeyListRefused, update_pins
from trails.bundle.signing import public_keys_from_text
from trails.bundle.verify import verify_bundle
from trails.errors import invalid

_TIMEOUT_S = 15.0


def fetch_key_document(server: str) -> Any:
    """The key list a server publishes at ``/v1/keys``, parsed."""
    url = publisher_address(server) + "/v1/keys"
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
    return document


def pinned_server_keys(server: str, store: TrustStore) -> dict[str, Ed25519PublicKey]:
    """The server's keys as pinned in ``store``, after following its endorsements.

    The first time a server is seen its keys are pinned as listed; afterwards only keys
    endorsed through a chain from a pinned key are added, and a list that is not is refused.
    """
    publisher = publisher_address(server)
    pins = store.pins(publisher)
    try:
        update = update_pins(pins, fetch_key_document(server))
    except KeyListRefused as exc:
        advice = ""
        if exc.code == "keys-not-endorsed":
            advice = (
                f" If the publisher really replaced its keys, check with them, then remove"
                f" {publisher} from {store.path} to pin the new ones."
            )
        raise KeyListRefused(
            exc.code, f"{exc.code}: {publisher}/v1/keys: {exc.detail}.{advice}"
        ) from None
    if update.added:
        store.pin(publisher, update.keys)
        what = "pinned on first use" if update.first_use else "followed a key rotation, pinned"
        err_console.print(
            f"{publisher}: {what}: {', '.join(update.added)}", highlight=False, markup=False
        )
    return update.keys


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
        typer.Option(
            "--key",
            help=(
                "Public key file: PEM, base64 of a raw 32-byte Ed25519 public key (its id is"
                " the first 16 hex digits of the SHA-256 of those bytes), a private key, or a"
                " saved /v1/keys list. Trusted as given, no pinning."
            ),
        ),
    ] = None,
    server: Annotated[
        str | None,
        typer.Option(
            "--server",
            help=(
                "Server whose /v1/keys to use: pinned on first use, then only keys endorsed"
                " by a pinned key are accepted."
            ),
        ),
    ] = None,
    trust: Annotated[
        Path | None,
        typer.Option(
            "--trust",
            help=(
                "Trust store of pinned keys (default ~/.config/baladeur/trusted-keys.json)."
                " Alone, the bundle must be signed by a key pinned there."
            ),
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Verify a bundle completely and list every problem; exits 1 when there is one.

    Without --key, --server or --trust everything but the signature is checked. A key list
    that is not endorsed by the server's pinned keys is refused (keys-not-endorsed).
    """
    if key is not None and (server is not None or trust is not None):
        raise invalid("--key", str(key), "give --key, or --server and/or --trust, not both")
    keys: dict[str, Ed25519PublicKey] | None = None
    if key is not None:
        keys = read_key_file(key)
    elif server is not None:
        keys = pinned_server_keys(server, TrustStore(trust or default_trust_path()))
    elif trust is not None:
        keys = TrustStore(trust).every_pin()
        if not keys:
            raise invalid("--trust", str(trust), "no key is pinned there yet: use --server once")
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
            err_console.print(
                "signature not checked: give --key, --server or --trust", highlight=False
            )
    if not report.ok:
        raise typer.Exit(1)
