"""`Authorization: Bearer fbk_...`: another system sending feedback with a company's integration key.

Tried before the staff's JWT on the ingest only; a Bearer token that does not start with `fbk_` is
left to the JWT authentication. A key is looked up in the host company's schema, so one company's
key is unknown on another's host (401).
"""

from dataclasses import dataclass

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from analytics.feedback.models import KEY_PREFIX, FeedbackKey
from analytics.feedback.services import feedback_key_authenticate

INVALID = "Chave de integração inválida ou revogada."


@dataclass(frozen=True)
class IntegrationCaller:
    """request.user for a call made with a key: authenticated, but nobody on the staff (no permissions)."""

    key: FeedbackKey
    is_authenticated: bool = True
    is_anonymous: bool = False
    role = None
    pk = id = None  # not a row of the users table: code that logs request.user finds nobody

    @property
    def email(self) -> str:
        return ""

    def has_perm(self, perm: str) -> bool:
        return False


class FeedbackKeyAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if len(parts) != 2 or parts[0].lower() != b"bearer" or not parts[1].startswith(KEY_PREFIX.encode()):
            return None
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise AuthenticationFailed(INVALID) from exc
        key = feedback_key_authenticate(secret=secret)
        if key is None:
            raise AuthenticationFailed(INVALID)
        return IntegrationCaller(key=key), key

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class FeedbackKeyScheme(OpenApiAuthenticationExtension):
    target_class = "analytics.feedback.api.authentication.FeedbackKeyAuthentication"
    name = "feedbackKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "fbk_...",
                "description": "Chave de integração criada em POST /api/feedback/keys (só para o ingest)."}
