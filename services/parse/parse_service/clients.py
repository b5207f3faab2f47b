"""Which buyers are already clients, asked of the matcher's read API (for the 'skip' policy).

The matcher owns the clients; parse asks it, for an import confirmed with 'skip' only, and
reads no table of the matcher's. A client counts as existing unless this very import
created it, so a re-parse after a crash, or a retry, sees the same set. A buyer that
another import still in flight is creating may not be a client yet when parse asks, as
with any read of a table another import is still writing.
"""

from collections.abc import Sequence
from typing import Final
from uuid import UUID

import httpx
from pydantic import BaseModel

BATCH: Final = 1000  # e-mails per request: the matcher's limit (about 40 KB of JSON)
PATH: Final = "/internal/v1/clients/existing"


class MatcherUnavailable(ConnectionError):
    """The matcher did not answer: transient, so the confirm is retried until it does."""


class _Existing(BaseModel):
    emails: list[str]


class MatcherClients:
    def __init__(self, base_url: str, timeout_s: float = 10.0) -> None:
        self._http = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout_s)

    async def existing_before(self, tenant_id: str, emails: Sequence[str],
                              import_id: UUID) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(emails), BATCH):
            body = {"tenant_id": tenant_id, "emails": list(emails[start:start + BATCH]),
                    "import_id": str(import_id)}
            try:
                response = await self._http.post(PATH, json=body)
            except httpx.HTTPError as error:
                raise MatcherUnavailable(f"the matcher did not answer ({error})") from error
            if response.status_code >= 500:
                raise MatcherUnavailable(f"the matcher answered {response.status_code}")
            response.raise_for_status()  # a 4xx is a bug of ours: not retried for ever
            found.update(_Existing.model_validate_json(response.content).emails)
        return found
