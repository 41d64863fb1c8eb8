"""WhatsApp message templates under /api/ on a company's host."""

from django.urls import path

from templates.whatsapp.api.views import WhatsAppTemplateListView, WhatsAppTemplateSyncView

urlpatterns = [
    path("whatsapp-templates", WhatsAppTemplateListView.as_view(), name="whatsapp-templates"),
    path("whatsapp-templates/sync", WhatsAppTemplateSyncView.as_view(), name="whatsapp-templates-sync"),
]
