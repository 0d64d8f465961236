"""Who may do what: the roles, the principal behind a request, and ONE access policy.

The API (:mod:`seguro_desempleo.api`), its fast path and the web pages all call the functions
here (``require``, ``may_file``, ``may_see_claim``, ``may_see_worker``, ``may_see_employer``) and
write the audit's "who" with :func:`actor` — one format across API, web and CLI (decision 0320):

``<account>/<role>[:<subject>][#oidc:<sub>]``

- ``<account>`` is ``user:<username>`` for a local or OpenID Connect account, ``client:<id>`` for a
  machine client (client credentials), ``cli:<username>`` for the command line run as an account
  (``--actor``, checked against the accounts) and ``system:<job>`` for jobs the system runs
  itself (a scheduled payment run). The demo log-in signs in as one of the demo's accounts
  (``user:demo.caseworker``; decision 0440); ``demo`` (no account) is only what its older records say. The command line
  run by an OS user with no account writes ``os:<user>`` (no role: nothing vouches for one).
- ``<role>`` is the role the action was taken in; ``<subject>`` the worker id or RUC it acted for
  (never a DNI, Ley 29733).
- ``#oidc:<sub>`` the identity provider's subject where the session came from OpenID Connect.

Older records keep the spellings written before this format: ``caseworker:-`` (API, a staff role
with no subject), ``caseworker`` (web pages), ``worker:17`` (a worker, both faces) and
``caseworker:demo`` (the demo). The audit chain hashes the text as written; it is never rewritten.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from seguro_desempleo.errors import PermissionDeniedError


class Role(enum.StrEnum):
    WORKER = "worker"
    EMPLOYER = "employer"
    CASEWORKER = "caseworker"
    EMPLOYMENT_OFFICER = "employment_officer"
    ANALYST = "analyst"
    BOARD = "board"
    ADMIN = "admin"


ROLE_LABELS_ES = {
    Role.WORKER: "Trabajador(a)", Role.EMPLOYER: "Empleador", Role.CASEWORKER: "Gestor(a) de casos",
    Role.EMPLOYMENT_OFFICER: "Servicio de empleo", Role.ANALYST: "Analista", Role.BOARD: "Directorio",
    Role.ADMIN: "Administración",
}

STAFF = frozenset({Role.CASEWORKER, Role.EMPLOYMENT_OFFICER, Role.ANALYST, Role.BOARD, Role.ADMIN})
"""Roles that see by role (not by row); each needs a second factor (TOTP) to sign in locally."""

CASE_ROLES = (Role.CASEWORKER,)
"""Roles that decide claims (the admin always may)."""


@dataclass(frozen=True)
class Principal:
    """The caller: a role, the subject it acts for (a worker id or a RUC), and who is behind it."""

    role: Role
    subject: str | None = None      # worker id for workers, RUC for employers
    account: str | None = None      # "user:<name>", "client:<id>", "cli:<name>"; None: demo log-in
    oidc_subject: str | None = None
    rucs: frozenset[str] = field(default_factory=frozenset)   # every RUC an employer account holds
    scopes: frozenset[str] | None = None   # a machine client's scopes; None: a person (by role)

    def require(self, *roles: Role) -> None:
        require(self, *roles)

    def may_see_worker(self, worker_id: str) -> bool:
        return may_see_worker(self, worker_id)

    def may_see_employer(self, ruc: str) -> bool:
        return may_see_employer(self, ruc)

    def check_worker(self, worker_id: str) -> None:
        if not may_see_worker(self, worker_id):
            raise PermissionDeniedError("this record belongs to another worker")

    def check_employer(self, ruc: str) -> None:
        if not may_see_employer(self, ruc):
            raise PermissionDeniedError("this record belongs to another employer")


def require(p: Principal, *roles: Role) -> None:
    """The role check of every face: one of *roles*, or the admin."""
    if p.role not in roles and p.role is not Role.ADMIN:
        raise PermissionDeniedError(f"role '{p.role.value}' may not do this")


def may_see_worker(p: Principal, worker_id: str | int) -> bool:
    return p.role in STAFF or (p.role is Role.WORKER and p.subject == str(worker_id))


def may_see_employer(p: Principal, ruc: str) -> bool:
    if p.role in STAFF:
        return True
    return p.role is Role.EMPLOYER and (p.subject == str(ruc) or str(ruc) in p.rucs)


def may_file(p: Principal, worker_id: str | None) -> str:
    """The worker a claim is filed for by *p*: a worker files only their own, a caseworker (or the
    admin) for any worker it names. Raises :class:`PermissionDeniedError` otherwise."""
    from seguro_desempleo.domain.identifiers import canonical_worker_ref

    if p.role is Role.WORKER:
        own = p.subject or ""
        if worker_id is not None and str(worker_id) != own:
            raise PermissionDeniedError("a worker files only their own claim")
        return own
    require(p, *CASE_ROLES)
    if worker_id is None:
        from seguro_desempleo.errors import InputError

        raise InputError("give the worker id", field="worker_id")
    return canonical_worker_ref(worker_id)      # the one strict policy (issue 25): ASCII digits, 422 otherwise


def may_see_claim(p: Principal, claim_worker_ref: str) -> bool:
    """A claim is seen by staff and by the worker it belongs to."""
    return may_see_worker(p, claim_worker_ref)


def actor(p: Principal) -> str:
    """The audit log's "who" (format above): the account, the role and subject, the OIDC subject."""
    who = p.account or "demo"
    text = f"{who}/{p.role.value}"
    if p.subject:
        text += f":{p.subject}"
    if p.oidc_subject:
        text += f"#oidc:{p.oidc_subject}"
    return text


def person_of(actor_text: str) -> str:
    """The person behind an audit "who", so maker and checker compare as persons, not as strings
    (four eyes): ``ana/caseworker``, ``cli:ana/caseworker`` and ``ana/caseworker#oidc:x`` are
    all the account ``ana``; a demo log-in (``demo/caseworker[:s]``) is its role and subject, as
    the older actors without an account (``caseworker``, ``caseworker:2``) are; a job
    (``system:<job>#<who>``) is whoever started it."""
    text = (actor_text or "").strip().lower()
    if text.startswith("system:") and "#" in text:
        return person_of(text.split("#", 1)[1])
    who, _, oidc = text.partition("#oidc:")
    for prefix in ("cli:", "os:", "user:"):     # one account on every face (API/web ``user:``, CLI ``cli:``)
        if who.startswith(prefix) and "/" in who:
            who = who[len(prefix):]
    account, slash, rest = who.partition("/")
    if slash and account != "demo":
        return f"account:{account}"
    if slash:
        return f"oidc:{oidc}" if oidc else rest
    return who


def system_actor(job: str) -> str:
    """The "who" of a job the system runs itself (no person): ``system:<job>``."""
    return f"system:{job}"
