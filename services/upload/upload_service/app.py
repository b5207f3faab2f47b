from hotmart_common.service import ServiceContext, ServiceDefinition

from .api import router


async def prepare_bucket(ctx: ServiceContext) -> None:
    assert ctx.blobs is not None
    await ctx.blobs.ensure_bucket()


definition = ServiceDefinition(
    name="upload",
    title="Hotmart Import API",
    uses_s3=True,
    routers=[router],
    on_start=prepare_bucket,
)
