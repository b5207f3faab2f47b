"""What every service's HTTP edge shares: a bound on request bodies and one error shape.

A hostile client must cost a service no more than a well-behaved one: a request body is read
only up to what its route can use (413 beyond), and no error echoes unbounded input back
(a 33 MB mapping once took 6 s and 570 MB; a 100 MB column name came back whole in a 422).
"""

import json
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# A confirm body is a mapping of about fifteen fields to column names, a policy and a date:
# a few hundred bytes. 64 KiB leaves room for long column names and nothing for abuse.
MAX_BODY_BYTES = 64 * 1024
# The most of a client's own input an error repeats back, and the longest error message.
MAX_ECHOED_CHARS = 200
MAX_DETAIL_CHARS = 1_000
TRUNCATED = "…"


class FieldError(BaseModel):
    """One invalid field, as FastAPI reports it, with the echoed input cut short."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="Stable error code, e.g. less_than_equal.")
    loc: list[str | int] = Field(description="Where: body / query / path, then the field.")
    msg: str = Field(description="What was wrong, for a person.")
    input: Any = Field(default=None, description="The value sent, at most 200 characters.")


class ErrorBody(BaseModel):
    """Every 4xx the services answer: a sentence, or one entry per invalid field."""

    detail: str | list[FieldError]


ERROR_DESCRIPTIONS = {
    400: "The body is not well-formed (broken multipart or undecodable JSON).",
    404: "No such import for this tenant.",
    409: "The import is not in a state that allows this, or was confirmed differently.",
    410: "The uploaded file is no longer kept (uploads expire after seven days).",
    413: "The request body is larger than this route accepts.",
    415: "The file is not a CSV, XLSX or XLS spreadsheet.",
    422: "A field is invalid (named in `loc`), or the file cannot be imported.",
    429: "Too many requests: retry after the number of seconds in Retry-After.",
    503: "Busy or not ready: retry after the number of seconds in Retry-After.",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the error statuses a route can answer, all with ErrorBody."""
    return {status: {"model": ErrorBody, "description": ERROR_DESCRIPTIONS[status]}
            for status in statuses}


def bounded_text(text: str, limit: int = MAX_ECHOED_CHARS) -> str:
    return text if len(text) <= limit else text[:limit] + TRUNCATED


def bounded_value(value: Any) -> Any:
    """A value small enough to echo: itself, or the start of its JSON as a string."""
    if isinstance(value, str):
        return bounded_text(value)
    text = json.dumps(value, default=str, ensure_ascii=False)
    return value if len(text) <= MAX_ECHOED_CHARS else bounded_text(text)


def bounded_error(error: Mapping[str, Any]) -> dict[str, Any]:
    """A field error whose input, location (a dict key can be a 100 MB string) and context
    are cut short; `url` is dropped: it points at pydantic's pages, not ours."""
    bounded = {key: value for key, value in error.items() if key != "url"}
    bounded["loc"] = [bounded_text(p) if isinstance(p, str) else p for p in error["loc"]]
    bounded["msg"] = bounded_text(str(error["msg"]), MAX_DETAIL_CHARS)
    if "input" in error:
        bounded["input"] = bounded_value(error["input"])
    if isinstance(error.get("ctx"), Mapping):
        bounded["ctx"] = {key: bounded_value(value) for key, value in error["ctx"].items()}
    return bounded


async def validation_failed(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [bounded_error(error) for error in jsonable_encoder(exc.errors())]
    return JSONResponse({"detail": errors}, status_code=422)


async def http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail, default=str)
    return JSONResponse({"detail": bounded_text(detail, MAX_DETAIL_CHARS)},
                        status_code=exc.status_code, headers=exc.headers)


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than {limit} bytes, the most "
                              "this route accepts.")


class BodyLimit:
    """Answers 413 to a request whose body is longer than its route allows.

    The bytes are counted as they arrive, whatever Content-Length says (it may be absent,
    with chunked encoding, or lie). Raised from `receive`, the refusal reaches the app's
    exception handlers as any HTTPException does, before the body is ever held whole, and
    only on a route that reads a body: those are the routes that declare 413.
    """

    def __init__(self, app: ASGIApp, default_limit: int,
                 limits: Mapping[str, int]) -> None:
        self.app = app
        self.default_limit = default_limit
        self.limits = dict(limits)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.get(scope["path"], self.default_limit)
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge(limit)
            return message

        await self.app(scope, counted, send)


def harden(app: FastAPI, body_limits: Mapping[str, int]) -> None:
    """Bounds request bodies (per path, MAX_BODY_BYTES elsewhere) and every error's size."""
    app.add_middleware(BodyLimit, default_limit=MAX_BODY_BYTES, limits=body_limits)
    app.add_exception_handler(RequestValidationError, validation_failed)
    app.add_exception_handler(HTTPException, http_error)
