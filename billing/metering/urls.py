from django.urls import path

from billing.metering import views

urlpatterns = [
    path("usage", views.usage, name="billing-usage"),
]
