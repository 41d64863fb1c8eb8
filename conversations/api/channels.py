"""The company's channels: `/api/channels` (several numbers) and `/api/channel` (the default one).

Owner or manager (`manage_settings`), reads included: a webhook URL carries the channel's secret.
The body names the kind and that kind's settings by
name (`phone_number_id`, `access_token`...: each kind declares its own in the channel
registry). Secrets are write-only and stored encrypted: answers only say whether one is
stored (`has_credentials`). Every answer gives the channel's inbound webhook URL.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import require_perm
from conversations.channels.models import Channel
from conversations.channels.registry import channel_spec
from conversations.channels.selectors import channel_list
from conversations.channels.services import (
    channel_configure,
    channel_create,
    channel_default_ensure,
    channel_delete,
    channel_rotate_inbound_secret,
    channel_update,
    inbound_webhook_url,
)
from secretaria.api import error_responses

_NOT_VALUES = {"kind", "name", "enabled", "is_default"}


class ChannelInputSerializer(serializers.Serializer):
    """The kind, a name, and the kind's settings; settings of kinds not listed here are accepted by name."""

    kind = serializers.CharField(max_length=32, help_text="sandbox, whaticket, meta (or another registered kind).")
    name = serializers.CharField(required=False, allow_blank=True, max_length=80)
    enabled = serializers.BooleanField(required=False)
    is_default = serializers.BooleanField(required=False)
    phone_number_id = serializers.CharField(required=False, allow_blank=True, max_length=64, help_text="Meta.")
    access_token = serializers.CharField(required=False, allow_blank=True, write_only=True,
                                         help_text="Meta e Whaticket. Em branco mantém o guardado (mesmo tipo).")
    token = serializers.CharField(required=False, allow_blank=True, write_only=True,
                                  help_text="Outro nome para access_token.")
    base_url = serializers.CharField(required=False, allow_blank=True, max_length=512, help_text="Whaticket.")
    template_name = serializers.CharField(required=False, allow_blank=True, max_length=512,
                                          help_text="Meta: template com uma variável {{1}} para fora da janela.")
    template_language = serializers.CharField(required=False, allow_blank=True, max_length=16, help_text="Meta.")


class ChannelPatchSerializer(ChannelInputSerializer):
    kind = serializers.CharField(max_length=32, required=False)


class ChannelOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    enabled = serializers.BooleanField()
    is_default = serializers.BooleanField()
    phone_number_id = serializers.CharField()
    base_url = serializers.CharField()
    has_credentials = serializers.BooleanField()
    template_name = serializers.CharField()
    template_language = serializers.CharField()
    config = serializers.DictField(help_text="Every non-secret setting of the kind.")
    webhook_url = serializers.CharField()


def _values(request) -> dict:
    """The kind's settings in the body, whatever their names (the service checks them against the spec)."""
    return {k: v for k, v in request.data.items() if k not in _NOT_VALUES and isinstance(v, str | int)}


def _output(request, channel: Channel) -> dict:
    scheme = "https" if request.is_secure() else "http"
    spec = channel_spec(channel.kind)
    secret_names = {f.name for f in spec.fields if f.secret} if spec else set()
    return ChannelOutputSerializer({
        "id": channel.pk, "name": channel.name, "kind": channel.kind, "enabled": channel.enabled,
        "is_default": channel.is_default, "phone_number_id": channel.phone_number_id, "base_url": channel.base_url,
        "has_credentials": any(channel.value(name) for name in secret_names),
        "template_name": channel.template_name, "template_language": channel.template_language,
        "config": dict(channel.config or {}),
        "webhook_url": inbound_webhook_url(channel=channel, host=request.get_host(), scheme=scheme),
    }).data


def _actor(request) -> str:
    return getattr(request.user, "email", "")


_EXAMPLE = OpenApiExample("Whaticket", value={"kind": "whaticket", "name": "Unidade Centro",
                                               "base_url": "https://whaticket.exemplo.com.br", "token": "..."})


class ChannelView(APIView):
    """GET/PUT /api/channel: the company's default channel (the one automations use for new contacts)."""

    permission_classes = [require_perm("accounts.manage_settings", reads_too=True)]

    @extend_schema(responses=ChannelOutputSerializer)
    def get(self, request):
        return Response(_output(request, channel_default_ensure()))

    @extend_schema(request=ChannelInputSerializer, responses={200: ChannelOutputSerializer, **error_responses(409)},
                   examples=[_EXAMPLE])
    def put(self, request):
        serializer = ChannelInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        channel = channel_configure(kind=serializer.validated_data["kind"], actor=_actor(request), **_values(request))
        return Response(_output(request, channel))


class ChannelListView(APIView):
    """GET/POST /api/channels: every number of the company; a new one gets its own webhook URL and secret."""

    permission_classes = [require_perm("accounts.manage_settings", reads_too=True)]

    @extend_schema(responses=ChannelOutputSerializer(many=True))
    def get(self, request):
        channel_default_ensure()
        return Response([_output(request, channel) for channel in channel_list()])

    @extend_schema(request=ChannelInputSerializer, responses={201: ChannelOutputSerializer,
                                                              **error_responses(402, 409)},
                   examples=[_EXAMPLE])
    def post(self, request):
        serializer = ChannelInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        channel = channel_create(kind=data["kind"], name=data.get("name", ""), data=_values(request),
                                 is_default=data.get("is_default", False), enabled=data.get("enabled", True),
                                 actor=_actor(request))
        return Response(_output(request, channel), status=status.HTTP_201_CREATED)


class ChannelDetailView(APIView):
    """GET/PATCH/DELETE /api/channels/{id}. PATCH changes only what it names; `enabled: false` refuses
    the channel's webhooks (404) and dead-letters its pending sends."""

    permission_classes = [require_perm("accounts.manage_settings", reads_too=True)]

    @extend_schema(responses=ChannelOutputSerializer)
    def get(self, request, pk: int):
        return Response(_output(request, get_object_or_404(Channel, pk=pk)))

    @extend_schema(request=ChannelPatchSerializer,
                   responses={200: ChannelOutputSerializer, **error_responses(402, 409)})
    def patch(self, request, pk: int):
        channel = get_object_or_404(Channel, pk=pk)
        serializer = ChannelPatchSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        channel = channel_update(channel=channel, kind=data.get("kind"), data=_values(request), name=data.get("name"),
                                 enabled=data.get("enabled"), is_default=data.get("is_default"), actor=_actor(request))
        return Response(_output(request, channel))

    @extend_schema(responses={204: None, **error_responses(400, 409)})
    def delete(self, request, pk: int):
        channel_delete(channel=get_object_or_404(Channel, pk=pk), actor=_actor(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ChannelRotateSecretView(APIView):
    """POST /api/channels/{id}/rotate-secret (or /api/channel/rotate-secret, the default channel): a new
    inbound secret in one call. The old webhook URL stops working at once; the answer gives the new one."""

    permission_classes = [require_perm("accounts.manage_settings", reads_too=True)]

    @extend_schema(request=None, responses=ChannelOutputSerializer)
    def post(self, request, pk: int | None = None):
        channel = get_object_or_404(Channel, pk=pk) if pk is not None else channel_default_ensure()
        return Response(_output(request, channel_rotate_inbound_secret(channel=channel, actor=_actor(request))))
