"""JWTs that carry their company's schema.

Without the claim, a token minted on company A would be accepted on company B
wherever a user with the same id exists there (user ids are per schema).
"""

from django.db import connection
from rest_framework import exceptions, serializers
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer, TokenRefreshSerializer
from rest_framework_simplejwt.tokens import RefreshToken, UntypedToken

SCHEMA_CLAIM = "schema"


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
        return token


def tokens_for_user(user) -> dict[str, str]:
    """A fresh refresh/access pair for `user`, bound to the current schema."""
    refresh = TenantTokenObtainPairSerializer.get_token(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


class TenantTokenRefreshSerializer(TokenRefreshSerializer):
    def validate(self, attrs):
        token_schema_check(UntypedToken(attrs["refresh"]))
        return super().validate(attrs)


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
