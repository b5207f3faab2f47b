from pydantic import Field
from pydantic_settings import SettingsConfigDict

from hotmart_common import registry
from hotmart_common.settings import ServiceSettings

SERVICE = registry.service("finalizer")


class FinalizerSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FINALIZER_", extra="ignore")

    # Local defaults, from the registry (<NAME>_HTTP_PORT / <NAME>_METRICS_PORT override).
    http_port: int = SERVICE.http_port
    metrics_port: int = SERVICE.metrics_port
    stall_deadline_s: float = Field(
        default=600.0, gt=0, description="An import with no progress this long is failed.")
    watch_interval_s: float = Field(default=5.0, gt=0)
    settle_pace_s: float = Field(
        default=0.2, ge=0, description="Once busy, chunk reports are handled about one batch "
        "per this many seconds per partition (after a burst at once from idle): fewer, bigger "
        "batches, for fewer statements; 0 handles each poll at once.")
