"""GET /api/analytics/export?from=AAAA-MM-DD&to=AAAA-MM-DD&format=csv|xlsx|pdf: the report as a file.

Every member of the company reads it, as the reports (analytics is a "settings app": every role reads).
`format` is the file's, not DRF's renderer switch (`?format=json`), so this view negotiates on its
own: errors always answer JSON, the file is a plain HttpResponse with its type and file name.
"""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.views import APIView

from analytics.exports.selectors import FORMATS, export_file
from analytics.reports.api import RANGE_PARAMETERS, CanRead, RangeQuery
from secretaria.api import error_responses


class ExportQuery(RangeQuery):
    """The reports' range (`from`, `to`: both required, in order, at most 2 years) and the file's format."""

    def get_fields(self):
        choice = serializers.ChoiceField(
            choices=list(FORMATS), help_text="csv (Excel em português), xlsx ou pdf (A4, para imprimir).",
            error_messages={"invalid_choice": "Formato desconhecido: use csv, xlsx ou pdf."})
        return {**super().get_fields(), "format": choice}


class _ErrorsInJson(BaseContentNegotiation):
    """Always the view's first renderer (JSON): `?format=` is not a renderer's name here."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


_FILE = OpenApiResponse(OpenApiTypes.BINARY, description="O arquivo, para baixar (Content-Disposition: attachment; "
                                                         "filename=relatorio-<empresa>-<de>-a-<até>.<formato>).")


class ExportView(APIView):
    permission_classes = [CanRead]
    content_negotiation_class = _ErrorsInJson

    @extend_schema(
        summary="Exportar o relatório do período (CSV, XLSX ou PDF)",
        parameters=[*RANGE_PARAMETERS, OpenApiParameter("format", str, required=True, enum=list(FORMATS),
                                                         description="csv (Excel em português), xlsx ou pdf (A4).")],
        responses={**{(200, content_type.split(";")[0]): _FILE for _, content_type in FORMATS.values()},
                   **error_responses(400)},
    )
    def get(self, request):
        query = ExportQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        period = query.validated_data
        export = export_file(date_from=period["from"], date_to=period["to"], file_format=period["format"])
        response = HttpResponse(export.content, content_type=export.content_type)
        response["Content-Disposition"] = f'attachment; filename="{export.name}"'
        response["Cache-Control"] = "no-store"
        return response
