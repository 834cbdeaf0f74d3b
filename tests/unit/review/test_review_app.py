"""The review application over HTTP (in-process client, SQLite): login, sessions, CSRF, pages."""

from __future__ import annotations

import re
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from idstream.document import DocumentResult, FieldValue, Review
from idstream.review.app import create_app
from idstream.review.auth import create_user
from idstream.review.deps import LocalFiles
from idstream.sink.store import ResultStore

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # anyio alias used by starlette's test client
    from fastapi.testclient import TestClient

BOX = ((1.0, 1.0), (9.0, 1.0), (9.0, 4.0), (1.0, 4.0))


@pytest.fixture()
def client(tmp_path: Path) -> Iterator[TestClient]:
    store = ResultStore(f"sqlite:///{tmp_path / 'r.db'}")
    for i, conf in enumerate((0.4, 0.9, 0.6)):
        fields = {"surname": FieldValue("DOE", "DOE", conf, BOX)}
        store.save(
            DocumentResult(f"d{i}", "id_card", fields, review=Review("to_review", ["x"]), model_version="m")
        )
    with store.session() as s:
        create_user(s, "rita", "reviewer password", "reviewer")
    app = create_app(store, LocalFiles(tmp_path), secret="k", session_ttl=60)
    with TestClient(app, follow_redirects=False) as c:
        yield c
    store.close()


def _login(c: TestClient, password: str = "reviewer password", next_url: str = "/queue") -> tuple[int, str]:
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text)
    assert token is not None
    r = c.post(
        "/login",
        data={"username": "rita", "password": password, "csrf_token": token.group(1), "next": next_url},
    )
    return r.status_code, r.headers.get("location", "")


def _csrf(c: TestClient) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/queue").text)
    assert m is not None
    return m.group(1)


def test_pages_need_login_and_keep_the_target(client: TestClient) -> None:
    r = client.get("/documents/d1?status=to_review")
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=%2Fdocuments%2Fd1%3Fstatus%3Dto_review"
    assert client.get("/api/documents").status_code == 401


def test_login_sets_a_hardened_session_cookie(client: TestClient) -> None:
    assert _login(client, "nope") == (303, "/login?next=%2Fqueue&error=1")
    status, location = _login(client)
    assert (status, location) == (303, "/queue")
    cookie = client.cookies.get("idstream_session")
    assert cookie and "rita" not in cookie
    page = client.get("/queue")
    assert page.status_code == 200
    set_cookie = page.headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=lax" in set_cookie
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"


def test_login_never_redirects_off_site(client: TestClient) -> None:
    assert _login(client, next_url="//evil.example/x") == (303, "/queue")


def test_expired_session_is_refused(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    _login(client)
    assert client.get("/queue").status_code == 200
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 120)  # idle longer than session_ttl=60
    assert client.get("/queue").status_code == 303


def test_logout_needs_csrf_and_ends_the_session(client: TestClient) -> None:
    _login(client)
    assert client.post("/logout").status_code == 403
    r = client.post("/logout", data={"csrf_token": _csrf(client)})
    assert r.status_code == 303
    assert client.get("/queue").status_code == 303


def test_queue_api_filters_and_sorts(client: TestClient) -> None:
    _login(client)
    ids = [d["id"] for d in client.get("/api/documents").json()["documents"]]
    assert ids == ["d0", "d2", "d1"]
    desc = client.get("/api/documents?sort=confidence_desc").json()["documents"]
    assert [d["id"] for d in desc] == ["d1", "d2", "d0"]
    assert client.get("/api/documents?date_from=yesterday").status_code == 400
    assert client.get("/api/documents?status=pending").status_code == 400
    assert client.get("/api/next?exclude=d0").json() == {"next": "d2"}
    assert client.get("/api/documents/missing").status_code == 404


def test_actions_and_next_document(client: TestClient) -> None:
    _login(client)
    headers = {"X-CSRF-Token": _csrf(client)}
    r = client.post("/api/documents/d0/fields/surname/mark", json={"correct": False}, headers=headers)
    assert r.json()["status"] == "wrong"
    bad_box = {"name": "sex", "value": "F", "box": [[1, 2]]}
    assert client.post("/api/documents/d0/fields", json=bad_box, headers=headers).status_code == 409
    assert (
        client.post(
            "/api/documents/d0/fields", json={"name": "Sex!", "value": "F", "box": []}, headers=headers
        ).status_code
        == 422
    )
    r = client.post("/api/documents/d0/approve", headers=headers)
    assert r.json() == {"id": "d0", "status": "corrected", "next": "d2"}
    assert client.get("/api/counts?days=1").json()[0]["moderated"] == 1


def test_pages_render(client: TestClient) -> None:
    _login(client)
    queue = client.get("/queue?status=&sort=newest")
    assert queue.status_code == 200 and 'data-id="d1"' in queue.text
    doc = client.get("/documents/d1")
    assert doc.status_code == 200 and 'data-id="d1"' in doc.text and "/static/document.js" in doc.text
    stats = client.get("/stats")
    assert stats.status_code == 200 and stats.text.count("<svg") == 4
    api = client.get("/api")
    assert "/api/documents/{document_id}/approve" in api.text
    spec = client.get("/openapi.json").json()
    assert "/api/documents/{document_id}/fields" in spec["paths"]
    assert client.get("/static/document.js").status_code == 200


def test_metrics_report_the_backlog_without_personal_data(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from idstream.document import DocumentResult, FieldValue, Review
    from idstream.review.app import create_app
    from idstream.review.deps import LocalFiles, RoutedImages
    from idstream.sink.store import ResultStore

    store = ResultStore(f"sqlite:///{tmp_path / 'results.db'}")
    for i in range(3):
        result = DocumentResult(
            document_id=f"m-{i}",
            fields={"surname": FieldValue("ZYXWVUTSRQ", "ZYXWVUTSRQ", 0.5)},
            review=Review("to_review", ["low_confidence:surname"]),
        )
        store.save(result, image_ref=None)
    client = TestClient(create_app(store, RoutedImages(None, LocalFiles(None))))
    text = client.get("/metrics").text
    assert "idstream_review_backlog_documents 3.0" in text
    assert "ZYXWVUTSRQ" not in text and "m-0" not in text
