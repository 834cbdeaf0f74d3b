"""The review application with images in a real S3 store (versitygw) and data in PostgreSQL.

The image endpoint serves the object; an admin's delete erases the object, the
fields and the logged values; a redelivered result does not bring them back.
"""

from __future__ import annotations

import json
import random
import re
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bench.review_demo import make_card
from idstream.review.app import create_app
from idstream.review.auth import create_user
from idstream.review.deps import RoutedImages
from idstream.sink.models import ReviewAction
from idstream.sink.store import ResultStore

pytestmark = pytest.mark.integration


def _login(client: httpx.Client, user: str, password: str) -> str:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    r = client.post("/login", data={"username": user, "password": password, "csrf_token": token.group(1)})
    assert r.status_code == 303, r.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/queue").text)
    assert csrf is not None
    return csrf.group(1)


def test_image_from_s3_and_admin_delete(postgres_url: str, s3_store: Any, serve_app: Any) -> None:
    store = ResultStore(postgres_url)
    png, result = make_card("s3-doc-1", random.Random(3))
    ref = s3_store.put("incoming/s3-doc-1.png", png, "image/png")
    assert store.save(result, ref)
    with store.session() as s:
        create_user(s, "root", "admin password", "admin")
        create_user(s, "rita", "reviewer password", "reviewer")
    server = serve_app(create_app(store, RoutedImages(s3_store), secret="k"))

    with httpx.Client(base_url=server.url, follow_redirects=False) as rita:
        csrf = _login(rita, "rita", "reviewer password")
        image = rita.get("/api/documents/s3-doc-1/image")
        assert image.status_code == 200 and image.headers["content-type"] == "image/png"
        assert image.content == png
        r = rita.put(
            "/api/documents/s3-doc-1/fields/surname",
            json={"value": "ZED-CORRECTED"},
            headers={"X-CSRF-Token": csrf},
        )
        assert r.status_code == 200
        assert rita.delete("/api/documents/s3-doc-1", headers={"X-CSRF-Token": csrf}).status_code == 403
    assert s3_store.exists(ref)

    with httpx.Client(base_url=server.url, follow_redirects=False) as root:
        csrf = _login(root, "root", "admin password")
        r = root.delete("/api/documents/s3-doc-1", headers={"X-CSRF-Token": csrf})
        assert r.status_code == 200 and r.json()["status"] == "deleted"
        assert root.get("/api/documents/s3-doc-1/image").status_code == 404
        doc = root.get("/api/documents/s3-doc-1").json()
        assert doc["status"] == "deleted" and doc["fields"] == [] and doc["checks"] == []
    assert not s3_store.exists(ref)
    with store.session() as s:
        logged = list(s.scalars(select(ReviewAction).where(ReviewAction.document_id == "s3-doc-1")))
        assert [a.action for a in logged] == ["correct", "delete_document"]
        assert "ZED-CORRECTED" not in json.dumps([(a.before, a.after) for a in logged])
    assert not store.save(result, ref)  # redelivery after deletion
    stored = store.get("s3-doc-1")
    assert stored is not None and stored.status == "deleted" and stored.fields == []
    store.close()
