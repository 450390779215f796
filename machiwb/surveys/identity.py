"""Identity check for one-vote surveys (本人確認), as an OpenID Connect client.

Authlib does the protocol: discovery, the authorization-code flow with PKCE, state and
nonce, and the ID token's signature, ``iss``, ``aud``, ``exp`` and ``nonce`` checks. machiwb
takes only the ``sub`` claim of a verified token and turns it at once into a keyed hash for
the one survey; the name, e-mail, birth date or any other claim is neither stored nor logged.

Until the answer sheet is submitted the resident's session holds the pending ``state`` →
survey (Authlib keeps its own nonce and PKCE verifier beside it) and then the survey → hash;
the submission removes the hash again.
"""

from __future__ import annotations

import uuid
from functools import lru_cache
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from django.conf import settings
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.crypto import salted_hmac
from joserfc.errors import JoseError

from machiwb.surveys.models import Survey

CLIENT_NAME = "identity"
#: Seconds to wait for the provider's discovery, keys and token endpoints.
PROVIDER_TIMEOUT = 10
#: Session keys: pending ``state`` → survey, and survey → subject hash once verified.
PENDING_KEY = "surveys.identity.pending"
VERIFIED_KEY = "surveys.identity.verified"
#: At most this many identity checks started in one session wait for their callback.
MAX_PENDING = 5
#: ``error`` values of an authorization response (RFC 6749 §4.1.2.1, OpenID Connect Core
#: §3.1.2.6) that mean the resident stopped, or could not finish, signing in at the provider.
CANCELLED_ERRORS = frozenset(
    {
        "access_denied",
        "login_required",
        "consent_required",
        "interaction_required",
        "account_selection_required",
    }
)
#: ``error`` values that mean the provider cannot serve anyone right now.
UNAVAILABLE_ERRORS = frozenset({"server_error", "temporarily_unavailable"})
#: The other registered values: the provider refused the request itself (a configuration fault).
REQUEST_ERRORS = frozenset(
    {
        "invalid_request",
        "unauthorized_client",
        "unsupported_response_type",
        "invalid_scope",
        "invalid_request_uri",
        "invalid_request_object",
        "request_not_supported",
        "request_uri_not_supported",
        "registration_not_supported",
    }
)


class IdentityCheckFailed(Exception):
    """The provider's answer could not be verified (any reason; details are not shown)."""


def identity_provider_configured() -> bool:
    return settings.OIDC_PROVIDER is not None


def _provider() -> dict[str, str]:
    provider: dict[str, str] | None = settings.OIDC_PROVIDER
    if provider is None:
        raise IdentityCheckFailed("no identity provider is configured")
    return provider


@lru_cache(maxsize=1)
def _client_for(discovery_url: str, client_id: str, client_secret: str) -> DjangoOAuth2App:
    # One client per process: it keeps the discovery document and the provider's keys.
    client: DjangoOAuth2App = OAuth().register(
        name=CLIENT_NAME,
        client_id=client_id,
        client_secret=client_secret,
        server_metadata_url=discovery_url,
        client_kwargs={
            "scope": "openid",
            "code_challenge_method": "S256",
            "default_timeout": PROVIDER_TIMEOUT,
        },
    )
    return client


def _client() -> DjangoOAuth2App:
    provider = _provider()
    return _client_for(provider["discovery_url"], provider["client_id"], provider["client_secret"])


def identity_subject_hash(*, survey: Survey, issuer: str, subject: str) -> str:
    """The keyed hash that marks one person in one survey (as invitation codes are kept)."""
    return salted_hmac(
        "machiwb.surveys.identity", f"{survey.public_id}\n{issuer}\n{subject}", algorithm="sha256"
    ).hexdigest()


