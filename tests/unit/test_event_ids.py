"""Stable event ids: the same fact gives the same id, and the id is a standard UUID v5."""

import pickle
from uuid import UUID, uuid4, uuid5

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotmart_common.events import EVENT_NAMESPACE, stable_event_id

pytestmark = pytest.mark.unit


@given(st.lists(st.one_of(st.text(), st.integers(), st.uuids()), min_size=1, max_size=4))
def test_equals_uuid5_of_the_joined_parts(parts: list[object]) -> None:
    expected = uuid5(EVENT_NAMESPACE, ":".join(str(part) for part in parts))
    got = stable_event_id(*parts)
    assert got == expected
    assert str(got) == str(expected)
    assert hash(got) == hash(expected)
    assert got.version == 5


def test_behaves_as_any_uuid() -> None:
    event_id = stable_event_id(uuid4(), "row", 2)
    assert pickle.loads(pickle.dumps(event_id)) == event_id
    assert UUID(str(event_id)) == event_id
    assert event_id.bytes == UUID(hex=event_id.hex).bytes
