"""What identifies a purchase, and what counts as a change of it: one rule for every door.

A purchase is its Hotmart transaction code; a source without one (some exports) identifies
it by content: buyer, date, product, amount and currency, with a repeat count for identical
rows. Its fingerprint is its state: the status (its code when the text is a known status,
so "Aprovado" from a file and "APPROVED" from the API are one state; else the folded
text), the amount and the currency. A known purchase key with another fingerprint is a
change. Every door stamps rows with these, and every consumer compares them.
"""

import hashlib
from datetime import datetime
from decimal import Decimal

from .hotmart_statuses import StatusCode
from .spreadsheet.text import fold


def purchase_key(transaction_code: str | None, *, email: str, purchased_at: datetime,
                 product: str | None, amount: Decimal | None, currency: str,
                 occurrence: int) -> str:
    """The Hotmart transaction code; without one, the row's content (and its repeat count)."""
    if transaction_code:
        return f"txn:{transaction_code.strip()}"
    content = "|".join([email, purchased_at.isoformat(), product or "", _amount(amount),
                        currency])
    digest = hashlib.sha256(content.encode()).hexdigest()[:32]
    return f"row:{digest}:{occurrence}"


def fingerprint(status_code: StatusCode | None, status: str | None, amount: Decimal | None,
                currency: str) -> str:
    """The purchase's state; an unknown amount is empty (a later known one is a change)."""
    state = status_code if status_code is not None else fold(status or "")
    return f"{state}|{_amount(amount)}|{currency}"


def _amount(amount: Decimal | None) -> str:
    return "" if amount is None else f"{amount.normalize():f}"
