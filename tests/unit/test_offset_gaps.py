"""A partition whose records jump over offsets is read again from the gap, a bounded number
of times (our topics have no transactions or compaction: their offsets follow one another)."""

from typing import Any

import pytest
from aiokafka import ConsumerRecord

from hotmart_common.kafka_consumer import OffsetGaps

pytestmark = pytest.mark.unit


def records(*offsets: int, partition: int = 0, topic: str = "t") -> list[ConsumerRecord[Any, Any]]:
    return [ConsumerRecord(topic=topic, partition=partition, offset=offset, timestamp=0,
                           timestamp_type=0, key=None, value=b"{}", checksum=None,
                           serialized_key_size=0, serialized_value_size=2, headers=())
            for offset in offsets]


def offsets(kept: list[ConsumerRecord[Any, Any]]) -> list[int]:
    return [record.offset for record in kept]


def test_consecutive_offsets_are_all_handled() -> None:
    gaps = OffsetGaps()
    kept, reread = gaps.split(records(5, 6, 7))
    assert (offsets(kept), reread) == ([5, 6, 7], {}), "where a partition starts is unknown"
    gaps.handled(kept)
    assert gaps.split(records(8, 9)) == (records(8, 9), {})


def test_a_gap_inside_a_batch_keeps_what_precedes_it_and_rereads_from_it() -> None:
    gaps = OffsetGaps()
    kept, reread = gaps.split([*records(0, 1, 2, 6, 7), *records(3, 4, partition=1)])
    assert (offsets(kept), reread) == ([0, 1, 2, 3, 4], {("t", 0): 3})


def test_a_gap_before_a_batch_rereads_the_partition_and_spares_the_others() -> None:
    gaps = OffsetGaps()
    gaps.handled(records(0, 1, 2))
    gaps.handled(records(0, partition=1))
    kept, reread = gaps.split([*records(9, 10), *records(1, 2, partition=1)])
    assert (offsets(kept), reread) == ([1, 2], {("t", 0): 3})


def test_a_redelivery_from_an_earlier_offset_is_no_gap() -> None:
    gaps = OffsetGaps()
    gaps.handled(records(0, 1, 2))
    assert gaps.split(records(1, 2, 3)) == (records(1, 2, 3), {})


def test_a_gap_that_stays_is_taken_as_it_is_after_a_few_rereads() -> None:
    gaps = OffsetGaps(max_rereads=2)
    gaps.handled(records(0))
    for _ in range(2):
        assert gaps.split(records(5, 6))[1] == {("t", 0): 1}
    assert gaps.split(records(5, 6)) == (records(5, 6), {})
