"""The composition root every service shares: settings -> pool, broker, S3 -> one HTTP app.

A service declares what it needs in a :class:`ServiceDefinition` (its migrations, its
subscribers, its HTTP routes); this module builds the resources, serves ``/healthz`` and
``/readyz`` beside the routes, bounds request bodies and errors (see :mod:`.http_edge`),
serves the metrics on a port of their own, and shuts down gracefully: on SIGTERM the
broker stops taking messages, finishes the batch in hand, commits, and the process exits.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import uvicorn
from fastapi import APIRouter, Depends, FastAPI, Request, Response
from faststream.kafka import KafkaBroker
from prometheus_client import start_http_server
from pydantic import BaseModel

from .blobstore import BlobStore
from .http_edge import harden
from .kafka_publisher import EventPublisher, ensure_topics, make_broker
from .logs import configure_logging
from .runtime import settle_garbage_collector
from .settings import ServiceSettings
from .store import Store, apply_migrations, connect_pool
from .topics import topic_partitions

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServiceContext:
    name: str
    settings: ServiceSettings
    store: Store
    broker: KafkaBroker
    publisher: EventPublisher
    blobs: BlobStore | None

    @property
    def tenant_id(self) -> str:
        return self.settings.infra.tenant_id


async def request_context(request: Request) -> ServiceContext:
    """The running service's context, for its routes (async: no thread hop per request)."""
    context: ServiceContext = request.app.state.context
    return context


# A route's parameter of this type gets the service's context.
Context = Annotated[ServiceContext, Depends(request_context)]


@dataclass(frozen=True)
class ServiceDefinition:
    name: str
    # (owner, folder): each service runs only its own migrations, for the tables it owns.
    migrations: Sequence[tuple[str, Path]] = ()
    uses_s3: bool = False
    subscribe: Callable[[ServiceContext], None] | None = None
    routers: Sequence[APIRouter] = ()
    on_start: Callable[[ServiceContext], Awaitable[None]] | None = None
    title: str = ""
    # Request body limits by path, for routes that take more than http_edge.MAX_BODY_BYTES.
    body_limits: Mapping[str, int] = field(default_factory=dict)
    background: Sequence[Callable[[ServiceContext], Coroutine[Any, Any, None]]] = field(
        default=())


@asynccontextmanager
async def running_context(
    definition: ServiceDefinition, settings: ServiceSettings
) -> AsyncIterator[ServiceContext]:
    """Builds and starts every resource of a service; stops them in reverse order."""
    infra = settings.infra
    pool = await connect_pool(infra.database_url, infra.database_pool_size)
    broker = make_broker(infra.kafka_bootstrap_servers, client_id=f"hotmart-{definition.name}",
                         service=definition.name)
    tasks: list[asyncio.Task[None]] = []
    resources: list[Callable[[], Awaitable[None]]] = []
    try:
        for owner, directory in definition.migrations:
            await apply_migrations(pool, owner, directory)
        await ensure_topics(infra.kafka_bootstrap_servers,
                            topic_partitions(infra.row_topic_partitions))
        publisher = EventPublisher(infra.kafka_bootstrap_servers,
                                   client_id=f"hotmart-{definition.name}-events")
        await publisher.start()
        resources.append(publisher.stop)
        context = ServiceContext(
            name=definition.name,
            settings=settings,
            store=Store(pool, publisher),
            broker=broker,
            publisher=publisher,
            blobs=BlobStore(infra) if definition.uses_s3 else None,
        )
        if definition.on_start is not None:
            await definition.on_start(context)
        if definition.subscribe is not None:
            definition.subscribe(context)
        await broker.start()
        tasks.extend(asyncio.create_task(job(context)) for job in definition.background)
        settle_garbage_collector(infra.gc_young_threshold)
        log.info("service started", extra={"service_name": definition.name})
        yield context
    finally:
        for task in tasks:
            task.cancel()
        await broker.stop()  # drains the batch in hand, whose events still need the producer
        for stop in reversed(resources):
            await stop()
        await pool.close()
        log.info("service stopped", extra={"service_name": definition.name})


async def is_ready(context: ServiceContext) -> bool:
    checks: list[Awaitable[bool]] = [_database_answers(context), context.broker.ping(2.0)]
    if context.blobs is not None:
        checks.append(context.blobs.ping())
    try:
        results = await asyncio.wait_for(asyncio.gather(*checks), timeout=5.0)
    except TimeoutError:
        return False
    return all(results)


async def _database_answers(context: ServiceContext) -> bool:
    try:
        async with context.store.pool.acquire(timeout=2.0) as conn:
            await conn.fetchval("SELECT 1")
    except Exception:
        return False
    return True


def create_app(definition: ServiceDefinition, settings: ServiceSettings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with running_context(definition, settings) as context:
            app.state.context = context
            yield

    app = FastAPI(title=definition.title or f"Hotmart Import {definition.name}",
                  lifespan=lifespan)
    harden(app, definition.body_limits)

    @app.get("/healthz", tags=["health"])
    async def healthz() -> Alive:
        """The process is up (liveness)."""
        return Alive(status="alive")

    @app.get("/readyz", tags=["health"], responses={503: {"model": Readiness}})
    async def readyz(response: Response) -> Readiness:
        """The broker, the database and S3 answer (readiness); 503 while one does not."""
        context: ServiceContext | None = getattr(app.state, "context", None)
        ready = context is not None and await is_ready(context)
        response.status_code = 200 if ready else 503
        return Readiness(status="ready" if ready else "not ready")

    for router in definition.routers:
        app.include_router(router)
    return app


class Alive(BaseModel):
    status: Literal["alive"]


class Readiness(BaseModel):
    status: Literal["ready", "not ready"]


def run(definition: ServiceDefinition, settings: ServiceSettings) -> None:
    configure_logging(definition.name, settings.infra.log_level)
    # Metrics on a port of their own, which deployments expose to Prometheus only (compose
    # publishes no such port; Kubernetes admits it from Prometheus' pods alone): the API's
    # port answers 404 for /metrics. A thread of prometheus_client's, so a scrape never
    # waits for the event loop.
    start_http_server(settings.metrics_port, settings.http_host)
    uvicorn.run(
        create_app(definition, settings),
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        # uvloop's transports cut the per-message cost of the Kafka and PostgreSQL clients:
        # about 7 % of the CPU of an import (see README, Performance)
        loop="uvloop",
        timeout_graceful_shutdown=10,
    )
