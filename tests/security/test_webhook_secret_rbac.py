"""The inbound webhook secret is a credential (issue 16, finding 1): only those who manage settings
read it, from the API or the admin, and rotating it is one call or one admin action whose old secret
stops working at once."""

import json

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from conversations.channels.models import Channel
from conversations.channels.services import channel_configure, channel_default_ensure
from secretaria.events import SettingsChanged
from tests.accounts.conftest import admin_client
from tests.conftest import member
from tests.security.events import heard

ACME = Client(HTTP_HOST="acme.localhost")
MESSAGE = {"from": "5511912345678", "text": "quero cancelar meu agendamento", "id": "sbx-rbac", "name": "Maria"}


@pytest.fixture
def secret(acme) -> str:
    with schema_context("acme"):
        channel_configure(kind="sandbox")
        return channel_default_ensure().inbound_secret


def default_channel_id() -> int:
    with schema_context("acme"):
        return channel_default_ensure().pk


def post_message(secret: str, message_id: str = "sbx-rbac"):
    body = json.dumps({**MESSAGE, "id": message_id})
    return ACME.post(f"/webhook/sandbox/{secret}", data=body, content_type="application/json")


@pytest.mark.parametrize("role", ["operator", "viewer"])
@pytest.mark.parametrize("path", ["/api/channel", "/api/channels", "channel-detail"])
def test_operators_and_viewers_never_read_the_webhook_url(api, acme, secret, role, path):
    path = f"/api/channels/{default_channel_id()}" if path == "channel-detail" else path

    response = api(acme, role).get(path)

    assert response.status_code == 403
    assert secret not in response.content.decode()


@pytest.mark.parametrize("role", ["owner", "manager"])
def test_owners_and_managers_read_the_webhook_url(api, acme, secret, role):
    response = api(acme, role).get("/api/channel")

    assert response.status_code == 200
    assert response.json()["webhook_url"].endswith(f"/webhook/sandbox/{secret}")


@pytest.mark.parametrize("role", ["operator", "viewer"])
def test_the_channel_admin_page_hides_the_webhook_url_from_who_cannot_change_settings(acme, secret, role):
    page = admin_client(acme, member(acme, role)).get(f"/admin/conversations/channel/{default_channel_id()}/change/")

    assert page.status_code == (403 if role == "operator" else 200)  # an operator sees no settings at all
    assert secret not in page.content.decode()


def test_the_channel_admin_page_shows_the_webhook_url_to_a_manager(acme, secret):
    page = admin_client(acme, member(acme, "manager")).get(
        f"/admin/conversations/channel/{default_channel_id()}/change/")

    assert page.status_code == 200
    assert f"/webhook/sandbox/{secret}" in page.content.decode()


def test_rotating_by_the_api_gives_a_new_url_and_the_old_secret_stops_at_once(
        api, acme, secret, django_capture_on_commit_callbacks):
    assert post_message(secret, "sbx-before").status_code == 200  # the webhook's process has cached the channel

    with heard(SettingsChanged) as events, django_capture_on_commit_callbacks(execute=True):
        response = api(acme, "manager").post(f"/api/channels/{default_channel_id()}/rotate-secret")

    assert response.status_code == 200, response.content
    new_secret = response.json()["webhook_url"].rsplit("/", 1)[1]
    assert new_secret != secret
    assert post_message(secret, "sbx-old").status_code == 401
    assert post_message(new_secret, "sbx-new").status_code == 200
    rotated = [e for e in events if e.action == "channel.secret_rotated"]
    assert len(rotated) == 1 and rotated[0].area == "channel" and rotated[0].actor == "manager@acme.test"
    assert secret not in repr(rotated[0]) and new_secret not in repr(rotated[0])


def test_the_default_channel_rotates_without_naming_its_id(api, acme, secret, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(acme, "owner").post("/api/channel/rotate-secret")

    assert response.status_code == 200
    assert secret not in response.json()["webhook_url"]
    assert post_message(secret).status_code == 401


@pytest.mark.parametrize("role", ["operator", "viewer"])
def test_operators_and_viewers_cannot_rotate(api, acme, secret, role):
    response = api(acme, role).post("/api/channel/rotate-secret")

    assert response.status_code == 403
    with schema_context("acme"):
        assert channel_default_ensure().inbound_secret == secret


def test_the_admin_action_rotates_the_secret(acme, secret, django_capture_on_commit_callbacks):
    browser = admin_client(acme, member(acme, "manager"))

    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post("/admin/conversations/channel/", {
            "action": "rotate_secret", "_selected_action": [default_channel_id()]}, follow=True)

    assert response.status_code == 200
    assert "Novo segredo gerado" in response.content.decode()
    with schema_context("acme"):
        assert Channel.objects.get(pk=default_channel_id()).inbound_secret != secret
    assert post_message(secret).status_code == 401


def test_the_admin_action_is_not_offered_to_a_viewer(acme, secret):
    browser = admin_client(acme, member(acme, "viewer"))

    response = browser.post("/admin/conversations/channel/", {
        "action": "rotate_secret", "_selected_action": [default_channel_id()]})

    assert response.status_code in (200, 302, 403)
    with schema_context("acme"):
        assert channel_default_ensure().inbound_secret == secret
