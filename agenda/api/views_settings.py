"""The calendar's configuration, services and professionals: /api/agenda/calendar, services, professionals.

Every member reads; changing them is company configuration and needs
`accounts.manage_settings` (owners and managers), like the channel and the AI settings.
Cal.com secrets are write-only: answers only say whether each is stored.
"""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import require_perm
from agenda.api import serializers as s
from agenda.api.views import actor_of, validated
from agenda.models import Professional, Service
from agenda.services.calendar_settings import (
    calcom_webhook_url,
    calendar_config_set,
    professional_create,
    service_create,
)
from agenda.services.config import calendar_config
from secretaria.api import error_responses, page_of

ServicePage = page_of(s.ServiceOutputSerializer, "ServicePage")
ProfessionalPage = page_of(s.ProfessionalOutputSerializer, "ProfessionalPage")

_SETTINGS = [require_perm("accounts.manage_settings")]
# The calendar's settings are not the operator's to read; the services and professionals are (to book).
_CALENDAR = [require_perm("accounts.manage_settings", reads="accounts.view_settings")]


def _calendar_output(request, config) -> dict:
    scheme = "https" if request.is_secure() else "http"
    url = calcom_webhook_url(host=request.get_host(), scheme=scheme)
    return s.CalendarConfigOutputSerializer(config, context={"webhook_url": url}).data


class CalendarConfigView(APIView):
    permission_classes = _CALENDAR

    @extend_schema(summary="Configuração da agenda", responses=s.CalendarConfigOutputSerializer)
    def get(self, request):
        return Response(_calendar_output(request, calendar_config()))

    @extend_schema(
        summary="Trocar o calendário ou ajustar lembretes, faltas e follow-ups",
        request=s.CalendarConfigInputSerializer, responses=s.CalendarConfigOutputSerializer,
        examples=[
            OpenApiExample("Cal.com", request_only=True, value={
                "provider": "calcom", "base_url": "https://api.cal.com", "api_key": "cal_live_...",
                "webhook_secret": "um-segredo-longo"}),
            OpenApiExample("Agenda própria", request_only=True, value={
                "provider": "builtin", "reminder_offsets_minutes": [1440, 120], "noshow_grace_minutes": 20}),
        ],
    )
    def put(self, request):
        serializer = s.CalendarConfigInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        config = calendar_config_set(actor=actor_of(request), **serializer.to_service())
        return Response(_calendar_output(request, config))


class ServiceListView(GenericAPIView):
    permission_classes = _SETTINGS
    serializer_class = s.ServiceOutputSerializer

    @extend_schema(responses=ServicePage)
    def get(self, request):
        rows = Service.objects.prefetch_related("professionals").order_by("name", "pk")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.ServiceOutputSerializer(page, many=True).data)

    @extend_schema(request=s.ServiceInputSerializer, responses={201: s.ServiceOutputSerializer})
    def post(self, request):
        data = validated(s.ServiceInputSerializer, request.data)
        service = service_create(actor=actor_of(request), professional_ids=data.pop("professionals"), **data)
        return Response(s.ServiceOutputSerializer(service).data, status=status.HTTP_201_CREATED)


class ProfessionalListView(GenericAPIView):
    permission_classes = _SETTINGS
    serializer_class = s.ProfessionalOutputSerializer

    @extend_schema(responses=ProfessionalPage)
    def get(self, request):
        rows = Professional.objects.prefetch_related("services", "hours").order_by("name", "pk")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.ProfessionalOutputSerializer(page, many=True).data)

    @extend_schema(request=s.ProfessionalInputSerializer,
                   responses={201: s.ProfessionalOutputSerializer, **error_responses(402)})
    def post(self, request):
        data = validated(s.ProfessionalInputSerializer, request.data)
        professional = professional_create(actor=actor_of(request), name=data["name"], service_ids=data["services"],
                                           hours=[dict(span) for span in data["hours"]])
        return Response(s.ProfessionalOutputSerializer(professional).data, status=status.HTTP_201_CREATED)
