"""A started service freezes what startup allocated and collects garbage less often."""

import gc
from collections.abc import Iterator

import pytest

from hotmart_common.runtime import settle_garbage_collector

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def restored_collector() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_startup_objects_are_frozen_and_the_young_generation_waits_longer() -> None:
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    settle_garbage_collector(50_000)
    assert gc.get_threshold() == (50_000, 10, 10)
    assert gc.get_freeze_count() > 1000  # at least this test run's modules


def test_zero_keeps_pythons_thresholds() -> None:
    gc.set_threshold(700, 10, 10)
    settle_garbage_collector(0)
    assert gc.get_threshold() == (700, 10, 10)
    assert gc.get_freeze_count() > 1000
