"""What a sandbox channel "sent": the read side of the chat simulator (`manage.py chat`).

The sandbox delivers nothing; its outbound Message rows are the record. The
simulator posts to the sandbox channel's webhook and polls this view for the replies,
so it authenticates the same way (the channel's inbound secret in the path) and sees
only what left through that channel.
"""

from django.http import JsonResponse
from django.views import View

from conversations.channels.selectors import channels_of_kind
from conversations.channels.signing import token_valid
from conversations.core.models import Message

MAX_REPLIES = 50


class BadQuery(ValueError):
    pass


def _phone(value: str | None) -> str:
    phone = (value or "").strip().lstrip("+")
    if not phone.isdigit() or not 8 <= len(phone) <= 15:
        raise BadQuery("'to' deve ser o telefone do contato, só com dígitos (8 a 15).")
    return phone


def _after(value: str | None) -> int:
    try:
        after = int(value or 0)
    except ValueError:
        after = -1
    if after < 0:
        raise BadQuery("'after' deve ser um número inteiro não negativo (id da última resposta vista).")
    return after


def replies_after(*, channel_id: int, phone: str, after: int, limit: int = MAX_REPLIES) -> list[dict]:
    """Outbound messages to `phone` through the channel newer than `after`, oldest first: id is the
    poller's cursor."""
    rows = (
        Message.objects.filter(direction=Message.Direction.OUT, channel_id=channel_id, contact__phone=phone,
                               id__gt=after)
        .order_by("id")
        .values("id", "text", "created_at")[:limit]
    )
    return list(rows)


class SandboxRepliesView(View):
    """GET /webhook/sandbox/<secret>/replies?to=<phone>&after=<id> on the company's host."""

    def get(self, request, token: str):
        # Authenticate before validating, so strangers learn nothing about the parameters.
        channel = next((c for c in channels_of_kind("sandbox") if token_valid(c.inbound_secret, token)), None)
        if channel is None or not channel.enabled:
            return JsonResponse({"detail": "Não autorizado."}, status=401)
        try:
            phone, after = _phone(request.GET.get("to")), _after(request.GET.get("after"))
        except BadQuery as exc:
            return JsonResponse({"detail": str(exc)}, status=400)
        response = JsonResponse({"replies": replies_after(channel_id=channel.pk, phone=phone, after=after)})
        response["Cache-Control"] = "no-store"
        return response
