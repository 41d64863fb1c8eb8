from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import require_perm
from conversations.models import Channel
from conversations.services.channel import channel_configure, channel_get, inbound_webhook_url


class ChannelInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Channel.Kind.choices)
    phone_number_id = serializers.CharField(required=False, allow_blank=True, default="", max_length=64)
    access_token = serializers.CharField(required=False, allow_blank=True, default="", write_only=True)
    token = serializers.CharField(required=False, allow_blank=True, default="", write_only=True)
    base_url = serializers.URLField(required=False, allow_blank=True, default="")
    # Meta only: an approved template with one body variable {{1}}, for messages outside the 24-hour window.
    template_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=512)
    template_language = serializers.CharField(required=False, allow_blank=True, default="", max_length=16)


class ChannelOutputSerializer(serializers.Serializer):
    kind = serializers.CharField()
    phone_number_id = serializers.CharField()
    base_url = serializers.CharField()
    has_credentials = serializers.BooleanField()
    template_name = serializers.CharField()
    template_language = serializers.CharField()
    webhook_url = serializers.CharField()


def _output(request, channel: Channel) -> dict:
    scheme = "https" if request.is_secure() else "http"
    return ChannelOutputSerializer({
        "kind": channel.kind, "phone_number_id": channel.phone_number_id, "base_url": channel.base_url,
        "has_credentials": bool(channel.access_token),
        "template_name": channel.template_name, "template_language": channel.template_language,
        "webhook_url": inbound_webhook_url(channel=channel, host=request.get_host(), scheme=scheme),
    }).data


class ChannelView(APIView):
    """The company's WhatsApp channel. Secrets are write-only and stored encrypted."""

    permission_classes = [require_perm("accounts.manage_settings")]

    @extend_schema(responses=ChannelOutputSerializer)
    def get(self, request):
        return Response(_output(request, channel_get()))

    @extend_schema(request=ChannelInputSerializer, responses=ChannelOutputSerializer)
    def put(self, request):
        serializer = ChannelInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        channel = channel_configure(
            kind=data["kind"], phone_number_id=data["phone_number_id"], base_url=data["base_url"],
            access_token=data["access_token"] or data["token"],
            template_name=data["template_name"], template_language=data["template_language"],
        )
        return Response(_output(request, channel))
