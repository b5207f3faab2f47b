"""XLSX zip bombs and other huge workbooks, written byte by byte so their headers can
state any size.

Each is a real workbook (content types, relationships, workbook, one sheet). A sheet's
deflate stream repeats one fully flushed block, so a gigabyte costs a few milliseconds to
build and about a megabyte to send.
"""

import struct
import zlib
from typing import Final

_MB: Final = 1024 * 1024
_SHEET_HEAD: Final = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Email</t></is></c></row>')
_SHEET_TAIL: Final = b"</sheetData></worksheet>"
_BOMB_CELL: Final = b'<row r="2"><c r="A2" t="inlineStr"><is><t>', b"</t></is></c></row>"
_SALE_ROW: Final = b'<row><c t="inlineStr"><is><t>maria@example.com</t></is></c></row>'
ROWS_PER_BLOCK: Final = 10_000
_PARTS: Final = {
    "[Content_Types].xml": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Default Extension="rels" '
        b'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        b'<Default Extension="xml" ContentType="application/xml"/>'
        b'<Override PartName="/xl/workbook.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'),
    "_rels/.rels": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
    "xl/workbook.xml": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        b'<sheets><sheet name="Vendas" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'),
}


def xlsx_bomb(inflated_mb: int, declared_bytes: int | None = None, copies: int = 1) -> bytes:
    """A workbook whose sheet holds one text cell of ``inflated_mb`` MB of the letter A; its
    headers say the sheet inflates to ``declared_bytes`` (by default the truth). ``copies``
    - 1 more parts hold the same stream under other names (no sheet refers to them)."""
    opening, closing = _BOMB_CELL
    sheet = _repeated(_SHEET_HEAD + opening, b"A" * _MB, inflated_mb, closing + _SHEET_TAIL)
    if declared_bytes is not None:  # a forged header: a smaller size, any checksum
        sheet = (sheet[0], declared_bytes, 0)
    return _workbook([sheet] * copies)


def xlsx_of_many_rows(blocks: int) -> bytes:
    """A workbook of an e-mail column and ``blocks`` * ROWS_PER_BLOCK sales, all alike: an
    honest workbook that takes the reader seconds, sent in a few hundred KB."""
    return _workbook([_repeated(_SHEET_HEAD, _SALE_ROW * ROWS_PER_BLOCK, blocks, _SHEET_TAIL)])


def _workbook(sheets: list[tuple[bytes, int, int]]) -> bytes:
    members = [(name, _deflate(part), len(part), zlib.crc32(part))
               for name, part in _PARTS.items()]
    members += [(f"xl/worksheets/sheet{number}.xml", *sheet)
                for number, sheet in enumerate(sheets, start=1)]
    return _zip(members)


def _repeated(head: bytes, block: bytes, count: int, tail: bytes) -> tuple[bytes, int, int]:
    """The deflate stream of head + count * block + tail, its size inflated, its CRC-32."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    # After a full flush the compressor starts afresh: the same bytes compress the same way,
    # so one block's output repeated is the output of the repeated block.
    parts = [compressor.compress(part) + compressor.flush(zlib.Z_FULL_FLUSH)
             for part in (head, block)]
    stream = parts[0] + parts[1] * count + compressor.compress(tail) + compressor.flush()
    crc = zlib.crc32(head)
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    return stream, len(head) + count * len(block) + len(tail), zlib.crc32(tail, crc)


def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def _zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A ZIP of deflated members: (name, deflated bytes, declared size, declared CRC)."""
    local, central = bytearray(), bytearray()
    for name, deflated, declared, crc in members:
        encoded = name.encode()
        fields = (8, 0, 0x21, crc, len(deflated), declared, len(encoded))
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, *fields,
                               0, 0, 0, 0, 0, len(local)) + encoded
        local += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, *fields, 0) + encoded + deflated
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members),
                      len(central), len(local), 0)
    return bytes(local + central + end)
