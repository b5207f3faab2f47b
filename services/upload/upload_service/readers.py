"""Workbooks are read on threads of their own, a few at a time, and refused when all are busy.

Reading a workbook waits on a child process for a second or more (calamine, see
hotmart_common.spreadsheet.guarded). On the event loop's default threads (six on two
cores) six slow reads would hold every thread, and a CSV, read in a fraction of that time,
would wait behind them; queued without bound, the waiting files would pile up in memory
too. So workbooks get ``readers`` threads of their own, at most ``waiting`` more reads wait
for one, and the next is refused at once with a time to retry.
"""

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class ReadersBusy(Exception):
    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"every workbook reader is busy; retry in {retry_after_s} s")
        self.retry_after_s = retry_after_s


class WorkbookReaders:
    def __init__(self, readers: int, waiting: int, retry_after_s: int) -> None:
        self._threads = ThreadPoolExecutor(readers, thread_name_prefix="workbook-reader")
        self._places = threading.Semaphore(readers + waiting)
        self._retry_after_s = retry_after_s

    async def run(self, read: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``read`` on a reader thread; ReadersBusy if every place is taken."""
        if not self._places.acquire(blocking=False):
            raise ReadersBusy(self._retry_after_s)
        job = self._threads.submit(read, *args, **kwargs)
        # The place is given back when the read ends, not when its caller stops waiting: a
        # request given up on keeps its reader busy until the child process is done.
        job.add_done_callback(lambda _: self._places.release())
        return await asyncio.wrap_future(job)
