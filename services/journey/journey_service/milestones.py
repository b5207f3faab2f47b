"""Journey's rules: which milestone a purchase row makes on the client's timeline.

A purchase seen for the first time is a ``purchase``. A known purchase whose state changed
(its fingerprint, hotmart_common.purchase_identity) is a ``status_change`` when its status
moved, else a ``purchase_changed`` (its amount or currency). A status is compared as
Hotmart's status code when the source's text is a known status, so "Aprovado" in a file and
APPROVED from the API are one status; else as its folded text. A purchase seen again
unchanged makes no milestone. Revenue's categories play no part here.
"""

from typing import Literal, NamedTuple

from hotmart_common.hotmart_statuses import StatusCode
from hotmart_common.spreadsheet.text import fold
from hotmart_common.store.purchase_upserts import PurchaseOutcome

MilestoneKind = Literal["purchase", "status_change", "purchase_changed"]


class Status(NamedTuple):
    """A purchase's status as a source reported it: its text and its code."""

    text: str | None
    code: StatusCode | None


def same_status(before: Status, now: Status) -> bool:
    if before.code is not None or now.code is not None:
        return before.code == now.code
    return fold(before.text or "") == fold(now.text or "")


def milestone_kind(outcome: PurchaseOutcome, before: Status | None,
                   now: Status) -> MilestoneKind | None:
    """The milestone a row makes, given its purchase's outcome and the status it had before
    (None for a purchase the journey did not know); None: no milestone."""
    if outcome == "unchanged":
        return None
    if outcome == "new" or before is None:
        return "purchase"
    return "purchase_changed" if same_status(before, now) else "status_change"
