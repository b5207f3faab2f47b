"""Reading sales exports: format sniffing, the grid reader, column detection, row rules.

Names are imported on first use: the guarded Excel reader's child process imports a
module of this package and must not pay for polars, which most of the others load.
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hotmart_common.spreadsheet.columns import (
        FIELDS,
        HEADER_VARIANTS,
        ColumnMapping,
        DetectedColumn,
        Field,
        detect_columns,
        require_email_column,
    )
    from hotmart_common.spreadsheet.normalize import (
        canonical_header,
        normalise_currency,
        normalise_email,
        parse_amount,
        parse_datetime,
    )
    from hotmart_common.spreadsheet.problems import FileProblem
    from hotmart_common.spreadsheet.reader import MAX_DATA_ROWS, read_table
    from hotmart_common.spreadsheet.rows import (
        NormalisedRow,
        NormalisedRows,
        RowKey,
        RowProblem,
        normalise_rows,
        normalise_table,
    )
    from hotmart_common.spreadsheet.sniff import MAX_FILE_BYTES, sniff_format
    from hotmart_common.spreadsheet.table import ROW_NUMBER_COLUMN, FileFormat, Table

_MODULE_OF = {
    **dict.fromkeys(["FIELDS", "HEADER_VARIANTS", "ColumnMapping", "DetectedColumn", "Field",
                     "detect_columns", "require_email_column"], "columns"),
    **dict.fromkeys(["canonical_header", "normalise_currency", "normalise_email",
                     "parse_amount", "parse_datetime"], "normalize"),
    "FileProblem": "problems",
    **dict.fromkeys(["MAX_DATA_ROWS", "read_table"], "reader"),
    **dict.fromkeys(["NormalisedRow", "NormalisedRows", "RowKey", "RowProblem", "normalise_rows",
                     "normalise_table"], "rows"),
    **dict.fromkeys(["MAX_FILE_BYTES", "sniff_format"], "sniff"),
    **dict.fromkeys(["ROW_NUMBER_COLUMN", "FileFormat", "Table"], "table"),
}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "FIELDS",
    "HEADER_VARIANTS",
    "MAX_DATA_ROWS",
    "MAX_FILE_BYTES",
    "ROW_NUMBER_COLUMN",
    "ColumnMapping",
    "DetectedColumn",
    "Field",
    "FileFormat",
    "FileProblem",
    "NormalisedRow",
    "NormalisedRows",
    "RowKey",
    "RowProblem",
    "Table",
    "canonical_header",
    "detect_columns",
    "normalise_currency",
    "normalise_email",
    "normalise_rows",
    "normalise_table",
    "parse_amount",
    "parse_datetime",
    "read_table",
    "require_email_column",
    "sniff_format",
]
