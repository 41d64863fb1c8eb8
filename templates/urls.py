"""templates under /api/ on a company's host: each part's routes."""

from django.urls import include, path

urlpatterns = [
    path("", include("templates.replies.urls")),
    path("", include("templates.experiments.urls")),
    path("", include("templates.whatsapp.urls")),
]
