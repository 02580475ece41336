"""``baladeur verify``: check a bundle's names, schema, hashes, stored entries and signature."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from authoring.language import say
from authoring.output import emit_json, show
from authoring.trust import TrustStore, default_trust_path, publisher_address
from trails.bundle.keychain import KeyListRefused, update_pins
from trails.bundle.signing import public_keys_from_text
from trails.bundle.verify import verify_bundle
from trails.errors import invalid
from trails.messages import msg

_TIMEOUT_S = 15.0


def fetch_key_document(server: str) -> Any:
    """The key list a server publishes at ``/v1/keys``, parsed."""
    url = publisher_address(server) + "/v1/keys"
    try:
        response = httpx.get(url, timeout=_TIMEOUT_S, follow_redirects=True)
        response.raise_for_status()
        document = response.json()
    except httpx.HTTPStatusError as exc:
        status = exc.response.status_code
        raise invalid(
            "--server", url, msg("{url} answered {status}", url=url, status=status)
        ) from None
    except httpx.HTTPError as exc:
        raise invalid(
            "--server",
            url,
            msg("could not fetch the keys from {url}: {reason}", url=url, reason=exc),
        ) from None
    except ValueError:
        raise invalid(
            "--server", url, msg("{url} did not answer a JSON key list", url=url)
        ) from None
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
        refused = msg(
            "{code}: {publisher}/v1/keys: {detail}.",
            code=exc.code,
            publisher=publisher,
            detail=exc.detail,
        )
        if exc.code == "keys-not-endorsed":
            refused = msg(
                "{refused} If the publisher really replaced its keys, check with them, then"
                " remove {publisher} from {store} to pin the new ones.",
                refused=refused,
                publisher=publisher,
                store=store.path,
            )
        raise KeyListRefused(exc.code, refused) from None
    if update.added:
        store.pin(publisher, update.keys)
        keys = ", ".join(update.added)
        if update.first_use:
            pinned = msg("{publisher}: pinned on first use: {keys}", publisher=publisher, keys=keys)
        else:
            pinned = msg(
                "{publisher}: followed a key rotation, pinned: {keys}",
                publisher=publisher,
                keys=keys,
            )
        show(pinned, err=True)
    return update.keys


def read_key_file(path: Path) -> dict[str, Ed25519PublicKey]:
    """Public keys from a file: PEM, base64 raw public key, or a saved ``/v1/keys`` list."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise invalid(
            "--key", str(path), msg("cannot read the key file: {reason}", reason=exc)
        ) from None
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
        raise invalid("--key", str(key), msg("give --key, or --server and/or --trust, not both"))
    keys: dict[str, Ed25519PublicKey] | None = None
    if key is not None:
        keys = read_key_file(key)
    elif server is not None:
        keys = pinned_server_keys(server, TrustStore(trust or default_trust_path()))
    elif trust is not None:
        keys = TrustStore(trust).every_pin()
        if not keys:
            raise invalid(
                "--trust", str(trust), msg("no key is pinned there yet: use --server once")
            )
    report = verify_bundle(bundle, keys)
    if as_json:
        emit_json(report.as_dict())
    else:
        for problem in report.problems:
            # The code is a name the bundle format's documentation uses: it stays as it is.
            where = f" [{problem.entry}]" if problem.entry else ""
            show(f"{problem.code}: {say(problem.message)}{where}")
        summary = report.as_dict()
        if report.ok:
            show(
                msg(
                    "ok: {trail} release {release} ({profile}), {entries} entries, {bytes} bytes",
                    trail=summary["trail"],
                    release=summary["release"],
                    profile=summary["profile"],
                    entries=report.entries,
                    bytes=report.bytes,
                )
            )
        if keys is None:
            show(msg("signature not checked: give --key, --server or --trust"), err=True)
    if not report.ok:
        raise typer.Exit(1)
