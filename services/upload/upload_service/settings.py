from pydantic import Field
from pydantic_settings import SettingsConfigDict

from hotmart_common import registry
from hotmart_common.settings import ServiceSettings

SERVICE = registry.service("upload")


class UploadSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="UPLOAD_", extra="ignore")

    # Local defaults, from the registry (<NAME>_HTTP_PORT / <NAME>_METRICS_PORT override).
    http_port: int = SERVICE.http_port
    metrics_port: int = SERVICE.metrics_port
    preview_rows: int = 10
    issues_in_resource: int = 20
    # A workbook is read by a child process that keeps a core busy: two at a time use the
    # two cores of the machine this runs on, more would only slow each other down.
    workbook_readers: int = Field(default=2, ge=1)
    # A 10 MB workbook is read in one to three seconds here, so four waiting reads are
    # served within about six; more would hold their files in memory only to time out.
    workbook_reads_waiting: int = Field(default=4, ge=0)
    # Past that the upload is refused: about the time for the waiting reads to be served.
    workbook_retry_after_s: int = Field(default=5, ge=1)
    # The finalizer's read API (outcomes and row issues), which the import resource is
    # composed from.
    finalizer_url: str = "http://127.0.0.1:8005"
