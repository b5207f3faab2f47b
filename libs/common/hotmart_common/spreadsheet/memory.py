"""Keeps the memory of an import from outliving it."""

import ctypes
import ctypes.util
import gc
from typing import Any, Final

_M_MMAP_THRESHOLD: Final = -3  # mallopt's parameter number, from glibc's malloc.h
_LARGE_BLOCK_BYTES: Final = 256 * 1024


def _libc() -> Any:
    path = ctypes.util.find_library("c")
    return ctypes.CDLL(path) if path else None


_LIBC = _libc()


def map_large_blocks() -> None:
    """Blocks of 256 KB or more (a file, a column's list) come from mmap and go back to the
    system when freed. glibc's default threshold grows with the largest block freed, so after
    one big import such blocks would come from the heap and stay there; fixing it keeps
    them mapped. Call once, when a service starts."""
    if _LIBC is not None and hasattr(_LIBC, "mallopt"):
        _LIBC.mallopt(_M_MMAP_THRESHOLD, _LARGE_BLOCK_BYTES)


def release_memory() -> None:
    """After an import glibc keeps the freed rows' memory for reuse, so a service that is
    idle between imports would carry tens of MB into the next one."""
    gc.collect()
    if _LIBC is not None and hasattr(_LIBC, "malloc_trim"):
        _LIBC.malloc_trim(0)
