"""The blob store the settings ask for."""

from __future__ import annotations

from media.blobs import BlobStore
from server.settings import Settings
from trails.errors import invalid
from trails.messages import msg


def make_blob_store(settings: Settings) -> BlobStore:
    """A local-directory store (embedded mode) or an S3 store (scale mode)."""
    if settings.blob_backend == "s3":
        from media.blobs.s3 import S3BlobStore  # boto3 is only needed in the scale mode

        if not settings.s3_bucket:
            raise invalid(
                "BALADEUR_S3_BUCKET", None, msg("the S3 blob backend needs a bucket name")
            )
        secret = settings.s3_secret_access_key
        return S3BlobStore(
            settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=secret.get_secret_value() if secret else None,
        )
    from media.blobs.local import LocalBlobStore

    return LocalBlobStore(settings.resolved_blob_dir)
