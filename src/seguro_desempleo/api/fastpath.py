"""The two hot requests without the framework's per-request machinery.

``POST /api/v1/claims`` and ``POST /api/v1/claims/{id}/decision`` are the load of the claims
office (every filing is followed by its decision). FastAPI spends about as much CPU on one of
them (middleware stack, routing over every route, dependency solving, body validation through
pydantic, the answer's validation and serialisation, two thread hand-offs) as the claim's own
work. :class:`ClaimsFastPath` is a pure ASGI middleware that answers exactly these two requests
when they have the plain shape a client sends —

* ``Content-Type: application/json`` and ``Authorization: Bearer <session token>`` of a live session,
* a JSON object whose members are the model's (:class:`~seguro_desempleo.api.resources.claims.ClaimIn`,
  :class:`~seguro_desempleo.api.resources.claims.DecideIn`) with values of the exact type and length,

— and hands everything else, untouched (the body replayed), to the application's middleware stack
(it sits in front of it, so the plain requests skip the framework's error, telemetry and
body-limit layers too): a malformed or
unusual request gets the very same problem+json answer as before, and the OpenAPI document still
describes the routes of :mod:`.resources`. The handlers' logic is the same (roles, the service,
one transaction, committed before the answer); a :class:`~seguro_desempleo.errors.SeguroError`
or a database error is answered by the application's own problem handlers, anything unexpected by
its last-resort handler (500 problem+json, logged without personal data).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable
from typing import Any, TypeVar

import anyio.to_thread
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from seguro_desempleo.api.auth import SESSION_PREFIX, Principal, Role
from seguro_desempleo.errors import SeguroError

_orjson: Any
try:
    import orjson as _orjson
except ImportError:  # pragma: no cover - orjson is a dependency of the server extra
    _orjson = None

FILE_PATH = "/api/v1/claims"
_DECIDE = re.compile(r"^/api/v1/claims/([^/]+)/decision$")
_MAX_BODY = 4096
_INT_MAX = 2**31 - 1
_CASE_ROLES = (Role.CASEWORKER,)
_INLINE = os.environ.get("SEGURO_API_INLINE", "1") != "0"
"""Run the two requests' database work on the event loop's thread (``SEGURO_API_INLINE=0``: hand
it to a worker thread as the other routes do). Measured: inline 124–135 operations/s with p99
85–120 ms against 87–93/s with p99 215–250 ms through the thread pool, same minutes and load —
a hand-off costs two GIL switches plus anyio's queue, and a worker thread doing I/O competes with
the loop for the GIL (convoy). The work is a few milliseconds start to commit and never waits for
the loop, so nothing can deadlock; other requests of the process wait that long. The commit can
be awaited instead: see ``_transact``."""
_AWAIT_COMMIT = os.environ.get("SEGURO_API_AWAIT_COMMIT", "0") == "1"
"""Await the durable commit, letting the loop serve other requests meanwhile
(``SEGURO_API_AWAIT_COMMIT=1``). Off by default: measured interleaved with the plain commit it
cost ≈ 1 ms more CPU per filing + decision (10.3–11.6 against 8.3–10.5 ms) for fewer operations
per second (111–174/s against 156–199/s); it only helped while the disk's flushes were slow."""
_MAX_COMMITTING = 8
"""Commits awaited at once per process; beyond it a request commits without yielding (the engine's
pool keeps 12 connections and opens at most 32, and the loop's thread must never wait for one)."""
_T = TypeVar("_T")


def _loads(body: bytes) -> Any:
    if _orjson is not None:
        return _orjson.loads(body)
    import json

    return json.loads(body)


def _dumps(value: Any) -> bytes:
    if _orjson is not None:
        try:
            return bytes(_orjson.dumps(value))
        except TypeError:
            pass
    import json  # what orjson refuses (or without orjson): compact JSON, as the stores write it

    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _text_or_none(value: Any, max_len: int) -> bool:
    return value is None or (type(value) is str and len(value) <= max_len)


