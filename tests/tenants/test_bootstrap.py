"""`manage.py bootstrap` and the demo company (`python -m devstack.demo`): what `make run` relies on, idempotent."""

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from conversations.channels.base import InboundMessage, MessageKind
from conversations.core.ingest import inbound_store
from conversations.core.pipeline import conversation_reply
from conversations.models import KnowledgeItem, Message
from devstack.demo.company import main as demo_main
from tenants.models import Company


@pytest.fixture
def demo_env(monkeypatch, settings):
    settings.DEBOUNCE_SECONDS = 0
    monkeypatch.setenv("SECRETARIA_ADMIN_EMAIL", "admin@boot.test")
    monkeypatch.setenv("SECRETARIA_ADMIN_PASSWORD", "Senha-admin-boot-1")
    monkeypatch.setenv("SECRETARIA_DEMO_EMAIL", "dono@boot.test")
    monkeypatch.setenv("SECRETARIA_DEMO_PASSWORD", "Senha-demo-boot-1")


def ask(text: str, id: str) -> str:
    message = inbound_store(message=InboundMessage(
        provider="sandbox", provider_message_id=id, sender="5511955550000", sender_name="Bia",
        kind=MessageKind.TEXT, text=text, timestamp=timezone.now()))
    conversation_reply(contact_id=message.contact_id)
    return Message.objects.filter(direction="out").order_by("-id").first().text


def bootstrap_with_demo() -> None:
    call_command("bootstrap")
    assert demo_main() == 0


def test_bootstrap_twice_creates_one_demo_with_its_clinic_and_working_credentials(db, demo_env):
    bootstrap_with_demo()
    bootstrap_with_demo()

    assert Company.objects.filter(slug="demo").count() == 1
    with schema_context("demo"):
        assert KnowledgeItem.objects.count() == 6  # FAQs only: the services are the agenda's
        assert User.objects.get(email="dono@boot.test").check_password("Senha-demo-boot-1")
    with schema_context("public"):
        assert User.objects.get(email="admin@boot.test").is_superuser


def test_the_demo_answers_a_greeting_a_price_question_and_a_request_for_a_person(db, demo_env):
    bootstrap_with_demo()

    with schema_context("demo"):
        greeting = ask("Oi, bom dia!", "d1")
        price = ask("Quanto custa a limpeza de pele?", "d2")
        person = ask("Quero falar com um atendente", "d3")

    assert "Clínica Demo" in greeting and "Ana" in greeting
    assert "Limpeza de pele: R$ 150,00 · 60 min." in price  # the agenda's row: the demo has no other
    assert "equipe" in person.lower()


def test_the_demo_package_imports_before_django_is_set_up():
    """`python -m devstack.demo` imports the package before its __main__ sets Django up: the package
    itself must need nothing of Django (the launcher's `make run` failed on exactly that)."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run([sys.executable, "-c", "import devstack.demo"], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
