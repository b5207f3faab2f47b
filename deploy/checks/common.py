"""What every check shares: where the repository is, the facts the checks hold the
artifacts to (read from the project, not copied), and the list of problems found."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent.parent

# The registry of services and the topics module import nothing but the standard library:
# the tools venv loads them from the source tree without installing the project.
sys.path.insert(0, str(ROOT / "libs/common"))
from hotmart_common import registry, topics  # noqa: E402

SERVICES: tuple[registry.Service, ...] = registry.SERVICES
SERVICE_NAMES: tuple[str, ...] = registry.SERVICE_NAMES
API_SERVICE: registry.Service = registry.api_service()

# Where every image listens (deploy/docker/Dockerfile sets each <NAME>_HTTP_PORT and
# <NAME>_METRICS_PORT to these): the API and probes, and /metrics for Prometheus only.
HTTP_PORT = "8080"
METRICS_PORT = "9464"
REQUIRED_ENV = (
    "HOTMART_KAFKA_BOOTSTRAP_SERVERS",
    "HOTMART_DATABASE_URL",
    "HOTMART_S3_BUCKET",
    "HOTMART_S3_REGION",
)
SECRET_NAME = "hotmart-import-secrets"
# Keys the Secret must hold (deploy/k8s/README.md): the ConfigMap must not.
SECRET_KEYS = ("HOTMART_DATABASE_URL", "HOTMART_S3_ACCESS_KEY_ID", "HOTMART_S3_SECRET_ACCESS_KEY")
SERVICE_DRAIN_SECONDS = 10  # hotmart_common.service: uvicorn's graceful shutdown

# Metrics the services do not define themselves: FastStream's Kafka middleware and
# Prometheus' own `up`.
OTHER_COUNTERS_AND_GAUGES = frozenset({
    "faststream_received_messages_total",
    "faststream_received_processed_messages_exceptions_total",
    "faststream_published_messages_total",
    "up",
})
OTHER_HISTOGRAMS = frozenset({"faststream_received_processed_messages_duration_seconds"})
METRICS_MODULES = ("libs/common/hotmart_common/metrics.py", "services/*/*_service/metrics.py")


def service_metrics() -> dict[str, str]:
    """name -> kind (Counter, Gauge, Histogram) of every metric the services define, read
    from their metrics modules (without importing them: prometheus_client is not here)."""
    found: dict[str, str] = {}
    for pattern in METRICS_MODULES:
        for path in sorted(ROOT.glob(pattern)):
            for node in ast.walk(ast.parse(path.read_text())):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                        and node.func.id in ("Counter", "Gauge", "Histogram") and node.args
                        and isinstance(node.args[0], ast.Constant)):
                    found[str(node.args[0].value)] = node.func.id
    return found


def exposed_series(name: str, kind: str) -> set[str]:
    """The series names prometheus_client exposes for a metric."""
    if kind == "Counter":
        return {f"{name}_total"}
    if kind == "Histogram":
        return {f"{name}{suffix}" for suffix in ("_bucket", "_sum", "_count")}
    return {name}


def known_metrics() -> set[str]:
    series = set(OTHER_COUNTERS_AND_GAUGES)
    for name, kind in service_metrics().items():
        series |= exposed_series(name, kind)
    for name in OTHER_HISTOGRAMS:
        series |= exposed_series(name, "Histogram")
    return series


def topic_partitions(row_partitions: int) -> dict[str, int]:
    result: dict[str, int] = topics.topic_partitions(row_partitions)
    return result


class Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def check(self, ok: object, message: str) -> bool:
        if not ok:
            self.items.append(message)
        return bool(ok)

    def finish(self, summary: str) -> int:
        if self.items:
            for item in self.items:
                print(f"- {item}")
            return 1
        print(summary)
        return 0


def load_yaml_documents(path: Path) -> list[dict[str, Any]]:
    with path.open() as handle:
        return [doc for doc in yaml.safe_load_all(handle) if doc]


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()
