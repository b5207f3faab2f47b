"""A paced consumer handles a burst of batches at once after a quiet spell, then about one
batch per period while messages keep coming."""

import pytest

from hotmart_common.kafka_consumer import Pace

pytestmark = pytest.mark.unit


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_goes_at_once_then_one_batch_per_period() -> None:
    clock = Clock()
    pace = Pace(0.2, burst=3, clock=clock)

    assert [pace.wait() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert pace.wait() == pytest.approx(0.2)
    clock.now += 0.2  # the consumer slept as told
    assert pace.wait() == pytest.approx(0.2)


def test_time_spent_handling_counts_toward_the_period() -> None:
    clock = Clock()
    pace = Pace(0.2, burst=1, clock=clock)
    assert pace.wait() == 0.0

    clock.now += 0.15  # the next batch took 0.15 s
    assert pace.wait() == pytest.approx(0.05)


def test_a_quiet_spell_refills_the_burst_and_no_more() -> None:
    clock = Clock()
    pace = Pace(0.2, burst=2, clock=clock)
    pace.wait(), pace.wait()
    assert pace.wait() > 0

    clock.now += 60
    assert [pace.wait() for _ in range(2)] == [0.0, 0.0]
    assert pace.wait() > 0


def test_no_period_never_waits() -> None:
    pace = Pace(0.0, burst=1)
    assert [pace.wait() for _ in range(5)] == [0.0] * 5
