"""End to end: the review pages in headless Chromium (Playwright) against PostgreSQL.

Login, filtering, a correction, filling a missing field by drawing its box, approval;
then what was stored (fields, review actions, annotation) and the exported annotation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bench.review_demo import LAYOUT, populate
from idstream.annotations.validate import validate_file
from idstream.cli import main as cli_main
from idstream.review.app import create_app
from idstream.review.auth import create_user
from idstream.review.deps import LocalFiles
from idstream.sink.models import Annotation, Document, FieldRow, ReviewAction
from idstream.sink.store import ResultStore

pytestmark = pytest.mark.integration

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct horse battery"


Live = tuple[Any, ResultStore, list[str]]


@pytest.fixture()
def live(postgres_url: str, tmp_path: Path, serve_app: Any) -> Iterator[Live]:
    store = ResultStore(postgres_url)
    ids = populate(store, tmp_path / "images", count=12, days=5)
    with store.session() as session:
        create_user(session, "alice", PASSWORD, "reviewer")
    yield serve_app(create_app(store, LocalFiles(), secret="test-secret")), store, ids
    store.close()


@pytest.fixture()
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: run `make system` (Debian's chromium)", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def test_review_flow_in_chromium(live: Live, browser: Any, tmp_path: Path) -> None:
    server, store, _ids = live
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.set_default_timeout(15000)

    # Unauthenticated: the queue redirects to the login page.
    page.goto(server.url + "/queue")
    assert "/login" in page.url
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", "wrong password")
    page.click("button[type=submit]")
    assert page.locator(".error").is_visible()
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/queue.*"))

    # Filter: documents whose date of birth is missing, lowest confidence first.
    page.fill("input[name=reason]", "missing:date_of_birth")
    page.select_option("select[name=status]", "to_review")
    page.click("form#filters button[type=submit]")
    page.wait_for_url(re.compile(r".*reason=missing%3Adate_of_birth.*"))
    rows = page.locator("table.queue tbody tr[data-id]")
    with store.session() as s:
        expected = [
            d.id
            for d in s.scalars(select(Document).where(Document.status == "to_review"))
            if "missing:date_of_birth" in d.reasons
        ]
    assert len(expected) >= 1
    assert rows.count() == len(expected)
    shown = [rows.nth(i).get_attribute("data-id") for i in range(rows.count())]
    assert sorted(shown) == sorted(expected)
    confidences = [float(t) for t in rows.locator("td.num").all_inner_texts()]
    assert confidences == sorted(confidences)  # lowest confidence first
    doc_id = shown[0]
    assert doc_id is not None

    # Open the document.
    page.click(f"table.queue a:text-is('{doc_id}')")
    page.wait_for_selector("#fields tbody tr[data-field=surname]")
    page.wait_for_selector("svg#canvas[data-loaded='1']")
    assert page.locator("#boxes polygon").count() == 6

    # Clicking a field highlights its box, and clicking a box highlights its field.
    page.click("#fields tr[data-field=given_names] td.name")
    assert "selected" in (page.locator("#boxes polygon[data-field=given_names]").get_attribute("class") or "")
    page.locator("#boxes polygon[data-field=document_number]").click()
    assert "selected" in (page.locator("#fields tr[data-field=document_number]").get_attribute("class") or "")

    # Correct the surname with the keyboard: select it, press e, type, Enter.
    page.click("#fields tr[data-field=surname] td.name")
    page.keyboard.press("e")
    page.fill("#fields tr[data-field=surname] input[name=value]", "VAN DER BERG")
    page.keyboard.press("Enter")
    page.wait_for_selector("#message:has-text('surname corrected')")
    assert page.locator("#fields tr[data-field=surname] td.value").inner_text() == "VAN DER BERG"

    # Fill the missing date of birth by drawing its box on the image.
    page.select_option("#fill-name", "date_of_birth")
    page.keyboard.press("f")
    svg_box = page.locator("svg#canvas").bounding_box()
    assert svg_box is not None
    scale = svg_box["width"] / 856
    _label, x, y = LAYOUT["date_of_birth"]
    x0, y0, x1, y1 = x - 4, y - 4, x + 180, y + 36
    page.mouse.move(svg_box["x"] + x0 * scale, svg_box["y"] + y0 * scale)
    page.mouse.down()
    page.mouse.move(svg_box["x"] + (x0 + x1) / 2 * scale, svg_box["y"] + (y0 + y1) / 2 * scale, steps=4)
    page.mouse.move(svg_box["x"] + x1 * scale, svg_box["y"] + y1 * scale, steps=4)
    page.mouse.up()
    page.fill("#fill-value", "1987-04-23")
    page.click("#fill-save")
    page.wait_for_selector("#fields tr[data-field=date_of_birth]")
    assert page.locator("#boxes polygon[data-field=date_of_birth]").count() == 1

    # Approve with the keyboard: the next document (or the queue) opens.
    page.keyboard.press("a")
    page.wait_for_url(lambda url: doc_id not in url)

    # What was stored.
    with store.session() as s:
        doc = s.get(Document, doc_id)
        assert doc is not None
        assert doc.status == "corrected"
        assert doc.reviewed_by == "alice"
        fields = {f.name: f for f in s.scalars(select(FieldRow).where(FieldRow.document_id == doc_id))}
        assert fields["surname"].value == "VAN DER BERG"
        assert fields["surname"].status == "corrected"
        assert fields["surname"].predicted_value not in (None, "VAN DER BERG")
        dob = fields["date_of_birth"]
        assert (dob.value, dob.status, dob.source) == ("1987-04-23", "added", "review")
        assert dob.box is not None
        for (bx, by), (ex, ey) in zip(dob.box, [(x0, y0), (x1, y0), (x1, y1), (x0, y1)], strict=True):
            assert abs(bx - ex) < 3 and abs(by - ey) < 3
        acts = list(
            s.scalars(
                select(ReviewAction).where(ReviewAction.document_id == doc_id).order_by(ReviewAction.id)
            )
        )
        assert [(a.action, a.field, a.user) for a in acts] == [
            ("correct", "surname", "alice"),
            ("add_field", "date_of_birth", "alice"),
            ("approve", None, "alice"),
        ]
        assert acts[0].before is not None and acts[0].before["value"] == fields["surname"].predicted_value
        assert acts[0].after is not None and acts[0].after["value"] == "VAN DER BERG"
        assert acts[1].before is None and acts[1].after is not None and acts[1].after["value"] == "1987-04-23"
        assert acts[2].after == {"status": "corrected"}
        ann = s.get(Annotation, doc_id)
        assert ann is not None and ann.updated_by == "alice"

    # The correction is exported as a training annotation.
    out = tmp_path / "export"
    assert (
        cli_main(
            [
                "export-annotations",
                "--since",
                "2000-01-01",
                "--out",
                str(out),
                "--db",
                str(store.engine.url.render_as_string(hide_password=False)),
            ]
        )
        == 0
    )
    data = json.loads((out / f"{doc_id}.json").read_text())
    assert data["schema"] == "identity" and data["layout"] == "review-export"
    assert data["fields"]["surname"] == "VAN DER BERG"
    assert data["fields"]["date_of_birth"] == "1987-04-23"
    assert data["image_size"] == [856, 540]
    assert (out / data["image"]).read_bytes()[:4] == b"\x89PNG"
    assert [str(p) for p in validate_file(out / f"{doc_id}.json")] == []  # the project's annotation validator
    labels = {line["label"]: line for line in data["lines"]}
    assert labels["surname"]["text"] == "VAN DER BERG"
    assert labels["date_of_birth"]["quad"] == dob.box
    page.close()


def _login(client: httpx.Client) -> str:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    r = client.post("/login", data={"username": "alice", "password": PASSWORD, "csrf_token": token.group(1)})
    assert r.status_code == 303
    queue = client.get("/queue")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', queue.text)
    assert csrf is not None
    return csrf.group(1)


def test_csrf_and_login_are_enforced(live: Live) -> None:
    server, store, ids = live
    with httpx.Client(base_url=server.url, follow_redirects=False) as anon:
        for path in ("/queue", f"/documents/{ids[0]}", "/stats", "/api"):
            r = anon.get(path)
            assert r.status_code == 303 and r.headers["location"].startswith("/login"), path
        assert anon.get(f"/api/documents/{ids[0]}").status_code == 401
        assert anon.post(f"/api/documents/{ids[0]}/approve").status_code == 401
        # Login itself needs the login form's token.
        assert anon.post("/login", data={"username": "alice", "password": PASSWORD}).status_code == 403
    with httpx.Client(base_url=server.url, follow_redirects=False) as client:
        csrf = _login(client)
        assert client.post(f"/api/documents/{ids[0]}/approve").status_code == 403
        assert (
            client.post(f"/api/documents/{ids[0]}/approve", headers={"X-CSRF-Token": "forged"}).status_code
            == 403
        )
        assert (
            client.delete(f"/api/documents/{ids[0]}", headers={"X-CSRF-Token": csrf}).status_code == 403
        )  # admin only
        doc = store.get(ids[0])
        assert doc is not None and doc.status in ("to_review", "auto_approved")
        r = client.post(f"/api/documents/{ids[0]}/approve", headers={"X-CSRF-Token": csrf})
        assert r.status_code == 200 and r.json()["status"] == "approved"
        assert client.get("/openapi.json").json()["info"]["title"] == "idstream review"


def test_changes_are_committed_before_the_response(live: Live) -> None:
    """A client that reads right after an action sees it (the commit precedes the response)."""
    server, store, ids = live
    with httpx.Client(base_url=server.url, follow_redirects=False) as client:
        headers = {"X-CSRF-Token": _login(client)}
        for i in range(20):
            value = f"VALUE-{i}"
            r = client.put(f"/api/documents/{ids[1]}/fields/surname", json={"value": value}, headers=headers)
            assert r.status_code == 200
            doc = store.get(ids[1])
            assert doc is not None
            assert next(f.value for f in doc.fields if f.name == "surname") == value
