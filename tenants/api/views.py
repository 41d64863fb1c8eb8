from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsPlatformAdmin, require_perm
from secretaria.api import error_responses
from tenants import services
from tenants.api.serializers import (
    CompanyOutputSerializer,
    CompanyUpdateInputSerializer,
    ProvisionInputSerializer,
    ProvisionOutputSerializer,
)


class ProvisionView(APIView):
    """Create a company with its schema, domain, subscription and owner (platform admins)."""

    permission_classes = [IsPlatformAdmin]

    @extend_schema(request=ProvisionInputSerializer, responses={201: ProvisionOutputSerializer, **error_responses(409)})
    def post(self, request):
        serializer = ProvisionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.company_provision(**serializer.validated_data)
        return Response(ProvisionOutputSerializer(result).data, status=status.HTTP_201_CREATED)


class CompanyView(APIView):
    """The host's company. Any member reads it; managers and owners change it."""

    permission_classes = [require_perm("accounts.manage_settings", reads="accounts.view_settings")]

    @extend_schema(responses=CompanyOutputSerializer)
    def get(self, request):
        return Response(CompanyOutputSerializer(request.tenant).data)

    @extend_schema(request=CompanyUpdateInputSerializer, responses=CompanyOutputSerializer)
    def patch(self, request):
        serializer = CompanyUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        company = services.company_rename(company=request.tenant, **serializer.validated_data)
        return Response(CompanyOutputSerializer(company).data)