def identity_redirect(
    request: HttpRequest, *, survey: Survey, redirect_uri: str
) -> HttpResponseRedirect:
    """Send the resident to the provider; remember which survey the ``state`` belongs to."""
    client = _client()
    try:
        authorization = client.create_authorization_url(redirect_uri)
    except (AuthlibBaseError, JoseError, requests.RequestException, ValueError) as exc:
        raise IdentityCheckFailed("the provider's discovery document is unavailable") from exc
    client.save_authorize_data(request, redirect_uri=redirect_uri, **authorization)
    pending: dict[str, str] = dict(request.session.get(PENDING_KEY, {}))
    pending[authorization["state"]] = str(survey.public_id)
    request.session[PENDING_KEY] = dict(list(pending.items())[-MAX_PENDING:])
    return HttpResponseRedirect(authorization["url"])


def identity_pending_survey(request: HttpRequest) -> uuid.UUID | None:
    """The survey whose identity check this callback finishes, from the ``state`` parameter."""
    pending: dict[str, str] = request.session.get(PENDING_KEY, {})
    survey_id = pending.get(request.GET.get("state", ""))
    return uuid.UUID(survey_id) if survey_id else None


def _pending_consume(request: HttpRequest) -> None:
    pending: dict[str, str] = dict(request.session.get(PENDING_KEY, {}))
    pending.pop(request.GET.get("state", ""), None)
    request.session[PENDING_KEY] = pending


def identity_provider_error(request: HttpRequest) -> str:
    """The ``error`` the provider returned instead of a code: ``""`` if none.

    A registered value comes back as it is, anything else as ``"other"``, so the value can be
    logged. The pending state is consumed (machiwb's and Authlib's): the callback cannot be
    replayed. ``error_description`` is never read: it is the provider's free text, in the
    provider's language, and may name the person ("Hanako Sato did not consent").
    """
    error = request.GET.get("error", "")
    if not error:
        return ""
    _pending_consume(request)
    if identity_provider_configured():
        _client().framework.clear_state_data(request.session, request.GET.get("state", ""))
    registered = CANCELLED_ERRORS | UNAVAILABLE_ERRORS | REQUEST_ERRORS
    return error if error in registered else "other"


def identity_verify(request: HttpRequest, *, survey: Survey) -> str:
    """Finish the callback: exchange the code, verify the ID token, return the subject hash.

    Raises IdentityCheckFailed for a wrong or replayed ``state``, an error from the provider,
    and an ID token with a bad signature, another issuer or audience, a wrong nonce or past
    its expiry.
    """
    provider = _provider()
    _pending_consume(request)
    try:
        token: dict[str, Any] = _client().authorize_access_token(
            request,
            # Authlib checks "aud" only when asked to (otherwise only through "azp")
            claims_options={
                "iss": {"essential": True, "value": provider["issuer"]},
                "aud": {"essential": True, "value": provider["client_id"]},
                "sub": {"essential": True},
            },
        )
    except (AuthlibBaseError, JoseError, requests.RequestException, ValueError) as exc:
        raise IdentityCheckFailed(type(exc).__name__) from exc
    claims = token.get("userinfo")
    subject = claims.get("sub") if claims else None
    if not isinstance(subject, str) or not subject:
        raise IdentityCheckFailed("the token response has no verified ID token")
    return identity_subject_hash(survey=survey, issuer=provider["issuer"], subject=subject)


def identity_remember(request: HttpRequest, *, survey: Survey, subject_hash: str) -> None:
    verified: dict[str, str] = dict(request.session.get(VERIFIED_KEY, {}))
    verified[str(survey.public_id)] = subject_hash
    request.session[VERIFIED_KEY] = verified


def identity_verified_hash(request: HttpRequest, *, survey: Survey) -> str:
    """The subject hash of this session's verified person for ``survey``, or ``""``."""
    verified: dict[str, str] = request.session.get(VERIFIED_KEY, {})
    return verified.get(str(survey.public_id), "")


def identity_forget(request: HttpRequest, *, survey: Survey) -> None:
    """Drop the hash after the answer is stored; an anonymous session left empty is deleted."""
    verified: dict[str, str] = dict(request.session.get(VERIFIED_KEY, {}))
    if verified.pop(str(survey.public_id), None) is None:
        return
    request.session[VERIFIED_KEY] = verified
    if not request.user.is_authenticated and not any(request.session.values()):
        request.session.flush()
