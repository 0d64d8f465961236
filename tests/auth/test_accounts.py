"""Accounts, passwords, second factor, lockout, sessions and clients, on SQLite and PostgreSQL
(issue 27). Each test drives the service over the real SQL store."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from seguro_desempleo.domain.access import Role, actor
from seguro_desempleo.errors import ConflictError, InputError, NotFoundError
from seguro_desempleo.services import accounts as acc
from seguro_desempleo.services.accounts import Accounts, AuthenticationFailed, TooManyAttempts, check_password
from seguro_desempleo.storage.db import make_engine
from tests.auth.conftest import STRONG, Clock, seed_worker, totp_now

# ------------------------------------------------------------------ password policy (NIST SP 800-63B)

@pytest.mark.parametrize("pw", ["password", "Password", "123456789", "contraseña", "qwerty123", "peru2025",
                                "aaaaaaaaaaaaaaaa", "segurodesempleo"])
def test_common_and_trivial_passwords_refused(pw: str) -> None:
    with pytest.raises(InputError, match="password"):
        check_password(pw)


def test_length_depends_on_the_second_factor() -> None:
    check_password("t7#kq!Lz")                      # 8 with a second factor: enough
    with pytest.raises(InputError, match="at least 15"):
        check_password("t7#kq!Lz", second_factor=False)
    check_password("a long enough passphrase", second_factor=False)
    with pytest.raises(InputError, match="at most 128"):
        check_password("x" * 60 + "y" * 69)
    with pytest.raises(InputError, match="user name"):
        check_password("maria.perez", username="maria.perez")


def test_no_composition_rules() -> None:
    # only lower-case letters and spaces: NIST says no composition rules
    assert check_password("mi perro se llama firulais") == "mi perro se llama firulais"
    # Unicode allowed and normalised (NFKC): the full-width form equals the ASCII one
    assert check_password("ｃｏｒｒｅｃｔ ｈｏｒｓｅ") == "correct horse"


# ------------------------------------------------------------------ accounts and sign-in

def test_staff_signs_in_with_password_and_totp(accounts: Accounts, clock: Clock) -> None:
    new = accounts.add_user("mperez", "caseworker", password=STRONG, by="cli:root")
    assert new.totp_secret and len(new.recovery_codes) == 10 and new.totp_uri.startswith("otpauth://totp/")
    with pytest.raises(AuthenticationFailed):            # the password alone is not enough for staff
        accounts.sign_in("mperez", STRONG, None)
    with pytest.raises(AuthenticationFailed):
        accounts.sign_in("mperez", STRONG, "000000" if totp_now(new.totp_secret, clock.now) != "000000" else "111111")
    token, p = accounts.sign_in("mperez", STRONG, totp_now(new.totp_secret, clock.now))
    assert token.startswith("ses_") and p.role is Role.CASEWORKER
    assert actor(p) == "user:mperez/caseworker"
    assert accounts.authenticate(token) == p


def test_a_totp_code_works_once(accounts: Accounts, clock: Clock) -> None:
    new = accounts.add_user("rita", "caseworker", password=STRONG, by="t")
    code = totp_now(new.totp_secret or "", clock.now)
    accounts.sign_in("rita", STRONG, code)
    with pytest.raises(AuthenticationFailed):              # the same code again, seen on the wire
        accounts.sign_in("rita", STRONG, code)
    clock.advance(seconds=30)
    accounts.sign_in("rita", STRONG, totp_now(new.totp_secret or "", clock.now))


def test_staff_through_the_identity_provider(accounts: Accounts) -> None:
    iss = "https://idp.example.gob.pe/realms/seguro"
    new = accounts.add_user("kc.mperez", "caseworker", password=None, oidc_issuer=iss, oidc_subject="kc-1", by="t")
    assert new.totp_secret is None                        # the provider's own second factor applies
    _, p = accounts.sign_in_oidc(iss, {"sub": "kc-1"})
    assert actor(p) == "user:kc.mperez/caseworker#oidc:kc-1"
    with pytest.raises(AuthenticationFailed):              # the same subject from another issuer
        accounts.sign_in_oidc("https://evil.example", {"sub": "kc-1"})
    with pytest.raises(AuthenticationFailed):              # no local password to sign in with
        accounts.sign_in("kc.mperez", "", None)


def test_password_hash_is_argon2id_and_the_token_is_not_stored(accounts: Accounts, migrated_url: str,
                                                                clock: Clock) -> None:
    new = accounts.add_user("ana", "analyst", password=STRONG, by="t")
    token, _ = accounts.sign_in("ana", STRONG, totp_now(new.totp_secret or "", clock.now))
    eng = make_engine(migrated_url)
    with eng.connect() as c:
        assert c.execute(text("SELECT password_hash FROM user_account")).scalar().startswith("$argon2id$")
        ids = [r[0] for r in c.execute(text("SELECT id FROM auth_session"))]
    eng.dispose()
    assert token not in ids and len(ids) == 1 and len(ids[0]) == 64


def test_recovery_code_works_once(accounts: Accounts) -> None:
    new = accounts.add_user("jefe", "admin", password=STRONG, by="t")
    code = new.recovery_codes[0]
    accounts.sign_in("jefe", STRONG, code)
    with pytest.raises(AuthenticationFailed):
        accounts.sign_in("jefe", STRONG, code)
    accounts.sign_in("jefe", STRONG, new.recovery_codes[1])


def test_worker_bound_by_dni_and_employer_by_rucs(accounts: Accounts, migrated_url: str) -> None:
    wid = seed_worker(migrated_url, "40000001")
    accounts.add_user("rosa", "worker", password="una frase larga de quince", worker_dni="40000001", by="t")
    _, p = accounts.sign_in("rosa", "una frase larga de quince", None)   # single factor: 15+ characters
    assert (p.role, p.subject) == (Role.WORKER, str(wid)) and p.may_see_worker(str(wid))
    assert not p.may_see_worker(str(wid + 1))
    accounts.add_user("acme", "employer", password="otra frase larga de quince", by="t",
                      rucs=["20100047218", "20131312955"])
    _, e = accounts.sign_in("acme", "otra frase larga de quince", None)
    assert e.may_see_employer("20100047218") and e.may_see_employer("20131312955")
    assert not e.may_see_employer("20000000001") and not e.may_see_worker(str(wid))
    with pytest.raises(NotFoundError, match="DNI"):
        accounts.add_user("nadie", "worker", password=STRONG, worker_dni="49999999", by="t")
    with pytest.raises(InputError, match="RUC"):
        accounts.add_user("emp2", "employer", password=STRONG, by="t")
    with pytest.raises(InputError, match="at least 15"):     # a worker without a second factor: 15+
        accounts.add_user("w2", "worker", password="t7#kq!Lzq", worker_id=wid, by="t")
    with pytest.raises(ConflictError):
        accounts.add_user("rosa", "analyst", password=STRONG, by="t")


def test_lockout_after_five_failures_even_with_the_right_password(accounts: Accounts, clock: Clock) -> None:
    new = accounts.add_user("luis", "caseworker", password=STRONG, by="t")
    for _ in range(acc.LOCK_AFTER):
        with pytest.raises(AuthenticationFailed, match="wrong"):
            accounts.sign_in("luis", "not the password at all", None)
    with pytest.raises(AuthenticationFailed, match="locked"):
        accounts.sign_in("luis", STRONG, totp_now(new.totp_secret or "", clock.now))
    clock.advance(minutes=acc.LOCK_MINUTES + 1)
    accounts.sign_in("luis", STRONG, totp_now(new.totp_secret or "", clock.now))


def test_rate_limit_per_address(accounts: Accounts, clock: Clock) -> None:
    new = accounts.add_user("carla", "board", password=STRONG, by="t")
    for i in range(acc.IP_FAILURES):
        with pytest.raises(AuthenticationFailed):
            accounts.sign_in(f"nobody{i}", "whatever password", None, address="203.0.113.9")
    with pytest.raises(TooManyAttempts):
        accounts.sign_in("carla", STRONG, totp_now(new.totp_secret or "", clock.now), address="203.0.113.9")
    accounts.sign_in("carla", STRONG, totp_now(new.totp_secret or "", clock.now), address="198.51.100.1")
    clock.advance(minutes=acc.IP_WINDOW_MINUTES + 1)
    accounts.sign_in("carla", STRONG, totp_now(new.totp_secret or "", clock.now), address="203.0.113.9")


# ------------------------------------------------------------------ sessions

def _staff_session(accounts: Accounts, clock: Clock, name: str = "sofia") -> str:
    new = accounts.add_user(name, "caseworker", password=STRONG, by="t")
    return accounts.sign_in(name, STRONG, totp_now(new.totp_secret or "", clock.now))[0]


def test_sign_out_and_disable_end_the_session_at_once(accounts: Accounts, clock: Clock) -> None:
    t1 = _staff_session(accounts, clock)
    accounts.sign_out(t1)
    with pytest.raises(AuthenticationFailed, match="ended"):
        accounts.authenticate(t1)
    t2 = _staff_session(accounts, clock, "pablo")
    accounts.authenticate(t2)
    accounts.set_disabled("pablo")
    with pytest.raises(AuthenticationFailed):
        accounts.authenticate(t2)


def test_idle_and_absolute_timeouts(accounts: Accounts, clock: Clock) -> None:
    t = _staff_session(accounts, clock)
    clock.advance(minutes=acc.IDLE_MINUTES - 1)
    accounts.authenticate(t)                             # activity keeps it alive
    clock.advance(minutes=acc.IDLE_MINUTES - 1)
    accounts.authenticate(t)
    clock.advance(minutes=acc.IDLE_MINUTES)
    with pytest.raises(AuthenticationFailed, match="expired"):
        accounts.authenticate(t)
    t2 = _staff_session(accounts, clock, "eva")
    for _ in range(acc.ABSOLUTE_HOURS * 3):
        clock.advance(minutes=20)
        try:
            accounts.authenticate(t2)
        except AuthenticationFailed:
            break
    assert clock.now - dt.datetime(2026, 12, 7, 9) >= dt.timedelta(hours=acc.ABSOLUTE_HOURS)


def test_reset_password_ends_sessions_and_renews_the_second_factor(accounts: Accounts, clock: Clock) -> None:
    t = _staff_session(accounts, clock, "tito")
    new = accounts.reset_password("tito", "a brand new passphrase")
    with pytest.raises(AuthenticationFailed):
        accounts.authenticate(t)
    accounts.sign_in("tito", "a brand new passphrase", totp_now(new.totp_secret or "", clock.now))


def test_client_credentials_are_scoped(accounts: Accounts) -> None:
    secret = accounts.add_client("banco-conciliacion", "analyst", ["read:payments"], by="t")
    token, p, ttl = accounts.sign_in_client("banco-conciliacion", secret)
    assert p.scopes == frozenset({"read:payments"}) and actor(p) == "client:banco-conciliacion/analyst"
    assert ttl == 3600 and accounts.authenticate(token).scopes == frozenset({"read:payments"})
    with pytest.raises(AuthenticationFailed):
        accounts.sign_in_client("banco-conciliacion", secret + "x")
    with pytest.raises(InputError):
        accounts.add_client("root-job", "admin", ["write:claims"], by="t")
    assert acc.scope_for("GET", "/api/v1/payments") == "read:payments"
    assert acc.scope_for("POST", "/api/v1/claims/X/decision") == "write:claims"


# ------------------------------------------------------------------ the database keeps the invariants

def test_database_refuses_unbound_workers_and_ownerless_sessions(migrated_url: str) -> None:
    eng = make_engine(migrated_url)
    now = dt.datetime(2026, 12, 7)
    base = {"p": None, "d": False, "f": 0, "c": now, "b": "t"}
    with pytest.raises(IntegrityError), eng.begin() as c:
        c.execute(text("INSERT INTO user_account (username, role, password_hash, disabled, failed_count, created_at,"
                       " created_by) VALUES ('w', 'worker', :p, :d, :f, :c, :b)"), base)
    with pytest.raises(IntegrityError), eng.begin() as c:
        c.execute(text("INSERT INTO user_account (username, role, password_hash, disabled, failed_count, created_at,"
                       " created_by) VALUES ('x', 'superuser', :p, :d, :f, :c, :b)"), base)
    with pytest.raises(IntegrityError), eng.begin() as c:
        c.execute(text("INSERT INTO auth_session (id, created_at, last_seen, expires_at) "
                       "VALUES ('s', :c, :c, :e)"), {"c": now, "e": now + dt.timedelta(hours=1)})
    eng.dispose()
