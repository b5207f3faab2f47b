"""Which errors mean the world is briefly unavailable (retry) rather than the data wrong.

Not about Kafka alone: a consumer retries a batch for as long as the database or the
network is away, and isolates a message that fails for any other reason.
"""

import asyncpg
from aiokafka.errors import KafkaError, KafkaTimeoutError

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.DeadlockDetectedError,
    asyncpg.SerializationError,
    asyncpg.AdminShutdownError,
)


def is_transient(error: BaseException) -> bool:
    """The world is briefly unavailable (retry forever) rather than the data being wrong."""
    if isinstance(error, KafkaError):
        return bool(error.retriable) or isinstance(error, KafkaTimeoutError)
    return isinstance(error, TRANSIENT_ERRORS)
