"""Blob storage: one small protocol, with local-disk, S3 and in-memory implementations."""

from media.blobs.base import BlobInfo, BlobNotFound, BlobStore, BlobStoreUnavailable

__all__ = ["BlobInfo", "BlobNotFound", "BlobStore", "BlobStoreUnavailable"]
