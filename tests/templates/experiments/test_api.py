"""/api/abtests: create, list, read, start / pause / stop, results; every bad input a pt-BR 400; who may
do what; another company's test is not found."""

import pytest
from django_tenants.utils import schema_context

from secretaria.texts import text
from templates.experiments.models import Experiment
from templates.replies.models import ReplyTemplate
from tests.templates.experiments.conftest import SLOT, A, B, C, contact, history, running

GOOD = {"slot": SLOT, "variants": [{"text": A}, {"text": B}], "epsilon": 0.2, "outcome": "booked",
        "window_hours": 24, "auto_stop": {"threshold": 0.95, "min_exposures": 200}}


def create(api, company, role="manager", **changes):
    return api(company, role).post("/api/abtests", {**GOOD, **changes}, format="json")


def test_a_manager_creates_starts_pauses_and_stops_a_test(acme, api):
    client = api(acme, "manager")

    created = client.post("/api/abtests", GOOD, format="json")

    assert created.status_code == 201, created.json()
    body = created.json()
    assert {key: body[key] for key in ("slot", "variant", "status", "epsilon", "outcome", "window_hours",
                                       "auto_stop")} == {
        "slot": SLOT, "variant": "", "status": "draft", "epsilon": 0.2, "outcome": "booked", "window_hours": 24,
        "auto_stop": {"threshold": 0.95, "min_exposures": 200}}
    assert [(v["label"], v["text"]) for v in body["variants"]] == [("A", A), ("B", B)]
    assert body["status_label"] == "Rascunho" and body["created_by"] == "manager@acme.test"
    pk = body["id"]
    assert client.post(f"/api/abtests/{pk}/start").json()["status"] == "running"
    assert client.post(f"/api/abtests/{pk}/pause").json()["status_label"] == "Pausado"
    assert client.post(f"/api/abtests/{pk}/start").json()["status"] == "running"
    stopped = client.post(f"/api/abtests/{pk}/stop", {"winner": body["variants"][1]["id"]}, format="json").json()
    assert (stopped["status"], stopped["winner"], stopped["stop_reason"]) == ("stopped", body["variants"][1]["id"],
                                                                             "manual")
    with schema_context("acme"):
        assert ReplyTemplate.objects.get(slot=SLOT).text == B
    listed = client.get("/api/abtests").json()
    assert [row["id"] for row in listed["results"]] == [pk] and client.get(f"/api/abtests/{pk}").status_code == 200


def test_defaults_window_from_the_outcome_and_epsilon_0_1(acme, api):
    body = api(acme, "owner").post("/api/abtests", {"slot": SLOT, "variants": [{"text": A}, {"text": C}],
                                                    "outcome": "attended"}, format="json").json()

    assert (body["epsilon"], body["window_hours"], body["auto_stop"]) == (0.1, 720, None)


def test_results_of_a_test_nobody_saw_are_null_rates(acme, api):
    pk = create(api, acme).json()["id"]

    results = api(acme, "viewer").get(f"/api/abtests/{pk}/results")

    assert results.status_code == 200
    body = results.json()
    assert (body["exposures"], body["conversions"], body["winner"]) == (0, 0, None)
    assert [(v["exposures"], v["conversions"], v["rate"], v["interval"], v["p_best"]) for v in body["variants"]] == [
        (0, 0, None, None, None), (0, 0, None, None, None)]


def test_results_per_variant(acme, api):
    with schema_context("acme"):
        test = running(epsilon=0.0)
        variant_a, variant_b = test.variants.order_by("position")
        history(test, variant_a, exposed=40, converted=4)
        history(test, variant_b, exposed=40, converted=12)

    body = api(acme, "viewer").get(f"/api/abtests/{test.pk}/results").json()

    rows = {v["label"]: v for v in body["variants"]}
    assert (body["exposures"], body["conversions"]) == (80, 16)
    assert (rows["A"]["exposures"], rows["A"]["conversions"], rows["A"]["rate"]) == (40, 4, 0.1)
    assert rows["B"]["rate"] == 0.3 and rows["B"]["interval"] == [0.1807, 0.4543]  # Wilson, 12 of 40
    assert rows["B"]["p_best"] > 0.98 and rows["A"]["p_best"] + rows["B"]["p_best"] == pytest.approx(1, abs=1e-4)
    assert rows["B"]["text"] == B


BAD = [
    ({"variants": [{"text": A}, {"text": ""}]}, "variants", "vazio"),
    ({"variants": [{"text": A}, {"text": "   "}]}, "variants", "vazio"),
    ({"variants": [{"text": A}]}, "variants", "de 2 a 4 variações"),
    ({"variants": [{"text": f"Oi {n} {{nome}}"} for n in range(5)]}, "variants", "de 2 a 4 variações"),
    ({"variants": []}, "variants", "de 2 a 4 variações"),
    ({"variants": [{"text": A}, {"text": A}]}, "variants", "diferentes"),
    ({"variants": [{"text": A}, {"text": "Oi {cpf}"}]}, "variants", "Variável desconhecida"),
    ({"variants": [{"text": A}, {"text": "Oi {nome"}]}, "variants", "Chave"),
    ({"variants": [{"text": A}, {"text": "x" * 4097}]}, "variants", "limite"),
    ({"epsilon": -0.1}, "epsilon", "entre 0 e 1"),
    ({"epsilon": 1.5}, "epsilon", "entre 0 e 1"),
    ({"epsilon": "muito"}, "epsilon", "número"),
    ({"slot": "nao_existe"}, "slot", "Momento desconhecido"),
    ({"variant": "sussurro"}, "variant", "não tem a variação"),
    ({"outcome": "clicou"}, "outcome", "Resultado desconhecido"),
    ({"window_hours": 0}, "window_hours", "entre 1 e"),
    ({"window_hours": 100_000}, "window_hours", "entre 1 e"),
    ({"auto_stop": {"threshold": 0.3}}, "auto_stop", "entre 0,5 e 0,999"),
    ({"auto_stop": {"min_exposures": 0}}, "auto_stop", "ao menos 1"),
]


