"""Uploaded exports land in S3 under the tenant's prefix and expire after seven days; a
workbook's table, as the upload read it, lands beside it and is what the parser reads."""

import asyncio
import uuid
from typing import Any

import boto3
import httpx
import polars as pl
import pytest

from hotmart_common.blobstore import stored_table_key
from hotmart_common.spreadsheet import read_table
from hotmart_common.spreadsheet.stored import (
    STORED_TABLE_VERSION,
    read_stored_table,
    stored_table_bytes,
)
from tests.support.api import upload, wait_finished
from tests.support.databases import fetch_rows
from tests.support.exports import english_xlsx, portuguese_csv, purchases

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


def _objects_of(stack: Any, import_id: str) -> list[str]:
    listed = s3_client(stack).list_objects_v2(Bucket=stack.s3_bucket,
                                              Prefix=f"imports/default/{import_id}/")
    return sorted(entry["Key"] for entry in listed.get("Contents", []))


def test_a_workbook_keeps_the_table_read_from_it_and_a_csv_none(api: httpx.Client,
                                                                 stack: Any) -> None:
    data = english_xlsx(purchases(11, 6, ["table.kept@example.com"], ["Approved"], "HPK"))
    workbook = upload(api, "sales.xlsx", data).json()["id"]
    table_key = stored_table_key("default", workbook, STORED_TABLE_VERSION)
    assert _objects_of(stack, workbook) == [f"imports/default/{workbook}/sales.xlsx", table_key]
    stored = s3_client(stack).get_object(Bucket=stack.s3_bucket, Key=table_key)["Body"].read()
    kept, read = read_stored_table(stored, "sales.xlsx", "xlsx"), read_table(data, "sales.xlsx")
    assert kept.headers == read.headers
    assert kept.frame.equals(read.frame)

    csv = portuguese_csv(purchases(12, 3, ["table.none@example.com"], ["Aprovado"], "HPN"))
    text = upload(api, "vendas.csv", csv).json()["id"]
    assert _objects_of(stack, text) == [f"imports/default/{text}/vendas.csv"]


@pytest.mark.parametrize("kept_table", ["altered", "missing", "damaged"])
async def test_the_parser_reads_the_kept_table_else_the_workbook(
        api: httpx.Client, stack: Any, kept_table: str) -> None:
    tag = uuid.uuid4().hex[:8]
    from_file = f"file.{tag}@example.com"
    data = english_xlsx(purchases(13, 5, [from_file], ["Approved"], f"HP{tag}"))
    created = await asyncio.to_thread(upload, api, "sales.xlsx", data)
    import_id = created.json()["id"]
    key = stored_table_key("default", import_id, STORED_TABLE_VERSION)
    s3 = s3_client(stack)
    if kept_table == "altered":  # so the clients tell which of the two the parser read
        table = read_table(data, "sales.xlsx")
        other = table.frame.with_columns(pl.lit(f"table.{tag}@example.com").alias("Buyer Email"))
        s3.put_object(Bucket=stack.s3_bucket, Key=key, Body=stored_table_bytes(
            type(table)(table.file_name, table.format, table.headers, other)))
    elif kept_table == "missing":
        s3.delete_object(Bucket=stack.s3_bucket, Key=key)
    else:
        s3.put_object(Bucket=stack.s3_bucket, Key=key, Body=data[:1000])
    confirmed = await asyncio.to_thread(api.post, f"/v1/imports/{import_id}/confirm")
    assert confirmed.status_code == 202, confirmed.text
    finished = await asyncio.to_thread(wait_finished, api, import_id)

    assert (finished["status"], finished["total_rows"], finished["clients_created"]) == (
        "completed", 5, 1)
    clients = await fetch_rows(
        stack.database_url, "SELECT DISTINCT c.email FROM matcher_rows m"
        " JOIN clients c USING (client_id) WHERE m.import_id = $1::uuid", import_id)
    read_from = f"table.{tag}@example.com" if kept_table == "altered" else from_file
    assert [c["email"] for c in clients] == [read_from]
