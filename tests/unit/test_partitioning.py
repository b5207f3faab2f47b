"""Messages go to the partition aiokafka's own ``send`` would choose for their key."""

import random

import pytest
from aiokafka.partitioner import DefaultPartitioner
from aiokafka.partitioner import murmur2 as aiokafka_murmur2

from hotmart_common.kafka_batches import murmur2, partition_for

pytestmark = pytest.mark.unit

KEYS = [b"", b"a", b"ab", b"abc", b"abcd", b"\xff\xfe\xfd\xfc\xfb",
        b"5d0c8a8e-1f7b-4c1e-8a43-8f1f3f7d6a10:17", b"maria.silva@exemplo.com.br"]


def test_murmur2_is_kafkas_for_every_length_and_byte() -> None:
    rng = random.Random(7)
    keys = KEYS + [rng.randbytes(rng.randrange(0, 80)) for _ in range(3000)]
    assert [murmur2(k) for k in keys] == [aiokafka_murmur2(k) for k in keys]


def test_known_value_from_the_java_client() -> None:
    # org.apache.kafka.common.utils.Utils.murmur2("21".getBytes()) == -973932308
    assert murmur2(b"21") == -973932308 & 0xFFFFFFFF


def test_partition_is_the_one_send_chooses() -> None:
    partitions = list(range(12))
    chooser = DefaultPartitioner()
    for key in KEYS:
        assert partition_for(key, partitions) == chooser(key, partitions, partitions)
