"""Every page of the company panel against every role: what issue 13 promises each one.

The pages are walked, not listed: every model page registered on the company admin site (its list,
its add form, one row's page and its history when a row exists) and every screen of the panel.
The owner opens everything; each other role must get the owner's answer, except where the issue
keeps it out, where it must get 403:

- viewer: reads everything but the pages whose rows work as credentials, with no "Salvar",
  "Adicionar" or bulk action in sight; every add form and every POST is refused;
- operator: the inbox's and the calendar's rows and screens only (no settings, staff, reports,
  exports or failures), and their POSTs are the only ones it may make;
- manager: everything but the staff, which it reads and never changes;
- owner: everything.

The contract is written out here, not read from accounts/roles.py, which is what it checks.
"""

import re
from dataclasses import dataclass

import pytest
from django.urls import NoReverseMatch, reverse
from django_tenants.utils import schema_context

from accounts.roles import Role
from agenda.services.calendar_settings import calendar_config_set
from analytics.feedback.services import feedback_key_create
from analytics.webhooks.models import WebhookEndpoint
from conversations.assistant.llm import llm_config_set
from conversations.channels.services import channel_create
from secretaria.admin_sites import tenant_admin
from tests.accounts.conftest import admin_client
from tests.agenda.factories import FollowUpFactory, ProfessionalFactory, ReminderFactory, ServiceFactory
from tests.conftest import member
from tests.conversations.factories import KnowledgeItemFactory
from tests.security.conftest import rows_of_each

VIEWER, OPERATOR, MANAGER, OWNER = Role.VIEWER, Role.OPERATOR, Role.MANAGER, Role.OWNER

# What an operator works with: the inbox's and the calendar's rows (issue 13, part 5).
OPERATOR_PAGES = {
    "conversations.contact", "conversations.conversation", "conversations.message", "agenda.appointment",
    "agenda.appointmentevent", "agenda.reminder", "agenda.followup", "agenda.waitlistentry",
    "agenda.timeoff",  # a professional off sick today is the calendar's business
}
# Rows that work as credentials (an outgoing webhook's URL and what it delivered, the keys other systems
# send scores with): only those who manage the settings open them, viewers included out.
CREDENTIAL_PAGES = {"analytics.webhookendpoint", "analytics.webhookdelivery", "analytics.feedbackkey"}
# The staff: owners add and change them; managers only read.
OWNER_ONLY_WRITES = {"accounts.user"}
SCREENS = {"/admin/": "every role", "/admin/inbox/": "every role", "/admin/calendar/": "every role",
           "/admin/settings/": "not the operator", "/admin/cadastros/": "every role"}
# The marks of a page that changes something (Django's admin markup): none may reach a viewer.
EDIT_MARKS = {"Salvar": 'name="_save"', "Salvar e continuar": 'name="_continue"', "Adicionar": 'class="addlink"',
              "ações em massa": 'name="action"'}


@dataclass(frozen=True)
class Page:
    label: str  # "agenda.appointment"
    kind: str  # list, add, change or history
    url: str


def denied(role: str, page: Page) -> bool:
    """Whether the issue keeps `role` out of `page` (a GET)."""
    if role == OPERATOR:
        return page.label not in OPERATOR_PAGES
    if role == VIEWER:
        return page.kind == "add" or page.label in CREDENTIAL_PAGES
    if role == MANAGER:
        return page.kind == "add" and page.label in OWNER_ONLY_WRITES
    return False


def may_post(role: str, page: Page) -> bool:
    """Whether `role` may send the page's form at all (what it then accepts is the page's business)."""
    if role == VIEWER:
        return False
    if role == OPERATOR:
        return page.label in OPERATOR_PAGES
    return role == OWNER or page.label not in OWNER_ONLY_WRITES


def _page(label: str, kind: str, *args) -> list[Page]:
    """The page, or none when the model's admin has no such view (the reply templates have no add form)."""
    try:
        return [Page(label, kind, _admin_url(label, {"list": "changelist"}.get(kind, kind), *args))]
    except NoReverseMatch:
        return []


