"""A real OpenID provider process for the tests: ``oidc-provider-mock`` (PyPI) started as a
subprocess on loopback, with a nonce required; stopped by its process handle."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def oidc_provider() -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-W", "ignore", "-m", "oidc_provider_mock", "-H", "127.0.0.1",
                             "-p", str(port), "-n", "true"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the OpenID provider did not start")
            time.sleep(0.2)
        yield issuer
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def set_user(issuer: str, sub: str, claims: dict[str, object]) -> None:
    r = httpx.put(f"{issuer}/users/{sub}", json=claims, timeout=5)
    assert r.status_code == 204, r.text
