"""Users, passwords and sessions of the review application.

Passwords are hashed with Argon2id (``argon2-cffi``). A session is a cookie
signed with :mod:`itsdangerous` holding the user id, a CSRF token and the time it
was issued; it expires ``ttl`` seconds after the last request (the cookie is
re-issued on every page) and never lives longer than ``max_age``. Requests that
change state must carry the CSRF token (form field ``csrf_token`` or header
``X-CSRF-Token``).
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from idstream.sink.models import ROLES, User

__all__ = [
    "SessionData",
    "SessionSigner",
    "authenticate",
    "create_user",
    "hash_password",
    "tokens_match",
    "verify_password",
]

_HASHER = PasswordHasher()  # Argon2id, RFC 9106 low-memory profile defaults
# Verified against when the user does not exist, so both cases take the same time.
_DUMMY_HASH = _HASHER.hash("idstream-no-such-user")


def hash_password(password: str) -> str:
    """The Argon2id hash of ``password``."""
    return _HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash``."""
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def create_user(session: Session, username: str, password: str, role: str = "reviewer") -> User:
    """Add a user, or reset the password and role of an existing one.

    Raises:
        ValueError: unknown role, empty user name or a password shorter than 8 characters.
    """
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if not username.strip():
        raise ValueError("the user name is empty")
    if len(password) < 8:
        raise ValueError("the password must have at least 8 characters")
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        user = User(username=username, password_hash=hash_password(password), role=role, active=True)
        session.add(user)
    else:
        user.password_hash = hash_password(password)
        user.role = role
        user.active = True
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with these credentials, or ``None``."""
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None or not user.active:
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def tokens_match(expected: str, given: str | None) -> bool:
    """Constant-time comparison of CSRF tokens."""
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())


@dataclass(frozen=True, slots=True)
class SessionData:
    """What a session cookie holds."""

    user_id: int
    csrf: str
    issued: float


class SessionSigner:
    """Signs and checks session cookies.

    Args:
        secret: the signing key (keep it out of the repository).
        ttl: idle lifetime in seconds.
        max_age: absolute lifetime in seconds, from login.
    """

    def __init__(self, secret: str, ttl: int = 1800, max_age: int = 12 * 3600) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="idstream-review-session")
        self.ttl = ttl
        self.max_age = max_age

    def new(self, user_id: int) -> SessionData:
        """A fresh session (new CSRF token) for a user who just logged in."""
        return SessionData(user_id=user_id, csrf=secrets.token_urlsafe(32), issued=time.time())

    def dumps(self, data: SessionData) -> str:
        """The cookie value of ``data``."""
        return str(self._serializer.dumps({"u": data.user_id, "c": data.csrf, "i": data.issued}))

    def loads(self, cookie: str | None) -> SessionData | None:
        """The session in ``cookie``, or ``None`` when missing, forged or expired."""
        if not cookie:
            return None
        try:
            raw: Any = self._serializer.loads(cookie, max_age=self.ttl)
        except BadSignature:  # includes SignatureExpired
            return None
        try:
            data = SessionData(user_id=int(raw["u"]), csrf=str(raw["c"]), issued=float(raw["i"]))
        except (KeyError, TypeError, ValueError):
            return None
        if time.time() - data.issued > self.max_age:
            return None
        return data
