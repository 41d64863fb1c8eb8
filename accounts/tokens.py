"""JWTs that carry their company's schema and their login session.

Without the schema claim, a token minted on company A would be accepted on company B
wherever a user with the same id exists there (user ids are per schema). The session claim
lets a logout refuse the session's access tokens at once (accounts/sessions.py).
"""

from django.contrib.auth import get_user_model
from django.db import connection
from rest_framework import exceptions, serializers
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer, TokenRefreshSerializer
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken, UntypedToken
from rest_framework_simplejwt.utils import get_md5_hash_password

from accounts.lockout import lockout_message, lockout_minutes
from accounts.sessions import SESSION_CLAIM, session_ended

SCHEMA_CLAIM = "schema"


class LoginLockedOut(exceptions.APIException):
    """429: too many wrong passwords for this account or from this address (accounts/lockout.py)."""

    status_code = 429
    default_code = "login_locked_out"

    def __init__(self):
        super().__init__(detail=lockout_message())
        self.wait = lockout_minutes() * 60  # DRF turns it into Retry-After


def token_schema_check(token) -> None:
    if token.get(SCHEMA_CLAIM) != connection.schema_name:
        raise exceptions.AuthenticationFailed("Token de outra empresa.", code="wrong_tenant")


class TenantTokenObtainPairSerializer(TokenObtainPairSerializer):
    """`{email, password}` -> `{access, refresh}` for a user of the host's company."""

    @classmethod
    def get_token(cls, user):
        token = super().get_token(user)
        token[SCHEMA_CLAIM] = connection.schema_name
        token["role"] = user.role if connection.schema_name != "public" else "platform_admin"
        token[SESSION_CLAIM] = token[api_settings.JTI_CLAIM]  # copied into its access tokens and successors
        return token

    def validate(self, attrs):
        try:
            return super().validate(attrs)
        except exceptions.AuthenticationFailed:
            # django-axes refused before checking the password, or this failure reached the limit.
            if getattr(self.context["request"], "axes_locked_out", False):
                raise LoginLockedOut() from None
            raise


def tokens_for_user(user) -> dict[str, str]:
    """A fresh refresh/access pair for `user`, bound to the current schema."""
    refresh = TenantTokenObtainPairSerializer.get_token(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


class TenantTokenRefreshSerializer(TokenRefreshSerializer):
    def validate(self, attrs):
        token = UntypedToken(attrs["refresh"])
        token_schema_check(token)
        token_session_check(token)
        return super().validate(attrs)


def token_session_check(token) -> None:
    """Refuses (401) a token of a session that logged out, or of a user whose password changed since.

    simplejwt checks the password on access tokens (CHECK_REVOKE_TOKEN), never on refresh tokens.
    """
    if session_ended(token.get(SESSION_CLAIM)):
        raise exceptions.AuthenticationFailed("Sessão encerrada: entre novamente.", code="session_ended")
    if token.get(api_settings.TOKEN_TYPE_CLAIM) != "refresh":
        return
    user = get_user_model().objects.filter(pk=token.get(api_settings.USER_ID_CLAIM)).only("password").first()
    if user is None or token.get(api_settings.REVOKE_TOKEN_CLAIM) != get_md5_hash_password(user.password):
        raise exceptions.AuthenticationFailed("A senha mudou: entre novamente.", code="password_changed")


class LogoutSerializer(serializers.Serializer):
    refresh = serializers.CharField()

    def validate_refresh(self, value):
        from rest_framework_simplejwt.exceptions import TokenError

        try:
            token = RefreshToken(value)
        except TokenError as exc:
            raise exceptions.AuthenticationFailed(str(exc), code="token_not_valid") from exc
        token_schema_check(token)
        return token
