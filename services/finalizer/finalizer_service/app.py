from datetime import timedelta

from pydantic import TypeAdapter

from hotmart_common import registry
from hotmart_common.events import CHUNK_DONE_ADAPTER, ImportConfirmed
from hotmart_common.kafka_consumer import subscribe
from hotmart_common.service import ServiceContext, ServiceDefinition
from hotmart_common.topics import CHUNK_DONE, IMPORT_CONFIRMED

from .api import router
from .handlers import ChunkDone, handle_confirmed, handle_reports
from .repository import MIGRATIONS
from .settings import FinalizerSettings
from .watchdog import run_watchdog


def subscribers(ctx: ServiceContext) -> None:
    async def on_reports(messages: list[ChunkDone]) -> None:
        async with ctx.store.unit_of_work() as uow:
            await handle_reports(uow, messages)

    async def on_confirmed(events: list[ImportConfirmed]) -> None:
        async with ctx.store.unit_of_work() as uow:
            await handle_confirmed(uow, events)

    settings = ctx.settings
    assert isinstance(settings, FinalizerSettings)
    fetch_wait = settings.infra.kafka_fetch_max_wait_ms
    subscribe(ctx.broker, ctx.publisher, CHUNK_DONE,
              group_id=registry.group_for("finalizer", CHUNK_DONE),
              adapter=CHUNK_DONE_ADAPTER, handle=on_reports, service="finalizer",
              max_records=500, fetch_max_wait_ms=fetch_wait, pace_s=settings.settle_pace_s)
    subscribe(ctx.broker, ctx.publisher, IMPORT_CONFIRMED,
              group_id=registry.group_for("finalizer", IMPORT_CONFIRMED),
              adapter=TypeAdapter(ImportConfirmed), handle=on_confirmed, service="finalizer",
              max_records=500, fetch_max_wait_ms=fetch_wait)


async def watchdog(ctx: ServiceContext) -> None:
    settings = ctx.settings
    assert isinstance(settings, FinalizerSettings)
    await run_watchdog(ctx.store, settings.watch_interval_s,
                       timedelta(seconds=settings.stall_deadline_s))


definition = ServiceDefinition(
    name="finalizer",
    title="Hotmart Import finalizer",
    migrations=[("finalizer", MIGRATIONS)],
    subscribe=subscribers,
    routers=[router],
    background=[watchdog],
)
