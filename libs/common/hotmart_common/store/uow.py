"""Unit of work: one transaction, and the events it justifies, published after commit."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import NamedTuple, Protocol, Self

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from pydantic import BaseModel


class Outgoing(NamedTuple):
    topic: str
    event: BaseModel
    key: bytes | None = None


class Publisher(Protocol):
    async def publish(self, messages: Sequence[Outgoing]) -> None: ...


@dataclass
class UnitOfWork:
    """``async with store.unit_of_work() as uow``: commits on success, rolls back on error.

    Events queued with :meth:`publish_after_commit` are sent only once the transaction has
    committed, and dropped on rollback. A crash between the commit and the publish is
    covered by the consumer committing its offset only after this returns: the message is
    redelivered and the handler re-derives the same events (same ids) from the store.
    """

    pool: asyncpg.Pool
    publisher: Publisher
    _outgoing: list[Outgoing] = field(default_factory=list)
    _after_commit: list[Callable[[], None]] = field(default_factory=list)
    _conn: PoolConnectionProxy | None = None
    _tx: asyncpg.transaction.Transaction | None = None

    @property
    def connection(self) -> PoolConnectionProxy:
        assert self._conn is not None, "use the unit of work inside 'async with'"
        return self._conn

    def publish_after_commit(self, topic: str, event: BaseModel, key: bytes | None = None) -> None:
        self._outgoing.append(Outgoing(topic, event, key))

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Runs ``callback`` once the transaction has committed (metrics, say); never on
        rollback, so a retried batch does not count twice."""
        self._after_commit.append(callback)

    async def __aenter__(self) -> Self:
        conn = await self.pool.acquire()
        self._conn, self._tx = conn, conn.transaction()
        await self._tx.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._conn is not None and self._tx is not None
        try:
            if exc_type is None:
                await self._tx.commit()
            else:
                await self._tx.rollback()
        finally:
            await self.pool.release(self._conn)
            self._conn = self._tx = None
        callbacks, self._after_commit = self._after_commit, []
        if exc_type is not None:
            return
        for callback in callbacks:
            callback()
        if self._outgoing:
            outgoing, self._outgoing = self._outgoing, []
            await self.publisher.publish(outgoing)


@dataclass(frozen=True)
class Store:
    pool: asyncpg.Pool
    publisher: Publisher

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.pool, self.publisher)
