from dataclasses import dataclass
from typing import Final, Literal

import polars as pl

FileFormat = Literal["csv", "xlsx", "xls"]

ROW_NUMBER_COLUMN: Final = "__row_number"


@dataclass(frozen=True)
class Table:
    file_name: str
    format: FileFormat
    headers: list[str]
    frame: pl.DataFrame
