"""The HTTP edge against a hostile client: bounded bodies and errors, ranges checked where
they enter, repeated requests that cannot change what was decided, metrics off the API."""

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from hotmart_common.http_edge import MAX_BODY_BYTES
from hotmart_stack.services import ALL_SERVICES
from hotmart_stack.stack import EmbeddedStack
from tests.support.api import upload, wait_finished
from upload_service.api import MAX_UPLOAD_BODY_BYTES

pytestmark = pytest.mark.e2e
UNKNOWN = "e3e70682-c209-1cac-a29f-6fbed82c07cd"


def export(tag: str) -> bytes:
    return (f"E-mail;Valor;Status\r\nana.{tag}@example.com;10,00;Aprovado\r\n"
            f"bia.{tag}@example.com;20,00;Aprovado\r\n").encode()


def uploaded(api: httpx.Client) -> str:
    created = upload(api, "edge.csv", export(uuid.uuid4().hex[:8]))
    assert created.status_code == 201, created.text
    import_id: str = created.json()["id"]
    return import_id


def field_errors(answer: httpx.Response) -> list[dict[str, Any]]:
    assert answer.status_code == 422, answer.text
    detail: list[dict[str, Any]] = answer.json()["detail"]
    assert isinstance(detail, list)
    return detail


def test_a_confirm_body_over_the_limit_is_refused_whatever_its_headers_say(
        api: httpx.Client) -> None:
    import_id = uploaded(api)
    mapping = {"mapping": {"email": "x" * (MAX_BODY_BYTES + 1)}}
    declared = api.post(f"/v1/imports/{import_id}/confirm", json=mapping)
    assert declared.status_code == 413, declared.text

    def chunks() -> Iterator[bytes]:  # no Content-Length: the server must count
        yield b'{"mapping": {"email": "'
        for _ in range(64):
            yield b"x" * 4096
        yield b'"}}'

    streamed = api.post(f"/v1/imports/{import_id}/confirm", content=chunks(),
                        headers={"Content-Type": "application/json"})
    assert streamed.status_code == 413, streamed.text
    assert "bytes" in streamed.json()["detail"]
    assert api.get(f"/v1/imports/{import_id}").json()["status"] == "uploaded"