def company_pages(company) -> list[Page]:
    """Every model page of the company site: list and add of each model, and a row's page and history."""
    pages = []
    with schema_context(company.schema_name):
        for model in tenant_admin._registry:
            label = model._meta.label_lower
            pages += _page(label, "list") + _page(label, "add")
            row = model._default_manager.order_by("pk").first()
            if row is not None:
                pages += _page(label, "change", row.pk) + _page(label, "history", row.pk)
    return pages


@pytest.fixture
def pages(acme, unique) -> list[Page]:
    """The pages, with a row of as many models as practical (rolled back after the test)."""
    rows_of_each(acme, f"telas-{unique}")  # channel, conversation, message, appointment, failure, webhook...
    with schema_context(acme.schema_name):
        professional = ProfessionalFactory(name=f"Dra. Telas {unique}")
        ServiceFactory(name=f"Consulta telas {unique}", professionals=[professional])
        ReminderFactory()
        FollowUpFactory()
        KnowledgeItemFactory()
        feedback_key_create(name=f"CRM {unique}", actor="owner@acme.test")
    return company_pages(acme)


def answered(client, url: str) -> int:
    """What the user ends up with: a page that redirects (a one-row setting's list to its row) answers
    for the page it leads to, and a detour through the login page is a 401."""
    response = client.get(url, follow=True)
    if any(hop.startswith("/admin/login/") for hop, _ in response.redirect_chain):
        return 401
    return response.status_code


def answers(client, pages: list[Page]) -> dict[str, int]:
    return {page.url: answered(client, page.url) for page in pages}


def test_the_walk_covers_every_registered_model_and_its_rows(pages):
    labels = {page.label for page in pages}
    with_rows = {page.label for page in pages if page.kind == "change"}

    assert labels == {model._meta.label_lower for model in tenant_admin._registry}
    assert len(labels) >= 30
    assert {"accounts.user", "agenda.appointment", "conversations.channel", "analytics.feedbackkey",
            "agenda.service", "conversations.conversation"} <= with_rows


def test_the_owner_opens_every_list_and_every_row(acme, pages):
    owner = answers(admin_client(acme, member(acme, OWNER)), [p for p in pages if p.kind != "add"])

    assert {url: code for url, code in owner.items() if code != 200} == {}


@pytest.mark.parametrize("role", [VIEWER, OPERATOR, MANAGER])
def test_each_role_gets_the_owner_s_page_or_403_where_the_issue_keeps_it_out(acme, pages, role):
    owner = answers(admin_client(acme, member(acme, OWNER)), pages)

    got = answers(admin_client(acme, member(acme, role)), pages)

    expected = {page.url: 403 if denied(role, page) else owner[page.url] for page in pages}
    assert {url: (code, expected[url]) for url, code in got.items() if code != expected[url]} == {}


@pytest.mark.parametrize("role", [VIEWER, OPERATOR, MANAGER])
def test_each_role_s_forbidden_posts_are_refused_and_change_nothing(acme, pages, role):
    client = admin_client(acme, member(acme, role))
    forms = [page for page in pages if page.kind in ("add", "change") and not may_post(role, page)]

    refused = {page.url: client.post(page.url, {"_save": "Salvar"}).status_code for page in forms}

    assert {url: code for url, code in refused.items() if code != 403} == {}
    assert len(refused) >= {VIEWER: 40, OPERATOR: 30, MANAGER: 2}[role]


def test_a_viewer_reads_without_a_single_edit_control(acme, pages):
    client = admin_client(acme, member(acme, VIEWER))
    readable = [page for page in pages if page.kind in ("list", "change") and not denied(VIEWER, page)]

    found = {}
    for page in readable:
        response = client.get(page.url, follow=True)
        html = response.content.decode()
        marks = [name for name, mark in EDIT_MARKS.items() if mark in html]
        if marks:
            found[page.url] = marks

    assert found == {}


