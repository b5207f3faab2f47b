"""A workbook's table as the upload read it, kept beside the workbook for the parser.

Reading a 10 MB workbook takes calamine most of a second (every cell of the sheet, in a
guarded child process), against a few hundredths for the same cells as Arrow IPC. The
upload reads the whole workbook anyway to show its preview, so it stores what it read and
the parser starts publishing rows that much sooner. A CSV is read as fast as its table, so
only workbooks get one.

The bytes hold exactly the ``Table`` that ``read_table`` returns: its header columns in
order, every one text, then the spreadsheet row number. ``STORED_TABLE_VERSION`` is part
of the object's key: change it whenever ``read_table`` would read the same file
differently, so a parser never takes a table read by older rules for one read by its own.
"""

import io
from typing import Final

import polars as pl

from hotmart_common.spreadsheet.table import ROW_NUMBER_COLUMN, FileFormat, Table

STORED_TABLE_VERSION: Final = 1
STORED_TABLE_CONTENT_TYPE: Final = "application/vnd.apache.arrow.file"


class StoredTableUnreadable(ValueError):
    """The bytes are not a table this module stored."""


def keeps_stored_table(file_format: FileFormat) -> bool:
    return file_format != "csv"


def stored_table_bytes(table: Table) -> bytes:
    buffer = io.BytesIO()
    table.frame.write_ipc(buffer, compression="zstd")  # 10 MB of cells: about 2.7 MB
    return buffer.getvalue()


def read_stored_table(data: bytes, file_name: str, file_format: FileFormat) -> Table:
    try:
        frame = pl.read_ipc(io.BytesIO(data))
    except Exception as error:  # polars names no common base for a damaged IPC file
        raise StoredTableUnreadable(f"not an Arrow IPC file ({error})") from error
    *headers, last = frame.columns or [""]
    if last != ROW_NUMBER_COLUMN or frame.schema[last] != pl.Int64:
        raise StoredTableUnreadable(f"the last column is {last!r}, not the row number")
    other = [name for name in headers if frame.schema[name] != pl.String]
    if other:
        raise StoredTableUnreadable(f"columns {other} do not hold text")
    return Table(file_name, file_format, headers, frame)
