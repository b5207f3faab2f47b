from pydantic_settings import SettingsConfigDict

from hotmart_common.settings import ServiceSettings


class JourneySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="JOURNEY_", extra="ignore")

    http_port: int = 8003
    metrics_port: int = 9403
