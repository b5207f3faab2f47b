from hotmart_common.service import ServiceContext, ServiceDefinition

from .api import MAX_UPLOAD_BODY_BYTES, router
from .repository import MIGRATIONS


async def prepare_bucket(ctx: ServiceContext) -> None:
    assert ctx.blobs is not None
    await ctx.blobs.ensure_bucket()


definition = ServiceDefinition(
    name="upload",
    migrations=[("upload", MIGRATIONS)],
    title="Hotmart Import API",
    uses_s3=True,
    routers=[router],
    body_limits={"/v1/imports": MAX_UPLOAD_BODY_BYTES},
    on_start=prepare_bucket,
)
