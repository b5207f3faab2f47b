"""S3 access for uploaded exports (boto3 is blocking, so calls run in a thread)."""

import asyncio
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from .settings import InfraSettings

UPLOAD_PREFIX = "imports/"
UPLOAD_RETENTION_DAYS = 7


class BlobStore:
    def __init__(self, settings: InfraSettings) -> None:
        self.bucket = settings.s3_bucket
        self.client: Any = boto3.client(
            "s3",
            endpoint_url=settings.s3_endpoint_url,
            region_name=settings.s3_region,
            aws_access_key_id=settings.s3_access_key_id,
            aws_secret_access_key=settings.s3_secret_access_key,
            config=Config(retries={"max_attempts": 5, "mode": "standard"},
                          connect_timeout=5, read_timeout=30),
        )

    async def ensure_bucket(self) -> None:
        """The bucket exists and expires uploads after seven days."""
        await asyncio.to_thread(self._ensure_bucket)

    def _ensure_bucket(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            try:
                self.client.create_bucket(Bucket=self.bucket)
            except ClientError as exc:
                if exc.response["Error"]["Code"] not in {"BucketAlreadyOwnedByYou",
                                                          "BucketAlreadyExists"}:
                    raise
        self.client.put_bucket_lifecycle_configuration(
            Bucket=self.bucket,
            LifecycleConfiguration={"Rules": [{
                "ID": "expire-uploaded-exports",
                "Filter": {"Prefix": UPLOAD_PREFIX},
                "Status": "Enabled",
                "Expiration": {"Days": UPLOAD_RETENTION_DAYS},
            }]},
        )

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(
            self.client.put_object, Bucket=self.bucket, Key=key, Body=data,
            ContentType=content_type,
        )

    async def get(self, key: str) -> bytes:
        response = await asyncio.to_thread(self.client.get_object, Bucket=self.bucket, Key=key)
        body: bytes = await asyncio.to_thread(response["Body"].read)
        return body

    async def find(self, key: str) -> bytes | None:
        """The object's bytes, or None when there is no such object."""
        try:
            return await self.get(key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                return None
            raise

    async def ping(self) -> bool:
        try:
            await asyncio.to_thread(self.client.head_bucket, Bucket=self.bucket)
        except Exception:
            return False
        return True


def upload_key(tenant_id: str, import_id: object, file_name: str) -> str:
    return f"{UPLOAD_PREFIX}{tenant_id}/{import_id}/{file_name}"


def stored_table_key(tenant_id: str, import_id: object, version: int) -> str:
    """Where the upload keeps the table it read from a workbook. In a folder of its own: an
    uploaded file's name holds no "/", so it can never be this key."""
    return f"{UPLOAD_PREFIX}{tenant_id}/{import_id}/stored/table-v{version}.arrow"
