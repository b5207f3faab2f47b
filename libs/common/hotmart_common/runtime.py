"""Interpreter tuning for a long-running service that decodes many small messages.

Every row a consumer decodes allocates a dozen objects (the event, its UUIDs, Decimal,
datetime, strings); with Python's default thresholds the cyclic garbage collector runs
every 700 allocations and, each time it reaches the old generation, walks every object
the service has imported (hundreds of thousands). Row records hold no reference cycles, so
those walks find nothing. Once a service has started, its import-time objects are frozen
(moved out of the collector's sight) and the young generation collects less often.
"""

import gc
import logging

log = logging.getLogger(__name__)


def settle_garbage_collector(young_threshold: int) -> None:
    """Freeze what startup allocated and collect the young generation every
    ``young_threshold`` allocations (0 leaves Python's thresholds as they are)."""
    gc.collect()
    gc.freeze()
    if young_threshold > 0:
        _, middle, old = gc.get_threshold()
        gc.set_threshold(young_threshold, middle, old)
    log.info("garbage collector settled", extra={"frozen_objects": gc.get_freeze_count(),
                                                 "gc_thresholds": list(gc.get_threshold())})