@pytest.mark.parametrize("changes, field, says", BAD, ids=[f"{f}-{i}" for i, (_, f, _) in enumerate(BAD)])
def test_bad_input_is_a_400_in_portuguese(acme, api, changes, field, says):
    response = create(api, acme, **changes)

    assert response.status_code == 400
    assert field in response.json() and says in str(response.json()[field]), response.json()
    with schema_context("acme"):
        assert not Experiment.objects.exists()


def test_a_body_that_is_not_an_object_or_misses_fields_is_a_400(acme, api):
    client = api(acme, "manager")
    assert client.post("/api/abtests", [1, 2], format="json").status_code == 400
    missing = client.post("/api/abtests", {}, format="json")
    assert missing.status_code == 400 and {"slot", "variants", "outcome"} <= missing.json().keys()


def test_a_second_running_test_on_the_slot_is_refused(acme, api):
    client = api(acme, "manager")
    first = create(api, acme).json()["id"]
    waiting = create(api, acme, variants=[{"text": B}, {"text": C}]).json()["id"]  # a draft may wait its turn
    assert client.post(f"/api/abtests/{first}/start").status_code == 200

    started = client.post(f"/api/abtests/{waiting}/start")
    created = create(api, acme)

    for response in (started, created):
        assert response.status_code == 400
        assert "Já há um teste A/B em andamento" in response.json()["slot"][0]
    assert create(api, acme, variant="formal").status_code == 201  # another wording of the slot is another slot
    client.post(f"/api/abtests/{first}/stop")
    assert client.post(f"/api/abtests/{waiting}/start").status_code == 200


def test_moves_that_the_state_does_not_allow_are_409(acme, api):
    client = api(acme, "manager")
    pk = create(api, acme).json()["id"]

    assert client.post(f"/api/abtests/{pk}/pause").status_code == 409
    client.post(f"/api/abtests/{pk}/stop")
    for move in ("start", "pause", "stop"):
        response = client.post(f"/api/abtests/{pk}/{move}")
        assert response.status_code == 409 and "encerrado" in response.json()["detail"]


def test_stopping_with_a_variant_of_another_test_is_a_400(acme, api):
    client = api(acme, "manager")
    one, other = create(api, acme).json(), create(api, acme, variant="formal").json()

    response = client.post(f"/api/abtests/{one['id']}/stop", {"winner": other["variants"][0]["id"]}, format="json")

    assert response.status_code == 400 and "não é deste teste" in response.json()["winner"][0]


@pytest.mark.parametrize("role, may_write", [("viewer", False), ("operator", False), ("manager", True),
                                             ("owner", True)])
def test_every_member_but_the_operator_reads_only_owners_and_managers_write(acme, api, role, may_write):
    pk = create(api, acme).json()["id"]
    client = api(acme, role)
    reads = 403 if role == "operator" else 200  # the operator's panel has no settings (templates.view_experiment)

    assert client.get("/api/abtests").status_code == reads
    assert client.get(f"/api/abtests/{pk}").status_code == reads
    assert client.get(f"/api/abtests/{pk}/results").status_code == reads
    writes = [client.post("/api/abtests", {**GOOD, "variant": "formal"}, format="json"),
              client.post(f"/api/abtests/{pk}/start"), client.post(f"/api/abtests/{pk}/pause"),
              client.post(f"/api/abtests/{pk}/stop")]
    assert [response.status_code for response in writes] == ([201, 200, 200, 200] if may_write else [403] * 4)
    assert api(acme).get("/api/abtests").status_code == 401


def test_another_companys_test_is_not_found(acme, globex, api):
    pk = create(api, acme).json()["id"]
    client = api(globex, "owner")

    assert client.get(f"/api/abtests/{pk}").status_code == 404
    assert client.post(f"/api/abtests/{pk}/start").status_code == 404
    assert client.get("/api/abtests").json()["results"] == []
    with schema_context("acme"):
        person = contact()
        api(acme, "manager").post(f"/api/abtests/{pk}/start")
        assert text(SLOT, {"nome": "Ana"}, contact_id=person.pk) in ("Oi, Ana! Como posso ajudar?",
                                                                    "Olá, Ana! Quer agendar um horário?")
    with schema_context("globex"):
        assert text(SLOT, {"nome": "Ana", "empresa": "Globex"}, contact_id=person.pk) == "Olá, Ana! Aqui é a Globex."