# --- the panel's screens ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", [VIEWER, OPERATOR, MANAGER, OWNER])
def test_each_role_opens_the_screens_the_issue_gives_it(acme, role):
    client = admin_client(acme, member(acme, role))

    got = {url: answered(client, url) for url in SCREENS}

    expected = {url: 403 if role == OPERATOR and who == "not the operator" else 200 for url, who in SCREENS.items()}
    assert got == expected


@pytest.mark.parametrize("role", [VIEWER, OPERATOR, MANAGER, OWNER])
def test_the_model_list_links_exactly_the_pages_the_role_may_open(acme, pages, role):
    client = admin_client(acme, member(acme, role))
    lists = {page.url: page.label for page in pages if page.kind == "list"}
    opens = {url for url, code in answers(client, [p for p in pages if p.kind == "list"]).items() if code == 200}

    html = client.get("/admin/cadastros/").content.decode()

    linked = {url for url in re.findall(r'href="(/admin/[^"?#]+/)"', html) if url in lists}
    assert linked == opens
    if role == OPERATOR:
        assert {lists[url] for url in linked} <= OPERATOR_PAGES


# --- secrets are never shown back ------------------------------------------------------------------


@pytest.fixture
def saved_secrets(acme, pages, unique) -> dict[str, str]:
    """Every kind of secret the settings keep, saved as staff save them; what each one is, by name."""
    secrets = {
        "token da Meta": f"EAAG-segredo-meta-{unique}", "token do Whaticket": f"wt-segredo-{unique}",
        "chave da IA": f"AIza-segredo-{unique}", "chave do Cal.com": f"cal_live_segredo_{unique}",
        "segredo dos webhooks do Cal.com": f"calwh-segredo-{unique}",
    }
    with schema_context(acme.schema_name):
        channel_create(kind="meta", name=f"Meta {unique}", data={
            "phone_number_id": f"77{int(unique, 16) % 10**10:010d}", "access_token": secrets["token da Meta"]})
        whaticket = channel_create(kind="whaticket", name=f"Whaticket {unique}", data={
            "base_url": "http://127.0.0.1:9", "access_token": secrets["token do Whaticket"]})
        llm_config_set(provider="gemini", model="gemini-2.0-flash", api_key=secrets["chave da IA"])
        calendar_config_set(provider="calcom", calcom_api_key=secrets["chave do Cal.com"],
                            calcom_webhook_secret=secrets["segredo dos webhooks do Cal.com"])
        endpoint = WebhookEndpoint.objects.get(url__endswith=f"telas-{unique}")  # made by rows_of_each
    secrets["segredo do webhook de saída"] = endpoint.secret
    secrets["chave de integração de avaliações"] = _feedback_key_added_in_the_admin(acme, unique)
    secrets["segredo do webhook do canal"] = whaticket.inbound_secret  # in its URL: for managers only
    return secrets


def _feedback_key_added_in_the_admin(company, unique: str) -> str:
    """A key added through its admin form, which shows the secret once (the next page's message)."""
    response = admin_client(company, member(company, OWNER)).post(
        _admin_url("analytics.feedbackkey", "add"), {"name": f"Pesquisa {unique}"}, follow=True)
    [reveal] = [str(m) for m in response.context["messages"] if str(m).startswith("Chave de integração (aparece")]
    return re.search(r"fbk_\S+", reveal).group()


def _admin_url(label: str, view: str, *args) -> str:
    return reverse(f"tenant_admin:{label.replace('.', '_')}_{view}", args=args)


@pytest.mark.parametrize("role", [OWNER, MANAGER, VIEWER, OPERATOR])
def test_no_page_shows_a_saved_secret_back(acme, saved_secrets, role):
    client = admin_client(acme, member(acme, role))
    # The inbound webhook's secret is part of the URL the channel's page gives to paste at the provider.
    hidden = {name: value for name, value in saved_secrets.items()
              if not (name == "segredo do webhook do canal" and role in (OWNER, MANAGER))}
    urls = [*SCREENS, *(page.url for page in company_pages(acme))]

    shown = {}
    for url in urls:
        html = client.get(url, follow=True).content.decode()
        shown.update({f"{name} em {url}": True for name, value in hidden.items() if value in html})

    assert shown == {}
    assert len(urls) >= 100
