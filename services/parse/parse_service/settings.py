from pydantic import Field
from pydantic_settings import SettingsConfigDict

from hotmart_common import registry
from hotmart_common.settings import ServiceSettings

SERVICE = registry.service("parse")


class ParseSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PARSE_", extra="ignore")

    # Local defaults, from the registry (<NAME>_HTTP_PORT / <NAME>_METRICS_PORT override).
    http_port: int = SERVICE.http_port
    metrics_port: int = SERVICE.metrics_port
    chunk_size: int = Field(default=300, ge=1)
    # The matcher's read API, asked which buyers are clients for the 'skip' policy.
    matcher_url: str = f"http://127.0.0.1:{registry.service('matcher').http_port}"
