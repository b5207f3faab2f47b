import io
import zipfile
from typing import Final

from hotmart_common.spreadsheet.problems import FileProblem
from hotmart_common.spreadsheet.table import FileFormat

MAX_FILE_BYTES: Final = 10 * 1024 * 1024

_ZIP_MAGIC: Final = b"PK\x03\x04"
_OLE2_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_UTF16_BOMS: Final = (b"\xff\xfe", b"\xfe\xff")
# Text may hold tabs, line breaks, form feeds and the old DOS end-of-file mark, nothing else
# from the control range; anything more means binary data that happens to decode. Every
# encoding decode_text tries maps these bytes, and only these, to those characters, so the
# bytes are checked without decoding the file: deleting every other byte leaves nothing.
_BINARY_CONTROL: Final = bytes([*range(0x09), 0x0B, *range(0x0E, 0x1A), *range(0x1B, 0x20), 0x7F])
_NOT_BINARY_CONTROL: Final = bytes(byte for byte in range(256) if byte not in _BINARY_CONTROL)
_KNOWN_OTHER_FORMATS: Final = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"Rar!", "a RAR archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
)


def sniff_format(data: bytes, file_name: str) -> FileFormat:
    if len(data) > MAX_FILE_BYTES:
        raise FileProblem(
            "too_large",
            f"'{file_name}' is {_megabytes(len(data))}; files up to "
            f"{_megabytes(MAX_FILE_BYTES)} can be imported.",
        )
    if data.startswith(_ZIP_MAGIC):
        return _sniff_zip(data, file_name)
    if data.startswith(_OLE2_MAGIC):
        return "xls"
    if _looks_like_text(data):
        return "csv"
    raise FileProblem("unsupported_format", _unsupported_message(data, file_name))


def looks_like_workbook(data: bytes) -> bool:
    """Whether the bytes start as a workbook's container (ZIP or OLE2) do. Unlike
    sniff_format it reads nothing further, not even a ZIP's directory, which may list a
    hundred thousand parts: cheap enough for the event loop."""
    return data.startswith((_ZIP_MAGIC, _OLE2_MAGIC))


def decode_text(data: bytes) -> str:
    # Excel re-saves CSVs in the Windows code page; latin-1 never fails, so it is the last resort.
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _sniff_zip(data: bytes, file_name: str) -> FileFormat:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        # A ZIP header whose directory cannot be read is almost always a download cut short.
        raise FileProblem(
            "corrupt_file",
            f"'{file_name}' starts like an XLSX workbook but is damaged or incomplete. "
            "Download the export from Hotmart again and retry.",
        ) from None
    if any(_is_workbook_part(name) for name in names):
        return "xlsx"
    raise FileProblem(
        "unsupported_format",
        f"'{file_name}' is a ZIP archive without an Excel workbook inside. "
        "Upload the sales export itself as CSV, XLSX or XLS.",
    )


def _is_workbook_part(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith("xl/") and "workbook" in lowered and lowered.endswith(".xml")


def _looks_like_text(data: bytes) -> bool:
    return not data.translate(None, _NOT_BINARY_CONTROL)


def _unsupported_message(data: bytes, file_name: str) -> str:
    if data.startswith(_UTF16_BOMS):
        found = "UTF-16 text"
        hint = "Save it as 'CSV UTF-8' or as an Excel workbook and retry."
    else:
        found = next(
            (kind for magic, kind in _KNOWN_OTHER_FORMATS if data.startswith(magic)),
            "binary data",
        )
        hint = "Export the sales history from Hotmart as CSV, XLSX or XLS."
    return f"'{file_name}' is {found}, not a CSV, XLSX or XLS spreadsheet. {hint}"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
