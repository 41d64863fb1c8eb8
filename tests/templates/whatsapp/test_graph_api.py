"""The Graph API's template flows, against a local server speaking Meta's wire format: the listing over
several pages, the sync that stores it, a new template submitted for review, and Meta's errors (a rate
limit retried and visible, an invalid parameter as a pt-BR 400, never a 500)."""

import pytest
from django_tenants.utils import schema_context

from conversations.channels.base import PermanentChannelError, TransientChannelError
from conversations.channels.meta import MetaClient
from templates.whatsapp.models import WhatsAppTemplate, WhatsAppTemplateSync
from templates.whatsapp.services import whatsapp_template_create, whatsapp_templates_sync
from templates.whatsapp.tasks import whatsapp_template_sync_task
from tests.templates.whatsapp.conftest import PHONE_ID, WABA
from tests.templates.whatsapp.graph_server import TOKEN

LIST_PATH = f"/v21.0/{WABA}/message_templates"


def client(graph) -> MetaClient:
    return MetaClient(phone_number_id=PHONE_ID, access_token=TOKEN, graph_url=graph.url)


def five_templates(graph) -> None:
    graph.add_template(WABA, "lembrete_consulta", body="Olá {{1}}, sua consulta é {{2}} às {{3}}.",
                       examples=["Maria", "terça, 08/12", "15:00"])
    graph.add_template(WABA, "lembrete_consulta", language="en_US", body="Hi {{1}}, see you {{2}}.",
                       examples=["Mary", "Tuesday"])
    graph.add_template(WABA, "oferta_vaga", body="Abriu uma vaga {{1}}. Quer?", category="MARKETING",
                       status="PENDING", examples=["amanhã"])
    graph.add_template(WABA, "promo_natal", body="Promoção de Natal!", category="MARKETING", status="REJECTED",
                       rejected_reason="INVALID_FORMAT")
    graph.add_template(WABA, "aviso_geral", body="{{1}}", header="Aviso", examples=["texto"])


# --- the client ----------------------------------------------------------------------------------

def test_the_listing_follows_the_after_cursor_until_meta_leaves_next_out(meta):
    five_templates(meta)

    templates = client(meta).message_templates_list(WABA)

    assert [t["name"] for t in templates] == ["lembrete_consulta", "lembrete_consulta", "oferta_vaga",
                                              "promo_natal", "aviso_geral"]
    pages = meta.requests_to(LIST_PATH, "GET")
    assert len(pages) == 3  # 2 + 2 + 1
    assert "after" not in pages[0].query
    assert pages[1].query["after"] and pages[2].query["after"] != pages[1].query["after"]
    assert all(p.query["fields"] == "id,name,status,category,language,components,rejected_reason" for p in pages)
    assert all(p.headers["authorization"] == f"Bearer {TOKEN}" for p in pages)
    assert all("access_token" not in p.query for p in pages)  # the token never travels in a URL


def test_an_account_without_templates_is_one_page(meta):
    assert client(meta).message_templates_list(WABA) == []
    assert len(meta.requests_to(LIST_PATH)) == 1


def test_creating_posts_metas_body_and_returns_its_answer(meta):
    components = [{"type": "BODY", "text": "Oi {{1}}!", "example": {"body_text": [["Ana"]]}}]

    answer = client(meta).message_template_create(WABA, name="boas_vindas", language="pt_BR",
                                                  category="UTILITY", components=components)

    assert answer["status"] == "PENDING" and answer["id"]
    (request,) = meta.requests_to(LIST_PATH, "POST")
    assert request.body == {"name": "boas_vindas", "language": "pt_BR", "category": "UTILITY",
                            "components": components}


@pytest.mark.parametrize("status", [400, 429])
def test_the_rate_limit_is_transient_whatever_the_http_status(meta, status):
    meta.fail_next(130429, status=status)

    with pytest.raises(TransientChannelError) as caught:
        client(meta).message_templates_list(WABA)
    assert caught.value.code == 130429


def test_an_invalid_parameter_is_permanent_and_keeps_metas_words_for_the_user(meta):
    with pytest.raises(PermanentChannelError) as caught:
        client(meta).message_template_create(WABA, name="Nome Errado", language="pt_BR", category="UTILITY",
                                             components=[{"type": "BODY", "text": "x"}])
    assert caught.value.code == 100
    assert "só pode ter letras minúsculas" in str(caught.value)


# --- the sync ------------------------------------------------------------------------------------

def test_a_sync_stores_every_page_with_status_reason_body_and_examples(acme_meta, meta):
    five_templates(meta)
    with schema_context("acme"):
        run = whatsapp_templates_sync(channel=acme_meta)

        assert (run.outcome, run.templates, run.error) == ("ok", 5, "")
        rows = {(t.name, t.language): t for t in WhatsAppTemplate.objects.all()}
    assert len(rows) == 5
    reminder = rows[("lembrete_consulta", "pt_BR")]
    assert (reminder.status, reminder.category, reminder.body_placeholders) == ("APPROVED", "UTILITY", [1, 2, 3])
    assert reminder.examples == ["Maria", "terça, 08/12", "15:00"] and reminder.synced_at is not None
    assert reminder.meta_id.isdigit() and reminder.get_status_display() == "Aprovado"
    assert (rows[("promo_natal", "pt_BR")].status, rows[("promo_natal", "pt_BR")].rejection_reason) == \
        ("REJECTED", "INVALID_FORMAT")
    assert rows[("oferta_vaga", "pt_BR")].get_status_display() == "Em análise"
    assert rows[("aviso_geral", "pt_BR")].header_text == "Aviso"


