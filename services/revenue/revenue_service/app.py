from hotmart_common.row_consumer import subscribe_to_rows
from hotmart_common.row_views import PurchaseRow
from hotmart_common.service import ServiceContext, ServiceDefinition

from .handlers import apply_rows, report_chunk
from .repository import MIGRATIONS


def subscribers(ctx: ServiceContext) -> None:
    subscribe_to_rows(ctx, "revenue", PurchaseRow, apply_rows, report_chunk)


definition = ServiceDefinition(name="revenue", migrations=[("revenue", MIGRATIONS)],
                               subscribe=subscribers)
