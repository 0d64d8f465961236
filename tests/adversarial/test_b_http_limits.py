"""Issue 25, limits of the HTTP faces: body sizes per route before reading, authentication before
an upload's body, credentials with non-ASCII bytes, the session cookie's origin on the API,
``Origin: null`` on page forms, security headers, duplicate and over-long upload file names."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from seguro_desempleo.api.app import create_app
from tests import signin
from tests.api.seed import TODAY, seeded_db
from tests.payroll.helpers import make_ruc, write_csv

SECRET = "s" * 32


@pytest.fixture
def client(tmp_path: Path) -> Iterator[tuple[TestClient, str]]:
    url, a, _ = seeded_db(tmp_path)
    with TestClient(create_app(db_url=url, secret=SECRET, today=TODAY)) as c:
        yield c, a


def _token(c: TestClient, role: str, subject: str | None = None) -> str:
    return str(signin.token(c, role, subject))


def _raw(app: Any, method: str, path: str, headers: list[tuple[bytes, bytes]],
         chunks: list[bytes]) -> tuple[int, bytes, int, dict[bytes, bytes]]:
    """Call the ASGI app directly: (status, body, chunks the app read, response headers)."""
    read = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal read
        if read < len(chunks):
            read += 1
            return {"type": "http.request", "body": chunks[read - 1], "more_body": read < len(chunks)}
        await asyncio.sleep(0)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "path": path,
             "raw_path": path.encode(), "query_string": b"", "root_path": "", "scheme": "http",
             "server": ("testserver", 80), "client": ("127.0.0.1", 1), "headers": [(b"host", b"testserver"),
                                                                                   *headers], "app": app}

    async def go() -> None:
        stack = app.build_middleware_stack()
        await stack(scope, receive, send)

    asyncio.run(go())
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], body, read, dict(start["headers"])


def test_security_headers_on_pages_api_and_the_fast_path(client: tuple[TestClient, str]) -> None:
    c, a = client
    tok = _token(c, "caseworker")
    answers = [c.get("/"), c.get("/healthz"), c.get("/api/v1/claims", headers={"Authorization": f"Bearer {tok}"}),
               c.post("/api/v1/claims", json={"worker_id": a, "claim_date": "2025-03-20"},
                      headers={"Authorization": f"Bearer {tok}"}),          # answered by the fast path
               c.get("/no-such-page")]
    for r in answers:
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"], r.url
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "same-origin"
    assert answers[3].status_code == 201


def test_a_json_body_over_the_limit_is_refused_before_it_is_read(client: tuple[TestClient, str]) -> None:
    c, _ = client
    tok = _token(c, "caseworker").encode()
    status, body, read, _ = _raw(c.app, "POST", "/api/v1/claims",
                                 [(b"authorization", b"Bearer " + tok), (b"content-type", b"application/json"),
                                  (b"content-length", str(150 * 2**20).encode())], [b"{" * 10])
    assert status == 413 and read == 0 and b"larger than" in body


def test_a_body_without_length_is_cut_off_at_the_limit(client: tuple[TestClient, str]) -> None:
    c, _ = client
    tok = _token(c, "caseworker").encode()
    chunks = [b" " * (256 * 1024)] * 12 + [b"{}"]         # 3 MiB, no Content-Length
    status, _, read, _ = _raw(c.app, "POST", "/api/v1/employers",
                              [(b"authorization", b"Bearer " + tok), (b"content-type", b"application/json")], chunks)
    assert status == 413 and read < len(chunks)
    status, _, read, _ = _raw(c.app, "POST", "/api/v1/evaluate",                  # 16 MiB there: a batch
                              [(b"content-type", b"application/json"),
                               (b"content-length", str(17 * 2**20).encode())], [b"{}"])
    assert status == 413 and read == 0


def test_an_anonymous_upload_is_refused_before_its_body_is_read(client: tuple[TestClient, str]) -> None:
    c, _ = client
    status, body, read, _ = _raw(c.app, "POST", "/api/v1/payroll/uploads",
                                 [(b"content-type", b"multipart/form-data; boundary=x"),
                                  (b"content-length", str(40 * 2**20).encode())], [b"--x" * 1000])
    assert status == 401 and read == 0 and b"log in" in body
    status, _, read, headers = _raw(c.app, "POST", "/empleador/planilla",
                                    [(b"content-type", b"multipart/form-data; boundary=x"),
                                     (b"content-length", str(10 * 2**20).encode())], [b"--x" * 1000])
    assert status == 303 and read == 0 and headers[b"location"] == b"/ingresar"
    tok = _token(c, "employer", make_ruc(5)).encode()      # logged in: the size limit of the route
    status, _, read, _ = _raw(c.app, "POST", "/api/v1/payroll/uploads",
                              [(b"authorization", b"Bearer " + tok), (b"content-type", b"multipart/form-data; boundary=x"),
                               (b"content-length", str(400 * 2**20).encode())], [b"--x"])
    assert status == 413 and read == 0


def test_non_ascii_bytes_in_a_token_or_cookie_are_not_a_500(client: tuple[TestClient, str]) -> None:
    c, _ = client
    for path in ("/", "/transparencia", "/gestion", "/api/v1/me"):
        status, _, _, _ = _raw(c.app, "GET", path, [(b"cookie", b"sd_token=eyJ4Ijo.\xff\xfe; lang=es")], [])
        assert status in (200, 303, 401), (path, status)
        status, body, _, _ = _raw(c.app, "GET", path, [(b"authorization", b"Bearer eyJ4Ijo.\xc3\xa9t\xff")], [])
        assert status in (200, 303, 401), (path, status)
    status, body, _, _ = _raw(c.app, "GET", "/api/v1/me", [(b"authorization", b"Bearer eyJ4Ijo.\xc3\xa9t\xff")], [])
    assert status == 401 and b"malformed" in body


def test_the_api_refuses_the_session_cookie_without_the_sites_origin(client: tuple[TestClient, str]) -> None:
    c, a = client
    tok = _token(c, "caseworker")
    c.cookies.set("sd_token", tok)
    try:
        body = {"worker_id": a, "claim_date": "2025-03-20"}
        r = c.post("/api/v1/claims", json=body)
        assert r.status_code == 403 and "Origin" in r.json()["detail"]
        assert c.post("/api/v1/claims", json=body, headers={"Origin": "null"}).status_code == 403
        assert c.post("/api/v1/claims", json=body, headers={"Origin": "https://evil.example"}).status_code == 403
        r = c.post("/api/v1/claims", json=body, headers={"Origin": "http://testserver"})
        assert r.status_code == 201, r.text
        assert c.get("/api/v1/claims").status_code == 200            # reading needs no origin
    finally:
        c.cookies.clear()


def test_page_forms_refuse_origin_null(client: tuple[TestClient, str]) -> None:
    c, _ = client
    r = c.post("/salir", headers={"Origin": "null"}, follow_redirects=False)
    assert r.status_code == 403
    r = c.post("/salir", headers={"Origin": "http://testserver"}, follow_redirects=False)
    assert r.status_code in (200, 303)


def test_two_upload_files_with_the_same_name_are_refused_not_overwritten(client: tuple[TestClient, str],
                                                                        tmp_path: Path) -> None:
    c, _ = client
    ruc = make_ruc(5)
    emp = {"Authorization": f"Bearer {_token(c, 'employer', ruc)}"}
    f = write_csv(tmp_path / f"planilla_{ruc}.csv", [(ruc, "2025-02", "01", "12345678", "0121", "2000.00", "2000.00")])
    g = write_csv(tmp_path / "other.csv", [(ruc, "2025-01", "01", "12345678", "0121", "2100.00", "2100.00")])
    r = c.post("/api/v1/payroll/uploads", headers=emp, files=[("files", (f.name, f.read_bytes(), "text/csv")),
                                                              ("files", (f.name, g.read_bytes(), "text/csv"))])
    assert r.status_code == 422 and "two files named" in r.json()["detail"], r.text
    long_name = "á" * 120 + f"_{ruc}.csv"                            # > 255 bytes in UTF-8
    r = c.post("/api/v1/payroll/uploads", headers=emp, files={"files": (long_name, f.read_bytes(), "text/csv")})
    assert r.status_code == 422 and "255 bytes" in r.json()["detail"], r.text
