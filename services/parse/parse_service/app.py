from pydantic import TypeAdapter

from hotmart_common import registry
from hotmart_common.events import ImportConfirmed
from hotmart_common.kafka_consumer import subscribe
from hotmart_common.service import ServiceContext, ServiceDefinition
from hotmart_common.topics import IMPORT_CONFIRMED

from .clients import MatcherClients
from .handlers import fail_import, handle_import_confirmed
from .repository import MIGRATIONS
from .settings import ParseSettings


def subscribers(ctx: ServiceContext) -> None:
    settings = ctx.settings
    assert isinstance(settings, ParseSettings) and ctx.blobs is not None
    blobs = ctx.blobs
    clients = MatcherClients(settings.matcher_url)

    async def on_confirmed(events: list[ImportConfirmed]) -> None:
        for event in events:
            await handle_import_confirmed(event, ctx.store, blobs, ctx.publisher, clients,
                                          settings.chunk_size)

    async def on_poison(event: ImportConfirmed, _: object, error: Exception) -> None:
        await fail_import(ctx.publisher, event, f"The import could not be parsed ({error}).")

    subscribe(ctx.broker, ctx.publisher, IMPORT_CONFIRMED,
              group_id=registry.group_for("parse", IMPORT_CONFIRMED),
              adapter=TypeAdapter(ImportConfirmed), handle=on_confirmed, service="parse",
              on_poison=on_poison, batch=False,
              fetch_max_wait_ms=ctx.settings.infra.kafka_fetch_max_wait_ms)


definition = ServiceDefinition(name="parse", migrations=[("parse", MIGRATIONS)], uses_s3=True,
                               subscribe=subscribers)
