"""Shared state and request dependencies of the review application (login, roles, CSRF)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from idstream.errors import NotFound
from idstream.review.auth import SessionData, SessionSigner, tokens_match
from idstream.sink.models import User
from idstream.sink.store import ResultStore

__all__ = [
    "SESSION_COOKIE",
    "Forbidden",
    "ImageSource",
    "LocalFiles",
    "LoginRequired",
    "ReviewContext",
    "RoutedImages",
    "context",
    "csrf_checked",
    "current_user",
    "db_session",
    "require_admin",
]

SESSION_COOKIE = "idstream_session"


class ImageSource(Protocol):
    """Where document images are read and deleted (an :class:`idstream.store.base.ObjectStore` fits)."""

    def get(self, ref: str) -> bytes:
        """The bytes of the image ``ref`` (raises NotFound when missing)."""
        ...

    def delete(self, ref: str) -> None:
        """Delete the image ``ref`` (missing is not an error)."""
        ...


class LocalFiles:
    """Images referenced by file path (the embedded mode), optionally confined to ``root``."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root.resolve() if root is not None else None

    def _path(self, ref: str) -> Path:
        path = Path(ref.removeprefix("file://"))
        if self.root is not None:
            path = (self.root / path).resolve()
            if not path.is_relative_to(self.root):
                raise NotFound("image is outside the image root")
        return path

    def get(self, ref: str) -> bytes:
        try:
            return self._path(ref).read_bytes()
        except OSError as exc:
            raise NotFound("image not found") from exc

    def delete(self, ref: str) -> None:
        self._path(ref).unlink(missing_ok=True)


class RoutedImages:
    """``s3://`` references to an object store, anything else to local files.

    Args:
        object_store: where ``s3://bucket/key`` references live (``None``: they are not found).
        files: plain file paths.
    """

    def __init__(self, object_store: ImageSource | None = None, files: LocalFiles | None = None) -> None:
        self.object_store = object_store
        self.files = files or LocalFiles()

    def _target(self, ref: str) -> ImageSource:
        if ref.startswith("s3://"):
            if self.object_store is None:
                raise NotFound("no object store configured for s3:// images")
            return self.object_store
        return self.files

    def get(self, ref: str) -> bytes:
        return self._target(ref).get(ref)

    def delete(self, ref: str) -> None:
        self._target(ref).delete(ref)


class LoginRequired(Exception):
    """No valid session: pages redirect to the login page, the API answers 401."""


class Forbidden(Exception):
    """The user's role does not allow the action (403)."""


@dataclass
class ReviewContext:
    """Everything the handlers share.

    Attributes:
        store: the results store.
        images: where images are read from and deleted.
        signer: session cookies.
        secure_cookies: mark cookies ``Secure`` (behind HTTPS).
        image_size: measures ``(width, height)`` of image bytes.
    """

    store: ResultStore
    images: ImageSource
    signer: SessionSigner
    secure_cookies: bool = False
    image_size: Callable[[bytes], tuple[int, int]] = field(default_factory=lambda: _pil_size)
    _sizes: dict[str, tuple[int, int]] = field(default_factory=dict)

    def size_of(self, ref: str | None) -> tuple[int, int] | None:
        """``(width, height)`` of the image ``ref`` (cached), or ``None`` when unreadable."""
        if not ref:
            return None
        if ref not in self._sizes:
            try:
                self._sizes[ref] = self.image_size(self.images.get(ref))
            except Exception:  # a missing or undecodable image only loses the size
                return None
        return self._sizes[ref]


def _pil_size(data: bytes) -> tuple[int, int]:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        return (int(img.width), int(img.height))


def context(request: Request) -> ReviewContext:
    """The application's :class:`ReviewContext`."""
    ctx: ReviewContext = request.app.state.ctx
    return ctx


def db_session(ctx: ReviewContext = Depends(context)) -> Iterator[Session]:  # noqa: B008
    """A database session per request, committed when the handler returns.

    Use it with ``scope="function"``: the commit then happens before the response is
    sent, so a client that reloads right after an action reads what it just changed.
    """
    with ctx.store.session() as session:
        yield session


def _session_data(request: Request, ctx: ReviewContext) -> SessionData | None:
    data = ctx.signer.loads(request.cookies.get(SESSION_COOKIE))
    if data is not None:
        request.state.session = data
    return data


def current_user(
    request: Request,
    ctx: ReviewContext = Depends(context),  # noqa: B008
    session: Session = Depends(db_session, scope="function"),  # noqa: B008
) -> User:
    """The logged-in user; raises :class:`LoginRequired` otherwise."""
    data = _session_data(request, ctx)
    if data is None:
        raise LoginRequired()
    user = session.get(User, data.user_id)
    if user is None or not user.active:
        raise LoginRequired()
    request.state.user = user
    return user


async def csrf_checked(request: Request, user: User = Depends(current_user)) -> User:  # noqa: B008
    """The logged-in user of a state-changing request that carries the right CSRF token."""
    data: SessionData = request.state.session
    token = request.headers.get("x-csrf-token")
    if token is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf_token")
        token = value if isinstance(value, str) else None
    if not tokens_match(data.csrf, token):
        raise Forbidden("missing or wrong CSRF token")
    return user


def require_admin(user: User = Depends(csrf_checked)) -> User:  # noqa: B008
    """The logged-in admin of a state-changing request."""
    if user.role != "admin":
        raise Forbidden("admins only")
    return user