def test_an_upload_far_over_10_mb_is_cut_off_unread(api: httpx.Client) -> None:
    boundary = "edge-boundary"

    def multipart() -> Iterator[bytes]:  # streamed: no Content-Length
        yield (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
               'filename="huge.csv"\r\n\r\nE-mail;Valor\r\n').encode()
        for _ in range(MAX_UPLOAD_BODY_BYTES // 2**20 + 1):
            yield b"a@example.com;1,00\r\n" * 55_189  # about 1 MiB
        yield f"\r\n--{boundary}--\r\n".encode()

    answer = api.post("/v1/imports", content=multipart(), headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert answer.status_code == 413, answer.text[:300]
    assert str(MAX_UPLOAD_BODY_BYTES) in answer.json()["detail"]


def test_an_error_echoes_at_most_a_short_piece_of_the_input(api: httpx.Client) -> None:
    import_id = uploaded(api)
    huge = "c" * 30_000  # under the body limit, so it reaches validation
    as_key = api.post(f"/v1/imports/{import_id}/confirm", json={"mapping": {huge: 1}})
    as_value = api.post(f"/v1/imports/{import_id}/confirm", json={"mapping": {"email": huge}})
    as_type = api.post(f"/v1/imports/{import_id}/confirm", json={"mapping": [huge]})
    for answer in (as_key, as_value, as_type):
        assert answer.status_code == 422, answer.text
        assert len(answer.content) < 2_000, answer.text[:300]
    assert field_errors(as_key)[0]["loc"][:2] == ["body", "mapping"]
    assert field_errors(as_type)[0]["input"].startswith('["ccc')


@pytest.mark.parametrize(("path", "params", "field"), [
    ("/v1/imports", {"offset": "9223372036854775808"}, "offset"),
    ("/v1/imports/{id}/rows", {"after_row": "2147483648"}, "after_row"),
    ("/v1/imports/{id}/rows", {"after_row": "9223372036854775808"}, "after_row"),
])
def test_paging_past_postgresql_integers_names_the_field(api: httpx.Client, path: str,
                                                         params: dict[str, str],
                                                         field: str) -> None:
    answer = api.get(path.format(id=uploaded(api)), params=params)
    assert field_errors(answer)[0]["loc"] == ["query", field]


def test_a_purchase_date_out_of_range_is_refused_and_the_import_stays_confirmable(
        api: httpx.Client) -> None:
    import_id = uploaded(api)
    for moment in ("9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00",
                   "1969-12-31T00:00:00", "2100-01-02T00:00:00Z"):
        refused = api.post(f"/v1/imports/{import_id}/confirm",
                           json={"default_purchase_date": moment})
        assert field_errors(refused)[0]["loc"] == ["body", "default_purchase_date"], moment
    assert api.get(f"/v1/imports/{import_id}").json()["status"] == "uploaded"
    accepted = api.post(f"/v1/imports/{import_id}/confirm",
                        json={"default_purchase_date": "2024-02-29T12:00:00-03:00"})
    assert accepted.status_code == 202, accepted.text
    assert wait_finished(api, import_id)["status"] == "completed"


def test_a_second_confirm_may_repeat_the_first_but_not_change_it(api: httpx.Client) -> None:
    import_id = uploaded(api)
    first = {"mapping": {"email": "E-mail", "amount": "Valor"}, "duplicate_policy": "skip"}
    assert api.post(f"/v1/imports/{import_id}/confirm", json=first).status_code == 202
    assert api.post(f"/v1/imports/{import_id}/confirm", json=first).status_code in (202, 409)
    changed: list[dict[str, Any]] = [
        {"duplicate_policy": "update"}, {"mapping": {"email": "E-mail"}},
        {"default_purchase_date": "2024-01-01T00:00:00Z"}]
    for body in changed:
        answer = api.post(f"/v1/imports/{import_id}/confirm", json=body)
        assert answer.status_code == 409, (body, answer.text)
        assert next(iter(body)) in answer.json()["detail"]
    done = wait_finished(api, import_id)
    assert done["duplicate_policy"] == "skip" and "status" not in done["mapping"]


def test_a_repeated_confirm_while_processing_answers_202(api: httpx.Client) -> None:
    import_id = uploaded(api)
    body = {"mapping": {"email": "E-mail", "amount": "Valor"}}
    assert api.post(f"/v1/imports/{import_id}/confirm", json=body).status_code == 202
    again = [api.post(f"/v1/imports/{import_id}/confirm", json=body),
             api.post(f"/v1/imports/{import_id}/confirm")]
    # 409 only once it has completed: a repeat then is too late, not different
    for answer in again:
        assert answer.status_code == 202 or "completed" in answer.json()["detail"], answer.text


def test_a_second_file_part_is_refused(api: httpx.Client) -> None:
    tag = uuid.uuid4().hex[:8]
    answer = api.post("/v1/imports", files=[("file", ("a.csv", export(tag))),
                                            ("file", ("b.csv", export(tag + "b")))])
    error = field_errors(answer)[0]
    assert error["loc"] == ["body", "file"] and "one file" in error["msg"]


def test_unknown_imports_answer_404_on_every_route(api: httpx.Client) -> None:
    for method, path in (("GET", ""), ("GET", "/rows"), ("GET", "/rows.csv"),
                         ("POST", "/confirm"), ("POST", "/retry")):
        answer = api.request(method, f"/v1/imports/{UNKNOWN}{path}")
        assert answer.status_code == 404, (path, answer.text)
        assert UNKNOWN in answer.json()["detail"]


@pytest.mark.parametrize("service", [spec.name for spec in ALL_SERVICES])
def test_metrics_are_served_on_their_own_port_only(stack: EmbeddedStack, service: str) -> None:
    public = httpx.get(f"{stack.service_url(service)}/metrics", timeout=10)
    assert public.status_code == 404
    assert httpx.get(f"{stack.service_url(service)}/metrics/", timeout=10).status_code == 404
    scraped = httpx.get(stack.metrics_url(service), timeout=10)
    assert scraped.status_code == 200
    assert "process_resident_memory_bytes" in scraped.text
