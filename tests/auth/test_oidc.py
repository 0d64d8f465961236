"""OpenID Connect sign-in against a real provider process the tests start (oidc-provider-mock on
loopback), and the ID-token checks: wrong issuer, audience, expiry, nonce or signature refused."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from seguro_desempleo.api.app import create_app
from seguro_desempleo.web.oidc import AuthError, OidcSettings, validate_id_token
from tests.auth.conftest import seed_worker
from tests.auth.oidc_provider import oidc_provider, set_user


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    with oidc_provider() as url:
        yield url


def _sign_in_through_provider(client: TestClient, sub: str) -> httpx.Response:
    r = client.get("/auth/oidc/login", follow_redirects=False)
    assert r.status_code == 303
    authorize = r.headers["location"]
    q = parse_qs(urlsplit(authorize).query)
    assert q["code_challenge_method"] == ["S256"] and q["nonce"] and q["state"]
    # the person signs in at the provider (its form posts the subject)
    back = httpx.post(authorize, data={"sub": sub}, follow_redirects=False, timeout=10)
    assert back.status_code in (302, 303), back.text
    loc = urlsplit(back.headers["location"])
    return client.get(f"{loc.path}?{loc.query}", follow_redirects=False)


def test_worker_signs_in_with_the_dni_claim(issuer: str, migrated_url: str) -> None:
    wid = seed_worker(migrated_url, "40000007")
    set_user(issuer, "gobpe-7", {"dni": "40000007"})
    app = create_app(db_url=migrated_url, secret="k" * 32, demo_logins=False,
                     oidc=OidcSettings(issuer, "seguro-desempleo", "s3cret"))
    with TestClient(app) as client:
        r = _sign_in_through_provider(client, "gobpe-7")
        assert r.status_code == 303 and r.headers["location"] == "/trabajador", r.text
        me = client.get("/api/v1/me").json()
        assert me["role"] == "worker" and me["subject"] == str(wid)
        assert me["actor"] == f"user:w{wid}/worker:{wid}#oidc:gobpe-7"
        # an identity with no DNI of a registered worker and no account is refused
        set_user(issuer, "stranger", {"dni": "49999999"})
        client.cookies.clear()
        r = _sign_in_through_provider(client, "stranger")
        assert r.status_code == 401 and "no account" in r.text
        assert client.get("/api/v1/me").status_code == 401


def test_state_must_match(issuer: str, migrated_url: str) -> None:
    app = create_app(db_url=migrated_url, secret="k" * 32, oidc=OidcSettings(issuer, "seguro", "s"))
    with TestClient(app) as client:
        client.get("/auth/oidc/login", follow_redirects=False)
        r = client.get("/auth/oidc/callback?code=abc&state=forged", follow_redirects=False)
        assert r.status_code == 401 and client.get("/api/v1/me").status_code == 401


# ------------------------------------------------------------------ the ID token's checks

ISS = "https://idp.example.pe"


@pytest.fixture(scope="module")
def keys() -> tuple[Any, Any]:
    good = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    evil = RSAKey.generate_key(2048, parameters={"kid": "k1"})   # same kid, another key
    return good, evil


def _settings(good: Any) -> OidcSettings:
    s = OidcSettings(ISS, "seguro", "secret", refreshable=False)
    s._meta = {"issuer": ISS}
    s._jwks = KeySet([good]).as_dict(private=False)
    return s


def _token(key: Any, **over: Any) -> str:
    now = int(time.time())
    claims = {"iss": ISS, "aud": "seguro", "sub": "u1", "iat": now, "exp": now + 300, "nonce": "n1", **over}
    return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)


def test_a_good_token_passes(keys: tuple[Any, Any]) -> None:
    good, _ = keys
    assert validate_id_token(_settings(good), _token(good), nonce="n1")["sub"] == "u1"


@pytest.mark.parametrize("change", [{"iss": "https://evil.example"}, {"aud": "other-client"},
                                    {"exp": int(time.time()) - 3600}, {"nonce": "replayed"}],
                         ids=["issuer", "audience", "expired", "nonce"])
def test_wrong_claims_refused(keys: tuple[Any, Any], change: dict[str, Any]) -> None:
    good, _ = keys
    with pytest.raises(AuthError, match="ID token refused"):
        validate_id_token(_settings(good), _token(good, **change), nonce="n1")


def test_wrong_signature_refused(keys: tuple[Any, Any]) -> None:
    good, evil = keys
    with pytest.raises(AuthError, match="ID token refused"):
        validate_id_token(_settings(good), _token(evil), nonce="n1")
    head, _body, sig = _token(good).split(".")
    with pytest.raises(AuthError, match="ID token refused"):
        validate_id_token(_settings(good), f"{head}.{_token(good, sub='admin').split('.')[1]}.{sig}", nonce="n1")


def test_unsigned_token_refused(keys: tuple[Any, Any]) -> None:
    import base64
    import json

    good, _ = keys

    def b64(d: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(d).encode()).decode().rstrip("=")

    now = int(time.time())
    token = f"{b64({'alg': 'none'})}.{b64({'iss': ISS, 'aud': 'seguro', 'sub': 'x', 'exp': now + 60, 'nonce': 'n1'})}."
    with pytest.raises(AuthError):
        validate_id_token(_settings(good), token, nonce="n1")


def test_the_callback_refuses_a_real_token_from_another_issuer(issuer: str, migrated_url: str) -> None:
    """End to end through the provider process: the ID token it issues is refused at the callback
    when the relying party is configured for another issuer (the token's ``iss``). (Another
    audience cannot be had from this provider end to end: it refuses the code to another client;
    ``test_wrong_claims_refused`` covers it on the validator.)"""
    from dataclasses import replace

    seed_worker(migrated_url, "40000009")
    set_user(issuer, "gobpe-9", {"dni": "40000009"})
    good = OidcSettings(issuer, "seguro-desempleo", "s3cret")
    app = create_app(db_url=migrated_url, secret="k" * 32, oidc=good)
    with TestClient(app) as client:
        r = client.get("/auth/oidc/login", follow_redirects=False)
        back = httpx.post(r.headers["location"], data={"sub": "gobpe-9"}, follow_redirects=False, timeout=10)
        assert back.status_code in (302, 303), back.text
        other = replace(good, issuer=issuer + "/other")
        other._meta = good.metadata()                      # the same provider's endpoints and keys
        app.state.oidc = other
        loc = urlsplit(back.headers["location"])
        r = client.get(f"{loc.path}?{loc.query}", follow_redirects=False)
        assert r.status_code == 401 and "ID token refused" in r.text
        assert client.get("/api/v1/me").status_code == 401
