"""What the sandbox channel "sent": the read side of the chat simulator (`manage.py chat`).

The sandbox delivers nothing; its outbound Message rows are the record. The
simulator posts to the sandbox webhook and polls this view for the replies, so
it authenticates the same way (the company's inbound secret in the path) and
answers only while the company is actually on the sandbox channel.
"""

from django.http import JsonResponse
from django.views import View

from conversations.models import Channel, Message
from conversations.providers.channels.whaticket import token_valid
from conversations.selectors import channel_for_inbound

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


def replies_after(*, phone: str, after: int, limit: int = MAX_REPLIES) -> list[dict]:
    """Outbound messages to `phone` newer than `after`, oldest first: id is the poller's cursor."""
    rows = (
        Message.objects.filter(direction=Message.Direction.OUT, contact__phone=phone, id__gt=after)
        .order_by("id")
        .values("id", "text", "created_at")[:limit]
    )
    return list(rows)


class SandboxRepliesView(View):
    """GET /webhook/sandbox/<secret>/replies?to=<phone>&after=<id> on the company's host."""

    def get(self, request, secret: str):
        channel = channel_for_inbound(kind=Channel.Kind.SANDBOX)
        # Authenticate before validating, so strangers learn nothing about the parameters.
        if channel is None or not token_valid(channel.inbound_secret, secret):
            return JsonResponse({"detail": "Não autorizado."}, status=401)
        try:
            phone, after = _phone(request.GET.get("to")), _after(request.GET.get("after"))
        except BadQuery as exc:
            return JsonResponse({"detail": str(exc)}, status=400)
        response = JsonResponse({"replies": replies_after(phone=phone, after=after)})
        response["Cache-Control"] = "no-store"
        return response
