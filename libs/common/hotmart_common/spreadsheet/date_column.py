from datetime import UTC, datetime, timedelta
from functools import partial

import polars as pl

from hotmart_common.spreadsheet.caching import ParseCache
from hotmart_common.spreadsheet.dates import SAO_PAULO, parse_datetime

# The layouts of Hotmart CSV dates and of calamine-rendered XLSX dates. Polars reads them
# about ten times faster than Python; every other text goes through parse_datetime, which
# stays the rule. The patterns keep polars away from what parse_datetime would refuse
# (years outside 1900-2999, leap seconds).
_FAST_LAYOUTS = (
    (r"^\d{2}/\d{2}/(?:19|2\d)\d{2} [0-2]\d:[0-5]\d:[0-5]\d$", "%d/%m/%Y %H:%M:%S"),
    (r"^(?:19|2\d)\d{2}-\d{2}-\d{2} [0-2]\d:[0-5]\d:[0-5]\d$", "%Y-%m-%d %H:%M:%S"),
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_datetime_column(
    texts: pl.Series, *, blank: datetime, tz: str = SAO_PAULO
) -> list[datetime | ValueError]:
    slow = ParseCache(partial(parse_datetime, tz=tz))
    return [
        blank
        if text is None
        else slow[text]
        if micros is None
        else _EPOCH + timedelta(microseconds=micros)
        for text, micros in zip(texts.to_list(), _fast_utc_micros(texts, tz), strict=True)
    ]


def _fast_utc_micros(texts: pl.Series, tz: str) -> list[int | None]:
    text = pl.col(texts.name)
    naive = pl.coalesce(
        pl.when(text.str.contains(pattern)).then(
            text.str.strptime(pl.Datetime("us"), layout, strict=False)
        )
        for pattern, layout in _FAST_LAYOUTS
    )
    # "earliest" is what zoneinfo's fold=0 picks in a repeated hour; a skipped hour is left to
    # parse_datetime, so both paths give the same instant.
    local = naive.dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null")
    micros: list[int | None] = texts.to_frame().select(local.dt.epoch("us")).to_series().to_list()
    return micros
