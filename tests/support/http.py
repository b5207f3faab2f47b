"""A service's read API on a real port, over a test's own store: the FastAPI router the
service mounts, served by uvicorn as the service serves it."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import APIRouter, FastAPI

from hotmart_common.service import ServiceContext
from hotmart_stack.processes import free_port


@asynccontextmanager
async def serving(router: APIRouter, context: ServiceContext) -> AsyncIterator[str]:
    """Yields the base URL of ``router`` served with ``context`` as the service's state."""
    app = FastAPI()
    app.include_router(router)
    app.state.context = context
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None))
    task = asyncio.create_task(server.serve())
    for _ in range(500):  # uvicorn says it has started through a flag only
        if server.started:
            break
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
