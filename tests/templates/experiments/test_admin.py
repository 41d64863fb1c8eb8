"""The A/B tests on the company admin: a manager adds one with its variants, starts, pauses and stops it
from the list, and reads the results per variant on its page; viewers read and change nothing."""

from django.test import Client
from django_tenants.utils import schema_context

from templates.experiments.models import Experiment
from templates.replies.models import ReplyTemplate
from tests.conftest import host_of, member
from tests.templates.experiments.conftest import SLOT, A, B, draft, history, running

BASE = "/admin/templates/experiment"


def browser(company, role: str) -> Client:
    client = Client(HTTP_HOST=host_of(company))
    with schema_context(company.schema_name):
        client.force_login(member(company, role))
    return client


def form(texts, **fields) -> dict:
    data = {"name": "Saudação curta x longa", "slot": SLOT, "variant": "", "outcome": "booked", "epsilon": "0.1",
            "window_hours": "24", "auto_stop_threshold": "0.95", "auto_stop_min_exposures": "100",
            "variants-TOTAL_FORMS": str(len(texts)), "variants-INITIAL_FORMS": "0", "variants-MIN_NUM_FORMS": "2",
            "variants-MAX_NUM_FORMS": "4", **fields}
    for index, text in enumerate(texts):
        data.update({f"variants-{index}-position": str(index), f"variants-{index}-text": text})
    return data


def test_a_manager_adds_a_test_with_its_variants(acme):
    response = browser(acme, "manager").post(f"{BASE}/add/", form([A, B]))

    assert response.status_code == 302, response.context and response.context["errors"]
    with schema_context("acme"):
        test = Experiment.objects.get()
        assert (test.status, test.created_by, [v.text for v in test.variants.order_by("position")]) == (
            "draft", "manager@acme.test", [A, B])


def test_the_add_form_refuses_one_variant_an_unknown_variable_and_a_bad_epsilon(acme):
    client = browser(acme, "manager")

    one = client.post(f"{BASE}/add/", form([A]))
    unknown = client.post(f"{BASE}/add/", form([A, "Oi {cpf}"]))
    epsilon = client.post(f"{BASE}/add/", form([A, B], epsilon="1.5"))

    assert "de 2 a 4 variações" in one.content.decode() or "Envie 2 ou mais" in one.content.decode()
    assert "Variável desconhecida" in unknown.content.decode()
    assert epsilon.status_code == 200 and "epsilon" in epsilon.context["adminform"].form.errors
    with schema_context("acme"):
        assert not Experiment.objects.exists()


def test_start_pause_and_stop_with_the_leader_from_the_list(acme, django_capture_on_commit_callbacks):
    with schema_context("acme"):
        test = draft()
    client = browser(acme, "manager")

    def act(action):
        return client.post(f"{BASE}/", {"action": action, "_selected_action": [test.pk]}, follow=True)

    assert act("start_selected").status_code == 200
    with schema_context("acme"):
        assert Experiment.objects.get(pk=test.pk).status == "running"
        history(test, test.variants.get(position=0), exposed=30, converted=1)
        history(test, test.variants.get(position=1), exposed=30, converted=9)
    act("pause_selected")
    with schema_context("acme"):
        assert Experiment.objects.get(pk=test.pk).status == "paused"
    page = client.get(f"{BASE}/{test.pk}/change/").content.decode()
    assert "Chance de ser a melhor" in page and "30,0 %" in page  # B: 9 of 30
    act("stop_with_leader")
    with schema_context("acme"):
        stopped = Experiment.objects.get(pk=test.pk)
        assert (stopped.status, stopped.winner.text) == ("stopped", B)
        assert ReplyTemplate.objects.get(slot=SLOT).text == B
    assert "(vencedora)" in client.get(f"{BASE}/{test.pk}/change/").content.decode()
    assert "Encerrado" in client.get(f"{BASE}/").content.decode()


def test_a_second_running_test_is_refused_with_a_message(acme):
    with schema_context("acme"):
        waiting = draft((B, A))
        running()
    client = browser(acme, "owner")

    response = client.post(f"{BASE}/", {"action": "start_selected", "_selected_action": [waiting.pk]}, follow=True)

    assert any("Já há um teste A/B em andamento" in str(m) for m in response.context["messages"])
    with schema_context("acme"):
        assert Experiment.objects.get(pk=waiting.pk).status == "draft"


def test_viewers_read_the_results_and_change_nothing(acme):
    with schema_context("acme"):
        test = draft()
    client = browser(acme, "viewer")

    assert client.get(f"{BASE}/").status_code == 200
    assert client.get(f"{BASE}/{test.pk}/change/").status_code == 200
    assert client.get(f"{BASE}/add/").status_code == 403
    client.post(f"{BASE}/", {"action": "start_selected", "_selected_action": [test.pk]})
    with schema_context("acme"):
        assert Experiment.objects.get(pk=test.pk).status == "draft"
