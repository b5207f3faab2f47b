from pydantic import Field
from pydantic_settings import SettingsConfigDict

from hotmart_common.settings import ServiceSettings


class FinalizerSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FINALIZER_", extra="ignore")

    http_port: int = 8005
    metrics_port: int = 9405
    stall_deadline_s: float = Field(
        default=600.0, gt=0, description="An import with no progress this long is failed.")
    watch_interval_s: float = Field(default=5.0, gt=0)
