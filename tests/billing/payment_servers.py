"""Local HTTP servers speaking Stripe's and Asaas' wire formats, and the webhook deliveries each would
make, for the payment tests (docs/contracts/billing.md §8, billing-providers.md §8.7).

They run on bench/fakes.py's HttpServer (a real socket, HTTP/1.1, keep-alive) on an event loop of
their own thread, so our httpx clients go through their real transport. Each server records the
requests it got and keeps the objects it created, from which it builds the events the provider
would then send us:

    stripe = StripeServer(api_key=..., prices={"price_pro"})
    url = checkout_start(...)                      # POST /v1/checkout/sessions
    events = stripe.complete(session_id)           # checkout.session.completed, subscription.created, invoice.paid
    stripe.deliver(client, event, secret=...)      # POST /webhook/billing/stripe, signed as Stripe signs
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import threading
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import parse_qsl

from bench.fakes import HttpServer, Request, Response
from billing.payments.providers.stripe import signature_header


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: dict


class _TrackedHttpServer(HttpServer):
    """HttpServer that remembers its open connections, so closing it leaves no task pending."""

    def __init__(self, handler, port: int):
        super().__init__(handler, port)
        self.writers: set[asyncio.StreamWriter] = set()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writers.add(writer)
        try:
            await super()._serve(reader, writer)
        finally:
            self.writers.discard(writer)


class LocalServer(ABC):
    """bench.fakes.HttpServer on 127.0.0.1, an ephemeral port, and an event loop in a daemon thread."""

    def __init__(self):
        self.requests: list[Recorded] = []
        self._ids = itertools.count(1)
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        self.http = _TrackedHttpServer(self._handle, 0)
        asyncio.run_coroutine_threadsafe(self.http.start(), self.loop).result(5)
        self.url = f"http://127.0.0.1:{self.http.server.sockets[0].getsockname()[1]}"

    def close(self) -> None:
        if not self.loop.is_running():
            return
        asyncio.run_coroutine_threadsafe(self._shutdown(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)

    async def _shutdown(self) -> None:
        # Keep-alive connections (our pooled httpx client keeps them) are closed from our side: each
        # connection's task then reads EOF and ends cleanly, before the loop stops.
        await self.http.close()
        for writer in list(self.http.writers):
            writer.close()
        others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        await asyncio.wait(others, timeout=2) if others else None

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._ids):06d}{secrets.token_hex(4)}"

    async def _handle(self, request: Request) -> Response:
        body = self.read_body(request)
        self.requests.append(Recorded(request.method, request.path, dict(request.headers), body))
        return self.answer(request, body)

    @abstractmethod
    def read_body(self, request: Request) -> dict:
        """The request's body as the provider encodes it (Stripe: form, Asaas: JSON)."""

    @abstractmethod
    def answer(self, request: Request, body: dict) -> Response:
        """The provider's answer to one request."""


# --- Stripe ------------------------------------------------------------------------------------


