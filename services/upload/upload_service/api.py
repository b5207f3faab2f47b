"""HTTP edge of the upload service: validation and status codes, nothing else."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Final, Literal
from uuid import UUID

from fastapi import (
    APIRouter,
    Body,
    Depends,
    File,
    HTTPException,
    Query,
    Request,
    UploadFile,
    status,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse

from hotmart_common.csv_out import attachment
from hotmart_common.events import RowIssue
from hotmart_common.http_edge import error_responses
from hotmart_common.service import Context, ServiceContext
from hotmart_common.spreadsheet import MAX_FILE_BYTES, FileProblem
from hotmart_common.spreadsheet.memory import release_memory

from .imports import (
    Confirmation,
    InvalidMapping,
    NotConfirmable,
    accept_upload,
    confirm_import,
    retry_import,
    safe_file_name,
)
from .outcomes import FinalizerClient, FinalizerUnavailable, Outcome
from .readers import ReadersBusy, WorkbookReaders
from .rejected_rows import ExportGone, RowsToFix, next_after_row, rows_to_fix_download
from .repository import ImportRecord, ImportsRepository
from .resources import (
    ConfirmRequest,
    ImportHistory,
    ImportResource,
    RowIssueOut,
    RowIssuePage,
    public_status,
)
from .settings import UploadSettings

router = APIRouter(prefix="/v1/imports", tags=["imports"])
# A 10 MB file and its multipart envelope, with room to spare: a file just over 10 MB gets
# the route's own answer, which says what to do; only far larger bodies are cut off unread.
MAX_UPLOAD_BODY_BYTES = 2 * MAX_FILE_BYTES
# Paging values go into PostgreSQL integers: larger ones are refused here, naming the field.
MAX_PG_INTEGER = 2**31 - 1
# A smallest importable export, for the OpenAPI: its columns are the ones ConfirmRequest's
# example maps, so a client generated from the contract can run the whole flow.
EXAMPLE_EXPORT = "E-mail;Valor\r\nana@example.com;1.234,56\r\n"




async def workbook_readers(request: Request, ctx: Context) -> WorkbookReaders:
    """The service's one reader budget, made by the first upload that needs it (on the event
    loop, so no two requests make one each)."""
    state = request.app.state
    if not hasattr(state, "workbook_readers"):
        settings = ctx.settings
        assert isinstance(settings, UploadSettings)
        state.workbook_readers = WorkbookReaders(settings.workbook_readers,
                                                 settings.workbook_reads_waiting,
                                                 settings.workbook_retry_after_s)
    readers: WorkbookReaders = state.workbook_readers
    return readers


Readers = Annotated[WorkbookReaders, Depends(workbook_readers)]
# How long a client should wait when the finalizer (which keeps every import's outcome)
# does not answer: about a service restart.
FINALIZER_RETRY_AFTER_S: Final = 5


async def finalizer_client(request: Request, ctx: Context) -> FinalizerClient:
    """The service's one client of the finalizer's read API, made by the first request."""
    state = request.app.state
    if not hasattr(state, "finalizer"):
        settings = ctx.settings
        assert isinstance(settings, UploadSettings)
        state.finalizer = FinalizerClient(settings.finalizer_url)
    client: FinalizerClient = state.finalizer
    return client


Finalizer = Annotated[FinalizerClient, Depends(finalizer_client)]


def _with_retry_after(responses: dict[int | str, dict[str, Any]]) -> dict[int | str, Any]:
    responses[503] = {**responses[503], "headers": {"Retry-After": {
        "description": "Seconds to wait before retrying.", "schema": {"type": "integer"}}}}
    return responses


def _unavailable(error: FinalizerUnavailable) -> HTTPException:
    return HTTPException(
        503, detail="The import's progress and results cannot be read right now (the "
                    "finalizer service does not answer); nothing is lost, retry shortly.",
        headers={"Retry-After": str(FINALIZER_RETRY_AFTER_S)})


_UPLOAD_ERRORS = _with_retry_after(error_responses(400, 413, 415, 422, 503))


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ImportResource,
             responses=_UPLOAD_ERRORS)
async def upload_export(file: Annotated[UploadFile, File(
                            description="The export: CSV, XLSX or XLS, at most 10 MB.",
                            examples=[EXAMPLE_EXPORT])],
                        request: Request, ctx: Context, readers: Readers,
                        finalizer: Finalizer) -> ImportResource:
    """Upload a Hotmart sales export (CSV, XLSX or XLS, at most 10 MB).

    Answers the import resource with a preview: the detected column mapping and the first
    rows as they will be imported. Nothing is imported until the import is confirmed.
    """
    await _require_one_file(request)
    name = safe_file_name(file.filename)
    settings = ctx.settings
    assert isinstance(settings, UploadSettings) and ctx.blobs is not None
    try:
        import_id = await accept_upload(ctx.store, ctx.blobs, readers, ctx.tenant_id,
                                        await file.read(MAX_FILE_BYTES + 1), name,
                                        settings.preview_rows)
    except FileProblem as problem:
        raise HTTPException(problem.http_status, detail=problem.message) from problem
    except ReadersBusy as busy:
        raise HTTPException(503, detail=f"'{name}' was not read: {busy}.",
                            headers={"Retry-After": str(busy.retry_after_s)}) from busy
    finally:
        release_memory()  # the file's bytes and grid are garbage by now
    return await _resource(ctx, finalizer, import_id, with_preview=True)


@router.post("/{import_id}/confirm", status_code=status.HTTP_202_ACCEPTED,
             response_model=ImportResource,
             responses=_with_retry_after(error_responses(400, 404, 409, 413, 422, 503)))
async def confirm(import_id: UUID, ctx: Context, finalizer: Finalizer,
                  body: Annotated[ConfirmRequest | None, Body()] = None) -> ImportResource:
    """Start the import, with the detected mapping or the one given in the body.

    Confirming again is safe (a client that lost the answer may): without a body, or with
    the same one, it answers 202 again; with a body that differs from what was confirmed,
    409.
    """
    try:
        await confirm_import(ctx.store, ctx.tenant_id, import_id, _confirmation(body),
                             _status_reader(finalizer))
    except FinalizerUnavailable as unavailable:
        raise _unavailable(unavailable) from unavailable
    except LookupError as missing:
        raise HTTPException(404, detail=f"import {import_id} not found") from missing
    except NotConfirmable as conflict:
        raise HTTPException(409, detail=str(conflict)) from conflict
    except InvalidMapping as invalid:
        raise HTTPException(422, detail=f"invalid mapping: {invalid}") from invalid
    return await _resource(ctx, finalizer, import_id, with_preview=False)


@router.post("/{import_id}/retry", status_code=status.HTTP_202_ACCEPTED,
             response_model=ImportResource,
             responses=_with_retry_after(error_responses(404, 409, 422, 503)))
async def retry(import_id: UUID, ctx: Context, finalizer: Finalizer) -> ImportResource:
    """Resume a failed (or stalled, hence failed) import from what is already done
    (nothing is counted twice)."""
    try:
        await retry_import(ctx.store, ctx.tenant_id, import_id, _status_reader(finalizer))
    except FinalizerUnavailable as unavailable:
        raise _unavailable(unavailable) from unavailable
    except LookupError as missing:
        raise HTTPException(404, detail=f"import {import_id} not found") from missing
    except NotConfirmable as conflict:
        raise HTTPException(409, detail=str(conflict)) from conflict
    return await _resource(ctx, finalizer, import_id, with_preview=False)


_READ_ERRORS = _with_retry_after(error_responses(404, 422, 503))


@router.get("/{import_id}", response_model=ImportResource, responses=_READ_ERRORS)
async def get_import(import_id: UUID, ctx: Context, finalizer: Finalizer) -> ImportResource:
    """The import with its live progress, its summary once completed, and its first issues."""
    return await _resource(ctx, finalizer, import_id, with_preview=True)


@router.get("", response_model=ImportHistory,
            responses=_with_retry_after(error_responses(422, 503)))
async def history(ctx: Context, finalizer: Finalizer,
                  limit: Annotated[int, Query(ge=1, le=200)] = 50,
                  offset: Annotated[int, Query(ge=0, le=MAX_PG_INTEGER)] = 0) -> ImportHistory:
    """The import history, newest first."""
    async with ctx.store.pool.acquire() as conn:
        records = await ImportsRepository(conn).history(ctx.tenant_id, limit, offset)
    confirmed = [r.import_id for r in records if r.status != "uploaded"]
    try:
        outcomes = await finalizer.outcomes(ctx.tenant_id, confirmed)
    except FinalizerUnavailable as unavailable:
        raise _unavailable(unavailable) from unavailable
    return ImportHistory(
        items=[ImportResource.of(r, outcomes.get(r.import_id), [], with_preview=False)
               for r in records],
        limit=limit, offset=offset,
    )


@router.get("/{import_id}/rows", response_model=RowIssuePage, responses=_READ_ERRORS)
async def row_issues(
    import_id: UUID, ctx: Context, finalizer: Finalizer,
    row_status: Annotated[Literal["skipped", "failed"] | None, Query(alias="status")] = None,
    after_row: Annotated[int, Query(ge=0, le=MAX_PG_INTEGER)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> RowIssuePage:
    """Every skipped or failed row with its reason, paged by row number."""
    await _record(ctx, import_id)
    try:
        issues = await finalizer.issues(ctx.tenant_id, import_id, status=row_status,
                                        limit=limit, after_row=after_row)
    except FinalizerUnavailable as unavailable:
        raise _unavailable(unavailable) from unavailable
    return RowIssuePage(
        items=[RowIssueOut.of(i) for i in issues],
        next_after_row=issues[-1].row_number if len(issues) == limit else None,
    )


MAX_ROWS_PER_DOWNLOAD: Final = 100_000  # a 10 MB export has about 80 000 rows


@router.get(
    "/{import_id}/rows.csv", response_class=StreamingResponse,
    responses={
        200: {"content": {"text/csv": {}},
              "description": "The rows to fix, streamed as CSV (UTF-8 with a BOM, ';').",
              "headers": {"Link": {"description": 'The next download, rel="next", when more '
                                                  "rows follow than this one holds.",
                                   "schema": {"type": "string"}}}},
        **_with_retry_after(error_responses(404, 410, 422, 503)),
    },
)
async def rejected_rows_download(
    import_id: UUID, ctx: Context, request: Request, finalizer: Finalizer,
    row_status: Annotated[Literal["skipped", "failed"] | None, Query(alias="status")] = None,
    after_row: Annotated[int, Query(ge=0, le=MAX_PG_INTEGER,
                                    description="Only rows after this row number.")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_ROWS_PER_DOWNLOAD,
                                description="At most this many rows.")] = MAX_ROWS_PER_DOWNLOAD,
) -> StreamingResponse:
    """Every skipped / failed row with its reason, then its original cells (CSV, ';').

    The answer is streamed: one request costs the same memory whatever the number of rows.
    What one request may cost is capped at 100 000 rows (`limit`; a 10 MB export has about
    80 000); when more follow, the `Link` header names the next download (`after_row`).
    A cell a spreadsheet would run as a formula (starting with =, +, -, @, a tab or a
    carriage return) starts with a single quote; a column of the file named like one the
    download adds is renamed ("problem (2)").
    """
    record = await _record(ctx, import_id)
    assert ctx.blobs is not None
    rows = RowsToFix(ctx.tenant_id, import_id, row_status, after_row, limit)
    try:
        following = await next_after_row(finalizer, rows)
        download = await rows_to_fix_download(finalizer, ctx.blobs, record, rows)
    except FinalizerUnavailable as unavailable:
        raise _unavailable(unavailable) from unavailable
    except ExportGone as gone:
        raise HTTPException(410, detail=str(gone)) from gone
    stem = (record.file_name or "import").rsplit(".", 1)[0]
    headers = {"Content-Disposition": attachment(f"{stem}-rows-to-fix.csv")}
    if following is not None:
        headers["Link"] = f'<{request.url.include_query_params(after_row=following)}>; rel="next"'
    return StreamingResponse(download.chunks(), media_type="text/csv; charset=utf-8",
                             headers=headers)


def _confirmation(body: ConfirmRequest | None) -> Confirmation:
    """What the client asked for; a field it did not send is None (compared with nothing)."""
    if body is None:
        return Confirmation()
    sent = body.model_fields_set
    return Confirmation(
        mapping=body.mapping,
        duplicate_policy=body.duplicate_policy if "duplicate_policy" in sent else None,
        default_purchased_at=body.default_purchase_date,
        status_when_missing=(body.status_when_missing if "status_when_missing" in sent
                             else None),
    )


async def _require_one_file(request: Request) -> None:
    """A second `file` part would otherwise silently replace the first (the form is parsed
    once and cached, so this costs nothing)."""
    files = (await request.form()).getlist("file")
    if len(files) > 1:
        raise RequestValidationError([{
            "type": "too_many_files", "loc": ("body", "file"), "input": None,
            "msg": f"send one file per upload: this request has {len(files)} parts named "
                   "'file'",
        }])


async def _record(ctx: ServiceContext, import_id: UUID) -> ImportRecord:
    async with ctx.store.pool.acquire() as conn:
        record = await ImportsRepository(conn).get(ctx.tenant_id, import_id)
    if record is None:
        raise HTTPException(404, detail=f"import {import_id} not found")
    return record


def _status_reader(finalizer: FinalizerClient) -> Callable[[ImportRecord], Awaitable[str]]:
    async def status_of(record: ImportRecord) -> str:
        return public_status(record, await finalizer.outcome(record.tenant_id,
                                                             record.import_id))
    return status_of


async def _resource(ctx: ServiceContext, finalizer: FinalizerClient, import_id: UUID, *,
                    with_preview: bool) -> ImportResource:
    """The intake record composed with the finalizer's outcome and first issues."""
    settings = ctx.settings
    assert isinstance(settings, UploadSettings)
    record = await _record(ctx, import_id)
    outcome: Outcome | None = None
    issues: list[RowIssue] = []
    if record.status != "uploaded":
        try:
            outcome, issues = await asyncio.gather(
                finalizer.outcome(ctx.tenant_id, import_id),
                finalizer.issues(ctx.tenant_id, import_id, limit=settings.issues_in_resource))
        except FinalizerUnavailable as unavailable:
            raise _unavailable(unavailable) from unavailable
    return ImportResource.of(record, outcome, issues, with_preview=with_preview)
