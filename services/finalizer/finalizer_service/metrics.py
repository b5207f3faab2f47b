from prometheus_client import Gauge, Histogram

IMPORT_DURATION = Histogram(
    "hotmart_import_import_duration_seconds", "From upload to completion.",
    buckets=(1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600))
STALLED_IMPORTS = Gauge(
    "hotmart_import_stalled_imports", "Processing imports with no progress for a minute or more.")
