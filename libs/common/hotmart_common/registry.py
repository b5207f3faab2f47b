"""The one list of the pipeline's services: what each is called, consumes, publishes and owns.

The Makefile, the embedded stack, the AsyncAPI generator, the architecture check and the
deploy checks all read this list instead of keeping copies. It imports nothing but the
standard library, so it also runs as a script before any virtualenv exists:

    python3 libs/common/hotmart_common/registry.py names          # upload parse ...
    python3 libs/common/hotmart_common/registry.py packages       # libs/common ... services/...
    python3 libs/common/hotmart_common/registry.py distributions  # hotmart-import-common ...
    python3 libs/common/hotmart_common/registry.py modules        # upload_service ...
    python3 libs/common/hotmart_common/registry.py groups         # <group> <topic> <service>
    python3 libs/common/hotmart_common/registry.py tables         # <table> <owner>

Topic names are spelled as in ``hotmart_common.topics`` (a unit test holds them equal).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

# Topics, as hotmart_common.topics spells them (this module may not import it: see above).
IMPORT_CONFIRMED = "import.confirmed"
IMPORT_ROWS = "import.rows"
CHUNK_DONE = "import.chunk.done"
IMPORT_COMPLETED = "import.completed"
CLIENT_CREATED = "client.created"
CLIENT_UPDATED = "client.updated"
DEAD_LETTERS = "import.dlq"

# Tables of the infrastructure itself (the migration runner's bookkeeping), owned by no
# service: hotmart_common.store.db creates and writes it for every owner.
INFRASTRUCTURE_TABLES: tuple[str, ...] = ("schema_migrations",)


@dataclass(frozen=True)
class ConsumerGroup:
    group_id: str
    topic: str


@dataclass(frozen=True)
class Library:
    package_dir: str
    distribution: str


@dataclass(frozen=True)
class Service:
    name: str
    tables: tuple[str, ...]
    groups: tuple[ConsumerGroup, ...] = ()
    publishes: tuple[str, ...] = ()
    # Local defaults (the embedded stack, a developer's shell); <NAME>_HTTP_PORT and
    # <NAME>_METRICS_PORT override them, as compose and Kubernetes do (8080 and 9464).
    http_port: int = 8080
    metrics_port: int = 9464
    public_api: bool = False
    # Services whose read API this one calls (each URL given as <NAME>_<SERVICE>_URL).
    reads_from: tuple[str, ...] = ()
    # Reports each chunk of each import on import.chunk.done (ChunkProcessed): the
    # finalizer completes an import once every such service reported every chunk.
    reports_chunks: bool = False

    @property
    def package_dir(self) -> str:
        return f"services/{self.name}"

    @property
    def module(self) -> str:
        return f"{self.name}_service"

    @property
    def distribution(self) -> str:
        return f"hotmart-{self.name}-service"

    @property
    def topics_consumed(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(group.topic for group in self.groups))

    def group_for(self, topic: str) -> str:
        """The group id of this service's one consumer group on ``topic``."""
        ids = [group.group_id for group in self.groups if group.topic == topic]
        if len(ids) != 1:
            raise LookupError(f"the {self.name} service has {len(ids)} groups on {topic}")
        return ids[0]


LIBRARIES: tuple[Library, ...] = (
    Library("libs/common", "hotmart-import-common"),
    Library("libs/stack", "hotmart-import-stack"),
)

