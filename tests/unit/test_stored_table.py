"""The table an upload keeps beside a workbook reads back as the very table read from it."""

import io
from datetime import datetime

import polars as pl
import pytest
import xlsxwriter

from hotmart_common.spreadsheet import ROW_NUMBER_COLUMN, read_table
from hotmart_common.spreadsheet.stored import (
    StoredTableUnreadable,
    keeps_stored_table,
    read_stored_table,
    stored_table_bytes,
)

pytestmark = pytest.mark.unit


def _workbook() -> bytes:
    # A title row above the header, a repeated header, blank cells and a blank row,
    # Hotmart's "(none)", dates and numbers: everything read_table decides on its own.
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Vendas")
    dates = book.add_format({"num_format": "dd/mm/yyyy hh:mm:ss"})
    sheet.write_row(0, 0, ["Relatório de vendas"])
    sheet.write_row(1, 0, ["Email do(a) Comprador(a)", "Moeda", "Valor", "Moeda", "Data", "Obs"])
    sheet.write_row(2, 0, ["ana@example.com", "BRL", 297.5, "USD"])
    sheet.write_datetime(2, 4, datetime(2024, 3, 15, 14, 32, 10), dates)
    sheet.write_row(3, 0, ["  bia@example.com ", "(none)", 10, None, None, "x"])
    sheet.write_row(5, 0, ["caio@example.com", "BRL", "1.234,56"])
    book.close()
    return buffer.getvalue()


def test_a_stored_table_reads_back_as_the_table_read_from_the_workbook() -> None:
    table = read_table(_workbook(), "vendas.xlsx")
    back = read_stored_table(stored_table_bytes(table), "vendas.xlsx", "xlsx")
    assert back.headers == table.headers == [
        "Email do(a) Comprador(a)", "Moeda", "Valor", "Moeda (2)", "Data", "Obs"]
    assert back.frame.equals(table.frame)
    assert back.frame.schema == table.frame.schema
    assert back.frame.get_column(ROW_NUMBER_COLUMN).to_list() == [3, 4, 6]
    assert (back.file_name, back.format) == ("vendas.xlsx", "xlsx")


def test_only_workbooks_keep_a_table() -> None:
    assert [keeps_stored_table(f) for f in ("csv", "xlsx", "xls")] == [False, True, True]


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "not an Arrow IPC file"),
    (b"PK\x03\x04 a workbook, not a table", "not an Arrow IPC file"),
])
def test_bytes_that_are_no_table_are_refused(data: bytes, reason: str) -> None:
    with pytest.raises(StoredTableUnreadable, match=reason):
        read_stored_table(data, "vendas.xlsx", "xlsx")


def _ipc(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_ipc(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(("frame", "reason"), [
    (pl.DataFrame({"Email": ["a@example.com"]}), "not the row number"),
    (pl.DataFrame({ROW_NUMBER_COLUMN: [2], "Email": ["a@example.com"]}), "not the row number"),
    (pl.DataFrame({"Email": ["a@example.com"], ROW_NUMBER_COLUMN: [2]},
                  schema={"Email": pl.String, ROW_NUMBER_COLUMN: pl.Int32}), "not the row number"),
    (pl.DataFrame({"Email": ["a@example.com"], "Valor": [1.5], ROW_NUMBER_COLUMN: [2]}),
     r"\['Valor'\] do not hold text"),
    (pl.DataFrame(), "not the row number"),
])
def test_a_table_of_another_shape_is_refused(frame: pl.DataFrame, reason: str) -> None:
    with pytest.raises(StoredTableUnreadable, match=reason):
        read_stored_table(_ipc(frame), "vendas.xlsx", "xlsx")
