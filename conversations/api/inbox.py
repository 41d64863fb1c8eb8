"""The staff inbox: follow conversations, read their messages, reply, take over and hand back.

Reading needs any role (the `view_*` permissions every role has); writing needs the
conversation permissions operators and up hold (accounts/roles.py). Ids are looked up
in the host company's schema only, so another company's id is simply not found (404).
"""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from accounts.permissions import IsCompanyMember, RoleModelPermissions, require_perm
from conversations.core.handoff import conversation_hand_back, conversation_handoff, staff_reply
from conversations.core.models import Contact, Conversation, Message
from secretaria.api import error_responses

# --- selectors (reads only) ----------------------------------------------------


def conversation_list(*, status: str = "", phone: str = "") -> QuerySet[Conversation]:
    """Newest activity first; `phone` matches any part of the contact's digits."""
    conversations = Conversation.objects.select_related("contact").order_by("-last_activity_at", "-id")
    if status:
        conversations = conversations.filter(status=status)
    if phone:
        conversations = conversations.filter(contact__phone__contains=phone)
    return conversations


def conversation_messages(*, conversation: Conversation) -> QuerySet[Message]:
    return Message.objects.filter(conversation=conversation).order_by("created_at", "id")


# --- serializers ---------------------------------------------------------------


class ContactOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "phone", "name", "last_message_at"]


class ConversationOutputSerializer(serializers.ModelSerializer):
    contact = ContactOutputSerializer()
    status_display = serializers.CharField(source="get_status_display")

    class Meta:
        model = Conversation
        fields = ["id", "contact", "status", "status_display", "intents", "summary", "handoff_reason",
                  "opened_at", "last_activity_at", "handoff_at", "closed_at"]


class MessageOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Message
        fields = ["id", "direction", "kind", "text", "state", "delivery_status", "sent_by", "created_at"]


class ReplyOutputSerializer(MessageOutputSerializer):
    outbox_state = serializers.CharField(source="outbox.state")

    class Meta(MessageOutputSerializer.Meta):
        fields = [*MessageOutputSerializer.Meta.fields, "outbox_state"]


class ConversationFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Conversation.Status.choices, required=False, default="")
    phone = serializers.RegexField(r"^[\d\s()+-]*$", required=False, default="", max_length=32,
                                   error_messages={"invalid": "Informe só os dígitos do telefone."})

    def validate_phone(self, value: str) -> str:
        return "".join(ch for ch in value if ch.isdigit())


class ReplyInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=4096)
    idempotency_key = serializers.RegexField(
        r"^[A-Za-z0-9_.:-]+$", required=False, default="", max_length=64,
        error_messages={"invalid": "Use só letras, números e _ . : -"},
    )


class HandoffInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


def _validated(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- views ---------------------------------------------------------------------

_WRITE = [require_perm("conversations.change_conversation")]


class ConversationViewSet(viewsets.GenericViewSet):
    """Conversations of the company, newest activity first."""

    permission_classes = [IsCompanyMember, RoleModelPermissions]
    queryset = Conversation.objects.none()  # tells RoleModelPermissions which model's perms apply
    lookup_value_regex = r"\d+"

    def _conversation(self, pk) -> Conversation:
        return get_object_or_404(Conversation.objects.select_related("contact"), pk=pk)

    @extend_schema(
        parameters=[OpenApiParameter("status", enum=Conversation.Status.values),
                    OpenApiParameter("phone", description="Parte do telefone do contato (só dígitos).")],
        responses={200: ConversationOutputSerializer(many=True), **error_responses(400)},
    )
    def list(self, request):
        filters = _validated(ConversationFilterSerializer, request.query_params)
        page = self.paginate_queryset(conversation_list(**filters))
        return self.get_paginated_response(ConversationOutputSerializer(page, many=True).data)

    @extend_schema(responses=ConversationOutputSerializer)
    def retrieve(self, request, pk=None):
        return Response(ConversationOutputSerializer(self._conversation(pk)).data)

    @extend_schema(responses=MessageOutputSerializer(many=True))
    @action(detail=True, methods=["get"])
    def messages(self, request, pk=None):
        page = self.paginate_queryset(conversation_messages(conversation=self._conversation(pk)))
        return self.get_paginated_response(MessageOutputSerializer(page, many=True).data)

    @extend_schema(request=ReplyInputSerializer, responses={201: ReplyOutputSerializer})
    @action(detail=True, methods=["post"], permission_classes=[require_perm("conversations.add_message")])
    def reply(self, request, pk=None):
        data = _validated(ReplyInputSerializer, request.data)
        outbox = staff_reply(conversation=self._conversation(pk), author=request.user, **data)
        return Response(ReplyOutputSerializer(outbox.message).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=HandoffInputSerializer, responses=ConversationOutputSerializer)
    @action(detail=True, methods=["post"], permission_classes=_WRITE)
    def handoff(self, request, pk=None):
        data = _validated(HandoffInputSerializer, request.data)
        conversation = conversation_handoff(conversation=self._conversation(pk), actor=request.user, **data)
        return Response(ConversationOutputSerializer(conversation).data)

    @extend_schema(request=None, responses={200: ConversationOutputSerializer, **error_responses(400)})
    @action(detail=True, methods=["post"], url_path="hand-back", permission_classes=_WRITE)
    def hand_back(self, request, pk=None):
        conversation = conversation_hand_back(conversation=self._conversation(pk), actor=request.user)
        return Response(ConversationOutputSerializer(conversation).data)


# Routed here so urls.py only lists them; the trailing slash is optional like every API path.
_router = SimpleRouter()
_router.trailing_slash = "/?"
_router.register("conversations", ConversationViewSet, basename="conversation")
inbox_urlpatterns = _router.urls
