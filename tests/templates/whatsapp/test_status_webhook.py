"""Meta's `message_template_status_update` webhook field (§10): signed like every Cloud API webhook, routed by
the business account (`entry[].id`) to the company whose Meta channel has that WABA, and stored there."""

from django_tenants.utils import schema_context

from conversations.channels.meta import parse_notification
from templates.whatsapp.models import WhatsAppTemplate
from templates.whatsapp.services import WABA_ROUTE
from tenants.models import ChannelRoute
from tests.conversations.conftest import post_meta
from tests.templates.whatsapp.conftest import GLOBEX_PHONE_ID, GLOBEX_WABA, WABA
from tests.templates.whatsapp.graph_server import TOKEN


def status_update(event: str, *, name: str = "lembrete_consulta", waba: str = WABA, reason: str = "NONE",
                  template_id: int = 9_000_000_001) -> dict:
    return {"object": "whatsapp_business_account", "entry": [{"id": waba, "time": 1733400000, "changes": [{
        "field": "message_template_status_update",
        "value": {"event": event, "message_template_id": template_id, "message_template_name": name,
                  "message_template_language": "pt_BR", "message_template_category": "UTILITY",
                  "reason": reason}}]}]}


def pending(name: str = "lembrete_consulta") -> WhatsAppTemplate:
    from conversations.channels.models import Channel

    return WhatsAppTemplate.objects.create(channel=Channel.objects.get(kind="meta"), name=name, language="pt_BR",
                                           category="UTILITY", body_text="Olá {{1}}, até {{2}}.")


def test_the_parser_reads_the_field_and_names_the_business_account():
    notification = parse_notification(status_update("REJECTED", reason="INVALID_FORMAT"))

    (change,) = notification.template_changes
    assert (change.account, change.name, change.language, change.event, change.reason, change.template_id) == \
        (WABA, "lembrete_consulta", "pt_BR", "REJECTED", "INVALID_FORMAT", "9000000001")
    assert not notification.messages and not notification.ignored_fields


def test_a_configured_waba_is_routed_to_its_company(acme_meta):
    assert ChannelRoute.objects.get(provider=WABA_ROUTE, external_id=WABA).company.slug == "acme"


def test_a_rejection_reaches_the_template_with_its_reason(acme_meta):
    with schema_context("acme"):
        template = pending()

    response = post_meta(status_update("REJECTED", reason="INVALID_FORMAT"))

    assert response.status_code == 200
    with schema_context("acme"):
        template.refresh_from_db()
    assert (template.status, template.rejection_reason, template.meta_id) == ("REJECTED", "INVALID_FORMAT",
                                                                              "9000000001")
    assert template.get_status_display() == "Rejeitado"


def test_an_approval_clears_the_old_reason_and_a_pause_is_kept(acme_meta):
    with schema_context("acme"):
        template = pending()
        template.status, template.rejection_reason = "REJECTED", "INVALID_FORMAT"
        template.save()

    post_meta(status_update("APPROVED"))
    with schema_context("acme"):
        template.refresh_from_db()
        assert (template.status, template.rejection_reason) == ("APPROVED", "")

    post_meta(status_update("PAUSED"))
    with schema_context("acme"):
        template.refresh_from_db()
        assert template.status == "PAUSED" and not template.sendable


def test_an_update_stays_inside_the_company_that_owns_the_waba(acme_meta, globex, django_capture_on_commit_callbacks):
    from conversations.channels.services import channel_configure

    with schema_context("globex"), django_capture_on_commit_callbacks(execute=True):
        channel_configure(kind="meta", phone_number_id=GLOBEX_PHONE_ID, access_token=TOKEN, waba_id=GLOBEX_WABA)
    with schema_context("acme"):
        mine = pending()
    with schema_context("globex"):
        theirs = pending()

    post_meta(status_update("REJECTED", waba=GLOBEX_WABA, reason="ABUSIVE_CONTENT"))

    with schema_context("acme"):
        assert WhatsAppTemplate.objects.get(pk=mine.pk).status == "PENDING"
    with schema_context("globex"):
        assert WhatsAppTemplate.objects.get(pk=theirs.pk).rejection_reason == "ABUSIVE_CONTENT"


def test_an_unknown_waba_or_template_is_acknowledged_and_changes_nothing(acme_meta, meta):
    with schema_context("acme"):
        template = pending()

    assert post_meta(status_update("REJECTED", waba="999")).status_code == 200
    assert post_meta(status_update("APPROVED", name="nunca_visto")).status_code == 200

    with schema_context("acme"):
        template.refresh_from_db()
        assert template.status == "PENDING"
        assert not WhatsAppTemplate.objects.filter(name="nunca_visto").exists()


def test_a_badly_signed_update_is_refused(acme_meta):
    with schema_context("acme"):
        template = pending()

    assert post_meta(status_update("APPROVED"), secret="outro-segredo").status_code == 401
    with schema_context("acme"):
        template.refresh_from_db()
        assert template.status == "PENDING"
