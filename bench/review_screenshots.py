"""Screenshots of the review application's main pages (queue, document view, stats).

Runs the app on a temporary SQLite store filled with synthetic documents
(:mod:`bench.review_demo`), reviews a few of them so the statistics have data,
and drives Debian's headless Chromium with Playwright::

    PYTHONPATH=src:. .venv/bin/python bench/review_screenshots.py --out docs/img

Writes ``review-login.png``, ``review-queue.png``, ``review-document.png`` and ``review-stats.png``.
"""

from __future__ import annotations

import argparse
import socket
import tempfile
import threading
import time
from pathlib import Path

from bench.review_demo import CARD_SIZE, LAYOUT, populate
from idstream.review import actions
from idstream.review.app import create_app
from idstream.review.auth import create_user
from idstream.review.deps import LocalFiles
from idstream.sink.store import ResultStore

__all__ = ["main"]

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _review_some(store: ResultStore, ids: list[str]) -> None:
    with store.session() as s:
        for i, doc_id in enumerate(ids[:24]):
            doc = actions.load_document(s, doc_id)
            if doc.status == "auto_approved" and i % 3:
                continue
            if i % 4 == 0 and any(f.name == "surname" for f in doc.fields):
                actions.correct_field(s, doc_id, "surname", "demo", "MARTINEZ")
            if i % 5 == 1 and any(f.name == "given_names" for f in doc.fields):
                actions.mark_field(s, doc_id, "given_names", "demo", correct=False)
            if i == 9:
                actions.reject_document(s, doc_id, "demo")
            else:
                actions.approve_document(s, doc_id, "demo", (856, 540))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=Path("docs/img"))
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    import uvicorn
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        store = ResultStore(f"sqlite:///{tmp}/results.db")
        ids = populate(store, Path(tmp) / "images", count=40, days=12)
        _review_some(store, ids)
        with store.session() as s:
            create_user(s, "reviewer", "screenshot-password", "admin")
        port = _free_port()
        app = create_app(store, LocalFiles(), secret="screenshots")
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        url = f"http://127.0.0.1:{port}"
        args.out.mkdir(parents=True, exist_ok=True)
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS, headless=True)
                page = browser.new_page(viewport={"width": 1280, "height": 820})
                page.goto(url + "/login")
                page.screenshot(path=str(args.out / "review-login.png"))
                page.fill("input[name=username]", "reviewer")
                page.fill("input[name=password]", "screenshot-password")
                page.click("button[type=submit]")
                page.wait_for_url("**/queue")
                page.screenshot(path=str(args.out / "review-queue.png"))
                # A document whose date of birth was missed: select a field, start drawing the missing box.
                page.goto(url + "/queue?status=to_review&reason=missing%3Adate_of_birth")
                page.click("table.queue tbody tr[data-id] a")
                page.wait_for_selector("svg#canvas[data-loaded='1']")
                page.click("#fields tr[data-field=surname] td.name")
                page.select_option("#fill-name", "date_of_birth")
                page.keyboard.press("f")
                box = page.locator("svg#canvas").bounding_box()
                assert box is not None
                scale = box["width"] / CARD_SIZE[0]
                _label, x, y = LAYOUT["date_of_birth"]
                page.mouse.move(box["x"] + (x - 4) * scale, box["y"] + (y - 4) * scale)
                page.mouse.down()
                page.mouse.move(box["x"] + (x + 180) * scale, box["y"] + (y + 36) * scale, steps=5)
                page.mouse.up()
                page.screenshot(path=str(args.out / "review-document.png"))
                page.goto(url + "/stats")
                page.screenshot(path=str(args.out / "review-stats.png"), full_page=True)
                browser.close()
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            store.close()
    for name in ("login", "queue", "document", "stats"):
        path = args.out / f"review-{name}.png"
        print(f"{path}: {path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
