import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Final
from zoneinfo import ZoneInfo

SAO_PAULO: Final = "America/Sao_Paulo"
# Excel cannot hold dates before 1900; anything outside this range is a typo, not a sale.
_YEARS: Final = range(1900, 3000)

# Slashed dates are always day first: Hotmart writes "15/03/2024 14:32:10".
_DAY_FIRST = re.compile(
    r"""
    (?P<day>[0-9]{1,2})(?P<separator>[/.-])(?P<month>[0-9]{1,2})(?P=separator)(?P<year>[0-9]{4})
    (?:[\sT]+(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2}))?)?
    """,
    re.VERBOSE,
)
_ISO = re.compile(
    r"""
    (?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})
    (?:[T\s](?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})
        (?::(?P<second>[0-9]{2})(?:[.,](?P<fraction>[0-9]{1,9}))?)?
        \s*(?P<offset>Z|[-+][0-9]{2}(?::?[0-9]{2})?)?
    )?
    """,
    re.VERBOSE | re.IGNORECASE,
)


def parse_datetime(text: str, *, tz: str = SAO_PAULO) -> datetime:
    cleaned = text.strip()
    match = _DAY_FIRST.fullmatch(cleaned) or _ISO.fullmatch(cleaned)
    if match is None:
        raise ValueError("not a date in a known format")
    parts = match.groupdict()
    if int(parts["year"]) not in _YEARS:
        raise ValueError(f"year {parts['year']} is out of range")
    offset = parts.get("offset")
    zone = _offset(offset) if offset else _zone(tz)
    try:
        local = datetime(
            int(parts["year"]),
            int(parts["month"]),
            int(parts["day"]),
            int(parts["hour"] or 0),
            int(parts["minute"] or 0),
            int(parts["second"] or 0),
            _microseconds(parts.get("fraction")),
            tzinfo=zone,
        )
    except ValueError as error:
        raise ValueError(f"no such date or time: {error}") from None
    return local.astimezone(UTC)


@lru_cache(maxsize=32)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _offset(text: str) -> tzinfo:
    if text.upper() == "Z":
        return UTC
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError("UTC offset out of range")
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if text[0] == "-" else delta)


def _microseconds(fraction: str | None) -> int:
    return int((fraction or "0")[:6].ljust(6, "0"))
