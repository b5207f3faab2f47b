"""The matcher's read API: which buyers are already clients, for parse's 'skip' policy.

The matcher owns the clients; another service asks here instead of reading its table.
Tenant-scoped: another tenant's clients are never named.
"""

from typing import Annotated, Final
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, Field

from hotmart_common.http_edge import error_responses
from hotmart_common.service import Context

from .repository import MatcherRepository

router = APIRouter(prefix="/internal/v1/clients", tags=["clients"])
# A request's e-mails: about 40 KB of JSON, under the default 64 KiB body limit.
MAX_EMAILS: Final = 1000




class ExistingClientsQuery(BaseModel):
    tenant_id: str = Field(min_length=1, max_length=200, pattern=r"^[^\x00]+$",
                           description="The tenant whose clients are asked about.")
    emails: list[Annotated[str, Field(max_length=320, pattern=r"^[^\x00]*$")]] = Field(
        max_length=MAX_EMAILS, description="E-mails as parse normalised them.")
    import_id: UUID = Field(description="The import asking: clients it created itself do not "
                                        "count as existing (a re-parse sees the same set).")


class ExistingClients(BaseModel):
    emails: list[str] = Field(description="Those of the e-mails that are clients of the "
                                          "tenant, created by another import.")


@router.post("/existing", responses=error_responses(413, 422))
async def existing_clients(query: ExistingClientsQuery, ctx: Context) -> ExistingClients:
    """Which of these e-mails are already clients (not created by the asking import)."""
    async with ctx.store.pool.acquire() as conn:
        found = await MatcherRepository(conn).existing_before(
            query.tenant_id, sorted(set(query.emails)), query.import_id)
    return ExistingClients(emails=sorted(found))
