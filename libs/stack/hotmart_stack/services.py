"""The services of the pipeline (as the registry lists them), as the supervisor starts them."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from hotmart_common import registry


@dataclass(frozen=True)
class ServiceSpec:
    """How to run one service: its command and the env vars that tell it its HTTP port and
    the port of its metrics (kept off the API's port)."""

    name: str
    argv: tuple[str, ...]
    port_env: str
    metrics_port_env: str | None = None
    # Services whose read API this one calls: each URL is given as <NAME>_<SERVICE>_URL.
    reads_from: tuple[str, ...] = ()

    def url_env(self, service: str) -> str:
        return f"{self.name.upper()}_{service.upper()}_URL"


def python_module_service(name: str, module: str,
                          reads_from: tuple[str, ...] = ()) -> ServiceSpec:
    return ServiceSpec(
        name=name,
        argv=(sys.executable, "-m", module),
        port_env=f"{name.upper()}_HTTP_PORT",
        metrics_port_env=f"{name.upper()}_METRICS_PORT",
        reads_from=reads_from,
    )


API_SERVICE = registry.api_service().name

ALL_SERVICES: tuple[ServiceSpec, ...] = tuple(
    python_module_service(service.name, service.module, service.reads_from)
    for service in registry.SERVICES
)
