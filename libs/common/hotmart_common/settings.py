"""Infrastructure settings shared by every service (env prefix ``HOTMART_``)."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class InfraSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOTMART_", extra="ignore")

    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    database_url: str = "postgresql://postgres@127.0.0.1:5432/hotmart_import"
    database_pool_size: int = Field(default=8, ge=1)
    s3_endpoint_url: str | None = None
    s3_bucket: str = "hotmart-imports"
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = None
    tenant_id: str = "default"
    row_topic_partitions: int = Field(default=8, ge=1)
    # How long the broker may hold a consumer's fetch that found nothing (Kafka's default).
    kafka_fetch_max_wait_ms: int = Field(default=500, ge=1)
    log_level: str = "INFO"
    # Allocations between two young-generation garbage collections once a service has
    # started (Python's default is 700); 0 keeps Python's default. See hotmart_common.runtime.
    gc_young_threshold: int = Field(default=50_000, ge=0)


class ServiceSettings(BaseSettings):
    """Base of each service's own settings class; subclasses set their own env prefix."""

    model_config = SettingsConfigDict(extra="ignore")

    http_host: str = "127.0.0.1"
    http_port: int = 8080
    # /metrics is served here, not on http_port: the API's port may face clients, this one
    # only Prometheus. Each service sets its own default (<NAME>_METRICS_PORT overrides it).
    metrics_port: int = 9464
    infra: InfraSettings = Field(default_factory=InfraSettings)
