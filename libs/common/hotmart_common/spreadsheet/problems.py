from typing import Final

_HTTP_STATUS_BY_CODE: Final = {"too_large": 413, "unsupported_format": 415}


class FileProblem(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.http_status = _HTTP_STATUS_BY_CODE.get(code, 422)

    def __repr__(self) -> str:
        return f"FileProblem({self.code!r}, {self.message!r})"
