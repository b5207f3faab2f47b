from pydantic_settings import SettingsConfigDict

from hotmart_common import registry
from hotmart_common.settings import ServiceSettings

SERVICE = registry.service("matcher")


class MatcherSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MATCHER_", extra="ignore")

    # Local defaults, from the registry (<NAME>_HTTP_PORT / <NAME>_METRICS_PORT override).
    http_port: int = SERVICE.http_port
    metrics_port: int = SERVICE.metrics_port
