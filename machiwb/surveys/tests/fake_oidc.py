"""A small in-process OpenID Connect provider for the tests (テスト用の本人確認サービス).

It answers the HTTP calls Authlib makes through ``requests`` — the discovery document, the
JWKS with a test RSA key and the token endpoint — by replacing the transport adapter's
``send``, so nothing leaves the process. The token endpoint checks the client's secret, the
single-use code, the redirect URI and the PKCE verifier, then returns an ID token signed
with the test key. Each knob makes the ID token wrong in exactly one way.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import RSAKey

from machiwb.surveys import identity

ISSUER = "https://id.example.test"
CLIENT_ID = "machiwb-test-client"
CLIENT_SECRET = "test-client-secret"  # noqa: S105 - a test double's value
KEY_ID = "test-key-1"
#: Claims the provider adds that machiwb must neither store nor log.
PERSONAL_CLAIMS = {"name": "住民 花子", "email": "hanako@example.jp", "birthdate": "1980-04-01"}

#: The ``OIDC_PROVIDER`` setting that points machiwb at the fake.
PROVIDER_SETTING = {
    "issuer": ISSUER,
    "discovery_url": f"{ISSUER}/.well-known/openid-configuration",
    "client_id": CLIENT_ID,
    "client_secret": CLIENT_SECRET,
}

_KEYS: dict[str, RSAKey] = {}


def rsa_key(name: str) -> RSAKey:
    """An RSA key generated once per test run (generation is slow), with the provider's kid."""
    if name not in _KEYS:
        _KEYS[name] = RSAKey.generate_key(2048, parameters={"kid": KEY_ID}, private=True)
    return _KEYS[name]


def _response(request: requests.PreparedRequest, status: int, body: Any) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    response.headers["Content-Type"] = "application/json"
    response.url = request.url or ""
    response.request = request
    return response


@dataclass
class FakeProvider:
    """The provider's state: issued codes, and what the next ID token gets wrong."""

    issuer: str = ISSUER
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    #: Knobs, each spoiling the next ID token in one way.
    audience: str = CLIENT_ID
    nonce: str | None = None
    expires_in: int = 300
    signing_key: str = "provider"
    token_issuer: str = ISSUER
    azp: str | None = None

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        }

    def login(self, authorize_url: str, *, sub: str) -> str:
        """The resident signs in at the provider; returns the callback URL with code and state."""
        assert authorize_url.startswith(f"{self.issuer}/authorize?")
        query = {k: v[0] for k, v in parse_qs(urlsplit(authorize_url).query).items()}
        assert query["client_id"] == CLIENT_ID
        assert query["response_type"] == "code"
        assert query["scope"].split() == ["openid"]
        assert query["code_challenge_method"] == "S256"
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "sub": sub,
            "nonce": query["nonce"],
            "challenge": query["code_challenge"],
            "redirect_uri": query["redirect_uri"],
        }
        return f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"

    def deny(self, authorize_url: str, *, error: str, description: str) -> str:
        """The resident cancels (or the provider fails); returns the callback URL with ``error``."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(authorize_url).query).items()}
        answer = {"error": error, "error_description": description, "state": query["state"]}
        return f"{query['redirect_uri']}?{urlencode(answer)}"

    def send(self, request: requests.PreparedRequest) -> requests.Response:
        path = urlsplit(request.url or "").path
        if request.method == "GET" and path == "/.well-known/openid-configuration":
            return _response(request, 200, self.discovery())
        if request.method == "GET" and path == "/jwks":
            public = rsa_key("provider").as_dict(private=False)
            return _response(request, 200, {"keys": [{**public, "use": "sig", "alg": "RS256"}]})
        if request.method == "POST" and path == "/token":
            return self._token(request)
        return _response(request, 404, {"error": "not_found"})

    def _token(self, request: requests.PreparedRequest) -> requests.Response:
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if request.headers.get("Authorization") != f"Basic {expected}":
            return _response(request, 401, {"error": "invalid_client"})
        raw = request.body or ""
        body = raw.decode() if isinstance(raw, bytes) else str(raw)
        form = {k: v[0] for k, v in parse_qs(body).items()}
        grant = self.codes.pop(form.get("code", ""), None)  # single use
        verifier = form.get("code_verifier", "")
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        if (
            grant is None
            or form.get("grant_type") != "authorization_code"
            or form.get("redirect_uri") != grant["redirect_uri"]
            or challenge != grant["challenge"]
        ):
            return _response(request, 400, {"error": "invalid_grant"})
        now = int(time.time())
        claims = {
            "iss": self.token_issuer,
            "sub": grant["sub"],
            "aud": self.audience,
            "iat": now,
            "exp": now + self.expires_in,
            "nonce": self.nonce if self.nonce is not None else grant["nonce"],
            **PERSONAL_CLAIMS,
        }
        if self.azp is not None:
            claims["azp"] = self.azp
        header = {"alg": "RS256", "kid": KEY_ID}
        id_token = jwt.encode(header, claims, rsa_key(self.signing_key))
        return _response(
            request,
            200,
            {
                "access_token": secrets.token_urlsafe(16),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": id_token,
            },
        )


def fake_provider_installed(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> Iterator[FakeProvider]:
    """Configure machiwb for the fake and route every ``requests`` call to it (fixture body)."""
    fake = FakeProvider()
    settings.OIDC_PROVIDER = PROVIDER_SETTING

    def send(
        adapter: requests.adapters.HTTPAdapter, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        assert (request.url or "").startswith(f"{ISSUER}/"), request.url
        assert kwargs.get("timeout") == identity.PROVIDER_TIMEOUT
        return fake.send(request)

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", send)
    identity._client_for.cache_clear()  # the discovery document and keys of another test
    yield fake
    identity._client_for.cache_clear()
