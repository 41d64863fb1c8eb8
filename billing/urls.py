"""A company's host, under /api/billing/: the subscription and checkout (billing/api.py), and
metering's usage (billing/metering/urls.py)."""

from django.urls import include, path

from billing.api import CheckoutView, SubscriptionView

urlpatterns = [
    path("billing/subscription", SubscriptionView.as_view(), name="billing-subscription"),
    path("billing/checkout", CheckoutView.as_view(), name="billing-checkout"),
    path("billing/", include("billing.metering.urls")),
]
