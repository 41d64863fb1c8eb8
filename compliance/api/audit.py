"""The audit trail over the API: verify it, export a signed range, publish the export key.

Verifying and exporting are for who manages the company (owner, manager:
`accounts.manage_settings`); the public keys are public, so that whoever receives an export
checks it against the platform's key rather than one the file brings.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import require_perm
from compliance.audit.keys import audit_public_keys, current_key_id
from compliance.selectors import audit_chain_verify
from compliance.services import audit_export_create
from secretaria.api import error_responses

_MANAGERS = [require_perm("accounts.manage_settings", reads_too=True)]


class AuditVerdictSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    checked = serializers.IntegerField(help_text="Entradas verificadas (arquivadas incluídas).")
    first_bad_seq = serializers.IntegerField(allow_null=True, help_text="Nº da primeira entrada com problema.")
    reason = serializers.CharField(help_text="Por que a verificação falhou (vazio quando íntegra).")
    head_seq = serializers.IntegerField(allow_null=True, help_text="Nº da entrada mais recente, segundo o topo.")
    archived = serializers.IntegerField(help_text="Entradas verificadas nos segmentos arquivados.")


class AuditVerifyView(APIView):
    permission_classes = _MANAGERS

    @extend_schema(summary="Verificar a trilha de auditoria", responses=AuditVerdictSerializer)
    def get(self, request):
        return Response(AuditVerdictSerializer(audit_chain_verify().as_dict()).data)


class AuditExportQuerySerializer(serializers.Serializer):
    from_seq = serializers.IntegerField(min_value=1, max_value=2**62, default=1)
    to_seq = serializers.IntegerField(min_value=1, max_value=2**62, required=False, allow_null=True, default=None,
                                      help_text="Sem valor: até a entrada mais recente.")


class AuditEntrySerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    created_at = serializers.CharField()
    actor = serializers.CharField()
    action = serializers.CharField()
    target = serializers.CharField()
    data = serializers.DictField()
    key = serializers.CharField(allow_null=True)
    prev_hash = serializers.CharField()
    key_id = serializers.CharField()
    hash = serializers.CharField()


class AuditSignatureSerializer(serializers.Serializer):
    alg = serializers.CharField()
    key_id = serializers.CharField()
    public_key = serializers.CharField(help_text="Ed25519, 32 bytes em base64.")
    value = serializers.CharField(help_text="Assinatura Ed25519 (base64) do JSON canônico sem `signature`.")


class AuditHeadSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    hash = serializers.CharField()


class AuditExportSerializer(serializers.Serializer):
    format = serializers.CharField()
    company = serializers.CharField()
    from_seq = serializers.IntegerField()
    to_seq = serializers.IntegerField()
    exported_at = serializers.CharField()
    head = AuditHeadSerializer()
    entries = AuditEntrySerializer(many=True)
    signature = AuditSignatureSerializer()


class AuditExportView(APIView):
    permission_classes = _MANAGERS

    @extend_schema(summary="Exportar um intervalo assinado da trilha de auditoria",
                   parameters=[AuditExportQuerySerializer],
                   responses={200: AuditExportSerializer, **error_responses(400)})
    def get(self, request):
        query = AuditExportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        document = audit_export_create(**query.validated_data, actor=request.user.email)
        name = f"auditoria-{document['company']}-{document['from_seq']}-{document['to_seq']}.json"
        return Response(document, headers={"Content-Disposition": f'attachment; filename="{name}"'})


class AuditPublicKeySerializer(serializers.Serializer):
    key_id = serializers.CharField()
    alg = serializers.CharField()
    public_key = serializers.CharField(help_text="Ed25519, 32 bytes em base64.")


class AuditPublicKeysSerializer(serializers.Serializer):
    current = serializers.CharField()
    keys = AuditPublicKeySerializer(many=True)


class AuditPublicKeysView(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes = []

    @extend_schema(summary="Chaves públicas que assinam as exportações da auditoria",
                   responses=AuditPublicKeysSerializer, auth=[])
    def get(self, request):
        keys = [{"key_id": key_id, "alg": "Ed25519", "public_key": public_key}
                for key_id, public_key in audit_public_keys().items()]
        return Response(AuditPublicKeysSerializer({"current": current_key_id(), "keys": keys}).data)
