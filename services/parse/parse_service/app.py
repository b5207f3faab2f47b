from pydantic import TypeAdapter

from hotmart_common import registry
from hotmart_common.events import ClientCreated, ImportConfirmed
from hotmart_common.kafka_consumer import subscribe
from hotmart_common.service import ServiceContext, ServiceDefinition
from hotmart_common.topics import CLIENT_CREATED, IMPORT_CONFIRMED

from .handlers import fail_import, handle_clients_created, handle_import_confirmed
from .repository import MIGRATIONS
from .settings import ParseSettings


def subscribers(ctx: ServiceContext) -> None:
    settings = ctx.settings
    assert isinstance(settings, ParseSettings) and ctx.blobs is not None
    blobs = ctx.blobs

    async def on_confirmed(events: list[ImportConfirmed]) -> None:
        for event in events:
            await handle_import_confirmed(event, ctx.store, blobs, ctx.publisher,
                                          settings.chunk_size)

    async def on_poison(event: ImportConfirmed, _: object, error: Exception) -> None:
        await fail_import(ctx.publisher, event, f"The import could not be parsed ({error}).")

    async def on_clients(events: list[ClientCreated]) -> None:
        async with ctx.store.unit_of_work() as uow:
            await handle_clients_created(uow, events)

    fetch_wait = ctx.settings.infra.kafka_fetch_max_wait_ms
    subscribe(ctx.broker, ctx.publisher, IMPORT_CONFIRMED,
              group_id=registry.group_for("parse", IMPORT_CONFIRMED),
              adapter=TypeAdapter(ImportConfirmed), handle=on_confirmed, service="parse",
              on_poison=on_poison, batch=False, fetch_max_wait_ms=fetch_wait)
    subscribe(ctx.broker, ctx.publisher, CLIENT_CREATED,
              group_id=registry.group_for("parse", CLIENT_CREATED),
              adapter=TypeAdapter(ClientCreated), handle=on_clients, service="parse",
              max_records=2000, fetch_max_wait_ms=fetch_wait)


definition = ServiceDefinition(name="parse", migrations=[("parse", MIGRATIONS)], uses_s3=True,
                               subscribe=subscribers)
