"""Availability and appointments: /api/agenda/availability and /api/agenda/appointments/...

Who may do what (accounts/roles.py): every member reads; operators and up book, cancel,
reschedule, confirm, mark attendance and send reminders (the agenda's `add`/`change`
permissions). Ids are looked up in the host company's schema only, so another company's
id is simply not found (404).
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsCompanyMember, RoleModelPermissions, require_perm
from agenda.api import serializers as s
from agenda.models import Appointment, Professional, Service
from agenda.reports import company_today, company_tz, day_bounds
from agenda.selectors import appointment_list
from agenda.services.booking import (
    appointment_book,
    appointment_cancel,
    appointment_confirm,
    appointment_mark_attended,
    appointment_mark_no_show,
    appointment_reschedule,
)
from agenda.services.reminders import reminder_send_now
from agenda.services.slots import slots_find
from agenda.types import AgendaError, CalendarRejected, CalendarUnavailable, Slot, SlotQuery, SlotTaken
from conversations.models import Contact
from secretaria.api import error_responses

# --- errors --------------------------------------------------------------------------


class SlotTakenError(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "slot_taken"
    default_detail = "Este horário acabou de ser ocupado. Escolha outro."


class TransitionError(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "invalid_transition"


class CalendarUnavailableError(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "calendar_unavailable"
    default_detail = "O calendário não respondeu. Tente de novo em instantes."


class CalendarRejectedError(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "calendar_rejected"


def _translated(exc: Exception) -> Exception:
    """The agenda's domain errors as HTTP errors, with the service's pt-BR message."""
    if not isinstance(exc, AgendaError):
        return exc
    message = str(exc) or None
    if isinstance(exc, SlotTaken):
        return SlotTakenError(message)
    if isinstance(exc, CalendarUnavailable):
        return CalendarUnavailableError(message)
    if isinstance(exc, CalendarRejected):
        return CalendarRejectedError(message)
    return TransitionError(message)  # any other agenda error: the appointment cannot do that now


class AgendaErrorsMixin:
    def handle_exception(self, exc):
        return super().handle_exception(_translated(exc))


# --- input helpers -------------------------------------------------------------------


def validated(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def actor_of(request) -> str:
    return request.user.email


def _service(service_id: int, *, field: str = "service") -> Service:
    service = Service.objects.filter(pk=service_id, is_active=True).prefetch_related("professionals").first()
    if service is None:
        raise ValidationError({field: ["Serviço não encontrado."]})
    return service


def _professional(professional_id: int, *, service: Service | None = None, field: str = "professional") -> Professional:
    professional = Professional.objects.filter(pk=professional_id, is_active=True).first()
    if professional is None:
        raise ValidationError({field: ["Profissional não encontrado."]})
    offered_by = list(service.professionals.all()) if service else []
    if offered_by and professional not in offered_by:
        raise ValidationError({field: [f"{professional.name} não atende {service.name}."]})
    return professional


def _professional_for(service: Service, professional_id: int | None) -> int | None:
    """The professional asked for, if any; without one the booking picks a free one who does the service."""
    return _professional(professional_id, service=service).pk if professional_id else None


def _future(start: datetime, *, field: str = "start") -> datetime:
    start = s.as_company_time(start, company_tz())
    if start <= timezone.now():
        raise ValidationError({field: ["Este horário já passou; escolha um horário futuro."]})
    return start


def _slot(*, service: Service, professional_id: int | None, start: datetime) -> Slot:
    return Slot(start=start, end=start + timedelta(minutes=service.duration_minutes), service_id=service.pk,
                professional_id=professional_id)


# --- availability --------------------------------------------------------------------


class AvailabilityView(AgendaErrorsMixin, APIView):
    """Free slots, soonest first (the same search the chat offers customers)."""

    permission_classes = [IsCompanyMember]

    @extend_schema(
        parameters=[
            OpenApiParameter("service", int, description="Id do serviço."),
            OpenApiParameter("date", str, description="Dia (AAAA-MM-DD)."),
            OpenApiParameter("professional", int, description="Id do profissional."),
            OpenApiParameter("after", str, description="A partir de um horário (17:00) ou de data e hora ISO 8601."),
            OpenApiParameter("before", str, description="Até um horário do dia (12:00)."),
            OpenApiParameter("limit", int, description="Quantos horários (1–50, padrão 10)."),
        ],
        responses={200: s.AvailabilityOutputSerializer, **error_responses(400, 503)},
    )
    def get(self, request):
        data = validated(s.AvailabilityQuerySerializer, request.query_params.dict())
        service = _service(data["service"]) if data["service"] else None
        if data["professional"]:
            _professional(data["professional"], service=service)
        if data["date"] and data["date"] < company_today():
            raise ValidationError({"date": ["Esta data já passou; escolha hoje ou uma data futura."]})
        after = data["after"]
        query = SlotQuery(
            service_id=service.pk if service else None, professional_id=data["professional"], day=data["date"],
            time_from=after if after is not None and not isinstance(after, datetime) else None,
            time_to=data["before"],
            not_before=s.as_company_time(after, company_tz()) if isinstance(after, datetime) else None,
            limit=data["limit"])
        slots = slots_find(query=query)
        ids = {slot.professional_id for slot in slots if slot.professional_id}
        names = dict(Professional.objects.filter(pk__in=ids).values_list("pk", "name"))
        return Response({"slots": s.SlotOutputSerializer(slots, many=True,
                                                        context={"professional_names": names}).data})


# --- appointments --------------------------------------------------------------------

_CHANGE = [require_perm("agenda.change_appointment")]


class AppointmentViewSet(AgendaErrorsMixin, viewsets.GenericViewSet):
    """The company's appointments; writes go through the booking services, like the chat's."""

    permission_classes = [IsCompanyMember, RoleModelPermissions]
    queryset = Appointment.objects.none()  # tells RoleModelPermissions which model's perms apply
    lookup_value_regex = r"\d+"

    def _appointment(self, pk) -> Appointment:
        return get_object_or_404(Appointment.objects.select_related("contact", "service", "professional"), pk=pk)

    def _detail(self, pk, *, code: int = status.HTTP_200_OK) -> Response:
        appointment = get_object_or_404(
            Appointment.objects.select_related("contact", "service", "professional")
            .prefetch_related("events", "reminders"), pk=pk)
        return Response(s.AppointmentDetailSerializer(appointment).data, status=code)

    @extend_schema(
        parameters=[OpenApiParameter("date_from", str, description="Desde o dia (AAAA-MM-DD)."),
                    OpenApiParameter("date_to", str, description="Até o dia, inclusive (AAAA-MM-DD)."),
                    OpenApiParameter("contact", int, description="Id do contato."),
                    OpenApiParameter("phone", str, description="Parte do telefone do contato."),
                    OpenApiParameter("status", enum=Appointment.Status.values)],
        responses={200: s.AppointmentOutputSerializer(many=True), **error_responses(400)},
    )
    def list(self, request):
        filters = validated(s.AppointmentFilterSerializer, request.query_params.dict())
        phone = filters.pop("phone")
        # Days of the company's calendar, whatever the server's time zone.
        date_from = day_bounds(day=filters["date_from"])[0] if filters["date_from"] else None
        date_to = day_bounds(day=filters["date_to"])[1] - timedelta(microseconds=1) if filters["date_to"] else None
        rows = appointment_list(date_from=date_from, date_to=date_to, contact_id=filters["contact"],
                                status=filters["status"] or None)
        if phone:
            rows = rows.filter(contact__phone__contains=phone)
        rows = rows.select_related("contact", "service", "professional").order_by("start", "pk")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.AppointmentOutputSerializer(page, many=True).data)

    @extend_schema(responses=s.AppointmentDetailSerializer)
    def retrieve(self, request, pk=None):
        return self._detail(pk)

    @extend_schema(request=s.AppointmentCreateSerializer,
                   responses={201: s.AppointmentDetailSerializer, **error_responses(409, 422, 503)})
    def create(self, request):
        data = validated(s.AppointmentCreateSerializer, request.data)
        service = _service(data["service"])
        slot = _slot(service=service, professional_id=_professional_for(service, data["professional"]),
                     start=_future(data["start"]))
        # No transaction around the booking: on Cal.com it is an HTTP call, made holding no lock.
        appointment = appointment_book(contact=_contact(data), slot=slot, source=Appointment.Source.API,
                                       notes=data["notes"], actor=actor_of(request))
        return self._detail(appointment.pk, code=status.HTTP_201_CREATED)

    @extend_schema(request=s.CancelSerializer,
                   responses={200: s.AppointmentDetailSerializer, **error_responses(409, 422, 503)})
    @action(detail=True, methods=["post"], permission_classes=_CHANGE)
    def cancel(self, request, pk=None):
        data = validated(s.CancelSerializer, request.data)
        appointment_cancel(appointment=self._appointment(pk), reason=data["reason"], actor=actor_of(request))
        return self._detail(pk)

    @extend_schema(request=s.RescheduleSerializer,
                   responses={200: s.AppointmentDetailSerializer, **error_responses(409, 422, 503)})
    @action(detail=True, methods=["post"], permission_classes=_CHANGE)
    def reschedule(self, request, pk=None):
        data = validated(s.RescheduleSerializer, request.data)
        appointment = self._appointment(pk)
        if appointment.service is None:
            raise ValidationError({"service": ["Este agendamento não tem serviço; crie um novo."]})
        professional_id = (_professional(data["professional"], service=appointment.service).pk
                           if data["professional"] else appointment.professional_id)
        slot = _slot(service=appointment.service, professional_id=professional_id, start=_future(data["start"]))
        moved = appointment_reschedule(appointment=appointment, slot=slot, actor=actor_of(request))
        return self._detail(moved.pk)

    @extend_schema(request=None, responses={200: s.AppointmentDetailSerializer, **error_responses(409)})
    @action(detail=True, methods=["post"], permission_classes=_CHANGE)
    def confirm(self, request, pk=None):
        appointment_confirm(appointment=self._appointment(pk), actor=actor_of(request))
        return self._detail(pk)

    @extend_schema(request=None, responses={200: s.AppointmentDetailSerializer, **error_responses(409)})
    @action(detail=True, methods=["post"], permission_classes=_CHANGE)
    def attended(self, request, pk=None):
        appointment_mark_attended(appointment=self._appointment(pk), actor=actor_of(request))
        return self._detail(pk)

    @extend_schema(request=None, responses={200: s.AppointmentDetailSerializer, **error_responses(409)})
    @action(detail=True, methods=["post"], url_path="no-show", permission_classes=_CHANGE)
    def no_show(self, request, pk=None):
        appointment_mark_no_show(appointment=self._appointment(pk), actor=actor_of(request))
        return self._detail(pk)

    @extend_schema(request=None, responses={201: s.ReminderOutputSerializer, **error_responses(409)})
    @action(detail=True, methods=["post"], permission_classes=[require_perm("agenda.add_reminder")])
    def reminders(self, request, pk=None):
        reminder = reminder_send_now(appointment=self._appointment(pk), actor=actor_of(request))
        return Response(s.ReminderOutputSerializer(reminder).data, status=status.HTTP_201_CREATED)


def _contact(data: dict) -> Contact:
    """The contact by id, or by phone (created for a customer who called instead of writing)."""
    if data["contact"]:
        contact = Contact.objects.filter(pk=data["contact"]).first()
        if contact is None:
            raise ValidationError({"contact": ["Contato não encontrado."]})
        return contact
    contact, _ = Contact.objects.get_or_create(phone=data["phone"], defaults={"name": data["name"].strip()})
    return contact
