"""HTTP client of the import API (the upload service), as the command line uses it."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

Resource = dict[str, Any]


class ApiError(Exception):
    """The API answered 4xx/5xx, or could not be reached (`status_code` None)."""

    def __init__(self, detail: str, status_code: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.status_code = status_code

    @property
    def transient(self) -> bool:
        return self.status_code is None or self.status_code >= 500


class ImportApi:
    def __init__(self, base_url: str, *, timeout: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout)

    def __enter__(self) -> ImportApi:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._http.close()

    def upload(self, path: Path) -> Resource:
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        with path.open("rb") as content:
            files = {"file": (path.name, content, content_type)}
            return self._json(self._send("POST", "/v1/imports", files=files))

    def confirm(self, import_id: str) -> None:
        self._send("POST", f"/v1/imports/{import_id}/confirm")

    def get(self, import_id: str) -> Resource:
        return self._json(self._send("GET", f"/v1/imports/{import_id}"))

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TransportError as error:
            raise ApiError(f"cannot reach the import API at {self.base_url}: {error}") from error
        if response.is_error:
            raise ApiError(error_detail(response), response.status_code)
        return response

    @staticmethod
    def _json(response: httpx.Response) -> Resource:
        document = response.json()
        if not isinstance(document, dict):
            raise ApiError(f"unexpected answer from {response.url}: {response.text[:200]}")
        return document


def error_detail(response: httpx.Response) -> str:
    """The server's `detail`, which FastAPI gives as a string or a list of field errors."""
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    if isinstance(detail, list):
        detail = "; ".join(_field_error(item) for item in detail)
    if not detail:
        detail = response.text.strip()[:500] or response.reason_phrase
    return f"{detail} (HTTP {response.status_code})"


def _field_error(item: Any) -> str:
    if not isinstance(item, dict):
        return str(item)
    where = ".".join(str(part) for part in item.get("loc", []))
    return f"{where}: {item.get('msg', item)}" if where else str(item.get("msg", item))
