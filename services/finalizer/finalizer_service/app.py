from datetime import timedelta

from pydantic import TypeAdapter

from hotmart_common import registry
from hotmart_common.events import ChunkDoneMessage, ImportConfirmed
from hotmart_common.kafka_consumer import subscribe
from hotmart_common.service import ServiceContext, ServiceDefinition
from hotmart_common.topics import CHUNK_DONE

from .api import router
from .handlers import Inbound, handle_messages
from .repository import MIGRATIONS
from .settings import FinalizerSettings
from .watchdog import run_watchdog

# import.chunk.done's messages carry a kind; an import.confirmed does not.
INBOX: TypeAdapter[Inbound] = TypeAdapter(ChunkDoneMessage | ImportConfirmed)


def subscribers(ctx: ServiceContext) -> None:
    async def on_messages(messages: list[Inbound]) -> None:
        async with ctx.store.unit_of_work() as uow:
            await handle_messages(uow, messages)

    group_id = registry.group_for("finalizer", CHUNK_DONE)
    subscribe(ctx.broker, ctx.publisher, registry.service("finalizer").topics_of(group_id),
              group_id=group_id, adapter=INBOX, handle=on_messages, service="finalizer",
              max_records=500, fetch_max_wait_ms=ctx.settings.infra.kafka_fetch_max_wait_ms)


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
