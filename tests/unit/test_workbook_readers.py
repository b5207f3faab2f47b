import asyncio
import threading

import pytest

from upload_service.readers import ReadersBusy, WorkbookReaders

pytestmark = pytest.mark.unit

WAIT_S = 10.0  # only ever waited in full when something is wrong


class Gate:
    def __init__(self) -> None:
        self.reached, self.opened = threading.Event(), threading.Event()


def held_read(gate: Gate) -> str:
    gate.reached.set()
    assert gate.opened.wait(WAIT_S), "the test never opened the gate"
    return threading.current_thread().name


async def test_reads_past_the_readers_and_their_waiting_places_are_refused() -> None:
    readers, gate = WorkbookReaders(readers=1, waiting=1, retry_after_s=7), Gate()
    admitted = [asyncio.create_task(readers.run(held_read, gate)) for _ in range(2)]
    await asyncio.sleep(0)

    with pytest.raises(ReadersBusy) as refused:
        await readers.run(held_read, gate)

    assert refused.value.retry_after_s == 7
    gate.opened.set()
    names = await asyncio.gather(*admitted)
    assert all(name.startswith("workbook-reader") for name in names)  # not the default pool
    assert (await readers.run(held_read, gate)).startswith("workbook-reader")


async def test_a_read_given_up_on_keeps_its_place_until_it_ends() -> None:
    readers, gate = WorkbookReaders(readers=1, waiting=0, retry_after_s=1), Gate()
    given_up = asyncio.create_task(readers.run(held_read, gate))
    assert await asyncio.to_thread(gate.reached.wait, WAIT_S)
    given_up.cancel()

    with pytest.raises(ReadersBusy):
        await readers.run(held_read, gate)

    gate.opened.set()
    for _ in range(int(WAIT_S / 0.01)):  # the place comes back once the thread is done
        try:
            await readers.run(held_read, gate)
        except ReadersBusy:
            await asyncio.sleep(0.01)
        else:
            return
    pytest.fail("the place never came back")


async def test_a_read_that_fails_gives_its_place_back() -> None:
    readers = WorkbookReaders(readers=1, waiting=0, retry_after_s=1)
    for _ in range(3):
        with pytest.raises(ValueError, match="damaged"):
            await readers.run(_damaged)


def _damaged() -> None:
    raise ValueError("damaged")
