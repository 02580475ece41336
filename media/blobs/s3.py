"""Blobs in S3 or any S3-compatible store, through boto3."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from media.blobs.base import CHUNK_SIZE, BlobInfo, BlobNotFound, BlobStoreUnavailable
from media.blobs.keys import check_key
from media.blobs.local import check_range
from media.blobs.memory import iter_chunks

_MISSING = {"404", "NoSuchKey", "NotFound"}
_SHA_META = "sha256"


class _HashingReader:
    """A file object over a stream of chunks that hashes and counts what it hands out."""

    def __init__(self, data: BinaryIO | Iterable[bytes]) -> None:
        self._chunks = iter_chunks(data)
        self._buffer = bytearray()
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        while n < 0 or len(self._buffer) < n:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        if n < 0 or n >= len(self._buffer):
            out, self._buffer = bytes(self._buffer), bytearray()
        else:
            out = bytes(self._buffer[:n])
            del self._buffer[:n]
        self.digest.update(out)
        self.size += len(out)
        return out


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class S3BlobStore:
    """A :class:`~media.blobs.base.BlobStore` on an S3 bucket (AWS, MinIO, Garage, ...)."""

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        presign_expires_s: int = 3600,
        client: Any = None,
        multipart_threshold: int = 64 * 1024**2,
        multipart_chunksize: int = 16 * 1024**2,
        connect_timeout_s: float = 5.0,
        max_attempts: int = 3,
    ) -> None:
        self.bucket = bucket
        self.presign_expires_s = presign_expires_s
        self.client = client or boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region or "us-east-1",
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            config=Config(
                connect_timeout=connect_timeout_s,
                read_timeout=60,
                retries={"max_attempts": max_attempts, "mode": "standard"},
                # Path-style addressing works with every S3-compatible server.
                s3={"addressing_style": "path"},
            ),
        )
        self.transfer = TransferConfig(
            multipart_threshold=multipart_threshold,
            multipart_chunksize=multipart_chunksize,
            # One part in flight at a time keeps memory at one chunk per upload.
            max_concurrency=1,
            use_threads=False,
        )

    def _fail(self, exc: Exception, key: str, what: str) -> Exception:
        if isinstance(exc, ClientError):
            code = _code(exc)
            if code in _MISSING:
                return BlobNotFound(f"no blob '{key}'")
            return BlobStoreUnavailable(f"object storage refused {what} '{key}' ({code})")
        return BlobStoreUnavailable(f"object storage unreachable while {what} '{key}': {exc}")

    def ensure_bucket(self) -> None:
        """Create the bucket if it does not exist (development and tests)."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            region = self.client.meta.region_name
            # Outside us-east-1, S3 wants the bucket's region said again.
            extra = (
                {}
                if region == "us-east-1"
                else {"CreateBucketConfiguration": {"LocationConstraint": region}}
            )
            self.client.create_bucket(Bucket=self.bucket, **extra)
        except BotoCoreError as exc:
            raise self._fail(exc, self.bucket, "checking the bucket") from exc

    def put(
        self, key: str, data: BinaryIO | Iterable[bytes], *, content_type: str | None = None
    ) -> BlobInfo:
        """Upload a stream; large ones go multipart. S3 shows an object only once complete."""
        check_key(key)
        reader = _HashingReader(data)
        extra = {"ContentType": content_type} if content_type else {}
        try:
            self.client.upload_fileobj(
                reader, self.bucket, key, ExtraArgs=extra or None, Config=self.transfer
            )
        except (ClientError, BotoCoreError) as exc:
            raise self._fail(exc, key, "storing") from exc
        # S3's own checksums differ for multipart uploads; the sha256 is ours to report.
        return BlobInfo(key, reader.size, reader.digest.hexdigest(), content_type)

    def open(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """Yield the byte range with a ranged GET; a missing blob raises at once."""
        check_key(key)
        check_range(start, end)
        args: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if start or end is not None:
            args["Range"] = f"bytes={start}-{'' if end is None else end}"
        try:
            body = self.client.get_object(**args)["Body"]
        except ClientError as exc:
            if _code(exc) == "InvalidRange":
                return iter(())  # the range starts past the end: nothing to send
            raise self._fail(exc, key, "reading") from exc
        except BotoCoreError as exc:
            raise self._fail(exc, key, "reading") from exc
        return self._read(body, key)

    def _read(self, body: Any, key: str) -> Iterator[bytes]:
        try:
            yield from body.iter_chunks(CHUNK_SIZE)
        except BotoCoreError as exc:
            raise self._fail(exc, key, "reading") from exc
        finally:
            body.close()

    def open_file(self, key: str) -> None:
        """Objects are not local files (clients download them from presigned URLs)."""
        return None

    def stat(self, key: str) -> BlobInfo:
        """Size, content type and (when stored) sha256 of an object."""
        check_key(key)
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=key)
        except (ClientError, BotoCoreError) as exc:
            raise self._fail(exc, key, "reading") from exc
        return BlobInfo(
            key,
            int(head["ContentLength"]),
            head.get("Metadata", {}).get(_SHA_META),
            head.get("ContentType"),
        )

    def exists(self, key: str) -> bool:
        """Whether an object is stored under ``key``."""
        try:
            self.stat(key)
        except BlobNotFound:
            return False
        return True

    def delete(self, key: str) -> None:
        """Delete an object (S3 deletes are idempotent)."""
        check_key(key)
        try:
            self.client.delete_object(Bucket=self.bucket, Key=key)
        except (ClientError, BotoCoreError) as exc:
            raise self._fail(exc, key, "deleting") from exc

    def scan(self, prefix: str) -> Iterator[BlobInfo]:
        """Objects whose key starts with ``prefix``, page by page."""
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=prefix
            )
            for page in pages:
                for item in page.get("Contents", []):
                    yield BlobInfo(
                        item["Key"], int(item["Size"]), modified_at=item.get("LastModified")
                    )
        except (ClientError, BotoCoreError) as exc:
            raise self._fail(exc, prefix, "listing") from exc

    def url(self, key: str, *, expires_s: int | None = None) -> str | None:
        """A presigned GET URL, valid ``expires_s`` (default ``presign_expires_s``)."""
        check_key(key)
        try:
            url: str = self.client.generate_presigned_url(
                "get_object",
                Params={"Bucket": self.bucket, "Key": key},
                ExpiresIn=expires_s or self.presign_expires_s,
            )
        except (ClientError, BotoCoreError) as exc:
            raise self._fail(exc, key, "signing") from exc
        return url
