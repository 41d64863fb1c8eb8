from rest_framework_simplejwt.authentication import JWTAuthentication

from accounts.tokens import token_schema_check


class TenantJWTAuthentication(JWTAuthentication):
    """simplejwt's authentication, refusing (401) tokens minted for another schema."""

    def get_validated_token(self, raw_token):
        token = super().get_validated_token(raw_token)
        token_schema_check(token)
        return token
