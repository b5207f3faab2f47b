"""The finalizer's periodic pass over processing imports."""

import asyncio
import logging
from datetime import timedelta

from hotmart_common.store import Store
from hotmart_common.transient import is_transient

from .handlers import watch_processing_imports

log = logging.getLogger(__name__)


async def run_watchdog(store: Store, interval_s: float, stall_deadline: timedelta) -> None:
    while True:
        await asyncio.sleep(interval_s)
        try:
            async with store.unit_of_work() as uow:
                await watch_processing_imports(uow, stall_deadline)
        except Exception as error:
            if not is_transient(error):
                log.exception("watchdog pass failed")
