from pydantic_settings import SettingsConfigDict

from hotmart_common.settings import ServiceSettings


class RevenueSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REVENUE_", extra="ignore")

    http_port: int = 8004
    metrics_port: int = 9404
