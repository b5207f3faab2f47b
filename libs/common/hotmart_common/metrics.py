"""Metrics every service shares; each label set is bounded (never an import id or e-mail)."""

from prometheus_client import REGISTRY, Counter, Gauge, Histogram

ROWS_PROCESSED = Counter(
    "hotmart_import_rows_processed", "Rows handled, by service and outcome "
    "(created / updated: clients; recorded: milestones, ledger entries, published rows; "
    "skipped; failed).", ["service", "outcome"])
BATCH_DURATION = Histogram(
    "hotmart_import_batch_duration_seconds", "Time to handle one poll of messages.",
    ["service"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
DEAD_LETTERS = Counter(
    "hotmart_import_dlq_messages", "Messages sent to the dead-letter topic.", ["service"])
CONSUMER_LAG = Gauge(
    "hotmart_import_consumer_lag", "Messages behind the end of each partition, at last poll.",
    ["service", "topic", "partition"])
IMPORTS = Counter("hotmart_import_imports", "Imports that ended, by status.", ["status"])

__all__ = ["BATCH_DURATION", "CONSUMER_LAG", "DEAD_LETTERS", "IMPORTS", "REGISTRY",
           "ROWS_PROCESSED"]