class StripeServer(LocalServer):
    """`POST /v1/checkout/sessions` as Stripe takes it: Bearer key, form-encoded bracketed keys,
    `Idempotency-Key` honoured; errors in Stripe's `{"error": {type, code, message, param}}`."""

    def __init__(self, *, api_key: str, prices: set[str]):
        self.api_key, self.prices = api_key, prices
        self.sessions: dict[str, dict] = {}
        self.subscriptions: dict[str, dict] = {}
        self.by_idempotency_key: dict[str, dict] = {}
        self.clock = int(time.time())  # Stripe's clock for `created`; moves forward one second per event
        super().__init__()

    def read_body(self, request: Request) -> dict:
        if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return dict(parse_qsl(request.body.decode("utf-8"), keep_blank_values=True))
        return {"_raw": request.body.decode("utf-8", "replace")}

    def answer(self, request: Request, body: dict) -> Response:
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return _stripe_error(401, "invalid_request_error", "Invalid API Key provided.")
        if request.method != "POST" or request.path != "/v1/checkout/sessions":
            return _stripe_error(404, "invalid_request_error", f"Unrecognized request URL ({request.path}).")
        key = request.headers.get("idempotency-key", "")
        if key in self.by_idempotency_key:
            return Response(200, self.by_idempotency_key[key])
        for required in ("mode", "success_url", "line_items[0][price]"):
            if not body.get(required):
                return _stripe_error(400, "invalid_request_error", f"Missing required param: {required}.",
                                     param=required, code="parameter_missing")
        if body["mode"] != "subscription":
            return _stripe_error(400, "invalid_request_error", "Invalid mode.", param="mode")
        if body["line_items[0][price]"] not in self.prices:
            return _stripe_error(400, "invalid_request_error", f"No such price: '{body['line_items[0][price]']}'",
                                 param="line_items[0][price]", code="resource_missing")
        session_id = self.new_id("cs_test")
        session = {
            "id": session_id, "object": "checkout.session", "mode": "subscription", "status": "open",
            "url": f"https://checkout.stripe.com/c/pay/{session_id}",
            "client_reference_id": body.get("client_reference_id"), "customer": None, "subscription": None,
            "metadata": _bracketed(body, "metadata"), "success_url": body["success_url"],
            "_price": body["line_items[0][price]"],
            "_subscription_metadata": _bracketed(body, "subscription_data[metadata]"),
        }
        self.sessions[session_id] = session
        public = {k: v for k, v in session.items() if not k.startswith("_")}
        if key:
            self.by_idempotency_key[key] = public
        return Response(200, public)

    # --- what Stripe then sends us ---------------------------------------------------------

    def tick(self) -> int:
        self.clock += 1
        return self.clock

    def complete(self, session_id: str) -> list[dict]:
        """The owner paid: the customer and subscription exist; the events Stripe emits, in its order."""
        session = self.sessions[session_id]
        customer, sub_id = self.new_id("cus"), self.new_id("sub")
        now = self.tick()
        self.subscriptions[sub_id] = {
            "id": sub_id, "object": "subscription", "customer": customer, "status": "active",
            "cancel_at_period_end": False, "metadata": session["_subscription_metadata"],
            "items": {"object": "list", "data": [{
                "id": self.new_id("si"), "object": "subscription_item", "price": {"id": session["_price"]},
                "current_period_start": now, "current_period_end": now + 30 * 86400,
            }]},
        }
        session.update(status="complete", customer=customer, subscription=sub_id)
        completed = self.event("checkout.session.completed",
                               {k: v for k, v in session.items() if not k.startswith("_")}, created=now)
        return [completed, self.subscription_event(sub_id, "customer.subscription.created", created=now),
                self.invoice_event(sub_id, "invoice.paid", created=now)]

    def subscription_event(self, sub_id: str, kind: str, *, status: str | None = None,
                           created: int | None = None) -> dict:
        subscription = self.subscriptions[sub_id]
        if status:
            subscription["status"] = status
        if kind.endswith(".deleted"):
            subscription["status"] = "canceled"
        return self.event(kind, json.loads(json.dumps(subscription)), created=created)

    def invoice_event(self, sub_id: str, kind: str, *, created: int | None = None,
                      legacy_shape: bool = False) -> dict:
        """An invoice of the subscription; `legacy_shape`: the subscription at the top level (older API versions)."""
        subscription = self.subscriptions[sub_id]
        created = created or self.tick()
        item = subscription["items"]["data"][0]
        paid = kind == "invoice.paid"
        invoice = {
            "id": self.new_id("in"), "object": "invoice", "customer": subscription["customer"],
            "status": "paid" if paid else "open", "currency": "brl", "amount_due": 14900,
            "amount_paid": 14900 if paid else 0,
            "status_transitions": {"paid_at": created if paid else None},
            "lines": {"object": "list", "data": [{"period": {"start": item["current_period_start"],
                                                             "end": item["current_period_end"]}}]},
        }
        details = {"subscription": sub_id, "metadata": subscription["metadata"]}
        if legacy_shape:
            invoice["subscription"] = sub_id
            invoice["subscription_details"] = {"metadata": subscription["metadata"]}
        else:
            invoice["parent"] = {"type": "subscription_details", "subscription_details": details}
        return self.event(kind, invoice, created=created)

    def event(self, kind: str, obj: dict, *, created: int | None = None) -> dict:
        return {"id": self.new_id("evt"), "object": "event", "api_version": "2025-03-31.basil",
                "created": created or self.tick(), "livemode": False, "type": kind, "data": {"object": obj}}

    @staticmethod
    def deliver(client, event: dict, *, secret: str, timestamp: int | None = None, raw: bytes | None = None):
        """POST an event to our webhook as Stripe does: the exact bytes, signed with `secret`."""
        body = raw if raw is not None else json.dumps(event).encode()
        header = signature_header(body, secret=secret, timestamp=timestamp or int(time.time()))
        return client.post("/webhook/billing/stripe", data=body, content_type="application/json; charset=utf-8",
                           HTTP_STRIPE_SIGNATURE=header)


def _bracketed(form: dict, prefix: str) -> dict:
    start = prefix + "["
    return {key[len(start):-1]: value for key, value in form.items()
            if key.startswith(start) and key.endswith("]") and "[" not in key[len(start):-1]}


def _stripe_error(status: int, type_: str, message: str, *, param: str = "", code: str = "") -> Response:
    error = {"type": type_, "message": message}
    if param:
        error["param"] = param
    if code:
        error["code"] = code
    return Response(status, {"error": error})


# --- Asaas -------------------------------------------------------------------------------------


