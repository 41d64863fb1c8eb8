"""/api/webhooks: the company's outgoing webhook endpoints, a test event, and each one's delivery log.

Who (accounts/roles.py, analytics is a settings app): every member reads; owners and managers
(`analytics.change_webhookendpoint`) register, change, delete and test. Ids are looked up in the
host company's schema only, so another company's id is simply not found (404).
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiCallback, OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import require_perm
from analytics.webhooks import selectors, services
from analytics.webhooks.api import serializers as s
from analytics.webhooks.api.payloads import DESCRIPTIONS, EVENTS
from analytics.webhooks.models import WebhookEndpoint
from secretaria.api import error_responses, page_of

EndpointPage = page_of(s.WebhookEndpointSerializer, "WebhookEndpointPage")
DeliveryPage = page_of(s.WebhookDeliverySerializer, "WebhookDeliveryPage")
# Reads too: an endpoint's URL often works as a credential (a Zapier or n8n hook), and the delivery
# log holds customers' names and phones; viewers and operators see neither (channels do the same).
_PERMISSIONS = [require_perm("analytics.change_webhookendpoint", reads_too=True)]
_SIGNED = ("Assinado segundo o Standard Webhooks: cabeçalhos `webhook-id` (o mesmo nas repetições), "
           "`webhook-timestamp` e `webhook-signature: v1,<base64 HMAC-SHA256>` com o segredo `whsec_`. "
           "Só um 2xx em até 5 s confirma; redirecionamentos não são seguidos; falhas são repetidas por 24 h.")


def _receiver(name: str, serializer):
    """The receiving end of one event type, as drf-spectacular documents a callback: a mocked view. Ours
    has drf-spectacular's plain AutoSchema, so our API's error statuses (401, 403...) are not listed there."""

    def decorate(view):
        receiver = type("WebhookReceiver", (view,), {"schema": SpectacularAutoSchema()})
        return extend_schema(summary=DESCRIPTIONS[name], description=_SIGNED, request=serializer, responses={
            200: OpenApiResponse(description="Qualquer 2xx confirma a entrega.")})(receiver)

    return decorate


# Each event's body, documented where OpenAPI puts the requests an API makes: callbacks of the registration.
CALLBACKS = [OpenApiCallback(name, "{$request.body#/url}", _receiver(name, serializer))
             for name, serializer in EVENTS.items()]


def _actor(request) -> str:
    return request.user.email


def _endpoint(pk: int) -> WebhookEndpoint:
    endpoint = selectors.endpoint_get(endpoint_id=pk)
    if endpoint is None:
        raise NotFound("Webhook não encontrado.")
    return endpoint


def _validated(serializer_class, data, **kwargs) -> dict:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class WebhookListView(GenericAPIView):
    permission_classes = _PERMISSIONS
    serializer_class = s.WebhookEndpointSerializer

    @extend_schema(operation_id="webhooks_list", summary="Webhooks de saída da empresa", responses=EndpointPage)
    def get(self, request):
        page = self.paginate_queryset(selectors.endpoint_list())
        return self.get_paginated_response(s.WebhookEndpointSerializer(page, many=True).data)

    @extend_schema(
        operation_id="webhooks_create",
        summary="Cadastrar um webhook de saída (o segredo whsec_ aparece só nesta resposta)",
        request=s.WebhookEndpointInputSerializer, responses={201: s.WebhookEndpointCreatedSerializer},
        callbacks=CALLBACKS,
        examples=[OpenApiExample("n8n", request_only=True, value={
            "url": "https://n8n.exemplo.com.br/webhook/secretaria", "events": ["booking.created", "booking.cancelled"],
            "description": "CRM"})],
    )
    def post(self, request):
        data = _validated(s.WebhookEndpointInputSerializer, request.data)
        endpoint = services.endpoint_create(actor=_actor(request), **data)
        return Response(s.WebhookEndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)


class WebhookDetailView(APIView):
    permission_classes = _PERMISSIONS

    @extend_schema(operation_id="webhooks_retrieve", summary="Um webhook de saída",
                   responses=s.WebhookEndpointSerializer)
    def get(self, request, pk: int):
        return Response(s.WebhookEndpointSerializer(_endpoint(pk)).data)

    @extend_schema(summary="Alterar URL, eventos, descrição ou ativar/desativar (reativar zera as falhas)",
                   request=s.WebhookEndpointPatchSerializer, responses=s.WebhookEndpointSerializer)
    def patch(self, request, pk: int):
        endpoint = _endpoint(pk)
        data = _validated(s.WebhookEndpointPatchSerializer, request.data, partial=True)
        return Response(s.WebhookEndpointSerializer(
            services.endpoint_update(endpoint=endpoint, actor=_actor(request), **data)).data)

    @extend_schema(summary="Apagar um webhook de saída (e o seu histórico de entregas)", responses={204: None})
    def delete(self, request, pk: int):
        services.endpoint_delete(endpoint=_endpoint(pk), actor=_actor(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookTestView(APIView):
    permission_classes = _PERMISSIONS

    @extend_schema(summary="Enviar um evento de teste (webhook.test), assinado e entregue como os demais",
                   request=None, responses={202: s.WebhookDeliverySerializer})
    def post(self, request, pk: int):
        delivery = services.endpoint_test(endpoint=_endpoint(pk))
        return Response(s.WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class WebhookDeliveryListView(GenericAPIView):
    permission_classes = _PERMISSIONS
    serializer_class = s.WebhookDeliverySerializer

    @extend_schema(summary="Entregas de um webhook, das mais recentes às mais antigas",
                   responses={200: DeliveryPage, **error_responses(404)})
    def get(self, request, pk: int):
        page = self.paginate_queryset(selectors.delivery_list(endpoint=_endpoint(pk)))
        return self.get_paginated_response(s.WebhookDeliverySerializer(page, many=True).data)
