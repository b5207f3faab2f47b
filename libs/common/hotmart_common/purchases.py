"""What identifies a purchase across exports, and what counts as a change of it.

The parser stamps every row with a purchase key and a fingerprint; the matcher, journey
and revenue services each compare them with what they saw before, with one rule.
"""

import hashlib
from datetime import datetime
from decimal import Decimal
from typing import Literal

from .spreadsheet.text import fold

PurchaseOutcome = Literal["new", "changed", "unchanged"]


def purchase_key(transaction_code: str | None, *, email: str, purchased_at: datetime,
                 product: str | None, amount: Decimal, currency: str, occurrence: int) -> str:
    """The Hotmart transaction code; without one, the row's content (and its repeat count)."""
    if transaction_code:
        return f"txn:{transaction_code.strip()}"
    content = "|".join([email, purchased_at.isoformat(), product or "", _amount(amount),
                        currency])
    digest = hashlib.sha256(content.encode()).hexdigest()[:32]
    return f"row:{digest}:{occurrence}"


def fingerprint(status: str | None, amount: Decimal, currency: str) -> str:
    return f"{fold(status or '')}|{_amount(amount)}|{currency}"


def purchase_outcome(previous: str | None, current: str) -> PurchaseOutcome:
    if previous is None:
        return "new"
    return "unchanged" if previous == current else "changed"


def _amount(amount: Decimal) -> str:
    return f"{amount.normalize():f}"
