"""What identifies a purchase across exports, and what counts as a change of it.

The parser stamps every row with a purchase key and a fingerprint. The matcher, journey
and revenue services each keep the purchases they have seen, and save a batch's with one
upsert that applies one rule, ``WRITE_ONLY_CHANGES``: a purchase is new when the table did
not hold its key, changed when it held another fingerprint, unchanged otherwise. The upsert
returns the purchases it wrote, with the row they replaced (PostgreSQL 18's ``RETURNING
old``); an unchanged one is left as it is, locked all the same. So the outcome is what the
table held when the row was locked: a batch running alongside cannot make it stale.
"""

import hashlib
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Literal

from .spreadsheet.text import fold

PurchaseOutcome = Literal["new", "changed", "unchanged"]

# The DO UPDATE condition of each service's purchase upsert, its table aliased ``stored``.
WRITE_ONLY_CHANGES = "WHERE stored.fingerprint <> EXCLUDED.fingerprint"


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


def saved_outcome(saved: Mapping[str, object | None], key: str) -> PurchaseOutcome:
    """The outcome of purchase ``key`` from what the upsert returned: ``saved`` maps each
    purchase it wrote to what it replaced (None: nothing, the purchase is new)."""
    if key not in saved:
        return "unchanged"
    return "new" if saved[key] is None else "changed"


def _amount(amount: Decimal) -> str:
    return f"{amount.normalize():f}"
