"""The server's bundle signing keys, from the settings or the data directory."""

from __future__ import annotations

from server.settings import Settings
from trails.bundle.signing import Keyring, parse_private_key


def keyring(settings: Settings) -> Keyring:
    """The keyring in ``<data dir>/keys``, with the configured key current when one is set."""
    configured = None
    if settings.signing_key is not None and settings.signing_key.get_secret_value():
        configured = parse_private_key(
            settings.signing_key.get_secret_value(), field="BALADEUR_SIGNING_KEY"
        )
    return Keyring(settings.resolved_data_dir / "keys", configured)
