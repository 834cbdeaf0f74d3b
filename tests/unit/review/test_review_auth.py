"""Passwords (Argon2id), users and signed, expiring sessions."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from idstream.review.auth import (
    SessionSigner,
    authenticate,
    create_user,
    hash_password,
    tokens_match,
    verify_password,
)
from idstream.sink.store import ResultStore


def test_password_hash_is_argon2id_and_salted() -> None:
    h1, h2 = hash_password("s3cret-pass"), hash_password("s3cret-pass")
    assert h1.startswith("$argon2id$")
    assert h1 != h2
    assert verify_password(h1, "s3cret-pass")
    assert not verify_password(h1, "s3cret-pasS")
    assert not verify_password("not a hash", "s3cret-pass")


def test_users_and_roles(tmp_path: Path) -> None:
    store = ResultStore(f"sqlite:///{tmp_path / 'u.db'}")
    with store.session() as s:
        create_user(s, "bob", "long enough", "admin")
        with pytest.raises(ValueError):
            create_user(s, "eve", "short", "reviewer")
        with pytest.raises(ValueError):
            create_user(s, "eve", "long enough", "superuser")
    with store.session() as s:
        user = authenticate(s, "bob", "long enough")
        assert user is not None and user.role == "admin"
        assert "long enough" not in user.password_hash
        assert authenticate(s, "bob", "wrong one") is None
        assert authenticate(s, "nobody", "long enough") is None
        create_user(s, "bob", "a new password", "reviewer")  # reset
    with store.session() as s:
        assert authenticate(s, "bob", "long enough") is None
        user = authenticate(s, "bob", "a new password")
        assert user is not None and user.role == "reviewer"
    store.close()


def test_session_cookie_round_trip_and_forgery() -> None:
    signer = SessionSigner("k1", ttl=60)
    data = signer.new(7)
    cookie = signer.dumps(data)
    assert signer.loads(cookie) == data
    assert SessionSigner("k2").loads(cookie) is None
    assert signer.loads(cookie[:-2] + "xx") is None
    assert signer.loads(None) is None
    assert signer.new(7).csrf != data.csrf


def test_sessions_expire_when_idle_and_after_max_age(monkeypatch: pytest.MonkeyPatch) -> None:
    signer = SessionSigner("k", ttl=60, max_age=3600)
    cookie = signer.dumps(signer.new(1))
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 61)
    assert signer.loads(cookie) is None  # idle too long
    old = signer.new(1)
    monkeypatch.setattr(time, "time", lambda: now)
    old = type(old)(user_id=1, csrf=old.csrf, issued=now - 3601)
    assert signer.loads(signer.dumps(old)) is None  # logged in too long ago


def test_csrf_tokens_compare() -> None:
    assert tokens_match("abc", "abc")
    assert not tokens_match("abc", "abd")
    assert not tokens_match("abc", None)
    assert not tokens_match("abc", "")
