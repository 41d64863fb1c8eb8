"""Follow-ups, attendance, the day's agenda and the scheduling AI: /api/agenda/...

Every member reads. Running the scheduling AI and offering new dates to recent no-shows
need the agenda's write permissions (operators and up): the second sends WhatsApp
messages to customers, like any other day-to-day act on appointments.
"""

from datetime import timedelta

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsCompanyMember, require_perm
from agenda import reports
from agenda.api import serializers as s
from agenda.api.views import AgendaErrorsMixin, validated
from agenda.services.insights import scheduling_ai_run
from agenda.services.noshows import no_shows_auto_reschedule
from secretaria.api import error_responses, page_of

FollowUpPage = page_of(s.FollowUpOutputSerializer, "FollowUpPage", stats=s.FollowUpStatsSerializer())
InsightPage = page_of(s.InsightOutputSerializer, "InsightPage", latest=s.InsightOutputSerializer(
    allow_null=True, help_text="A execução mais recente (a mesma de results[0] na primeira página)."))


class FollowUpListView(GenericAPIView):
    """Follow-ups, newest first, with the answers' numbers for the same period."""

    permission_classes = [IsCompanyMember]
    serializer_class = s.FollowUpOutputSerializer

    @extend_schema(
        parameters=[OpenApiParameter("flagged", bool, description="Só os que pedem atenção (true)."),
                    OpenApiParameter("state", enum=[c for c, _ in s.FollowUp.State.choices]),
                    OpenApiParameter("sentiment", enum=[c for c, _ in s.FollowUp.Sentiment.choices]),
                    OpenApiParameter("date_from", str, description="Enviados desde (AAAA-MM-DD)."),
                    OpenApiParameter("date_to", str, description="Enviados até (AAAA-MM-DD).")],
        responses={200: FollowUpPage, **error_responses(400)},
    )
    def get(self, request):
        data = validated(s.FollowUpFilterSerializer, request.query_params.dict())
        stats = reports.followup_stats(date_from=data.pop("date_from"), date_to=data.pop("date_to"))
        page = self.paginate_queryset(reports.followup_list(**data))
        response = self.get_paginated_response(s.FollowUpOutputSerializer(page, many=True).data)
        response.data["stats"] = s.FollowUpStatsSerializer(stats).data
        return response


class AttendanceView(APIView):
    """Attendance rate over a period (the last 30 days by default)."""

    permission_classes = [IsCompanyMember]

    @extend_schema(parameters=[OpenApiParameter("date_from", str), OpenApiParameter("date_to", str),
                               OpenApiParameter("professional", int), OpenApiParameter("service", int)],
                   responses={200: s.AttendanceSerializer, **error_responses(400)})
    def get(self, request):
        data = validated(s.AttendanceFilterSerializer, request.query_params.dict())
        date_to = data["date_to"] or reports.company_today()
        date_from = data["date_from"] or date_to - timedelta(days=29)
        rate = reports.attendance_rate(date_from=date_from, date_to=date_to,
                                       professional_id=data["professional"], service_id=data["service"])
        return Response(s.AttendanceSerializer(rate).data)


class TodayView(APIView):
    """The company's agenda for one day (today by default)."""

    permission_classes = [IsCompanyMember]

    @extend_schema(parameters=[OpenApiParameter("date", str), OpenApiParameter("professional", int)],
                   responses={200: s.DayAgendaSerializer, **error_responses(400)})
    def get(self, request):
        data = validated(s.DayFilterSerializer, request.query_params.dict())
        day = data["date"] or reports.company_today()
        rows = reports.agenda_of_day(day=day, professional_id=data["professional"])
        return Response({"date": day, "appointments": s.AppointmentOutputSerializer(rows, many=True).data})


class InsightListView(GenericAPIView):
    """The scheduling AI's runs, newest first; `latest` repeats the newest for dashboards."""

    permission_classes = [require_perm("agenda.view_schedulinginsight", reads_too=True)]  # not the operator's
    serializer_class = s.InsightOutputSerializer

    @extend_schema(responses=InsightPage)
    def get(self, request):
        latest = reports.insight_latest()
        page = self.paginate_queryset(reports.insight_list())
        response = self.get_paginated_response(s.InsightOutputSerializer(page, many=True).data)
        response.data["latest"] = s.InsightOutputSerializer(latest).data if latest else None
        return response


class InsightRunView(AgendaErrorsMixin, APIView):
    permission_classes = [require_perm("agenda.add_schedulinginsight")]

    @extend_schema(request=None, responses={201: s.InsightOutputSerializer})
    def post(self, request):
        insight = scheduling_ai_run()
        return Response(s.InsightOutputSerializer(insight).data, status=status.HTTP_201_CREATED)


class NoShowRescheduleView(AgendaErrorsMixin, APIView):
    """"Reagendar faltas automaticamente": offer new dates to customers who missed recently."""

    permission_classes = [require_perm("agenda.change_appointment")]

    @extend_schema(request=s.NoShowRescheduleSerializer, responses=s.CountSerializer)
    def post(self, request):
        data = validated(s.NoShowRescheduleSerializer, request.data)
        return Response({"offers_sent": no_shows_auto_reschedule(days=data["days"])})
