"""What lies beyond the core install: the ``server`` extra, and the message when it is missing.

The core (``pip install baladeur``) is this package's dependencies only; the command line,
the audio tools and the server need ``pip install 'baladeur[server]'``.
"""

from __future__ import annotations

SERVER_EXTRA = "server"
INSTALL_SERVER = f"pip install 'baladeur[{SERVER_EXTRA}]'"
# Baladeur's own top-level packages: one of them missing is a broken install, not an extra.
OWN_PACKAGES = frozenset({"trails", "media", "server", "authoring"})


def missing_dependency(exc: ModuleNotFoundError) -> str | None:
    """The third-party module an import failed on; None when one of Baladeur's own is missing."""
    top = (exc.name or "").split(".")[0]
    if not top or top in OWN_PACKAGES:
        return None
    return top


def needs_server_extra(what: str, module: str) -> str:
    """One line saying that ``what`` needs a package of the server extra, and how to get it."""
    return (
        f"{what} needs the Python package '{module}', which is not installed; "
        f"it comes with the server extra: {INSTALL_SERVER}"
    )
