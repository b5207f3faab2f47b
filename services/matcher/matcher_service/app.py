from hotmart_common.row_consumer import subscribe_to_rows
from hotmart_common.service import ServiceContext, ServiceDefinition

from .api import router
from .handlers import apply_rows, report_chunk
from .repository import MIGRATIONS
from .rows import BuyerRow


def subscribers(ctx: ServiceContext) -> None:
    subscribe_to_rows(ctx, "matcher", BuyerRow, apply_rows, report_chunk)


definition = ServiceDefinition(name="matcher", title="Hotmart Import matcher",
                               migrations=[("matcher", MIGRATIONS)], subscribe=subscribers,
                               routers=[router])
