import re
from decimal import Decimal
from typing import Final

from hotmart_common.spreadsheet.currencies import currency_token_pattern

_CURRENCY = f"(?i:{currency_token_pattern()})"
_AMOUNT = re.compile(
    rf"""
    (?P<sign>[-+]?)\s*
    (?:{_CURRENCY}\s*)?
    (?P<sign_after_currency>[-+]?)\s*
    (?P<number>[0-9](?:[0-9., ]*[0-9])?)
    \s*(?:{_CURRENCY})?
    \s*(?P<trailing_sign>-?)
    """,
    re.VERBOSE,
)
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_MAX_AMOUNT_LENGTH = 64
# One sale is worth at most a billion: no Hotmart product comes near it, so a larger cell is
# damage or a hostile file. The bound also keeps sums exact: an import has at most a million
# rows, so its totals stay under 10^15 with cents (17 digits), well inside the 28 digits
# Python's decimal context keeps before it rounds (and prints 1.00E+38).
MAX_AMOUNT: Final = Decimal("1000000000.00")


def parse_amount(text: str) -> Decimal:
    cleaned = _SPACES.sub(" ", text.replace("\u2212", "-")).strip()
    if not cleaned:
        raise ValueError("empty")
    if len(cleaned) > _MAX_AMOUNT_LENGTH:
        raise ValueError("too long to be an amount")
    match = _AMOUNT.fullmatch(cleaned)
    if match is None:
        raise ValueError("not a number")
    signs = match["sign"] + match["sign_after_currency"] + match["trailing_sign"]
    if len(signs) > 1:
        raise ValueError("more than one sign")
    value = _parse_unsigned(match["number"])
    if signs == "-" and value:
        # Hotmart's exports say a sale was refunded or charged back in its status and keep
        # the amount paid as it was; no layout of theirs writes a negative amount.
        raise ValueError("negative: a refund is told by the status, not by the amount")
    if value > MAX_AMOUNT:
        raise ValueError(f"more than {MAX_AMOUNT:,f}, the most one sale can be")
    return value


def _parse_unsigned(number: str) -> Decimal:
    decimal_mark = _decimal_mark(number)
    if decimal_mark is None:
        integer_part, fraction = number, ""
    else:
        integer_part, _, fraction = number.rpartition(decimal_mark)
        if not fraction.isdigit():
            raise ValueError("decimal mark in the wrong place")
    digits = _ungrouped(integer_part)
    return Decimal(f"{digits}.{fraction}" if fraction else digits)


def _decimal_mark(number: str) -> str | None:
    dots, commas = number.count("."), number.count(",")
    if dots and commas:
        last_mark = "." if number.rfind(".") > number.rfind(",") else ","
        if number.count(last_mark) > 1:
            raise ValueError("decimal mark repeated")
        return last_mark
    mark = "." if dots else "," if commas else None
    if mark is None or number.count(mark) > 1 or _is_thousands_group(number, mark):
        return None
    return mark


def _is_thousands_group(number: str, mark: str) -> bool:
    # Hotmart amounts carry two decimals, so "1.234" / "1,234" is read as one thousand two
    # hundred and thirty-four rather than a value with three decimals.
    integer_part, _, fraction = number.partition(mark)
    return (
        len(fraction) == 3
        and fraction.isdigit()
        and 1 <= len(integer_part) <= 3
        and integer_part.isdigit()
        and not integer_part.startswith("0")
    )


def _ungrouped(integer_part: str) -> str:
    separators = {char for char in integer_part if not char.isdigit()}
    if not separators:
        return integer_part
    if len(separators) > 1:
        raise ValueError("mixed thousands separators")
    first, *rest = integer_part.split(separators.pop())
    if not (1 <= len(first) <= 3 and first.isdigit() and not first.startswith("0")):
        raise ValueError("thousands separator in the wrong place")
    if any(len(group) != 3 or not group.isdigit() for group in rest):
        raise ValueError("thousands separator in the wrong place")
    return first + "".join(rest)
