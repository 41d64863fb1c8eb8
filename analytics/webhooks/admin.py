"""Outgoing webhooks on the company admin: endpoints (changed through the services, like the API) with a
"send test event" action, and their deliveries, read-only for everybody.

The secret is never shown here except once, right after adding an endpoint (a message on the next page).
"""

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from analytics.webhooks import services
from analytics.webhooks.events import EVENT_TYPES
from analytics.webhooks.models import WebhookDelivery, WebhookEndpoint
from conversations.admin_settings import ReadOnlyAdmin
from secretaria.admin_sites import tenant_admin
from secretaria.panel.formats import when

EVENT_CHOICES = [(name, f"{name} — {kind.description}") for name, kind in EVENT_TYPES.items()]


class EndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(label="eventos", choices=EVENT_CHOICES, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "events", "enabled"]

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        problem = services.url_problem(url)
        if problem:
            raise forms.ValidationError(problem)
        return url


MANAGE = "analytics.change_webhookendpoint"


@admin.register(WebhookEndpoint, site=tenant_admin)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = ["url", "description", "event_count", "enabled", "last_status", "failing_since"]
    list_filter = ["enabled"]
    search_fields = ["url", "description"]
    readonly_fields = ["note", "failing_since", "disabled_at", "last_attempt_at", "last_status_code",
                       "last_success_at", "deliveries_link", "created_at"]
    actions = ["send_test_event"]

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(MANAGE)  # the URL works like a credential (see api/views.py)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    @admin.display(description="eventos")
    def event_count(self, obj):
        return len(obj.events)

    @admin.display(description="último status")
    def last_status(self, obj):
        if obj.last_attempt_at is None:
            return "—"
        return f"{obj.last_status_code or 'sem resposta'} em {when(obj.last_attempt_at)}"

    @admin.display(description="entregas")
    def deliveries_link(self, obj):
        if obj.pk is None:
            return "—"
        url = reverse("tenant_admin:analytics_webhookdelivery_changelist") + f"?endpoint__id__exact={obj.pk}"
        return format_html('<a href="{}">Ver as entregas</a>', url)

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in ("url", "description", "events")}
        if change:
            current = WebhookEndpoint.objects.get(pk=obj.pk)
            saved = services.endpoint_update(endpoint=current, actor=request.user.email,
                                             enabled=form.cleaned_data["enabled"], **data)
        else:
            saved = services.endpoint_create(actor=request.user.email, **data)
            messages.warning(request, f"Segredo do webhook (aparece só agora; guarde-o para verificar as "
                                      f"assinaturas): {saved.secret}")
        obj.pk, obj.secret = saved.pk, saved.secret
        obj._state.adding = False

    def delete_model(self, request, obj):
        services.endpoint_delete(endpoint=obj, actor=request.user.email)

    @admin.action(description="Enviar evento de teste", permissions=["change"])
    def send_test_event(self, request, queryset):
        for endpoint in queryset:
            services.endpoint_test(endpoint=endpoint)
        messages.success(request, f"{queryset.count()} evento(s) de teste na fila de envio; veja as entregas.")


@admin.register(WebhookDelivery, site=tenant_admin)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "endpoint", "event_type", "status", "attempts", "status_code", "error",
                    "next_attempt_at"]
    list_filter = ["status", "event_type", "endpoint"]
    search_fields = ["message_id"]
    list_select_related = ["endpoint"]
    fields = ["endpoint", "message_id", "event_type", "status", "attempts", "status_code", "error", "duration_ms",
              "created_at", "last_attempt_at", "next_attempt_at", "delivered_at", "body"]
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(MANAGE)  # the bodies carry customers' names and phones

    def has_module_permission(self, request):
        return self.has_view_permission(request)
