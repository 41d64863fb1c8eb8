from django.db import connection
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from accounts import selectors, services
from accounts.api.serializers import (
    MeOutputSerializer,
    TokenPairOutputSerializer,
    UserCreateInputSerializer,
    UserOutputSerializer,
    UserUpdateInputSerializer,
)
from accounts.models import User
from accounts.permissions import IsCompanyMember, RoleModelPermissions
from accounts.roles import Role
from accounts.sessions import session_end
from accounts.tokens import LogoutSerializer
from secretaria.api import error_responses


# Tokens are credentials: no browser, proxy or CDN may keep a copy (Cache-Control: no-store).
@method_decorator(never_cache, name="dispatch")
class TokenView(TokenObtainPairView):
    """`{email, password}` -> `{access, refresh}` for a user of the host's company."""

    # 429: the brute-force lockout (by account and by IP) refuses even the right password for a while.
    @extend_schema(responses={200: TokenPairOutputSerializer, **error_responses(401, 429)})
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


@method_decorator(never_cache, name="dispatch")
class TokenRefreshPairView(TokenRefreshView):
    """A refresh token -> a new access token and a new refresh token (the old one is blacklisted)."""

    @extend_schema(responses={200: TokenPairOutputSerializer, **error_responses(401)})
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeOutputSerializer)
    def get(self, request):
        tenant = request.tenant
        on_public = connection.schema_name == "public"
        payload = {
            "user": request.user,
            "role": "platform_admin" if on_public else request.user.role,
            "company": None if on_public else tenant,
        }
        return Response(MeOutputSerializer(payload).data)


class LogoutView(APIView):
    """Ends the session: its refresh token can no longer mint access tokens, and the access tokens
    it already minted are refused from now on (accounts/sessions.py)."""

    permission_classes = []
    authentication_classes = []

    def get_authenticate_header(self, request):
        # With no authentication classes DRF would turn the serializer's
        # AuthenticationFailed (bad, blacklisted or other-company token) into a 403.
        return 'Bearer realm="api"'

    @extend_schema(request=LogoutSerializer, responses={205: None, **error_responses(401)})
    def post(self, request):
        serializer = LogoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session_end(refresh=serializer.validated_data["refresh"])
        return Response(status=status.HTTP_205_RESET_CONTENT)


class UserViewSet(viewsets.GenericViewSet):
    """Staff of the company. Reading needs a role; changing needs manager or owner."""

    permission_classes = [IsCompanyMember, RoleModelPermissions]
    queryset = User.objects.none()  # tells RoleModelPermissions which model's perms apply
    lookup_value_regex = r"\d+"

    @extend_schema(parameters=[OpenApiParameter("role", enum=Role.values, description="Só os deste papel.")],
                   responses=UserOutputSerializer(many=True))
    def list(self, request):
        users = selectors.user_list(role=request.query_params.get("role") or None)
        page = self.paginate_queryset(users)
        return self.get_paginated_response(UserOutputSerializer(page, many=True).data)

    @extend_schema(responses=UserOutputSerializer)
    def retrieve(self, request, pk=None):
        return Response(UserOutputSerializer(get_object_or_404(User, pk=pk)).data)

    @extend_schema(request=UserCreateInputSerializer, responses={201: UserOutputSerializer, **error_responses(402)})
    def create(self, request):
        data = _validated(UserCreateInputSerializer, request.data)
        user = services.user_create(actor=request.user, **data)
        return Response(UserOutputSerializer(user).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=UserUpdateInputSerializer, responses={200: UserOutputSerializer, **error_responses(402)})
    def partial_update(self, request, pk=None):
        data = _validated(UserUpdateInputSerializer, request.data)
        user = services.user_update(user=get_object_or_404(User, pk=pk), actor=request.user, **data)
        return Response(UserOutputSerializer(user).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        services.user_deactivate(user=get_object_or_404(User, pk=pk), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _validated(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
