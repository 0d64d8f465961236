"""The password policy and the credential helpers of :mod:`.accounts` (issue 24: moved out of it,
unchanged): NIST SP 800-63B lengths and the common-password list (decision 0321), the Argon2
hasher, recovery codes, and the scope a request needs."""

from __future__ import annotations

import hashlib
import os
import secrets
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

from seguro_desempleo.errors import (
    InputError,
)

RECOVERY_CODES = 10


# ------------------------------------------------------------------------------ password policy

@cache
def _blocklist() -> frozenset[str]:
    words: set[str] = set()
    files = [Path(__file__).with_name("common_passwords.txt")]
    extra = os.environ.get("SEGURO_PASSWORD_BLOCKLIST")
    if extra:
        files.append(Path(extra))
    for f in files:
        for line in f.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                words.add(unicodedata.normalize("NFKC", line).casefold())
    return frozenset(words)


def check_password(password: str, *, username: str = "", second_factor: bool = True) -> str:
    """The password as stored (NFKC) or :class:`InputError` with the reason (decision 0321)."""
    pw = unicodedata.normalize("NFKC", password)
    least = 8 if second_factor else 15
    if len(pw) < least:
        raise InputError(f"must have at least {least} characters", field="password")
    if len(pw) > 128:
        raise InputError("must have at most 128 characters", field="password")
    folded = pw.casefold()
    if folded in _blocklist():
        raise InputError("is too common (it appears in lists of breached passwords)", field="password")
    if username and folded == username.casefold():
        raise InputError("may not be the user name", field="password")
    if len(set(folded)) == 1:
        raise InputError("may not repeat one character", field="password")
    return pw


@cache
def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()   # argon2id, t=3, m=64 MiB, p=4 (RFC 9106's second recommendation)


@cache
def _dummy_hash() -> str:
    return str(_hasher().hash(secrets.token_hex(16)))


def hash_password(password: str) -> str:
    return str(_hasher().hash(password))


def _verify_password(stored: str | None, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        # an account without a password (OIDC only) still costs one hash: no timing oracle
        return bool(_hasher().verify(stored or _dummy_hash(), unicodedata.normalize("NFKC", password))) \
            and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _recovery_codes() -> list[str]:
    return [f"{secrets.token_hex(5)}-{secrets.token_hex(5)}" for _ in range(RECOVERY_CODES)]


def scope_for(method: str, path: str) -> str:
    """The scope a machine client needs for a request: ``read:<resource>`` for GET/HEAD, else
    ``write:<resource>``, the resource being the first segment after ``/api/v1/``."""
    rest = path.removeprefix("/api/v1/").strip("/")
    resource = rest.split("/", 1)[0] or "-"
    return f"{'read' if method.upper() in ('GET', 'HEAD') else 'write'}:{resource}"
