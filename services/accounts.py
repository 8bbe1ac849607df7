"""Console accounts: create, list, disable, reset a password; log in with throttling; sessions.

Passwords are hashed with Argon2id (argon2-cffi). A session id is 256 random bits: the cookie
holds it, the database only its SHA-256, so a leaked table opens no session. Failed logins are
counted in the database, per account and per client address, so the throttle holds across
restarts and across several web workers.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from dataclasses import dataclass
from functools import lru_cache

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.accounts import MIN_PASSWORD_LENGTH, UserRole
from models.console_tables import LoginAttempt, UserAccount, UserSession
from models.contacts import valid_address
from models.tables import table_of
from models.vocabulary import USER_ROLE

LOGIN_WINDOW = dt.timedelta(minutes=1)
SESSION_MAX_AGE = dt.timedelta(hours=12)  # whatever the activity: log in again each day
EXPIRED_KEPT = dt.timedelta(days=1)  # an expired session's row, to keep a form posted on it
TOUCH_EVERY = dt.timedelta(seconds=60)  # last_seen_at is written at most once a minute


class AccountError(ValueError):
    """The account cannot be created or changed as asked; nothing changed."""


@lru_cache(maxsize=1)
def _hasher():  # type: ignore[no-untyped-def]
    from argon2 import PasswordHasher

    return PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return bool(_hasher().verify(stored, password))
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
@functools.cache
def _dummy_hash() -> str:
    """Checked when the e-mail is unknown, so an answer takes as long either way."""
    return hash_password(secrets.token_urlsafe(16))


def normalise_email(email: str) -> str:
    address = (email or "").strip().lower()
    if not valid_address(address):
        raise AccountError(f"«{email}» không phải địa chỉ e-mail hợp lệ")
    return address


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"mật khẩu cần ít nhất {MIN_PASSWORD_LENGTH} ký tự "
                           f"(mật khẩu này có {len(password)})")


def check_role(role: str) -> UserRole:
    try:
        return UserRole(role)
    except ValueError:
        roles = ", ".join(f"{r.value} ({USER_ROLE[r.value]})" for r in UserRole)
        raise AccountError(f"vai trò {role!r} không có; chọn một trong {roles}") from None


def find_user(session: Session, email: str) -> UserAccount | None:
    return session.exec(select(UserAccount).where(
        UserAccount.email == (email or "").strip().lower())).first()


def create_user(*, session: Session, email: str, name: str, role: str, password: str,
                at: dt.datetime) -> UserAccount:
    """A new account; AccountError when the e-mail is taken or an input is unusable."""
    address = normalise_email(email)
    checked = check_role(role)
    if not (name or "").strip():
        raise AccountError("cần họ tên (--name)")
    check_password(password)
    if find_user(session, address) is not None:
        raise AccountError(f"đã có tài khoản {address}")
    user = UserAccount(email=address, name=name.strip(), role=checked.value,
                       password_hash=hash_password(password), created_at=at,
                       password_changed_at=at)
    session.add(user)
    session.flush()
    return user


def _existing(session: Session, email: str) -> UserAccount:
    user = find_user(session, email)
    if user is None:
        raise AccountError(f"không có tài khoản {email.strip().lower()}; xem `cascade users list`")
    return user


def end_sessions(session: Session, user_id: int) -> int:
    result = session.connection().execute(
        sa.delete(table_of(UserSession)).where(table_of(UserSession).c.user_id == user_id))
    return result.rowcount or 0


def disable_user(*, session: Session, email: str) -> UserAccount:
    """The account can no longer log in; its open sessions end now."""
    user = _existing(session, email)
    user.active = False
    session.add(user)
    assert user.id is not None
    end_sessions(session, user.id)
    return user


def reset_password(*, session: Session, email: str, password: str, at: dt.datetime) -> UserAccount:
    """A new password (the account is enabled again); every open session of it ends."""
    user = _existing(session, email)
    check_password(password)
    user.password_hash = hash_password(password)
    user.password_changed_at = at
    user.active = True
    session.add(user)
    assert user.id is not None
    end_sessions(session, user.id)
    return user


def list_users(*, session: Session) -> list[UserAccount]:
    return list(session.exec(select(UserAccount).order_by(col(UserAccount.email))).all())


# --- Logging in ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class LoginOutcome:
    user: UserAccount | None  # None: refused (wrong e-mail or password, disabled, throttled)
    throttled: bool = False
    retry_after: int = 0  # seconds, when throttled


@dataclass(frozen=True)
class LoginTry:
    """A login try recorded (as failed until `finish_login` says otherwise), with what checking
    its password needs: the stored hash, or a dummy one when the e-mail is unknown."""

    attempt_id: int | None  # None: throttled, nothing to check
    password_hash: str = ""
    user_id: int | None = None
    retry_after: int = 0


def recent_failures(session: Session, column: sa.ColumnElement, value: str,  # type: ignore[type-arg]
                    since: dt.datetime) -> tuple[int, dt.datetime | None]:
    """How many failed tries of the login_attempt table have `column` = `value` since `since`,
    and the first of them (the login throttle, services.report_attempts)."""
    t = table_of(LoginAttempt)
    row = session.connection().execute(
        sa.select(sa.func.count(), sa.func.min(t.c.at))
        .where(column == value, t.c.at > since, t.c.succeeded.is_(False))).one()
    return int(row[0]), row[1]


def seconds_until(first: dt.datetime, window: dt.timedelta, at: dt.datetime) -> int:
    """Seconds from `at` until the try made at `first` leaves its `window` (at least 1)."""
    return max(1, int((first + window - at).total_seconds()) + 1)


def begin_login(*, session: Session, email: str, address: str, at: dt.datetime,
                max_failures: int, max_per_address: int) -> LoginTry:
    """The first of a login's two short writes: refuse it if this account or address failed too
    often in the last minute, else record the try as a failure until its password is known. The
    password is checked (argon2, most of a second) between the two writes, outside any
    transaction, so a wrong password never holds the database; a try counts before its check,
    so simultaneous tries cannot slip past the throttle."""
    key = (email or "").strip().lower()[:254]
    address = (address or "?")[:64]
    since = at - LOGIN_WINDOW
    by_account, first_a = recent_failures(session, table_of(LoginAttempt).c.email, key, since)
    by_address, first_b = recent_failures(session, table_of(LoginAttempt).c.address, address, since)
    attempt = LoginAttempt(at=at, email=key, address=address, succeeded=False)
    session.add(attempt)
    if by_account >= max_failures or by_address >= max_per_address:
        first = min(x for x in (first_a, first_b) if x is not None)
        return LoginTry(None, retry_after=seconds_until(first, LOGIN_WINDOW, at))
    session.flush()
    user = find_user(session, key)
    usable = user is not None and user.active
    return LoginTry(attempt.id, user.password_hash if user and usable else _dummy_hash(),
                    user.id if user and usable else None)


def password_matches(attempt: LoginTry, password: str) -> bool:
    """No database: the slow part of a login."""
    return attempt.attempt_id is not None and verify_password(attempt.password_hash, password or "") \
        and attempt.user_id is not None


def finish_login(*, session: Session, attempt: LoginTry, ok: bool, at: dt.datetime) -> LoginOutcome:
    """The second write: a right password marks the try a success (if the account is still
    active) and old tries of the account are dropped."""
    if attempt.attempt_id is None:
        return LoginOutcome(None, throttled=True, retry_after=attempt.retry_after)
    user = session.get(UserAccount, attempt.user_id) if ok and attempt.user_id else None
    if user is None or not user.active:
        return LoginOutcome(None)
    t = table_of(LoginAttempt)
    conn = session.connection()
    conn.execute(sa.update(t).where(t.c.id == attempt.attempt_id).values(succeeded=True))
    # old attempts of this account are of no use to the throttle
    conn.execute(sa.delete(t).where(t.c.email == user.email, t.c.at < at - dt.timedelta(days=1)))
    return LoginOutcome(user)


# --- Sessions -----------------------------------------------------------------------------------

def session_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class SignedIn:
    """The user of a live session, as the console needs it."""

    user_id: int
    email: str
    name: str
    role: UserRole
    csrf_secret: str
    session_hash: str


def open_session(*, session: Session, user: UserAccount, at: dt.datetime,
                 address: str | None = None) -> str:
    """A new session for `user` (always a new id: a fixation attempt gets nothing); the raw id
    for the cookie."""
    assert user.id is not None
    raw = secrets.token_urlsafe(32)
    session.add(UserSession(id_hash=session_hash(raw), user_id=user.id,
                            csrf_secret=secrets.token_urlsafe(32), created_at=at, last_seen_at=at,
                            address=(address or None) and address[:64]))
    return raw


def load_session(*, session: Session, raw: str | None, at: dt.datetime,
                 idle: dt.timedelta) -> tuple[SignedIn | None, str]:
    """The signed-in user of session id `raw`, or None (unknown, expired, account disabled),
    and what the caller should write: "touch" (mark it seen, at most once a minute),
    "expired" (delete it) or "" (nothing). Reads only, so a page view takes no write lock."""
    if not raw or len(raw) > 100:
        return None, ""
    row = session.exec(select(UserSession, UserAccount)
                       .join(UserAccount, col(UserAccount.id) == UserSession.user_id)
                       .where(UserSession.id_hash == session_hash(raw))).first()
    if row is None:
        return None, ""
    stored, user = row
    if (not user.active or at - stored.last_seen_at > idle
            or at - stored.created_at > SESSION_MAX_AGE):
        # an expired session's row stays a while: a review posted on it can still be kept
        # (expired_session_secret), and nobody else's made-up cookie can
        past = min(at - stored.last_seen_at - idle, at - stored.created_at - SESSION_MAX_AGE)
        return None, "expired" if not user.active or past > EXPIRED_KEPT else ""
    assert user.id is not None
    signed = SignedIn(user.id, user.email, user.name, UserRole(user.role), stored.csrf_secret,
                      stored.id_hash)
    return signed, "touch" if at - stored.last_seen_at > TOUCH_EVERY else ""


def expired_session_secret(*, session: Session, raw: str | None) -> str | None:
    """The CSRF secret of the (expired) session `raw` of an active account, or None: a form
    posted on it is kept only if it carries that session's token (web.console.guard)."""
    if not raw or len(raw) > 100:
        return None
    row = session.exec(select(UserSession.csrf_secret)
                       .join(UserAccount, col(UserAccount.id) == UserSession.user_id)
                       .where(UserSession.id_hash == session_hash(raw),
                              col(UserAccount.active).is_(True))).first()
    return str(row) if row is not None else None


def record_visit(*, session: Session, raw: str, state: str, at: dt.datetime) -> None:
    """Do what load_session asked: mark the session seen, or delete it once expired."""
    t = table_of(UserSession)
    where = t.c.id_hash == session_hash(raw)
    if state == "expired":
        session.connection().execute(sa.delete(t).where(where))
    elif state == "touch":
        session.connection().execute(sa.update(t).where(where).values(last_seen_at=at))


def close_session(*, session: Session, raw: str | None) -> None:
    if raw:
        session.connection().execute(sa.delete(table_of(UserSession)).where(
            table_of(UserSession).c.id_hash == session_hash(raw)))
