"""How many columns a file may have, whatever its format.

Hotmart's detailed export has about 60 columns and its legacy one about 100; a producer's
own sheet adds a few. Every column of the grid becomes a polars column in the upload and
again in the parser, each with its own buffers and per-column work in every pass (cleaning,
blank-row detection, header search), so memory and time grow with the width, not only with
the bytes: 16 000 columns in 10 MB took the upload and the parser to 800 MB each. Ten times
the widest real export is refused before the grid is built, which bounds what any accepted
file can cost along with MAX_FILE_BYTES.
"""

from typing import Final

from hotmart_common.spreadsheet.problems import FileProblem

MAX_COLUMNS: Final = 1_000


def check_width(width: int, file_name: str) -> None:
    if width > MAX_COLUMNS:
        raise FileProblem(
            "too_many_columns",
            f"'{file_name}' has {width:,} columns; a sales export has about 60, and up to "
            f"{MAX_COLUMNS:,} can be imported. Remove the columns you do not need, or export "
            "the sales again from Hotmart.",
        )
