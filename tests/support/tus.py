"""Resumable (tus) uploads through the API, for tests."""

from __future__ import annotations

import base64
from typing import Any

from fastapi.testclient import TestClient


def start(
    client: TestClient, headers: dict[str, str], length: int, name: str, org: str = "mill"
) -> Any:
    """Ask to start an upload of ``length`` bytes (the answer's Location takes its bytes)."""
    meta = "filename " + base64.b64encode(name.encode()).decode()
    tus = {"Tus-Resumable": "1.0.0", "Upload-Length": str(length), "Upload-Metadata": meta}
    return client.post(f"/v1/orgs/{org}/uploads", headers={**headers, **tus})


def patch(
    client: TestClient,
    location: str,
    headers: dict[str, str],
    offset: int,
    data: bytes,
    **extra: str,
) -> Any:
    """Send ``data`` as the upload's bytes from ``offset`` (``extra``: more tus headers)."""
    return client.patch(
        location,
        content=data,
        headers={
            **headers,
            "Tus-Resumable": "1.0.0",
            "Content-Type": "application/offset+octet-stream",
            "Upload-Offset": str(offset),
            **extra,
        },
    )


def send(client: TestClient, location: str, headers: dict[str, str], data: bytes) -> Any:
    """Send the whole of an upload's bytes in one chunk, from its start."""
    return patch(client, location, headers, 0, data)
