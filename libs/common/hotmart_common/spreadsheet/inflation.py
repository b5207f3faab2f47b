"""Refuses an XLSX that inflates beyond what a sales export can reach, before it is read.

A ZIP member's header states its sizes, and a zip bomb states small ones: the native
reader inflates what the compressed stream holds, whatever the header says. So every
member's stream is inflated here, from where its data starts to where the stream itself
ends (never further than the file), a block at a time, counting the bytes that come out
and dropping them, and the count stops as soon as it passes the limit. Memory stays at a
block or two, and a bomb costs at most the time to inflate the limit (about 0.1 s here;
the bench's 100 000-row workbook takes as long to check).
"""

import io
import struct
import zipfile
import zlib
from collections.abc import Iterator
from typing import Final

from hotmart_common.spreadsheet.problems import FileProblem

# The bench's largest workbook, 100 000 rows in 6.9 MB, inflates to 58 MB, and a 10 MB
# workbook of the same rows to about 84 MB: 200 MB admits any sales export the upload's
# 10 MB allows with room to spare, and is inflated in a fraction of a second.
MAX_INFLATED_BYTES: Final = 200 * 1024 * 1024
_INPUT_BLOCK_BYTES: Final = 64 * 1024
_OUTPUT_BLOCK_BYTES: Final = 1024 * 1024
# The local header: signature, 22 bytes of fields read from the central directory instead,
# then the lengths of the name and of the extra field that come before the data.
_LOCAL_HEADER: Final = struct.Struct("<4s22xHH")
_LOCAL_SIGNATURE: Final = b"PK\x03\x04"


def refuse_zip_bomb(data: bytes, file_name: str) -> None:
    """Raises FileProblem past the limit, zipfile.BadZipFile for an archive no reader can
    take apart."""
    inflated = 0
    for block in _inflated_blocks(data):
        inflated += block
        if inflated > MAX_INFLATED_BYTES:
            raise FileProblem(
                "decompressed_too_large",
                f"'{file_name}' unpacks to more than {MAX_INFLATED_BYTES // (1024 * 1024)} MB, "
                "more than a sales export can reach; it was not opened. Export only the sales "
                "you need, or save it as CSV.",
            )


def _inflated_blocks(data: bytes) -> Iterator[int]:
    """Sizes of what every member inflates to, a block at a time."""
    view = memoryview(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
    for member in members:
        start = _data_start(view, member)
        if member.compress_type == zipfile.ZIP_STORED:
            yield len(view[start:start + member.compress_size])  # what the file holds of it
        elif member.compress_type == zipfile.ZIP_DEFLATED:
            yield from _deflate_stream(view[start:])
        else:  # Excel writes only these two, and calamine opens no other
            raise zipfile.BadZipFile(f"{member.filename}: compression {member.compress_type}")


def _data_start(view: memoryview, member: zipfile.ZipInfo) -> int:
    try:
        signature, name_length, extra_length = _LOCAL_HEADER.unpack_from(
            view, member.header_offset)
    except struct.error as error:
        raise zipfile.BadZipFile(f"{member.filename}: no local header") from error
    if signature != _LOCAL_SIGNATURE:
        raise zipfile.BadZipFile(f"{member.filename}: no local header")
    start: int = member.header_offset + _LOCAL_HEADER.size + name_length + extra_length
    return start


def _deflate_stream(compressed: memoryview) -> Iterator[int]:
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)  # a ZIP member is raw deflate
    try:
        for offset in range(0, len(compressed), _INPUT_BLOCK_BYTES):
            pending: bytes | memoryview = compressed[offset:offset + _INPUT_BLOCK_BYTES]
            while pending and not inflater.eof:
                yield len(inflater.decompress(pending, _OUTPUT_BLOCK_BYTES))
                pending = inflater.unconsumed_tail
            if inflater.eof:
                return
    except zlib.error:
        return  # a damaged stream inflates no further for the reader either; it says why
