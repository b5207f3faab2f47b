"""The store: connection pool, migrations and unit of work (each service keeps its own
repositories and tables)."""

from .db import Connection, apply_migrations, connect_pool
from .uow import Outgoing, Publisher, Store, UnitOfWork

__all__ = [
    "Connection", "Outgoing", "Publisher", "Store", "UnitOfWork",
    "apply_migrations", "connect_pool"]
