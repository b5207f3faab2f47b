from pydantic_settings import SettingsConfigDict

from hotmart_common.settings import ServiceSettings


class MatcherSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MATCHER_", extra="ignore")

    http_port: int = 8002
    metrics_port: int = 9402
