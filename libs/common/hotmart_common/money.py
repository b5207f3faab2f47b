"""Amounts as the product writes them for people and clients: exact fixed-point text.

``str(Decimal)`` writes an exponent whenever the value's own exponent asks for one
(``Decimal("1E+2")`` from ``normalize()``, a sum rounded by a decimal context), and a
client reading ``"1.00E+38"`` sees neither the amount nor its cents.
"""

from decimal import Decimal
from typing import Annotated

from pydantic import PlainSerializer


def money_text(amount: Decimal) -> str:
    """Fixed-point, with at least the two decimals of a currency and every decimal the
    amount has beyond them: never rounded, never an exponent."""
    exponent = amount.as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    return format(amount, f".{places}f")


# A Decimal field that JSON shows through money_text (a string, as every amount the API sends).
Money = Annotated[Decimal, PlainSerializer(money_text, return_type=str, when_used="json")]
