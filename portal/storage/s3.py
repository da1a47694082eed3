"""`S3Storage`: objects in a bucket of any S3-compatible service (AWS, MinIO, SeaweedFS, Ceph, a cloud
provider's object storage), through boto3, the maintained client that every such service documents.

boto3 is imported only when this backend is configured: a one-machine office does not pay for it.
"""

from __future__ import annotations

from datetime import timezone
from typing import Iterator

from .base import MissingObject, Storage, StorageError, StoredObject, check_key, check_prefix

# A put or get that waits longer than this is a failure the resident hears about, not a hung worker.
CONNECT_SECONDS = 3
READ_SECONDS = 20


class S3Storage(Storage):
    """Each key `folder/name` is the object `prefix/folder/name` in `bucket`. A PUT is whole by the protocol:
    an object is there entirely or not at all."""

    def __init__(self, bucket: str, prefix: str = "", endpoint: str | None = None, region: str | None = None):
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = f"{prefix}/" if prefix else ""
        self.description = f"S3 bucket {bucket}" + (f" ({prefix})" if prefix else "") + (
            f" at {endpoint}" if endpoint else "")
        config = Config(connect_timeout=CONNECT_SECONDS, read_timeout=READ_SECONDS,
                        retries={"max_attempts": 3, "mode": "standard"},
                        s3={"addressing_style": "path"} if endpoint else {})
        self.client = boto3.session.Session().client("s3", endpoint_url=endpoint, region_name=region or "us-east-1",
                                                     config=config)
        from botocore.exceptions import BotoCoreError, ClientError
        self._failures = (BotoCoreError, ClientError)

    def _name(self, key: str) -> str:
        return self.prefix + check_key(key)

    def put(self, key: str, data: bytes) -> None:
        try:
            self.client.put_object(Bucket=self.bucket, Key=self._name(key), Body=data)
        except self._failures as error:
            raise StorageError(_explain(error)) from error

    def get(self, key: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._name(key))["Body"].read()
        except self._failures as error:
            if _code(error) in ("NoSuchKey", "404"):
                raise MissingObject(key) from error
            raise StorageError(_explain(error)) from error

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
            return True
        except self._failures as error:
            if _code(error) in ("NoSuchKey", "404"):
                return False
            raise StorageError(_explain(error)) from error

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._name(key))
        except self._failures as error:
            raise StorageError(_explain(error)) from error

    def list(self, prefix: str) -> Iterator[StoredObject]:
        check_prefix(prefix)
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket,
                                                                          Prefix=self.prefix + prefix)
            for page in pages:
                for found in page.get("Contents", ()):
                    yield StoredObject(found["Key"][len(self.prefix):], found["Size"],
                                       found["LastModified"].astimezone(timezone.utc))
        except self._failures as error:
            raise StorageError(_explain(error)) from error

    def check(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except self._failures as error:
            raise StorageError(_explain(error)) from error

    def create_bucket(self) -> None:
        """Create the bucket if it does not exist (for tests and a first setup). Raises StorageError."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except self._failures:
            try:
                self.client.create_bucket(Bucket=self.bucket)
            except self._failures as error:
                raise StorageError(_explain(error)) from error


def _code(error: Exception) -> str:
    return str(getattr(error, "response", {}).get("Error", {}).get("Code", ""))


def _explain(error: Exception) -> str:
    """Return a short account of an S3 failure, without credentials or URLs with signatures."""
    from botocore.exceptions import ConnectionError as NoConnection
    from botocore.exceptions import NoCredentialsError

    code = _code(error)
    if code:
        return f"S3 {code}"
    if isinstance(error, NoCredentialsError):
        return "S3 credentials missing: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
    if isinstance(error, NoConnection):
        return f"S3 unreachable ({type(error).__name__})"
    return f"S3 client error ({type(error).__name__})"
