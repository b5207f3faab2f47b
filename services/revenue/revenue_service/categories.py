"""Revenue's rule: which Hotmart statuses are won, lost or still pending revenue.

Rows carry Hotmart's status code (``hotmart_common.hotmart_statuses``); what it counts as
is revenue's to say. Approved and complete sales are active revenue; cancelled, refunded,
charged back, expired, overdue, refused and blocked ones are lost; the rest (waiting for
payment, printed billets, processing, analysis, disputes, pre-orders) and a status no one
knows stay pending: a sale we cannot classify must count as neither won nor lost.
"""

from typing import Final

from hotmart_common.events import StatusCategory
from hotmart_common.hotmart_statuses import STATUS_CODES, StatusCode

ACTIVE: Final[frozenset[StatusCode]] = frozenset({"APPROVED", "COMPLETE"})
LOST: Final[frozenset[StatusCode]] = frozenset({
    "CANCELLED", "REFUNDED", "PARTIALLY_REFUNDED", "CHARGEBACK", "EXPIRED", "OVERDUE",
    "NO_FUNDS", "BLOCKED",
})  # fmt: skip
CATEGORY_OF: Final[dict[StatusCode | None, StatusCategory]] = {
    None: "pending",
    **{code: "active" if code in ACTIVE else "lost" if code in LOST else "pending"
       for code in STATUS_CODES},
}


def category(code: StatusCode | None) -> StatusCategory:
    return CATEGORY_OF[code]