SERVICES: tuple[Service, ...] = (
    Service(
        name="upload",
        tables=("imports",),
        publishes=(IMPORT_CONFIRMED, DEAD_LETTERS),
        http_port=8000, metrics_port=9400,
        public_api=True,
        reads_from=("finalizer",),  # the import resource's progress, summary and row issues
    ),
    Service(
        name="parse",
        tables=("parse_runs",),
        groups=(ConsumerGroup("parse-service", IMPORT_CONFIRMED),),
        publishes=(IMPORT_ROWS, CHUNK_DONE, DEAD_LETTERS),
        http_port=8001, metrics_port=9401,
        reports_chunks=True,
        reads_from=("matcher",),  # which buyers are clients, for the skip policy
    ),
    Service(
        name="matcher",
        tables=("clients", "matcher_rows", "client_purchases", "matcher_updated_clients"),
        groups=(ConsumerGroup("matcher-service", IMPORT_ROWS),),
        publishes=(CHUNK_DONE, CLIENT_CREATED, CLIENT_UPDATED, DEAD_LETTERS),
        http_port=8002, metrics_port=9402,
        reports_chunks=True,
    ),
    Service(
        name="journey",
        tables=("milestones", "journey_purchases", "journey_rows"),
        groups=(ConsumerGroup("journey-service", IMPORT_ROWS),),
        publishes=(CHUNK_DONE, DEAD_LETTERS),
        http_port=8003, metrics_port=9403,
        reports_chunks=True,
    ),
    Service(
        name="revenue",
        # client_revenue is a view over revenue_transactions.
        tables=("revenue_ledger", "revenue_transactions", "client_revenue"),
        groups=(ConsumerGroup("revenue-service", IMPORT_ROWS),),
        publishes=(CHUNK_DONE, DEAD_LETTERS),
        http_port=8004, metrics_port=9404,
        reports_chunks=True,
    ),
    Service(
        name="finalizer",
        tables=("import_outcomes", "import_row_issues", "chunk_reports", "report_ids",
                "report_services", "report_totals"),
        groups=(ConsumerGroup("finalizer-service", CHUNK_DONE),
                ConsumerGroup("finalizer-confirmed", IMPORT_CONFIRMED)),
        publishes=(IMPORT_COMPLETED, DEAD_LETTERS),
        http_port=8005, metrics_port=9405,
    ),
)

SERVICE_NAMES: tuple[str, ...] = tuple(service.name for service in SERVICES)


def reporting_services() -> tuple[str, ...]:
    """The services that report every chunk on import.chunk.done, in registry order."""
    return tuple(candidate.name for candidate in SERVICES if candidate.reports_chunks)


def consumers_of(topic: str) -> tuple[str, ...]:
    """The services with a consumer group on ``topic``, in registry order."""
    return tuple(candidate.name for candidate in SERVICES if topic in candidate.topics_consumed)


def service(name: str) -> Service:
    for candidate in SERVICES:
        if candidate.name == name:
            return candidate
    raise LookupError(f"no service named {name!r} in the registry")


def group_for(name: str, topic: str) -> str:
    """The consumer group id the ``name`` service reads ``topic`` with."""
    return service(name).group_for(topic)


def api_service() -> Service:
    """The one service that serves the public HTTP API."""
    (public,) = [candidate for candidate in SERVICES if candidate.public_api]
    return public


def table_owners() -> dict[str, str]:
    """table -> the service that owns it (alone migrates, writes and reads it)."""
    owners: dict[str, str] = {}
    for candidate in SERVICES:
        for table in candidate.tables:
            if table in owners:
                raise ValueError(f"{table} is owned by both {owners[table]} and "
                                 f"{candidate.name}")
            owners[table] = candidate.name
    return owners


def _lines(query: str) -> list[str]:
    if query == "names":
        return list(SERVICE_NAMES)
    if query == "packages":
        return [lib.package_dir for lib in LIBRARIES] + [s.package_dir for s in SERVICES]
    if query == "distributions":
        return [lib.distribution for lib in LIBRARIES] + [s.distribution for s in SERVICES]
    if query == "modules":
        return [s.module for s in SERVICES]
    if query == "groups":
        return [f"{g.group_id} {g.topic} {s.name}" for s in SERVICES for g in s.groups]
    if query == "tables":
        return [f"{table} {owner}" for table, owner in table_owners().items()]
    raise LookupError(query)


def main(argv: list[str]) -> int:
    try:
        lines = _lines(argv[1]) if len(argv) == 2 else None
    except LookupError:
        lines = None
    if lines is None:
        print(__doc__, file=sys.stderr)
        return 2
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
