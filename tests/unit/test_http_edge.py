"""The shared HTTP edge on a tiny app: bodies counted as they stream, errors cut short."""

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import Body, FastAPI

from hotmart_common.http_edge import MAX_ECHOED_CHARS, bounded_error, harden

pytestmark = pytest.mark.unit


def app() -> FastAPI:
    edge = FastAPI()
    harden(edge, {"/big": 1_000})

    @edge.post("/small")
    async def small(names: dict[str, int] = Body()) -> int:
        return len(names)

    @edge.post("/big")
    async def big(names: dict[str, int] = Body()) -> int:
        return len(names)

    return edge


async def post(path: str, content: bytes | AsyncIterator[bytes]) -> httpx.Response:
    transport = httpx.ASGITransport(app=app())
    async with httpx.AsyncClient(transport=transport, base_url="http://edge") as client:
        return await client.post(path, content=content,
                                 headers={"Content-Type": "application/json"})


async def test_a_body_over_the_limit_is_refused() -> None:
    answer = await post("/small", b'{"a": 1, "b": "' + b"x" * 70_000 + b'"}')
    assert answer.status_code == 413
    assert "65536 bytes" in answer.json()["detail"]


async def test_a_streamed_body_is_counted_as_it_arrives() -> None:
    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length
        yield b'{"a": "'
        for _ in range(20):
            yield b"x" * 4_096
        yield b'"}'

    answer = await post("/small", chunks())
    assert answer.status_code == 413, answer.text


async def test_each_path_has_its_own_limit() -> None:
    body = b'{"' + b"k" * 2_000 + b'": 1}'
    assert (await post("/small", body)).status_code == 200
    assert (await post("/big", body)).status_code == 413


async def test_a_validation_error_echoes_input_cut_short() -> None:
    answer = await post("/small", b'{"' + b"k" * 30_000 + b'": "' + b"v" * 30_000 + b'"}')
    assert answer.status_code == 422
    [error] = answer.json()["detail"]
    assert len(answer.content) < 1_000
    assert error["loc"][-1] == "k" * MAX_ECHOED_CHARS + "…"
    assert error["input"] == "v" * MAX_ECHOED_CHARS + "…"
    assert "url" not in error


def test_containers_are_echoed_as_the_start_of_their_json() -> None:
    error = bounded_error({"type": "dict_type", "loc": ("body",), "msg": "not a dict",
                           "input": ["y" * 1_000], "ctx": {"expected": "z" * 1_000}})
    assert error["input"].startswith('["yyy') and len(error["input"]) == MAX_ECHOED_CHARS + 1
    assert len(error["ctx"]["expected"]) == MAX_ECHOED_CHARS + 1
    small = bounded_error({"type": "t", "loc": ("query", "offset"), "msg": "m", "input": [1]})
    assert small["input"] == [1]