def test_a_second_sync_updates_in_place_and_marks_what_meta_no_longer_lists(acme_meta, meta):
    five_templates(meta)
    with schema_context("acme"):
        whatsapp_templates_sync(channel=acme_meta)
        first = WhatsAppTemplate.objects.get(name="oferta_vaga")
        meta.templates[WABA] = [t for t in meta.templates[WABA] if t["name"] != "promo_natal"]
        next(t for t in meta.templates[WABA] if t["name"] == "oferta_vaga")["status"] = "APPROVED"

        whatsapp_templates_sync(channel=acme_meta)

        assert WhatsAppTemplate.objects.count() == 5
        assert WhatsAppTemplate.objects.get(pk=first.pk).status == "APPROVED"
        assert WhatsAppTemplate.objects.get(name="promo_natal").status == "DELETED"


def test_a_rate_limited_sync_is_retried_and_each_attempt_is_visible(acme_meta, meta):
    five_templates(meta)
    meta.fail_next(130429, status=429)
    with schema_context("acme"):
        whatsapp_template_sync_task.apply((acme_meta.pk,))

        attempts = list(WhatsAppTemplateSync.objects.order_by("pk"))
        assert [a.outcome for a in attempts] == ["retrying", "ok"]
        assert attempts[0].error.startswith("A Meta limitou as chamadas desta conta (#130429)")
        assert attempts[1].templates == 5 and WhatsAppTemplate.objects.count() == 5


def test_a_sync_still_rate_limited_after_every_retry_ends_failed_with_the_reason(acme_meta, meta):
    meta.fail_next(130429, times=6)
    with schema_context("acme"):
        whatsapp_template_sync_task.apply((acme_meta.pk,))

        outcomes = list(WhatsAppTemplateSync.objects.order_by("pk").values_list("outcome", flat=True))
        assert outcomes == ["retrying"] * 5 + ["failed"]
        assert "#130429" in WhatsAppTemplateSync.objects.order_by("pk").last().error
        assert not WhatsAppTemplate.objects.exists()


def test_an_expired_token_fails_the_sync_at_once_with_a_pt_br_reason(acme_meta, meta):
    meta.token = "outro-token"
    try:
        with schema_context("acme"):
            whatsapp_template_sync_task.apply((acme_meta.pk,))
            (attempt,) = WhatsAppTemplateSync.objects.all()
    finally:
        meta.token = TOKEN
    assert attempt.outcome == "failed"
    assert attempt.error == "O token de acesso da Meta expirou ou é inválido (#190): atualize-o no canal."


# --- creating ------------------------------------------------------------------------------------

def create(channel, **overrides) -> WhatsAppTemplate:
    fields = {"name": "lembrete_consulta", "language": "pt_BR", "category": "UTILITY",
              "body": "Olá {{1}}, sua consulta é {{2}} às {{3}}.", "examples": ["Maria", "terça, 08/12", "15:00"],
              "header": "Lembrete", "footer": "Clínica Bella Pele"}
    return whatsapp_template_create(channel=channel, **(fields | overrides))


def test_a_new_template_goes_to_meta_with_its_examples_and_is_kept_pending(acme_meta, meta):
    with schema_context("acme"):
        template = create(acme_meta)

        assert WhatsAppTemplate.objects.get() == template
    assert (template.status, template.category, template.body_placeholders) == ("PENDING", "UTILITY", [1, 2, 3])
    assert template.meta_id == meta.templates[WABA][0]["id"]
    (request,) = meta.requests_to(LIST_PATH, "POST")
    assert request.body == {"name": "lembrete_consulta", "language": "pt_BR", "category": "UTILITY", "components": [
        {"type": "HEADER", "format": "TEXT", "text": "Lembrete"},
        {"type": "BODY", "text": "Olá {{1}}, sua consulta é {{2}} às {{3}}.",
         "example": {"body_text": [["Maria", "terça, 08/12", "15:00"]]}},
        {"type": "FOOTER", "text": "Clínica Bella Pele"}]}


def test_meta_refusing_a_parameter_is_a_pt_br_validation_error_and_nothing_is_kept(acme_meta, meta):
    meta.add_template(WABA, "lembrete_consulta", body="Outro {{1}}.", examples=["x"])  # only at Meta
    from django.core.exceptions import ValidationError

    with schema_context("acme"), pytest.raises(ValidationError) as caught:
        create(acme_meta)
    (message,) = caught.value.message_dict["non_field_errors"]
    assert message.startswith("A Meta recusou os dados do template (#100, parâmetro inválido).")
    assert "Já existe conteúdo nesse idioma" in message
    with schema_context("acme"):
        assert not WhatsAppTemplate.objects.exists()
