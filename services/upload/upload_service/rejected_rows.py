"""The rows an import could not use, as a CSV the producer can fix and upload again."""

import asyncio
import io

import polars as pl

from hotmart_common.blobstore import BlobStore
from hotmart_common.spreadsheet import ROW_NUMBER_COLUMN, read_table
from hotmart_common.store.imports import RowIssue

REASON_COLUMNS = ["row_number", "problem", "message"]


async def rejected_rows_csv(blobs: BlobStore, object_key: str, file_name: str,
                            issues: list[RowIssue]) -> bytes:
    data = await blobs.get(object_key)
    return await asyncio.to_thread(_render, data, file_name, issues)


def _render(data: bytes, file_name: str, issues: list[RowIssue]) -> bytes:
    """Each problem row with its reason first, then its cells exactly as in the upload."""
    table = read_table(data, file_name)
    reasons = pl.DataFrame(
        {"row_number": [i.row_number for i in issues], "problem": [i.code for i in issues],
         "message": [i.message for i in issues]},
        schema={"row_number": pl.Int64, "problem": pl.String, "message": pl.String},
    )
    original = table.frame.rename({ROW_NUMBER_COLUMN: "row_number"})
    clashing = [h for h in table.headers if h in REASON_COLUMNS]
    original = original.rename({h: f"{h} (file)" for h in clashing})
    rows = reasons.join(original, on="row_number", how="left").sort("row_number")
    out = io.BytesIO()
    out.write("\ufeff".encode())  # Excel opens UTF-8 correctly only with a BOM
    rows.write_csv(out, separator=";")
    return out.getvalue()
