"""The company admin lists the recommendations with accept and dismiss (through the same services as
the API); the platform admin lists churn risks and upgrades by score, with the reasons in Portuguese."""

from datetime import timedelta

import pytest
from django_tenants.utils import schema_context

from analytics.platform.models import CompanyRecommendation
from analytics.recommendations.models import Recommendation
from analytics.recommendations.services import recommendations_compute
from tests.accounts.conftest import admin_client
from tests.agenda.automation_helpers import at
from tests.analytics.recommendations.helpers import customer, reactivation_keys
from tests.conftest import member, platform_admin

pytest_plugins = ["tests.agenda.automation_fixtures"]  # in_acme, clock, eager

NOW = at(2, 9)
PAGE = "/admin/analytics/recommendation/"
PLATFORM_PAGE = "/admin/analytics_platform/companyrecommendation/"


@pytest.fixture
def rec(in_acme, clock, settings) -> Recommendation:
    settings.ANALYTICS_RECS_INACTIVE_MIN_CONTACTS = 1
    clock(NOW)
    customer("Maria Souza", NOW - timedelta(days=100))
    recommendations_compute()
    return Recommendation.objects.get(kind=Recommendation.Kind.INACTIVE_CONTACTS)


def act(client, action: str, *ids: int):
    return client.post(PAGE, {"action": action, "_selected_action": [str(i) for i in ids], "index": "0"},
                       follow=True)


def test_the_company_admin_lists_them_and_a_manager_accepts_there(acme, rec):
    client = admin_client(acme, member(acme, "manager"))

    page = client.get(PAGE).content.decode()
    done = act(client, "accept", rec.pk).content.decode()

    assert "1 cliente não volta há 90 dias" in page and "Aceitar (executa a ação)" in page
    assert "1 recomendação(ões) aceita(s)." in done
    with schema_context("acme"):
        assert Recommendation.objects.get(pk=rec.pk).status == "accepted"
        assert len(reactivation_keys()) == 1


def test_a_viewer_sees_them_without_the_actions(acme, rec):
    client = admin_client(acme, member(acme, "viewer"))

    page = client.get(PAGE)

    assert page.status_code == 200 and "1 cliente não volta há 90 dias" in page.content.decode()
    assert "Aceitar (executa a ação)" not in page.content.decode()


def test_dismissing_an_accepted_one_in_the_admin_says_why_not(acme, rec):
    client = admin_client(acme, member(acme, "owner"))
    act(client, "accept", rec.pk)

    done = act(client, "dismiss", rec.pk).content.decode()

    assert "já foi aceita; não é possível descartá-la" in done


def test_the_platform_admin_sorts_by_score_with_the_reasons(db, acme, globex):
    CompanyRecommendation.objects.create(company=acme, kind="churn_risk", score=0.35,
                                         summary="Pagamento: 1 pagamento recusado nos últimos 30 dias")
    CompanyRecommendation.objects.create(company=globex, kind="churn_risk", score=0.79,
                                         summary="Pagamento: assinatura em atraso\nUso em queda: ...")
    staff = admin_client(None, platform_admin())

    html = staff.get(PLATFORM_PAGE).content.decode()
    ascending = staff.get(PLATFORM_PAGE, {"o": "3"}).content.decode()  # column 3: the score

    assert html.index("0,79") < html.index("0,35")
    assert ascending.index("0,35") < ascending.index("0,79")
    assert "Pagamento: assinatura em atraso<br>Uso em queda" in html
    assert "Risco de cancelamento" in html


def test_the_platform_admin_accepts_and_records_who(db, acme):
    row = CompanyRecommendation.objects.create(company=acme, kind="upgrade", subject="messages", score=0.9,
                                               summary="Mensagens respondidas: 90 %")
    staff = admin_client(None, platform_admin())

    staff.post(PLATFORM_PAGE, {"action": "accept", "_selected_action": [str(row.pk)], "index": "0"}, follow=True)

    row.refresh_from_db()
    assert row.status == "accepted" and row.decided_by == platform_admin().email


def test_a_recommendation_without_automatic_action_links_to_where_the_staff_act(acme, in_acme, clock):
    from conversations.models import Conversation
    from tests.conversations.factories import ContactFactory, ConversationFactory

    clock(NOW)
    ConversationFactory(contact=ContactFactory(name="Maria Souza"), status=Conversation.Status.HANDOFF,
                        handoff_at=NOW - timedelta(hours=2))
    recommendations_compute()
    row = Recommendation.objects.get(kind=Recommendation.Kind.HANDOFF_SLA)

    page = admin_client(acme, member(acme, "viewer")).get(f"{PAGE}{row.pk}/change/").content.decode()

    assert 'href="/admin/conversations/conversation/?status__exact=handoff"' in page
    assert "Abrir as conversas que aguardam a equipe" in page
