"""The providers' webhooks, on the public host: `POST /webhook/billing/<provider>`.

Order matters: the size cap first (the body is never read past 1 MiB), then authentication
(nothing is stored for a delivery we cannot attribute to the provider), then the JSON, then the
service. Every answer is a 2xx or a 4xx: a signed event we cannot apply is stored for review and
answered 200, so the provider stops retrying it.
"""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing.payments.errors import WebhookRejected
from billing.payments.providers import provider_get
from billing.payments.services import billing_event_count, payment_event_receive
from secretaria.webhook_input import BadWebhook, parse_json, raw_body


@csrf_exempt
@require_POST
def payment_webhook(request, provider: str) -> JsonResponse:
    client = provider_get(provider)  # one of the names urls.py routes
    try:
        body = raw_body(request)
        client.verify(request, body)
        event = client.parse(parse_json(request, body))
    except BadWebhook as exc:
        return _refused(provider, exc.status, str(exc), "too_large" if exc.status == 413 else "bad_request")
    except WebhookRejected as exc:
        return _refused(provider, 401, str(exc), "unauthorized")
    except ValueError as exc:
        return _refused(provider, 400, str(exc), "bad_request")
    except (TypeError, AttributeError, KeyError, IndexError):
        # An authenticated payload whose nested fields have unexpected types (a new API version,
        # a hand-made test event): refused so the provider's dashboard shows it, never a 500.
        return _refused(provider, 400, "Evento com formato inesperado.", "bad_request")
    row = payment_event_receive(event=event)
    return JsonResponse({"received": True, "status": row.status})


def _refused(provider: str, status: int, detail: str, result: str) -> JsonResponse:
    billing_event_count(provider=provider, type="", result=result)
    return JsonResponse({"detail": detail}, status=status)
