import codecs
import csv
import io
from typing import Any, Final

import polars as pl

from hotmart_common.spreadsheet.problems import FileProblem
from hotmart_common.spreadsheet.sniff import decode_text
from hotmart_common.spreadsheet.width import MAX_COLUMNS, check_width

SEPARATORS: Final = (";", ",", "\t")
_LINES_TO_SNIFF: Final = 20
_CHECK_STEP: Final = 1024 * 1024
_ALL_BUT: Final = {
    separator: bytes(byte for byte in range(256) if byte not in (ord(separator), ord("\n")))
    for separator in SEPARATORS
}


def read_csv_grid(data: bytes, file_name: str) -> pl.DataFrame:
    # The file is handed to polars as it came whenever it is UTF-8 (polars skips a leading
    # BOM itself): decoding a 10 MB export to text and encoding it back costs two copies.
    encoded = _utf8_with_line_feeds(data)
    separator = detect_separator(_first_lines(encoded))
    try:
        return _read_with_polars(encoded, separator, _width(encoded, separator, file_name))
    except pl.exceptions.PolarsError as error:
        if "more fields" not in str(error):
            raise _unreadable(file_name, _text(encoded), separator) from None
    # A quoted field spanning lines hid separators from the line count: count real records.
    text = _text(encoded)
    try:
        width = _widest_record(text, separator)
        check_width(width, file_name)
        return _read_with_polars(encoded, separator, width)
    except (pl.exceptions.PolarsError, csv.Error):
        raise _unreadable(file_name, text, separator) from None


def scan_csv_grid(data: bytes, file_name: str) -> pl.LazyFrame:
    """The grid ``read_csv_grid`` reads, as a lazy scan: polars reads only as far as a query
    asks, so a range of rows costs that range (and the bytes before it), not the table."""
    encoded = _utf8_with_line_feeds(data)
    separator = detect_separator(_first_lines(encoded))
    width = _widest_line(encoded, separator)
    if b'"' in encoded:  # a quoted field spanning lines may hide separators from the lines
        width = max(width, _widest_record(_text(encoded), separator))
    check_width(width, file_name)
    return pl.scan_csv(encoded, **_grid_options(separator, width))


def detect_separator(text: str) -> str:
    # The first line with any candidate separator is the header line (title lines above a
    # header rarely contain one); its most frequent candidate wins, ";" on ties as Hotmart.
    for line in text.split("\n", _LINES_TO_SNIFF)[:_LINES_TO_SNIFF]:
        counts = {separator: _count_outside_quotes(line, separator) for separator in SEPARATORS}
        best = max(SEPARATORS, key=lambda separator: counts[separator])
        if counts[best]:
            return best
    return SEPARATORS[0]


def _count_outside_quotes(line: str, separator: str) -> int:
    count, quoted = 0, False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            count += 1
    return count


def _utf8_with_line_feeds(data: bytes) -> bytes:
    encoded = data if _is_utf8(data) else decode_text(data).encode("utf-8")
    if b"\n" not in encoded and b"\r" in encoded:  # classic Mac line endings
        return encoded.replace(b"\r", b"\n")
    return encoded


def _is_utf8(data: bytes) -> bool:
    # Checked a megabyte at a time: decoding it whole would build a 10 MB string to drop.
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for start in range(0, len(view), _CHECK_STEP):
            decoder.decode(view[start:start + _CHECK_STEP])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _text(encoded: bytes) -> str:
    return encoded.decode("utf-8-sig")


def _first_lines(encoded: bytes) -> str:
    end = -1
    for _ in range(_LINES_TO_SNIFF):
        end = encoded.find(b"\n", end + 1)
        if end < 0:
            return _text(encoded)
    return _text(encoded[:end])


def _width(encoded: bytes, separator: str, file_name: str) -> int:
    # Refused before polars builds a column per field. The line count also counts the
    # separators inside quoted cells, so a file it finds too wide is counted again by records.
    width = _widest_line(encoded, separator)
    if width > MAX_COLUMNS:
        text = _text(encoded)
        try:
            width = _widest_record(text, separator)
        except csv.Error:  # e.g. a cell past the csv module's field size limit
            raise _unreadable(file_name, text, separator) from None
        check_width(width, file_name)
    return width


def _widest_line(encoded: bytes, separator: str) -> int:
    # Only separators and line feeds are kept, so each line's length is its separator count
    # and the lines split apart are a tenth of the file.
    marks = encoded.translate(None, _ALL_BUT[separator])
    return max(map(len, marks.split(b"\n"))) + 1


def _widest_record(text: str, separator: str) -> int:
    records = csv.reader(io.StringIO(text), delimiter=separator)
    return max((len(record) for record in records), default=1)


def _read_with_polars(encoded: bytes, separator: str, width: int) -> pl.DataFrame:
    return pl.read_csv(encoded, **_grid_options(separator, width))


def _grid_options(separator: str, width: int) -> dict[str, Any]:
    # Every column is read as text, and the schema is as wide as the widest row: longer rows
    # keep their extra cells (they surface as unused columns), shorter rows are padded.
    return {
        "has_header": False,
        "separator": separator,
        "schema": {f"column_{index}": pl.String for index in range(width)},
        "missing_columns": "insert",
        "infer_schema": False,
        "raise_if_empty": False,
    }


def _unreadable(file_name: str, text: str, separator: str) -> FileProblem:
    line = _first_unreadable_line(text, separator)
    where = f" (from line {line})" if line else ""
    return FileProblem(
        "corrupt_file",
        f"'{file_name}' could not be read as CSV{where}: a quote (\") is probably left open. "
        "Export the file again, or close the quote on that line.",
    )


def _first_unreadable_line(text: str, separator: str) -> int | None:
    records = csv.reader(io.StringIO(text), delimiter=separator, strict=True)
    record_start = 1
    try:
        for _ in records:
            record_start = records.line_num + 1
    except csv.Error:
        return record_start
    return None
