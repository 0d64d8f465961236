"""Signing in, for tests: through ACCOUNTS and the real sign-in, so that the audit of a test names
an account (``user:t.caseworker/caseworker``), never a bare role (issue 27, decision 0440).

- :func:`token` / :func:`headers` — an API session (``POST /api/v1/auth/login``) for a role and,
  for a worker or an employer, the subject it acts for; kept per application, so a test signs in
  once per account.
- :func:`web` — the web sign-in form (``POST /ingresar``: user name, password, second factor) on a
  TestClient; the session cookie lands in its jar. Returns the form's answer (303 to the role's
  home).
- :func:`browser` — the same form in a real browser (Playwright).
- :func:`demo_app` — the one way a test asks for the demo log-in (``create_app`` has it off by
  default): the database is marked as one ``demo`` made, and the demo log-in signs in as the
  demo's accounts.

The accounts: ``t.<role>`` for staff (with TOTP, as every staff account), ``t.w<id>`` bound to the
worker record ``<id>``, ``t.e<RUC>`` bound to the RUC; all with :data:`PASSWORD`. A staff sign-in
gives a fresh recovery code as its second factor (each works once), so the tests never depend on
the clock's 30-second TOTP step; tests/auth signs in with TOTP codes themselves.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from seguro_desempleo.domain.access import STAFF, Role

PASSWORD = "correct horse battery staple"      # 28 characters, not on the list of common passwords

LABELS_ES = {"Trabajador(a)": "worker", "Empleador": "employer", "Gestor(a) de casos": "caseworker",
             "Servicio de empleo": "employment_officer", "Analista": "analyst", "Directorio": "board",
             "Administración": "admin"}


def username(role: str, subject: str | None = None) -> str:
    r = Role(role)
    if r is Role.WORKER:
        return f"t.w{int(str(subject))}"
    if r is Role.EMPLOYER:
        return f"t.e{subject}"
    return f"t.{r.value}"


def ensure_account(accounts: Any, role: str, subject: str | None = None) -> str:
    """The test account for *role* (and *subject*) in the database of *accounts*, created once."""
    name = username(role, subject)
    with accounts.open_store() as store:
        exists = store.account_by_name(name) is not None
    if not exists:
        r = Role(role)
        accounts.add_user(name, r, password=PASSWORD, by="test",
                          worker_id=int(str(subject)) if r is Role.WORKER else None,
                          rucs=[str(subject)] if r is Role.EMPLOYER else ())
    return name


def second_factor(accounts: Any, name: str) -> str:
    """A fresh one-time recovery code for the account *name* (its others are replaced)."""
    code = f"{secrets.token_hex(5)}-{secrets.token_hex(5)}"
    with accounts.open_store() as store:
        row = store.account_by_name(name)
        store.replace_recovery_codes(row.id, [hashlib.sha256(code.encode()).hexdigest()])
        store.commit()
    return code


def credentials(accounts: Any, role: str, subject: str | None = None) -> dict[str, str]:
    """``username``, ``password`` and (staff) ``code`` to sign in as the test account of *role*."""
    name = ensure_account(accounts, role, subject)
    out = {"username": name, "password": PASSWORD}
    if Role(role) in STAFF:
        out["code"] = second_factor(accounts, name)
    return out


def token(client: Any, role: str, subject: str | None = None) -> str:
    """An API session token of the test account for *role*, one sign-in per account and app."""
    app = client.app
    kept: dict[tuple[str, str | None], str] | None = getattr(app.state, "test_sessions", None)
    if kept is None:
        kept = {}
        app.state.test_sessions = kept
    key = (role, subject if Role(role) in (Role.WORKER, Role.EMPLOYER) else None)
    if key not in kept:
        r = client.post("/api/v1/auth/login", json=credentials(app.state.accounts, role, key[1]))
        assert r.status_code == 200, r.text
        kept[key] = str(r.json()["access_token"])
    return kept[key]


def headers(client: Any, role: str, subject: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(client, role, subject)}"}


def web(client: Any, role: str, subject: str | None = None, **kw: Any) -> Any:
    """Sign in on the web form as the test account of *role*; the cookie stays in *client*."""
    subject = subject or None
    form = credentials(client.app.state.accounts, role,
                       subject if Role(role) in (Role.WORKER, Role.EMPLOYER) else None)
    kw.setdefault("follow_redirects", False)
    return client.post("/ingresar", data=form, **kw)


def browser(page: Any, base: str, app: Any, role: str, subject: str | None = None) -> None:
    """Sign in with the web form in a real browser, as the test account of *role*."""
    form = credentials(app.state.accounts, role, subject or None)
    page.goto(base + "/ingresar")
    page.get_by_label("Usuario").fill(form["username"])
    page.get_by_label("Contraseña").fill(form["password"])
    if "code" in form:
        page.get_by_label("Código de verificación", exact=False).fill(form["code"])
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_load_state()


def demo_app(db_url: str, **kw: Any) -> Any:
    """The app with the demo log-in on, over *db_url* marked as a demo database (the demo log-in
    then signs in as ``demo.<role>``, ``w<id>``, ``demo.e<RUC>``, created on first use)."""
    from seguro_desempleo.api.app import create_app
    from seguro_desempleo.bootstrap import accounts_for

    accounts_for(db_url).mark_demo_database()
    return create_app(db_url=db_url, demo_logins=True, **kw)
