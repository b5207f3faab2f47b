from datetime import timedelta

from pydantic import TypeAdapter

from hotmart_common import registry
from hotmart_common.events import ChunkProcessed
from hotmart_common.kafka_consumer import subscribe
from hotmart_common.service import ServiceContext, ServiceDefinition
from hotmart_common.store.imports import MIGRATIONS as IMPORTS_MIGRATIONS
from hotmart_common.topics import CHUNK_DONE

from .handlers import handle_reports
from .repository import MIGRATIONS
from .settings import FinalizerSettings
from .watchdog import run_watchdog


def subscribers(ctx: ServiceContext) -> None:
    async def on_reports(reports: list[ChunkProcessed]) -> None:
        async with ctx.store.unit_of_work() as uow:
            await handle_reports(uow, reports)

    subscribe(ctx.broker, ctx.publisher, CHUNK_DONE,
              group_id=registry.group_for("finalizer", CHUNK_DONE),
              adapter=TypeAdapter(ChunkProcessed), handle=on_reports, service="finalizer",
              max_records=500, fetch_max_wait_ms=ctx.settings.infra.kafka_fetch_max_wait_ms)


async def watchdog(ctx: ServiceContext) -> None:
    settings = ctx.settings
    assert isinstance(settings, FinalizerSettings)
    await run_watchdog(ctx.store, settings.watch_interval_s,
                       timedelta(seconds=settings.stall_deadline_s))


definition = ServiceDefinition(
    name="finalizer",
    migrations=[("imports", IMPORTS_MIGRATIONS), ("finalizer", MIGRATIONS)],
    subscribe=subscribers,
    background=[watchdog],
)
