"""Where the suite's servers come from: real images when asked for and possible, else none.

With TEST_INFRA=containers and a Docker engine, Kafka (KRaft), PostgreSQL and MinIO run as
containers and the stack uses them; otherwise the stack starts its local processes (Tansu,
embedded PostgreSQL, moto). Same tests, same assertions either way.
"""

import logging
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

log = logging.getLogger(__name__)


def docker_available() -> bool:
    try:
        import docker

        docker.from_env().ping()
    except Exception:
        return False
    return True


@contextmanager
def server_addresses() -> Iterator[dict[str, str]]:
    """HOTMART_* addresses of servers started here, or {} to let the stack start its own."""
    if os.environ.get("TEST_INFRA") != "containers":
        yield {}
        return
    if not docker_available():
        log.warning("TEST_INFRA=containers but no Docker engine answers: using local servers")
        yield {}
        return
    with ExitStack() as running:
        yield _containers(running)


def _containers(running: ExitStack) -> dict[str, str]:
    from testcontainers.community.kafka import KafkaContainer
    from testcontainers.community.minio import MinioContainer
    from testcontainers.community.postgres import PostgresContainer

    kafka = running.enter_context(KafkaContainer("confluentinc/cp-kafka:7.9.0").with_kraft())
    postgres = running.enter_context(PostgresContainer("postgres:18.1", driver=None))
    minio = running.enter_context(MinioContainer("minio/minio:RELEASE.2025-04-22T22-12-26Z"))
    return {
        "HOTMART_KAFKA_BOOTSTRAP_SERVERS": kafka.get_bootstrap_server(),
        "HOTMART_DATABASE_URL": postgres.get_connection_url(),
        "HOTMART_S3_ENDPOINT_URL":
            f"http://{minio.get_container_host_ip()}:{minio.get_exposed_port(9000)}",
        "HOTMART_S3_ACCESS_KEY_ID": minio.access_key,
        "HOTMART_S3_SECRET_ACCESS_KEY": minio.secret_key,
    }
