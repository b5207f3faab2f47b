"""What the matcher reads of a row event: the buyer (hotmart_common.row_views)."""

from hotmart_common.row_views import RowView


class BuyerRow(RowView, frozen=True, kw_only=True):
    name: str | None = None
    phone: str | None = None
    document: str | None = None
    first_of_buyer: bool
