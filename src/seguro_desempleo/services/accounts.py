"""Accounts and sessions: the use cases of signing in (issue 27), over the ``AccountStore`` port.

- Passwords: argon2id (``argon2-cffi``'s defaults, RFC 9106's second recommended option);
  policy after NIST SP 800-63B §3.1.1.2 — at least 8 characters for an account with a second
  factor (every staff account), 15 for a single-factor one, at most 128, every character allowed
  (Unicode NFKC-normalised), no composition rules, and refused when on the shipped list of common
  passwords or equal to context words (the username, the service's name). Decision 0321.
- Second factor: TOTP (RFC 6238, ``pyotp``) required for every staff role; ten one-time recovery
  codes (stored as SHA-256; each works once).
- Lockout: after :data:`LOCK_AFTER` consecutive failures the account is locked for
  :data:`LOCK_MINUTES` minutes (a correct password inside the lock is refused too). Rate limit: at
  most :data:`IP_FAILURES` failures per client address per :data:`IP_WINDOW_MINUTES` minutes, then
  every attempt from it is refused (HTTP 429) until the window passes.
- Sessions: server-side; the token (``ses_`` + 256 random bits) is given once, only its SHA-256 is
  stored. Idle and absolute timeouts; sign-out, disabling the account or resetting its password
  revoke at once (every request reads the session row).
- Machine clients: client credentials (``client_id`` + secret, argon2id) with a role and scopes;
  their sessions carry the scopes, checked on every request (:func:`scope_for`).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from seguro_desempleo.domain.access import STAFF, Principal, Role
from seguro_desempleo.errors import (
    ConflictError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    SeguroError,
)
from seguro_desempleo.services.accounts_passwords import (
    RECOVERY_CODES as RECOVERY_CODES,
)
from seguro_desempleo.services.accounts_passwords import (
    _recovery_codes,
    _sha256,
    _verify_password,
    check_password,
    hash_password,
)
from seguro_desempleo.services.accounts_passwords import (
    scope_for as scope_for,
)

SESSION_PREFIX = "ses_"
LOCK_AFTER = 5
LOCK_MINUTES = 15
IP_FAILURES = 20
IP_WINDOW_MINUTES = 15
IDLE_MINUTES = 30
ABSOLUTE_HOURS = 12
CLIENT_SESSION_HOURS = 1
TOUCH_SECONDS = 60            # last_seen is written at most once a minute per session
TOTP_ISSUER = "Seguro por Desempleo"
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,62}")
CLIENT_ID = re.compile(r"[a-z0-9][a-z0-9._-]{2,62}")
SCOPE = re.compile(r"(read|write):[a-z0-9-]+")


class AuthenticationFailed(PermissionDeniedError):
    """Wrong credentials, or a locked or disabled account (401; the reason never says which)."""

    http_status = 401
    code = "unauthenticated"


class TooManyAttempts(PermissionDeniedError):
    http_status = 429
    code = "too-many-attempts"


class AccountStore(Protocol):
    """The port (storage/accounts_repository.py implements it)."""

    def account_by_name(self, username: str) -> Any: ...
    def account_by_id(self, account_id: int) -> Any: ...
    def account_by_oidc(self, issuer: str, subject: str) -> Any: ...
    def accounts(self) -> list[Any]: ...
    def count_accounts(self) -> int: ...
    def count_admins_with_totp(self) -> int: ...
    def add_account(self, **values: Any) -> Any: ...
    def rucs(self, account_id: int) -> list[str]: ...
    def set_rucs(self, account_id: int, rucs: list[str]) -> None: ...
    def worker_by_document(self, doc_type: str, doc_number: str) -> int | None: ...
    def worker_exists(self, worker_id: int) -> bool: ...
    def replace_recovery_codes(self, account_id: int, hashes: list[str]) -> None: ...
    def use_recovery_code(self, account_id: int, code_hash: str, now: dt.datetime) -> bool: ...
    def add_session(self, **values: Any) -> None: ...
    def session_owner(self, session_id: str) -> Any: ...
    def touch_session(self, session_id: str, now: dt.datetime) -> None: ...
    def revoke_session(self, session_id: str, now: dt.datetime) -> None: ...
    def revoke_sessions_of(self, *, account_id: int | None = None, client_id: str | None = None,
                           now: dt.datetime) -> None: ...
    def client(self, client_id: str) -> Any: ...
    def add_client(self, **values: Any) -> None: ...
    def record_failure(self, key: str, now: dt.datetime) -> None: ...
    def failures_since(self, key: str, since: dt.datetime) -> int: ...
    def forget_failures_before(self, before: dt.datetime) -> None: ...
    def setting(self, key: str) -> str | None: ...
    def set_setting(self, key: str, value: str) -> None: ...
    def commit(self) -> None: ...


StoreFactory = Callable[[], AbstractContextManager[AccountStore]]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


# ------------------------------------------------------------------------------ the service

@dataclass(frozen=True)
class NewCredentials:
    """What an admin hands to a new user once (never stored in clear): the TOTP secret (and its
    otpauth:// URI for an authenticator app) and the recovery codes."""

    username: str
    totp_secret: str | None
    totp_uri: str | None
    recovery_codes: tuple[str, ...]


@dataclass(frozen=True)
class AccountView:
    username: str
    role: str
    disabled: bool
    second_factor: bool
    worker_id: int | None
    rucs: tuple[str, ...]
    oidc: bool
    locked_until: dt.datetime | None


class Accounts:
    def __init__(self, open_store: StoreFactory, *, clock: Callable[[], dt.datetime] = utcnow) -> None:
        self.open_store = open_store
        self.clock = clock

    # ------------------------------------------------------------------ administration
    def add_user(self, username: str, role: Role | str, *, password: str | None, by: str,
                 worker_id: int | None = None, worker_dni: str | None = None, rucs: Iterable[str] = (),
                 oidc_issuer: str | None = None, oidc_subject: str | None = None,
                 second_factor: bool | None = None) -> NewCredentials:
        """A new account. Staff always get a TOTP secret; workers and employers get one when
        *second_factor* (their password must then be 8+ characters; 15+ without)."""
        role = _role(role)
        name = _username(username)
        # a second factor here only with a local password; through the identity provider, its own
        totp = (role in STAFF or bool(second_factor)) and password is not None
        if password is None and oidc_subject is None:
            raise InputError("give a password or an OpenID Connect subject", field="password")
        pw_hash = hash_password(check_password(password, username=name, second_factor=totp)) \
            if password is not None else None
        ruc_list = _rucs(rucs, role)
        with self.open_store() as store:
            wid = self._worker_binding(store, role, worker_id, worker_dni)
            if store.account_by_name(name) is not None:
                raise ConflictError(f"user '{name}' already exists", field="username")
            secret = _new_totp_secret() if totp else None
            row = store.add_account(username=name, role=role.value, password_hash=pw_hash, totp_secret=secret,
                                    worker_id=wid, oidc_issuer=oidc_issuer, oidc_subject=oidc_subject,
                                    disabled=False, failed_count=0, locked_until=None, created_at=self.clock(),
                                    created_by=by)
            store.set_rucs(row.id, ruc_list)
            codes = _recovery_codes() if totp else []
            store.replace_recovery_codes(row.id, [_sha256(c) for c in codes])
            store.commit()
        return NewCredentials(name, secret, _totp_uri(name, secret) if secret else None, tuple(codes))

    @staticmethod
    def _worker_binding(store: AccountStore, role: Role, worker_id: int | None, dni: str | None) -> int | None:
        if role is not Role.WORKER:
            if worker_id is not None or dni:
                raise InputError("only a worker account is bound to a worker", field="worker")
            return None
        if dni:
            if not re.fullmatch(r"[0-9]{8}", dni):
                raise InputError("a DNI has 8 digits", field="dni")
            found = store.worker_by_document("01", dni)
            if found is None:
                raise NotFoundError("no worker with that DNI is registered", field="dni")
            return int(found)
        if worker_id is None:
            raise InputError("a worker account is bound to a worker: give --dni or --worker-id", field="worker")
        if not store.worker_exists(worker_id):
            raise NotFoundError(f"worker {worker_id} is not registered", field="worker_id")
        return worker_id

    def list_users(self) -> list[AccountView]:
        with self.open_store() as store:
            return [AccountView(r.username, r.role, bool(r.disabled), r.totp_secret is not None, r.worker_id,
                                tuple(store.rucs(r.id)), r.oidc_subject is not None, r.locked_until)
                    for r in store.accounts()]

    def has_accounts(self) -> bool:
        with self.open_store() as store:
            return store.count_accounts() > 0

    def set_disabled(self, username: str, disabled: bool = True) -> None:
        with self.open_store() as store:
            row = _existing(store, username)
            row.disabled = disabled
            if disabled:
                store.revoke_sessions_of(account_id=row.id, now=self.clock())
            else:
                row.failed_count = 0
                row.locked_until = None
            store.commit()

    def reset_password(self, username: str, password: str) -> NewCredentials:
        """A new password (and, for an account with a second factor, a new TOTP secret and new
        recovery codes: a reset is how a lost phone is recovered); every session ends."""
        with self.open_store() as store:
            row = _existing(store, username)
            totp = row.totp_secret is not None
            row.password_hash = hash_password(check_password(password, username=row.username, second_factor=totp))
            row.failed_count = 0
            row.locked_until = None
            secret = _new_totp_secret() if totp else None
            row.totp_secret = secret
            row.totp_last_step = None
            codes = _recovery_codes() if totp else []
            store.replace_recovery_codes(row.id, [_sha256(c) for c in codes])
            store.revoke_sessions_of(account_id=row.id, now=self.clock())
            store.commit()
        return NewCredentials(row.username, secret, _totp_uri(row.username, secret) if secret else None,
                              tuple(codes))

    def set_role(self, username: str, role: Role | str, *, rucs: Iterable[str] = (),
                 worker_id: int | None = None, worker_dni: str | None = None) -> NewCredentials | None:
        """Change an account's role (and its RUCs or worker); a staff role without a second factor
        gets one (returned). Sessions end: the next sign-in carries the new role."""
        role = _role(role)
        ruc_list = _rucs(rucs, role)
        with self.open_store() as store:
            row = _existing(store, username)
            row.worker_id = self._worker_binding(store, role, worker_id, worker_dni)
            row.role = role.value
            store.set_rucs(row.id, ruc_list)
            new = None
            if role in STAFF and row.totp_secret is None and row.password_hash is not None:
                row.totp_secret = _new_totp_secret()
                codes = _recovery_codes()
                store.replace_recovery_codes(row.id, [_sha256(c) for c in codes])
                new = NewCredentials(row.username, row.totp_secret, _totp_uri(row.username, row.totp_secret),
                                     tuple(codes))
            store.revoke_sessions_of(account_id=row.id, now=self.clock())
            store.commit()
        return new

    def add_client(self, client_id: str, role: Role | str, scopes: Iterable[str], *, by: str) -> str:
        """A machine client's credential; returns its secret (shown once)."""
        role = _role(role)
        if role in (Role.WORKER, Role.EMPLOYER, Role.ADMIN):
            raise InputError("a machine client acts in a staff role other than admin", field="role")
        if not CLIENT_ID.fullmatch(client_id):
            raise InputError("3-63 lower-case letters, digits, '.', '_' or '-'", field="client_id")
        scope_list = sorted(set(scopes))
        if not scope_list or any(not SCOPE.fullmatch(s) for s in scope_list):
            raise InputError("give scopes such as read:payments write:payroll", field="scopes")
        secret = secrets.token_urlsafe(32)
        with self.open_store() as store:
            if store.client(client_id) is not None:
                raise ConflictError(f"client '{client_id}' already exists", field="client_id")
            store.add_client(client_id=client_id, secret_hash=hash_password(secret), role=role.value,
                             scopes=" ".join(scope_list), disabled=False, created_at=self.clock(), created_by=by)
            store.commit()
        return secret

    # ------------------------------------------------------------------ signing in
    def sign_in(self, username: str, password: str, code: str | None, *, address: str = "-") -> tuple[str, Principal]:
        """A session for a local account: password, then (staff, or an account with a second
        factor) a TOTP code or an unused recovery code. Failures count toward the lockout and
        the address's rate limit; the error never says which part was wrong."""
        now = self.clock()
        ip_key = f"ip:{address}"[:80]
        with self.open_store() as store:
            if store.failures_since(ip_key, now - dt.timedelta(minutes=IP_WINDOW_MINUTES)) >= IP_FAILURES:
                raise TooManyAttempts("too many failed sign-ins from this address; wait and try again")
            row = store.account_by_name(username.strip().lower()) if USERNAME.fullmatch(
                username.strip().lower()) else None
            ok = _verify_password(row.password_hash if row is not None else None, password)
            reason = None
            if row is None or not ok:
                reason = "bad"
            elif row.disabled:
                reason = "disabled"
            elif row.locked_until is not None and row.locked_until > now:
                reason = "locked"
            elif row.totp_secret is not None and not self._second_factor(store, row, code, now):
                reason = "bad"
            if reason is not None:
                store.record_failure(ip_key, now)
                if row is not None and reason == "bad":
                    row.failed_count = int(row.failed_count) + 1
                    if row.failed_count >= LOCK_AFTER:
                        row.locked_until = now + dt.timedelta(minutes=LOCK_MINUTES)
                        row.failed_count = 0
                store.forget_failures_before(now - dt.timedelta(days=1))
                store.commit()
                if reason == "locked":
                    raise AuthenticationFailed("this account is locked after too many failed attempts; "
                                               "try again later or ask an administrator")
                raise AuthenticationFailed("wrong user name, password or code")
            assert row is not None
            row.failed_count = 0
            row.locked_until = None
            token = self._open_session(store, now, account_id=row.id)
            principal = self._principal_of(store, row, None)
            store.commit()
        return token, principal

    @staticmethod
    def _second_factor(store: AccountStore, row: Any, code: str | None, now: dt.datetime) -> bool:
        import pyotp

        code = (code or "").strip().replace(" ", "")
        if not code:
            return False
        if re.fullmatch(r"[0-9]{6}", code):
            import hmac

            totp = pyotp.TOTP(row.totp_secret)
            at = now.replace(tzinfo=dt.UTC)
            step = totp.timecode(at)
            for k in (0, -1, 1):                     # this 30-second step, or one either side
                if hmac.compare_digest(totp.generate_otp(step + k), code):
                    if row.totp_last_step is not None and step + k <= row.totp_last_step:
                        return False                 # replayed: a code (and any earlier one) works once
                    row.totp_last_step = step + k
                    return True
            return False
        return store.use_recovery_code(row.id, _sha256(code.lower()), now)

    def sign_in_client(self, client_id: str, secret: str, *, address: str = "-") -> tuple[str, Principal, int]:
        """OAuth 2.0 client credentials: a short session with the client's role and scopes."""
        now = self.clock()
        ip_key = f"ip:{address}"[:80]
        with self.open_store() as store:
            if store.failures_since(ip_key, now - dt.timedelta(minutes=IP_WINDOW_MINUTES)) >= IP_FAILURES:
                raise TooManyAttempts("too many failed sign-ins from this address; wait and try again")
            row = store.client(client_id) if CLIENT_ID.fullmatch(client_id or "") else None
            ok = _verify_password(row.secret_hash if row is not None else None, secret)
            if row is None or not ok or row.disabled:
                store.record_failure(ip_key, now)
                store.commit()
                raise AuthenticationFailed("invalid client credentials")
            token = self._open_session(store, now, client_id=row.client_id,
                                       hours=CLIENT_SESSION_HOURS)
            store.commit()
            principal = Principal(Role(row.role), None, account=f"client:{row.client_id}",
                                  scopes=frozenset(row.scopes.split()))
        return token, principal, CLIENT_SESSION_HOURS * 3600

    def sign_in_oidc(self, issuer: str, claims: dict[str, Any], *, dni_claim: str = "dni",
                     auto_workers: bool = True) -> tuple[str, Principal]:
        """A session for a validated ID token's claims: the account holding (issuer, sub); else,
        when the token carries a DNI (Peru's ID Gob.pe), the account of that worker, bound now;
        else a new worker account for a registered worker with that DNI (*auto_workers*).
        Staff and employer accounts are created by an admin with ``users add --oidc-subject``."""
        sub = str(claims.get("sub") or "")
        if not sub:
            raise AuthenticationFailed("the identity provider gave no subject")
        now = self.clock()
        with self.open_store() as store:
            row = store.account_by_oidc(issuer, sub)
            if row is None:
                dni = str(claims.get(dni_claim) or "")
                wid = store.worker_by_document("01", dni) if re.fullmatch(r"[0-9]{8}", dni) else None
                if wid is None or not auto_workers:
                    raise AuthenticationFailed("no account for this identity; ask the institution to create one")
                row = store.account_by_name(f"w{wid}")
                if row is not None and row.worker_id == wid and row.oidc_subject is None:
                    row.oidc_issuer, row.oidc_subject = issuer, sub      # bound now, by the DNI
                elif row is None:
                    row = store.add_account(
                        username=f"w{wid}", role=Role.WORKER.value, password_hash=None, totp_secret=None,
                        worker_id=int(wid), oidc_issuer=issuer, oidc_subject=sub, disabled=False,
                        failed_count=0, locked_until=None, created_at=now, created_by="oidc")
                else:
                    raise AuthenticationFailed("no account for this identity; ask the institution to create one")
            if row.disabled:
                raise AuthenticationFailed("this account is disabled")
            token = self._open_session(store, now, account_id=row.id, oidc_subject=sub)
            principal = self._principal_of(store, row, sub)
            store.commit()
        return token, principal

    def demo_sign_in(self, role: Role | str, subject: str | None = None) -> tuple[str, Principal]:
        """The demo log-in (decision 0440): a real server-side session of the demo's account for
        *role* — ``demo.<role>`` for staff, ``w<id>`` bound to worker *subject*, ``demo.e<RUC>``
        bound to RUC *subject* — so the audit names that account, never a bare role. Only
        accounts the demo created (``created_by`` ``demo``) are signed in to; one missing is
        created on first use in a database ``demo`` created, and never in any other database.
        The caller (API, web) lets this run only while the demo log-in is on."""
        role = _role(role)
        name, worker_id, rucs = demo_account(role, subject)
        now = self.clock()
        with self.open_store() as store:
            row = store.account_by_name(name)
            if row is None:
                if store.setting("demo_database") != "yes":
                    raise AuthenticationFailed(
                        "the demo log-in signs in as the demo's accounts, which only a database "
                        "`seguro-desempleo demo` created holds; sign in with an account")
                if worker_id is not None and not store.worker_exists(worker_id):
                    raise NotFoundError(f"worker {worker_id} is not registered", field="subject")
                row = store.add_account(username=name, role=role.value, password_hash=None, totp_secret=None,
                                        worker_id=worker_id, oidc_issuer=None, oidc_subject=None, disabled=False,
                                        failed_count=0, locked_until=None, created_at=now, created_by=DEMO_CREATOR)
                store.set_rucs(row.id, rucs)
            elif (row.created_by != DEMO_CREATOR or row.role != role.value
                  or (worker_id is not None and row.worker_id != worker_id)):
                raise AuthenticationFailed(f"'{name}' is not an account of the demo")
            if row.disabled:
                raise AuthenticationFailed("this account is disabled")
            token = self._open_session(store, now, account_id=row.id)
            principal = self._principal_of(store, row, None)
            store.commit()
        return token, principal

    def _open_session(self, store: AccountStore, now: dt.datetime, *, account_id: int | None = None,
                      client_id: str | None = None, oidc_subject: str | None = None,
                      hours: int = ABSOLUTE_HOURS) -> str:
        token = SESSION_PREFIX + secrets.token_urlsafe(32)
        store.add_session(id=_sha256(token), account_id=account_id, client_id=client_id, oidc_subject=oidc_subject,
                          created_at=now, last_seen=now, expires_at=now + dt.timedelta(hours=hours),
                          revoked_at=None)
        return token

    @staticmethod
    def _principal_of(store: AccountStore, row: Any, oidc_subject: str | None) -> Principal:
        return Accounts._principal_of_account(store, row.id, row.role, row.username, row.worker_id, oidc_subject)

    @staticmethod
    def _principal_of_account(store: AccountStore, account_id: int, role_name: str, username: str,
                              worker_id: int | None, oidc_subject: str | None) -> Principal:
        role = Role(role_name)
        rucs = store.rucs(account_id) if role is Role.EMPLOYER else []
        subject = str(worker_id) if role is Role.WORKER else (rucs[0] if rucs else None)
        return Principal(role, subject, account=f"user:{username}", oidc_subject=oidc_subject,
                         rucs=frozenset(rucs))

    # ------------------------------------------------------------------ every request
    def authenticate(self, token: str, *, store: AccountStore | None = None) -> Principal:
        """The principal of a live session; :class:`AuthenticationFailed` for a revoked, expired,
        idle or unknown one, or a disabled account or client.

        With *store* (an accounts store inside the caller's own transaction: the API's fast path
        authenticates inside the claim's unit of work, issue 25) the session is read there and a
        ``last_seen`` touch is left for the caller's commit; otherwise in a transaction of its own."""
        if store is not None:
            return self._authenticate_touch(store, token)[0]
        with self.open_store() as own:
            principal, touched = self._authenticate_touch(own, token)
            if touched:
                own.commit()
            return principal

    def _authenticate_touch(self, store: AccountStore, token: str) -> tuple[Principal, bool]:
        """The principal, and whether ``last_seen`` was written (at most once a minute)."""
        now = self.clock()
        sid = _sha256(token)
        s = store.session_owner(sid)           # one joined read: the session with its holder
        if s is None or s.revoked_at is not None:
            raise AuthenticationFailed("session ended; sign in again")
        if s.expires_at <= now or (s.account_id is not None
                                   and s.last_seen + dt.timedelta(minutes=IDLE_MINUTES) <= now):
            raise AuthenticationFailed("session expired; sign in again")
        if s.client_id is not None:
            if s.client_role is None or s.client_disabled:
                raise AuthenticationFailed("client disabled")
            return Principal(Role(s.client_role), None, account=f"client:{s.client_id}",
                             scopes=frozenset(s.client_scopes.split())), False
        if s.username is None or s.disabled:
            raise AuthenticationFailed("account disabled")
        principal = self._principal_of_account(store, s.account_id, s.role, s.username, s.worker_id, s.oidc_subject)
        if (now - s.last_seen).total_seconds() >= TOUCH_SECONDS:
            store.touch_session(sid, now)
            return principal, True
        return principal, False

    def sign_out(self, token: str) -> None:
        with self.open_store() as store:
            store.revoke_session(_sha256(token), self.clock())
            store.commit()

    # ------------------------------------------------------------------ the instance
    def mark_demo_database(self) -> None:
        with self.open_store() as store:
            store.set_setting("demo_database", "yes")
            store.commit()

    def is_demo_database(self) -> bool:
        try:
            with self.open_store() as store:
                return store.setting("demo_database") == "yes"
        except SeguroError:
            raise
        except Exception:   # no schema yet: not a demo database
            return False

    def cli_actor(self, username: str, *, explicit: bool) -> str:
        """The audit name of a CLI run (decision 0320): ``cli:<account>/<role>`` when *username*
        is an enabled account; otherwise, for the OS user (not *explicit*), ``os:<user>``. An
        explicit ``--actor`` that is not an enabled account is refused."""
        name = username.strip().lower()
        found = None
        try:
            with self.open_store() as store:
                row = store.account_by_name(name) if USERNAME.fullmatch(name) else None
                if row is not None and not row.disabled:
                    found = f"cli:{row.username}/{row.role}"
        except SeguroError:
            raise
        except Exception:       # a database without the accounts tables yet
            found = None
        if found is not None:
            return found
        if explicit:
            raise NotFoundError(f"no enabled account '{username}'", field="--actor")
        return f"os:{username}"

    def production_gaps(self) -> list[str]:
        with self.open_store() as store:
            gaps = []
            if store.setting("demo_database") == "yes":
                gaps.append("this database was created by `demo` (demo log-in would be on)")
            if store.count_admins_with_totp() == 0:
                gaps.append("no enabled admin account with TOTP: seguro-desempleo users add <name> --role admin")
            return gaps


DEMO_CREATOR = "demo"
"""``created_by`` of the accounts the demo makes (the only ones the demo log-in signs in to)."""


def demo_account(role: Role, subject: str | None) -> tuple[str, int | None, list[str]]:
    """The demo's account for a role and subject: (username, worker id, RUCs); InputError for a
    worker without a worker id or an employer without a RUC (decision 0440)."""
    if role is Role.WORKER:
        ref = (subject or "").strip()
        if not (ref.isascii() and ref.isdigit() and 0 < len(ref) <= 12):
            raise InputError("a worker's demo log-in names the worker id (digits)", field="subject")
        return f"w{int(ref)}", int(ref), []
    if role is Role.EMPLOYER:
        ruc = (subject or "").strip()
        if not (ruc.isascii() and re.fullmatch(r"[0-9]{11}", ruc)):
            raise InputError("an employer's demo log-in names its RUC (11 digits)", field="subject")
        return f"demo.e{ruc}", None, [ruc]
    return f"demo.{role.value}", None, []


def _existing(store: AccountStore, username: str) -> Any:
    row = store.account_by_name(username.strip().lower())
    if row is None:
        raise NotFoundError(f"no user '{username}'", field="username")
    return row


def _role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise InputError(f"unknown role '{role}' (one of {', '.join(r.value for r in Role)})",
                         field="role") from None


def _username(name: str) -> str:
    n = name.strip().lower()
    if not USERNAME.fullmatch(n):
        raise InputError("2-63 lower-case letters, digits, '.', '_' or '-'", field="username")
    return n


def _rucs(rucs: Iterable[str], role: Role) -> list[str]:
    out = sorted({r.strip() for r in rucs if r.strip()})
    if role is Role.EMPLOYER and not out:
        raise InputError("an employer account holds one or more RUCs: give --ruc", field="ruc")
    if role is not Role.EMPLOYER and out:
        raise InputError("only an employer account holds RUCs", field="ruc")
    for r in out:
        if not re.fullmatch(r"[0-9]{11}", r):
            raise InputError("a RUC has 11 digits", field="ruc")
    return out


def new_totp_secret() -> str:
    import pyotp

    return str(pyotp.random_base32())


_new_totp_secret = new_totp_secret


def _totp_uri(username: str, secret: str) -> str:
    import pyotp

    return str(pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=TOTP_ISSUER))
