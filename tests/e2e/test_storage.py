"""Uploaded exports land in S3 under the tenant's prefix and expire after seven days."""

from typing import Any

import boto3
import httpx
import pytest

from tests.support.exports import portuguese_csv, purchases

pytestmark = pytest.mark.e2e


def s3_client(stack: Any) -> Any:
    return boto3.client("s3", endpoint_url=stack.s3_endpoint, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test")


def test_bucket_expires_uploads_after_seven_days(stack: Any) -> None:
    rules = s3_client(stack).get_bucket_lifecycle_configuration(Bucket=stack.s3_bucket)["Rules"]
    expiring = [r for r in rules if r["Status"] == "Enabled"
                and r["Filter"].get("Prefix") == "imports/"]
    assert [r["Expiration"]["Days"] for r in expiring] == [7]


def test_upload_is_stored_under_tenant_and_import(api: httpx.Client, stack: Any) -> None:
    data = portuguese_csv(purchases(5, 3, ["s3.check@example.com"], ["Aprovado"], "HPS"))
    created = api.post("/v1/imports", files={"file": ("../../etc/vendas março.csv", data)})
    assert created.status_code == 201, created.text
    body = created.json()
    key = f"imports/default/{body['id']}/{body['file_name']}"
    stored = s3_client(stack).get_object(Bucket=stack.s3_bucket, Key=key)["Body"].read()
    assert stored == data
    assert "/" not in body["file_name"] and body["file_name"].endswith(".csv")
