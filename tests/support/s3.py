"""An S3-compatible HTTP server (moto's server mode) on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import boto3
from moto.server import ThreadedMotoServer

from tests.support.live import free_port


@dataclass(frozen=True)
class S3Endpoint:
    """Where the test S3 server listens, and credentials it accepts."""

    url: str
    access_key_id: str = "testing"
    secret_access_key: str = "testing"
    region: str = "eu-west-1"

    def create_bucket(self, name: str) -> None:
        """Create a bucket through the real HTTP API."""
        client = boto3.client(
            "s3",
            endpoint_url=self.url,
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
            region_name=self.region,
        )
        client.create_bucket(
            Bucket=name, CreateBucketConfiguration={"LocationConstraint": self.region}
        )


@contextmanager
def s3_server() -> Iterator[S3Endpoint]:
    """Run moto's S3 server on 127.0.0.1 until the block ends."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield S3Endpoint(f"http://127.0.0.1:{port}")
    finally:
        server.stop()
