"""The outcome of a consumer's purchase upsert: new, changed or unchanged (store plumbing).

The matcher, journey and revenue services each keep the purchases they have seen, and save
a batch's with one upsert that applies one rule, ``WRITE_ONLY_CHANGES``: a purchase is new
when the table did not hold its key, changed when it held another fingerprint
(``hotmart_common.purchase_identity``), unchanged otherwise. The upsert returns the
purchases it wrote, with the row they replaced (PostgreSQL 18's ``RETURNING old``); an
unchanged one is left as it is, locked all the same. So the outcome is what the table held
when the row was locked: a batch running alongside cannot make it stale.
"""

from collections.abc import Mapping
from typing import Literal

PurchaseOutcome = Literal["new", "changed", "unchanged"]

# The DO UPDATE condition of each service's purchase upsert, its table aliased ``stored``.
WRITE_ONLY_CHANGES = "WHERE stored.fingerprint <> EXCLUDED.fingerprint"


def saved_outcome(saved: Mapping[str, object | None], key: str) -> PurchaseOutcome:
    """The outcome of purchase ``key`` from what the upsert returned: ``saved`` maps each
    purchase it wrote to what it replaced (None: nothing, the purchase is new)."""
    if key not in saved:
        return "unchanged"
    return "new" if saved[key] is None else "changed"