class AsaasServer(LocalServer):
    """Asaas' v3 API for what we use: `access_token` header, JSON, errors as `{"errors": [{code, description}]}`.

    A subscription generates its first charge (PENDING, due on `nextDueDate`) at once, with the
    subscription's externalReference, as Asaas does; `GET /v3/subscriptions/{id}/payments` lists them.
    """

    def __init__(self, *, api_key: str):
        self.api_key = api_key
        self.customers: dict[str, dict] = {}
        self.subscriptions: dict[str, dict] = {}
        self.payments: dict[str, dict] = {}
        super().__init__()

    def read_body(self, request: Request) -> dict:
        if not request.body:
            return {}
        try:
            body = request.json()
        except ValueError:
            return {"_invalid": True}
        return body if isinstance(body, dict) else {"_invalid": True}

    def answer(self, request: Request, body: dict) -> Response:
        if request.headers.get("access_token") != self.api_key:
            return Response(401, {})
        if body.get("_invalid"):
            return _asaas_error("invalid_object", "JSON inválido.")
        path = request.path
        if request.method == "POST" and path == "/v3/customers":
            return self._customer_create(body)
        if request.method == "POST" and path == "/v3/subscriptions":
            return self._subscription_create(body)
        parts = path.strip("/").split("/")
        if request.method == "GET" and len(parts) == 4 and parts[:2] == ["v3", "subscriptions"] \
                and parts[3] == "payments":
            if parts[2] not in self.subscriptions:
                return Response(404, {"errors": [{"code": "not_found", "description": "Assinatura não encontrada."}]})
            data = [p for p in self.payments.values() if p["subscription"] == parts[2]]
            return Response(200, {"object": "list", "hasMore": False, "totalCount": len(data), "limit": 10,
                                  "offset": 0, "data": data})
        return Response(404, {})

    def _customer_create(self, body: dict) -> Response:
        if not body.get("name"):
            return _asaas_error("invalid_name", "O campo nome deve ser informado.")
        customer = {"object": "customer", "id": self.new_id("cus"), "name": body["name"],
                    "cpfCnpj": body.get("cpfCnpj"), "externalReference": body.get("externalReference"),
                    "deleted": False}
        self.customers[customer["id"]] = customer
        return Response(200, customer)

    def _subscription_create(self, body: dict) -> Response:
        if body.get("customer") not in self.customers:
            return _asaas_error("invalid_customer", "Cliente inválido ou não informado.")
        if body.get("billingType") not in ("BOLETO", "CREDIT_CARD", "PIX", "UNDEFINED"):
            return _asaas_error("invalid_billingType", "Forma de pagamento inválida.")
        if body.get("cycle") not in ("WEEKLY", "BIWEEKLY", "MONTHLY", "QUARTERLY", "SEMIANNUALLY", "YEARLY"):
            return _asaas_error("invalid_cycle", "Periodicidade inválida.")
        try:
            value, due = float(body["value"]), date.fromisoformat(body["nextDueDate"])
        except (KeyError, TypeError, ValueError):
            return _asaas_error("invalid_value", "Valor ou data de vencimento inválidos.")
        subscription = {"object": "subscription", "id": self.new_id("sub"), "customer": body["customer"],
                        "billingType": body["billingType"], "cycle": body["cycle"], "value": value,
                        "nextDueDate": (due + timedelta(days=30)).isoformat(), "status": "ACTIVE",
                        "description": body.get("description"), "externalReference": body.get("externalReference"),
                        "deleted": False}
        self.subscriptions[subscription["id"]] = subscription
        payment_id = self.new_id("pay")
        self.payments[payment_id] = {
            "object": "payment", "id": payment_id, "customer": body["customer"], "subscription": subscription["id"],
            "value": value, "netValue": round(value * 0.97, 2), "billingType": body["billingType"],
            "status": "PENDING", "dueDate": due.isoformat(), "paymentDate": None,
            "invoiceUrl": f"https://sandbox.asaas.com/i/{payment_id[4:]}",
            "externalReference": body.get("externalReference"), "deleted": False,
        }
        return Response(200, subscription)

    # --- what Asaas then sends us ----------------------------------------------------------

    def payment_event(self, payment_id: str, kind: str, *, at: str, status: str) -> dict:
        """A payment event; `at` is Asaas' "YYYY-MM-DD HH:MM:SS" (Brazil's wall clock)."""
        payment = self.payments[payment_id]
        payment["status"] = status
        if status in ("RECEIVED", "CONFIRMED"):
            payment["paymentDate"] = at[:10]
        return {"id": self.new_id("evt"), "event": kind, "dateCreated": at, "payment": dict(payment)}

    def subscription_event(self, sub_id: str, kind: str, *, at: str, status: str | None = None) -> dict:
        subscription = self.subscriptions[sub_id]
        if status:
            subscription["status"] = status
        return {"id": self.new_id("evt"), "event": kind, "dateCreated": at, "subscription": dict(subscription)}

    def first_payment(self, sub_id: str) -> str:
        return next(p["id"] for p in self.payments.values() if p["subscription"] == sub_id)

    @staticmethod
    def deliver(client, event: dict, *, token: str):
        return client.post("/webhook/billing/asaas", data=json.dumps(event).encode(),
                           content_type="application/json", HTTP_ASAAS_ACCESS_TOKEN=token)


def _asaas_error(code: str, description: str) -> Response:
    return Response(400, {"errors": [{"code": code, "description": description}]})
