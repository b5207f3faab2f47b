from hotmart_common.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class FinalizerSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FINALIZER_", extra="ignore")

    http_port: int = 8005
