"""The review web application (FastAPI): login, queue, document view, stats.

Build it with :func:`create_app` and serve it with uvicorn (``idstream serve review``).
Pages are rendered with Jinja2; the document view is driven by a small vanilla
JavaScript file talking to the JSON API (:mod:`idstream.review.api`). Every asset
is served by the application itself.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from html import escape
from importlib import resources
from typing import Any
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Form, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from sqlalchemy.orm import Session

from idstream import metrics
from idstream.document import CANONICAL_FIELDS
from idstream.errors import NotFound, TransientError
from idstream.review import charts
from idstream.review.actions import ActionError, load_document
from idstream.review.api import BadRequest, queue_filter, router
from idstream.review.auth import SessionSigner, authenticate, tokens_match
from idstream.review.deps import (
    SESSION_COOKIE,
    Forbidden,
    ImageSource,
    LoginRequired,
    ReviewContext,
    csrf_checked,
    current_user,
    db_session,
)
from idstream.review.queries import SORTS, QueueFilter, daily_counts, facets, list_queue, stats
from idstream.sink.models import DOCUMENT_STATUSES, User
from idstream.sink.store import ResultStore

__all__ = ["create_app"]

_LOGIN_COOKIE = "idstream_login_csrf"
_PAGE = 50


def _templates() -> Jinja2Templates:
    directory = str(resources.files("idstream.review").joinpath("templates"))
    return Jinja2Templates(directory=directory)


def _filter_query(flt: QueueFilter) -> str:
    params = {
        "status": flt.status,
        "date_from": flt.date_from.isoformat() if flt.date_from else "",
        "date_to": flt.date_to.isoformat() if flt.date_to else "",
        "document_type": flt.document_type,
        "reason": flt.reason,
        "model_version": flt.model_version,
        "sort": flt.sort,
    }
    return urlencode({k: v for k, v in params.items() if v})


def create_app(
    store: ResultStore,
    images: ImageSource,
    secret: str | None = None,
    session_ttl: int = 1800,
    secure_cookies: bool = False,
) -> FastAPI:
    """The review application.

    Args:
        store: the results store.
        images: where images are read and deleted (an object store, or :class:`LocalFiles`).
        secret: key signing session cookies (random per process when ``None``: sessions end on restart).
        session_ttl: idle session lifetime in seconds.
        secure_cookies: send cookies only over HTTPS.
    """
    app = FastAPI(
        title="idstream review",
        version="1",
        description="Review (moderation) of extracted identity documents.",
        docs_url=None,
        redoc_url=None,
    )
    signer = SessionSigner(secret or secrets.token_urlsafe(32), ttl=session_ttl)
    app.state.ctx = ReviewContext(store=store, images=images, signer=signer, secure_cookies=secure_cookies)
    templates = _templates()
    static_dir = str(resources.files("idstream.review").joinpath("static"))
    app.mount("/static", StaticFiles(directory=static_dir), name="static")
    app.include_router(router)

    def render(request: Request, name: str, **values: Any) -> HTMLResponse:
        user = getattr(request.state, "user", None)
        session = getattr(request.state, "session", None)
        values.update(user=user, csrf=session.csrf if session else "")
        return templates.TemplateResponse(request, name, values)

    @app.middleware("http")
    async def _headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        session = getattr(request.state, "session", None)
        if session is not None and not getattr(request.state, "logged_out", False):
            _set_session(response, app.state.ctx, signer.dumps(session))
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'",
        )
        return response

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, _exc: LoginRequired) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "login required"}, status_code=401)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)

    @app.exception_handler(Forbidden)
    async def _forbidden(_request: Request, exc: Forbidden) -> Response:
        return JSONResponse({"detail": str(exc)}, status_code=403)

    @app.exception_handler(NotFound)
    async def _not_found(_request: Request, exc: NotFound) -> Response:
        return JSONResponse({"detail": exc.reason}, status_code=404)

    @app.exception_handler(ActionError)
    async def _conflict(_request: Request, exc: ActionError) -> Response:
        return JSONResponse({"detail": str(exc)}, status_code=409)

    @app.exception_handler(BadRequest)
    async def _bad_request(_request: Request, exc: BadRequest) -> Response:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.exception_handler(TransientError)
    async def _unavailable(_request: Request, exc: TransientError) -> Response:
        return JSONResponse({"detail": exc.reason}, status_code=503)

    @app.get("/metrics", include_in_schema=False)
    def _metrics() -> Response:
        """Prometheus metrics: the review backlog (counted when scraped) and decisions.

        Unauthenticated like every Prometheus endpoint, and free of personal data:
        counts and ages only.
        """
        from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

        from idstream.review.queries import review_backlog

        count, oldest = review_backlog(app.state.ctx.store)
        metrics.REVIEW_BACKLOG.set(count)
        metrics.REVIEW_BACKLOG_AGE.set(oldest)
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    @app.get("/login", include_in_schema=False)
    def login_page(request: Request, next: str = "/queue", error: str = "") -> Response:
        token = secrets.token_urlsafe(24)
        response = render(request, "login.html", next=_safe_next(next), login_csrf=token, error=error)
        response.set_cookie(
            _LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=secure_cookies, max_age=900
        )
        return response

    @app.post("/login", include_in_schema=False)
    def login(
        request: Request,
        username: str = Form(""),
        password: str = Form(""),
        csrf_token: str = Form(""),
        next: str = Form("/queue"),
        session: Session = Depends(db_session, scope="function"),  # noqa: B008
    ) -> Response:
        if not tokens_match(request.cookies.get(_LOGIN_COOKIE, ""), csrf_token):
            return JSONResponse({"detail": "missing or wrong CSRF token"}, status_code=403)
        user = authenticate(session, username, password)
        if user is None:
            return RedirectResponse("/login?" + urlencode({"next": next, "error": "1"}), status_code=303)
        response = RedirectResponse(_safe_next(next), status_code=303)
        _set_session(response, app.state.ctx, signer.dumps(signer.new(user.id)))
        response.delete_cookie(_LOGIN_COOKIE)
        return response

    @app.post("/logout", include_in_schema=False)
    def logout(request: Request, _user: User = Depends(csrf_checked)) -> Response:  # noqa: B008
        request.state.logged_out = True
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    @app.get("/", include_in_schema=False)
    def index() -> Response:
        return RedirectResponse("/queue", status_code=303)

    @app.get("/queue", include_in_schema=False)
    def queue_page(
        request: Request,
        page: int = 1,
        flt: QueueFilter = Depends(queue_filter),  # noqa: B008
        _user: User = Depends(current_user),  # noqa: B008
        session: Session = Depends(db_session, scope="function"),  # noqa: B008
    ) -> Response:
        page = max(page, 1)
        docs, total = list_queue(session, flt, _PAGE, (page - 1) * _PAGE)
        counts = daily_counts(session, 14)
        chart = charts.bar_chart(
            "Moderated and not moderated documents per day",
            [c["day"] for c in counts],
            {
                "moderated": [c["moderated"] for c in counts],
                "not moderated": [c["not_moderated"] for c in counts],
            },
        )
        return render(
            request,
            "queue.html",
            docs=docs,
            total=total,
            page=page,
            pages=max(1, (total + _PAGE - 1) // _PAGE),
            flt=flt,
            query=_filter_query(flt),
            statuses=DOCUMENT_STATUSES,
            sorts=SORTS,
            facets=facets(session),
            counts=counts,
            chart=Markup(chart),
        )

    @app.get("/documents/{document_id}", include_in_schema=False)
    def document_page(
        request: Request,
        document_id: str,
        _user: User = Depends(current_user),  # noqa: B008
        session: Session = Depends(db_session, scope="function"),  # noqa: B008
    ) -> Response:
        doc = load_document(session, document_id)
        return render(request, "document.html", doc=doc, canonical=CANONICAL_FIELDS)

    @app.get("/stats", include_in_schema=False)
    def stats_page(
        request: Request,
        _user: User = Depends(current_user),  # noqa: B008
        session: Session = Depends(db_session, scope="function"),  # noqa: B008
    ) -> Response:
        data = stats(session, 14)
        days = [d["day"] for d in data["per_day"]]
        acc = data["accuracy_per_model_version"]
        figures = {
            "Throughput (documents received per day)": charts.bar_chart(
                "throughput",
                days,
                {
                    "auto-approved": [d["auto_approved"] for d in data["per_day"]],
                    "sent to review": [d["received"] - d["auto_approved"] for d in data["per_day"]],
                },
            ),
            "Auto-approval rate": charts.line_chart(
                "auto-approval rate", days, [d["auto_approval_rate"] for d in data["per_day"]]
            ),
            "Corrections per field": charts.hbar_chart(
                "corrections per field", list(data["corrections_per_field"].items())
            ),
            "Field accuracy on reviewed documents, per model version": charts.hbar_chart(
                "accuracy per model version", [(k, v["accuracy"]) for k, v in acc.items()], percent=True
            ),
        }
        return render(
            request,
            "stats.html",
            figures={k: Markup(v) for k, v in figures.items()},
            data=data,
        )

    @app.get("/api", include_in_schema=False)
    def api_page(request: Request, _user: User = Depends(current_user)) -> Response:  # noqa: B008
        return render(request, "api.html", spec=app.openapi(), escape=escape)

    return app


def _safe_next(target: str) -> str:
    """Only local paths: never redirect to another site after login."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/queue"
    return target


def _set_session(response: Response, ctx: ReviewContext, value: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=ctx.signer.ttl,
        httponly=True,
        samesite="lax",
        secure=ctx.secure_cookies,
        path="/",
    )
