from pydantic_settings import SettingsConfigDict

from hotmart_common.settings import ServiceSettings


class UploadSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="UPLOAD_", extra="ignore")

    http_port: int = 8000
    metrics_port: int = 9400
    preview_rows: int = 10
    issues_in_resource: int = 20
