"""Public host: the payment providers' webhooks (included by secretaria/urls_public.py)."""

from django.urls import path

from billing.payments.views import payment_webhook

urlpatterns = [
    path("webhook/billing/stripe", payment_webhook, {"provider": "stripe"}, name="billing-webhook-stripe"),
    path("webhook/billing/asaas", payment_webhook, {"provider": "asaas"}, name="billing-webhook-asaas"),
]
