"""A representative company day against the real Redis, for the tests that look at what it leaves there
(tests/test_redis_ttls.py: every key has a TTL; tests/observability/test_redis_footprint.py: bytes per
idle company).

The day: customers write through the sandbox webhook and are answered (the offline engine, then a
language model on a local OpenAI-compatible server), one books through the chat, one floods and hits the
rate limit, the plan changes and the quota alerts go off, the owner renames the company (a settings change),
reads the dashboard's reports, logs in and out, and the model fails enough to open its breaker.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from agenda.models import Appointment
from billing.models import Plan
from billing.services import plan_change
from conversations.assistant.breaker import CircuitBreaker
from conversations.assistant.llm import llm_config_set
from conversations.channels.services import channel_configure, channel_default_ensure
from conversations.core.pipeline import conversation_reply
from conversations.models import Contact, Message
from devstack.demo.agenda import demo_calendar_ensure
from tests.conftest import member
from tests.conversations.conftest import post_json
from tests.factories import PASSWORD
from tests.json_server import FakeServer, Recorded

FLOOD_LIMIT = 3  # the sender limit the day runs under (RATE_LIMIT_SENDER_PER_MINUTE)


class ModelServer(FakeServer):
    """OpenAI's chat completions with a fixed answer and usage (`url` is the API base)."""

    def __init__(self) -> None:
        super().__init__()
        self.url = f"{self.url}/v1"

    def reset(self) -> None:
        """Stateless: every call gets the same answer."""

    def handle(self, recorded: Recorded) -> tuple:
        return 200, {
            "id": "chatcmpl-1", "object": "chat.completion", "model": "gpt-4o-mini",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "Abrimos sim, das 8h às 12h."},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 40, "completion_tokens": 10, "total_tokens": 50},
        }

    def close(self) -> None:
        self.shutdown()


@dataclass
class CompanyDay:
    """Drives one company's day. `capture` is pytest-django's django_capture_on_commit_callbacks: the test's
    transaction never commits, so what a step leaves for its commit (events, the settings version) runs there."""

    company: object
    host: str
    api: object
    capture: object
    model_url: str

    @property
    def schema(self) -> str:
        return self.company.schema_name

    def run(self) -> None:
        self.setup()
        self.conversations()
        self.booking()
        self.flood()
        self.plan_and_quota_alerts()
        self.settings_change()
        self.reports()
        self.login_and_logout()
        self.model_outage()

    def setup(self) -> None:
        with schema_context(self.schema), self.capture(execute=True):
            channel_configure(kind="sandbox")
            self.secret = channel_default_ensure().inbound_secret
            demo_calendar_ensure()

    def say(self, text: str, *, phone: str, id: str, answer: bool = True) -> int:
        """One message through the real webhook over Django's test client; answered by the reply pipeline."""
        response = post_json(Client(HTTP_HOST=self.host), f"/webhook/sandbox/{self.secret}",
                             {"from": phone, "text": text, "id": f"{self.schema}-{id}", "name": "Maria Souza"})
        assert response.status_code == 200, response.content
        if answer:
            with schema_context(self.schema), self.capture(execute=True):
                conversation_reply(contact_id=Contact.objects.get(phone=phone).pk)
        return response.status_code

    def conversations(self) -> None:
        self.say("Oi, bom dia!", phone="5511900000001", id="c1")
        self.say("Quanto custa a limpeza de pele?", phone="5511900000001", id="c2")
        self.say("Vocês atendem no sábado?", phone="5511900000002", id="c3")
        with schema_context(self.schema), self.capture(execute=True):
            llm_config_set(provider="openai", model="gpt-4o-mini", api_key="sk-teste", base_url=self.model_url)
        self.say("E aceitam cartão?", phone="5511900000002", id="c4")
        self.say("Obrigada!", phone="5511900000003", id="c5")

    def booking(self) -> None:
        self.say("Quero marcar uma limpeza de pele", phone="5511900000004", id="b1")
        self.say("1", phone="5511900000004", id="b2")
        with schema_context(self.schema):
            replies = list(Message.objects.filter(contact__phone="5511900000004", direction="out")
                           .values_list("text", flat=True))
            assert Appointment.objects.filter(contact__phone="5511900000004").exists(), replies

    def flood(self) -> None:
        for n in range(FLOOD_LIMIT + 2):
            self.say(f"oi {n}", phone="5511900000005", id=f"f{n}", answer=False)
        with schema_context(self.schema):
            assert Message.objects.filter(contact__phone="5511900000005", direction="in", state="limited").exists()

    def plan_and_quota_alerts(self) -> None:
        plan, _ = Plan.objects.get_or_create(code="dia-de-teste", defaults={
            "name": "Dia de teste", "monthly_messages": 4, "overage_policy": "allow_overage", "is_active": True})
        with self.capture(execute=True):
            plan_change(company=self.company, plan_code=plan.code, cause="admin")
        self.say("Bom dia de novo", phone="5511900000006", id="q1")
        self.say("Até amanhã", phone="5511900000006", id="q2")

    def settings_change(self) -> None:
        with self.capture(execute=True):
            response = self.api(self.company, "owner").patch("/api/company", {"name": "Clínica do Dia"},
                                                             format="json")
        assert response.status_code == 200, response.content

    def reports(self) -> None:
        today = timezone.localdate().isoformat()
        response = self.api(self.company, "owner").get("/api/analytics/summary", {"period": "day", "day": today})
        assert response.status_code == 200, response.content

    def login_and_logout(self) -> None:
        owner = member(self.company, "owner")
        client = self.api(self.company)
        session = client.post("/api/auth/token", {"email": owner.email, "password": PASSWORD}, format="json").json()
        assert client.post("/api/auth/logout", {"refresh": session["refresh"]}, format="json").status_code == 205

    def model_outage(self) -> None:
        with schema_context(self.schema):
            breaker = CircuitBreaker("llm-day", failure_threshold=2)
            breaker.record_failure()  # a failure counted in the window
            CircuitBreaker("llm-day-open", failure_threshold=1).record_failure()  # and one that opens
            breaker.allow()
