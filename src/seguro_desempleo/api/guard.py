"""The application's outer guard (issue 25, "concurrency and limits"): a pure ASGI layer in front
of everything else, the claims fast path included.

- **Body size per route, before reading.** ``Content-Length`` above the route's limit is answered
  413 at once, nothing read; a body without a length is counted as it arrives and cut off at the
  limit. Limits: :data:`UPLOAD_LIMIT` for the payroll uploads, :data:`EVALUATE_LIMIT` for the
  law's batch evaluation, :data:`FORM_LIMIT` for the other page forms, :data:`JSON_LIMIT` for the
  other API requests.
- **Authenticate before accepting an upload body.** An upload (API or page) without a valid
  token — the same check as the API's ``current_principal`` dependency, on the header or the
  cookie — is answered 401 (API) or sent to the log-in page before a byte of its body is read.
- **Credentials with non-ASCII bytes** (a token, a cookie) are refused as malformed (401 on the
  API) or ignored (a cookie on the pages): never a 500.
- **The session cookie on the API needs the site's own origin.** A state-changing API request
  authenticated by the cookie (no ``Authorization`` header) must carry ``Origin`` (or
  ``Referer``) of this host; ``Origin: null`` and other sites get 403.
- **Security headers** on every answer: CSP (``frame-ancestors 'none'``), ``nosniff``,
  ``Referrer-Policy``, ``X-Frame-Options``.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MIB = 1024 * 1024
UPLOAD_LIMIT = 64 * MIB + MIB
"""The payroll upload routes: the API's 64 MiB of files plus room for the multipart envelope."""
WEB_UPLOAD_LIMIT = 20 * MIB + MIB
"""The employer page's upload: its 20 MiB file plus the envelope."""
FORM_LIMIT = 1 * MIB
"""Any other page form."""
JSON_LIMIT = 1 * MIB
"""Any other API request (JSON bodies: a claim, a decision, a payment, a law evaluation)."""

EVALUATE_LIMIT = 16 * MIB
"""``POST /api/v1/evaluate``: a batch of up to 10,000 cases with their contribution months."""

UPLOAD_ROUTES = {"/api/v1/payroll/uploads": UPLOAD_LIMIT, "/empleador/planilla": WEB_UPLOAD_LIMIT}
ROUTE_LIMITS = {"/api/v1/evaluate": EVALUATE_LIMIT}
COOKIE = b"sd_token"

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy",
     b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
     b"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
)
_SECURITY_NAMES = frozenset(n for n, _ in SECURITY_HEADERS)
# The API documentation page loads its viewer from a CDN: it keeps FastAPI's own page, framed by no one.
_DOCS_CSP = (b"content-security-policy", b"frame-ancestors 'none'; object-src 'none'; base-uri 'self'")
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
_COOKIE_FREE = frozenset({"/api/v1/auth/token"})
"""API routes that never read the cookie (the log-in issues a token): a cookie beside them is no risk."""


class RequestGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        api = path.startswith("/api/")
        extra = (_DOCS_CSP, *SECURITY_HEADERS[1:]) if path == "/api/docs" else SECURITY_HEADERS

        async def send_secure(message: Message) -> None:
            if message["type"] == "http.response.start":
                have = {bytes(n).lower() for n, _ in message.get("headers", ())}
                message = {**message, "headers": [*message.get("headers", ()),
                                                  *(h for h in extra if h[0] not in have)]}
            await send(message)

        auth = cookie = length = origin = referer = host = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                auth = value
            elif name == b"cookie":
                cookie = value
            elif name == b"content-length":
                length = value
            elif name == b"origin":
                origin = value
            elif name == b"referer":
                referer = value
            elif name == b"host":
                host = value
        if auth is not None and not auth.isascii():
            await _answer(send_secure, api, 401, "malformed credentials (non-ASCII bytes)", login=True)
            return
        token_cookie = None
        if cookie is not None:
            clean, token_cookie = _clean_cookie(cookie)
            if clean != cookie:         # a pair with non-ASCII bytes: the application never sees it
                scope = {**scope, "headers": [(n, v) for n, v in scope["headers"] if n != b"cookie"]
                         + ([(b"cookie", clean)] if clean else [])}
        method = scope["method"]
        if method in _SAFE:
            await self.app(scope, receive, send_secure)
            return
        if api and auth is None and token_cookie is not None and path not in _COOKIE_FREE \
                and not _same_origin(origin, referer, host):
            await _answer(send_secure, api, 403, "a request authenticated by the session cookie must come from "
                          "this site (Origin)")
            return
        limit = UPLOAD_ROUTES.get(path)
        if limit is not None:
            token = auth[7:].decode("ascii").strip() if auth is not None and auth[:7].lower() == b"bearer " \
                else (token_cookie.decode("ascii") if token_cookie else None)
            if not token or not await _valid(scope, token):
                await _answer(send_secure, api, 401, "log in first", login=True)
                return
        else:
            limit = ROUTE_LIMITS.get(path) or (JSON_LIMIT if api else FORM_LIMIT)
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                await _answer(send_secure, api, 400, "Content-Length is not a number")
                return
            if declared > limit:
                await _answer(send_secure, api, 413, _too_large(limit))
                return
        await self._limited(scope, receive, send_secure, api, limit)

    async def _limited(self, scope: Scope, receive: Receive, send: Send, api: bool, limit: int) -> None:
        """The body counted as it arrives: past *limit* the application's reading stops with a
        disconnect, whatever it answers is dropped and 413 is sent instead."""
        seen = 0
        over = False
        started = False

        async def counted() -> Message:
            nonlocal seen, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    over = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if over:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, guarded_send)
        except Exception:
            if not over:
                raise
        if over and not started:
            await _answer(send, api, 413, _too_large(limit))


def _too_large(limit: int) -> str:
    return f"request body larger than {limit // MIB} MiB for this route"


def _clean_cookie(raw: bytes) -> tuple[bytes, bytes | None]:
    """The Cookie header without pairs holding non-ASCII bytes; and the session token, if any."""
    kept = []
    token = None
    for part in raw.split(b";"):
        pair = part.strip()
        if not pair or not pair.isascii():
            continue
        kept.append(pair)
        name, _, value = pair.partition(b"=")
        if name.strip() == COOKIE and value.strip():
            token = value.strip().strip(b'"')
    return b"; ".join(kept), token


def _same_origin(origin: bytes | None, referer: bytes | None, host: bytes | None) -> bool:
    source = origin or referer
    if not source or not host or source == b"null" or not source.isascii() or not host.isascii():
        return False
    return urlsplit(source.decode("ascii")).netloc.lower() == host.decode("ascii").lower()


async def _valid(scope: Scope, token: str) -> bool:
    """The API's own check of a token (:func:`resolve_token`, as ``current_principal``): a live
    session, read from the database in a worker thread (uploads only)."""
    import anyio.to_thread

    from seguro_desempleo.api.auth import resolve_token
    from seguro_desempleo.errors import SeguroError

    if not token.isascii():
        return False
    try:
        await anyio.to_thread.run_sync(lambda: resolve_token(scope["app"].state, token, method=scope["method"],
                                                             path=scope["path"]))
    except SeguroError as exc:
        # a live session outside its scopes is the application's 403, not "log in first"
        return getattr(exc, "http_status", 401) != 401
    except (KeyError, AttributeError, TypeError, ValueError):
        return False
    return True


async def _answer(send: Send, api: bool, status: int, detail: str, *, login: bool = False) -> None:
    from seguro_desempleo.api.problems import MEDIA_TYPE, PROBLEM_TYPE_BASE, TITLES

    if not api and login:
        await send({"type": "http.response.start", "status": 303,
                    "headers": [(b"location", b"/ingresar"), (b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})
        return
    if api:
        body = json.dumps({"type": PROBLEM_TYPE_BASE + str(status), "title": TITLES.get(status, "Error"),
                           "status": status, "detail": detail}, ensure_ascii=False).encode("utf-8")
        ctype = MEDIA_TYPE.encode()
    else:
        es = {413: "El archivo o formulario es demasiado grande.", 403: "Solicitud rechazada.",
              400: "Solicitud incorrecta."}.get(status, "Solicitud rechazada.")
        body = (f'<!doctype html><html lang="es-PE"><meta charset="utf-8"><title>{es}</title>'
                f"<p>{es}</p><p><a href=\"/\">Volver al inicio</a></p></html>").encode()
        ctype = b"text/html; charset=utf-8"
    headers: list[Any] = [(b"content-type", ctype), (b"content-length", str(len(body)).encode())]
    if status == 413:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
