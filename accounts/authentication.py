from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework_simplejwt.authentication import JWTAuthentication

from accounts.tokens import token_schema_check, token_session_check


class TenantJWTAuthentication(JWTAuthentication):
    """simplejwt's authentication, refusing (401) tokens minted for another schema or of a session that
    logged out. simplejwt itself refuses the tokens of a deactivated user or issued before a password change."""

    def get_validated_token(self, raw_token):
        token = super().get_validated_token(raw_token)
        token_schema_check(token)
        token_session_check(token)
        return token


class TenantJWTScheme(OpenApiAuthenticationExtension):
    """Documents the authentication in the OpenAPI schema (a Bearer JWT, as simplejwt's)."""

    target_class = "accounts.authentication.TenantJWTAuthentication"
    name = "jwtAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
