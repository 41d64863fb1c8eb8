"""LGPD requests over the API: export one customer's data, erase it. Owners and managers only
(`compliance.add_datarequest`, which accounts/roles.py grants from manager up).

- POST /api/compliance/exports {"phone"} -> 202 {id, status}: a task builds the zip;
- GET  /api/compliance/exports/{id} -> status and, once done, a download link valid for 24 h;
- GET  /api/compliance/exports/download/{token} -> the zip (the signed token is the credential);
- POST /api/compliance/erasures {"phone", "reason"} -> 201: erased in the call, with what was done.
"""

from django.http import FileResponse, Http404
from django.views import View
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import require_perm
from compliance.lgpd import exports
from compliance.lgpd.models import DataRequest
from compliance.lgpd.selectors import data_request_get
from compliance.lgpd.services import erasure_request, export_request
from secretaria.api import error_responses

_MANAGERS = [require_perm("compliance.add_datarequest", reads_too=True)]


class PhoneSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=32, help_text="Telefone do cliente, com DDI (ex.: 5511988887777).")


class ErasureInputSerializer(PhoneSerializer):
    reason = serializers.CharField(max_length=300, help_text="Por que (sem dados pessoais: fica registrado).")


class DataRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = DataRequest
        fields = ["id", "kind", "status", "channel", "requested_by", "result", "created_at", "finished_at"]


class ExportStatusSerializer(DataRequestSerializer):
    download_url = serializers.SerializerMethodField(help_text="Link do .zip; vazio antes de pronto ou depois de 24 h.")
    expires_at = serializers.SerializerMethodField()

    class Meta(DataRequestSerializer.Meta):
        fields = [*DataRequestSerializer.Meta.fields, "download_url", "expires_at"]

    def get_download_url(self, obj: DataRequest) -> str:
        if obj.status != DataRequest.Status.DONE or not obj.file or not exports.link_valid(obj.finished_at):
            return ""
        return self.context["request"].build_absolute_uri(exports.download_path(request_id=obj.pk))

    def get_expires_at(self, obj: DataRequest) -> str | None:
        expires = exports.link_expires_at(obj.finished_at)
        return expires.isoformat() if expires else None


def _actor(request) -> str:
    return request.user.email


class ExportCreateView(APIView):
    permission_classes = _MANAGERS

    @extend_schema(summary="Exportar os dados de um cliente (LGPD)", request=PhoneSerializer,
                   responses={202: DataRequestSerializer})
    def post(self, request):
        data = _validated(PhoneSerializer, request.data)
        export = export_request(phone=data["phone"], requested_by=_actor(request), channel=DataRequest.Channel.API)
        return Response(DataRequestSerializer(export).data, status=status.HTTP_202_ACCEPTED)


class ExportStatusView(APIView):
    permission_classes = _MANAGERS

    @extend_schema(summary="Situação de uma exportação", responses={200: ExportStatusSerializer})
    def get(self, request, pk: int):
        export = data_request_get(request_id=pk)
        if export is None or export.kind != DataRequest.Kind.ACCESS:
            raise Http404
        return Response(ExportStatusSerializer(export, context={"request": request}).data)


class ErasureCreateView(APIView):
    permission_classes = _MANAGERS

    @extend_schema(summary="Apagar os dados de um cliente (LGPD)", request=ErasureInputSerializer,
                   responses={201: DataRequestSerializer, **error_responses(400)})
    def post(self, request):
        data = _validated(ErasureInputSerializer, request.data)
        erasure = erasure_request(phone=data["phone"], reason=data["reason"], requested_by=_actor(request),
                                  channel=DataRequest.Channel.API)
        return Response(DataRequestSerializer(erasure).data, status=status.HTTP_201_CREATED)


def _validated(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ExportDownloadView(View):
    """The zip, to whoever holds a valid link: signed for this company and this request, for 24 hours."""

    def get(self, request, token: str):
        request_id = exports.download_token_read(token)
        export = data_request_get(request_id=request_id) if request_id else None
        if export is None or not export.file or not exports.link_valid(export.finished_at):
            raise Http404("Link inválido ou expirado.")
        response = FileResponse(exports.export_open(export.file), as_attachment=True,
                                filename=f"meus-dados-{export.pk}.zip", content_type="application/zip")
        response["Cache-Control"] = "no-store"
        return response
