"""Routes of the reply templates, under /api/ on the company's host (templates/urls.py includes them).

`<str:slot>` takes any name: an unknown one is the view's pt-BR 404, after the permission check.
"""

from django.urls import path

from templates.replies.api import TemplateDetailView, TemplateListView, TemplatePreviewView, TemplateResetView

urlpatterns = [
    path("templates", TemplateListView.as_view(), name="templates"),
    path("templates/<str:slot>", TemplateDetailView.as_view(), name="template-detail"),
    path("templates/<str:slot>/reset", TemplateResetView.as_view(), name="template-reset"),
    path("templates/<str:slot>/preview", TemplatePreviewView.as_view(), name="template-preview"),
]
