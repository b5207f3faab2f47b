from pydantic import Field
from pydantic_settings import SettingsConfigDict

from hotmart_common.settings import ServiceSettings


class ParseSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PARSE_", extra="ignore")

    http_port: int = 8001
    metrics_port: int = 9401
    chunk_size: int = Field(default=300, ge=1)
