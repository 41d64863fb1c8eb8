from agenda.api.rest import api_urlpatterns
from agenda.api.webhooks import webhook_urlpatterns

# On each company's host: /webhook/calcom ...
tenant_webhook_urlpatterns = webhook_urlpatterns
# ... and /api/agenda/...
tenant_api_urlpatterns = api_urlpatterns
