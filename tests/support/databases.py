"""A new, empty database per store test, on a PostgreSQL server the suite started."""

import uuid

import asyncpg

from hotmart_stack.servers import PostgresServer


async def fresh_database(server: PostgresServer, prefix: str) -> str:
    """The URL of a new, empty database on ``server``."""
    name = f"{prefix}_{uuid.uuid4().hex}"
    admin = await asyncpg.connect(server.url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return server.url.rsplit("/", 1)[0] + f"/{name}"
