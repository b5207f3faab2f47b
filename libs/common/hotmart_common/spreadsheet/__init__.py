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
    StatusCategory,
    canonical_header,
    is_known_status,
    normalise_currency,
    normalise_email,
    parse_amount,
    parse_datetime,
    status_category,
)
from hotmart_common.spreadsheet.problems import FileProblem
from hotmart_common.spreadsheet.reader import MAX_DATA_ROWS, read_table
from hotmart_common.spreadsheet.rows import NormalisedRow, RowProblem, normalise_rows
from hotmart_common.spreadsheet.sniff import MAX_FILE_BYTES, sniff_format
from hotmart_common.spreadsheet.table import ROW_NUMBER_COLUMN, FileFormat, Table

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
    "RowProblem",
    "StatusCategory",
    "Table",
    "canonical_header",
    "detect_columns",
    "is_known_status",
    "normalise_currency",
    "normalise_email",
    "normalise_rows",
    "parse_amount",
    "parse_datetime",
    "read_table",
    "require_email_column",
    "sniff_format",
    "status_category",
]
