"""Connection pool and forward-only SQL migrations, one folder per owner."""

import asyncio
import logging
from pathlib import Path

import asyncpg
from asyncpg import ServerVersion
from asyncpg.pool import PoolConnectionProxy

# What repositories accept: a plain connection or one borrowed from the pool.
Connection = asyncpg.Connection | PoolConnectionProxy

log = logging.getLogger(__name__)

_MIGRATION_LOCK = 0x686F746D  # any constant: serialises concurrent service start-ups
# The consumers' purchase upserts return the rows they replace (RETURNING old, new in 18).
MINIMUM_SERVER_MAJOR = 18


class UnsupportedServer(RuntimeError):
    """The database server is older than the statements need."""


async def connect_pool(dsn: str, size: int, *, timeout_s: float = 60.0) -> asyncpg.Pool:
    """Retries with backoff: services may start before the database answers."""
    delay, deadline = 0.2, asyncio.get_running_loop().time() + timeout_s
    while True:
        try:
            return await asyncpg.create_pool(dsn, min_size=1, max_size=size, command_timeout=60)
        except (OSError, asyncpg.PostgresError) as exc:
            if asyncio.get_running_loop().time() > deadline:
                raise
            log.warning("database not reachable yet", extra={"error": str(exc), "retry_s": delay})
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


async def apply_migrations(pool: asyncpg.Pool, owner: str, directory: Path) -> list[str]:
    """Applies ``directory/*.sql`` in name order, each once, recorded per owner."""
    applied: list[str] = []
    async with pool.acquire() as conn:
        check_server_version(conn.get_server_version())
        await conn.execute("SELECT pg_advisory_lock($1)", _MIGRATION_LOCK)
        try:
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " owner text NOT NULL, name text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (owner, name))"
            )
            recorded = await conn.fetch(
                "SELECT name FROM schema_migrations WHERE owner = $1", owner
            )
            done = {r["name"] for r in recorded}
            for path in _migration_files(directory):
                if path.name in done:
                    continue
                async with conn.transaction():
                    await conn.execute(path.read_text())
                    await conn.execute(
                        "INSERT INTO schema_migrations (owner, name) VALUES ($1, $2)",
                        owner, path.name,
                    )
                applied.append(path.name)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", _MIGRATION_LOCK)
    if applied:
        log.info("migrations applied", extra={"owner": owner, "migrations": applied})
    return applied


def check_server_version(version: ServerVersion) -> None:
    if version.major < MINIMUM_SERVER_MAJOR:
        raise UnsupportedServer(
            f"PostgreSQL {MINIMUM_SERVER_MAJOR} or later is required; the database server is"
            f" PostgreSQL {version.major}.{version.minor}")


def _migration_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.sql"))
