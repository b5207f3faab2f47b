"""The store: connection pool, migrations, unit of work and shared repositories."""

from .db import Connection, apply_migrations, connect_pool
from .uow import Outgoing, Publisher, Store, UnitOfWork

__all__ = [
    "Connection", "Outgoing", "Publisher", "Store", "UnitOfWork",
    "apply_migrations", "connect_pool"]