class ClaimsFastPath:
    """Pure ASGI middleware: the filing and the decision answered directly (see the module)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._committing = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if path == FILE_PATH:
            claim_id = None
        else:
            m = _DECIDE.match(path) if path.startswith(FILE_PATH) else None
            if m is None:
                await self.app(scope, receive, send)
                return
            claim_id = m.group(1)
        auth = ctype = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                auth = value
            elif name == b"content-type":
                ctype = value
        token = self._token(auth) if ctype == b"application/json" else None
        if token is None:
            await self.app(scope, receive, send)
            return
        body, messages = await self._body(receive)   # at most _MAX_BODY bytes before the caller is known
        args = self._args(body, claim_id is None) if body is not None else None
        if args is None:
            await self.app(scope, _replay(messages, receive), send)
            return
        try:
            if claim_id is None:
                status, out = 201, await self._file(scope, token, args)
            else:
                status, out = 200, await self._decide(scope, token, claim_id, args)
        except _NotSignedIn:   # unknown, ended or out-of-scope session, or no database: the app answers
            await self.app(scope, _replay(messages, receive), send)
            return
        except Exception as exc:
            await self._problem(scope, receive, send, exc)
            return
        payload = _dumps(out)
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-length", str(len(payload)).encode()),
                                (b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": payload})

    # ------------------------------------------------------------------------------ the request

    @staticmethod
    def _token(auth: bytes | None) -> str | None:
        """The session token of a well-formed ``Authorization: Bearer ses_…`` header, else ``None``."""
        if not auth or not auth.startswith(b"Bearer "):
            return None
        token = auth[7:].decode("latin-1")
        if not token.startswith(SESSION_PREFIX) or not token.isascii():
            return None
        return token

    @staticmethod
    def _principal(scope: Scope, token: str, uow: Any) -> Principal:
        """The caller of the session token, read inside the request's own unit of work (issue 25:
        one transaction per request, one joined read; nothing is cached, so sign-out and
        disabling end a session at once). Refused, or the database busy or missing:
        :class:`_NotSignedIn`, and the application answers the request with its own problem."""
        from seguro_desempleo.api.auth import resolve_token

        try:
            return resolve_token(scope["app"].state, token, method="POST", path=scope["path"], store=uow.accounts)
        except Exception as exc:
            raise _NotSignedIn from exc

    @staticmethod
    async def _body(receive: Receive) -> tuple[bytes | None, list[Message]]:
        """The whole body (``None`` if it is too large for these requests) and the messages read."""
        messages: list[Message] = []
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                return None, messages
            chunk = message.get("body", b"")
            size += len(chunk)
            chunks.append(chunk)
            if size > _MAX_BODY:
                return None, messages
            if not message.get("more_body", False):
                return b"".join(chunks), messages

    @staticmethod
    def _args(body: bytes, filing: bool) -> dict[str, Any] | None:
        """The body's members when they are exactly what the model accepts as is; otherwise ``None``."""
        try:
            data = _loads(body)
        except ValueError:
            return None
        if type(data) is not dict:
            return None
        if filing:
            if not data.keys() <= {"worker_id", "claim_date", "decide"}:
                return None
            if not (_text_or_none(data.get("worker_id"), 12) and _text_or_none(data.get("claim_date"), 10)
                    and type(data.get("decide", False)) is bool):
                return None
            return data
        if not data.keys() <= {"date", "expected_version"}:
            return None
        v = data.get("expected_version")
        if not _text_or_none(data.get("date"), 10) or not (v is None or (type(v) is int and 1 <= v <= _INT_MAX)):
            return None
        return data

    # ------------------------------------------------------------------------------ the handlers

    @staticmethod
    def _day(scope: Scope, text: str | None, field: str) -> dt.date:
        from seguro_desempleo.api.deps import day

        return day(_AppOnly(scope["app"]), text, field)  # type: ignore[arg-type]

    async def _file(self, scope: Scope, token: str, args: dict[str, Any]) -> dict[str, Any]:
        from seguro_desempleo.api.deps import actor, require
        from seguro_desempleo.api.resources.common import _claim_summary, _decided_summary
        from seguro_desempleo.domain.access import may_file

        decide = args.get("decide", False)

        def work(p: Principal, ctx: Any) -> dict[str, Any]:
            ref = may_file(p, args.get("worker_id"))     # the one access policy (domain/access.py)
            if decide:
                require(p, *_CASE_ROLES)
            on = self._day(scope, args.get("claim_date"), "claim_date")
            if decide:
                return _decided_summary(ctx().service.file_and_decide(ref, on, actor=actor(p)))
            return _claim_summary(ctx().service.file_claim(ref, on, actor=actor(p)))

        return await self._transact(scope, token, work)

    async def _decide(self, scope: Scope, token: str, claim_id: str, args: dict[str, Any]) -> dict[str, Any]:
        from seguro_desempleo.api.deps import actor, require
        from seguro_desempleo.api.resources.common import _decided_summary

        def work(p: Principal, ctx: Any) -> dict[str, Any]:
            require(p, *_CASE_ROLES)
            on = self._day(scope, args.get("date"), "date")
            return _decided_summary(ctx().service.decide(claim_id, on, actor=actor(p),
                                                         expected_version=args.get("expected_version")))

        return await self._transact(scope, token, work)

    async def _transact(self, scope: Scope, token: str, work: Callable[[Principal, Any], _T]) -> _T:
        """*work* for the caller of *token* in one transaction, committed before the answer:
        the session is read inside it (:meth:`_principal`), then *work* gets the principal and
        a function that builds the claims context (its parameters read only once the caller
        is known and allowed).

        Inline (the default): the work runs on the event-loop thread, commit included. With
        :data:`_AWAIT_COMMIT` only the wait for the durable commit is awaited
        (:meth:`SqlUnitOfWork.commit_async`), so the loop serves the next request meanwhile; at
        most :data:`_MAX_COMMITTING` commits are awaited at once per process: each holds a pooled
        connection, and the loop's thread must never wait for the pool.
        """
        from seguro_desempleo.bootstrap import unit_of_work
        from seguro_desempleo.services.claims_app import claims_context

        state = scope["app"].state

        def run(uow: Any) -> _T:
            p = self._principal(scope, token, uow)
            return work(p, lambda: claims_context(uow, params=state.params))

        def run_sync() -> _T:
            with unit_of_work(state.db_url) as uow:
                out = run(uow)
                uow.commit()
            return out

        if not _INLINE:
            return await anyio.to_thread.run_sync(run_sync)
        if not _AWAIT_COMMIT or self._committing >= _MAX_COMMITTING:
            return run_sync()
        with unit_of_work(state.db_url) as uow:
            out = run(uow)
            self._committing += 1
            try:
                await uow.commit_async()
            finally:
                self._committing -= 1
        return out

    # ------------------------------------------------------------------------------ errors

    async def _problem(self, scope: Scope, receive: Receive, send: Send, exc: Exception) -> None:
        """The application's own handler for *exc* (problem+json); anything unhandled propagates
        to the server-error middleware, as it would from a route."""
        handlers = scope["app"].exception_handlers
        handler = None
        if isinstance(exc, SeguroError) or not isinstance(exc, Exception):
            handler = handlers.get(SeguroError)
        else:
            # The most specific handler; the last-resort one (500, logged without personal data)
            # as the server-error middleware would use it: this path sits in front of that layer.
            for cls in type(exc).__mro__:
                if cls in handlers:
                    handler = handlers[cls]
                    break
        if handler is None:
            raise exc
        response = await handler(Request(scope, receive), exc)
        await response(scope, receive, send)


class _NotSignedIn(Exception):
    """The request's session could not be read as a live one: the application answers it."""


class _AppOnly:
    """What :func:`~seguro_desempleo.api.deps.day` reads of a request: its application."""

    __slots__ = ("app",)

    def __init__(self, app: Any) -> None:
        self.app = app


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """A ``receive`` that gives back the messages already read, then reads on."""
    pending = list(messages)

    async def again() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()
    return again
