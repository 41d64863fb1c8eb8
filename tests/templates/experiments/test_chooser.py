"""The chooser behind secretaria.texts.text: sticky per contact, epsilon-greedy for new contacts, exactly
one exposure per contact under retries and races, and the company's text whenever no test applies."""

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction
from django_tenants.utils import schema_context

from conversations.core.models import Contact
from secretaria.texts import text
from templates.experiments.models import Experiment, Exposure
from templates.experiments.services import experiment_pause, experiment_stop
from templates.replies.models import ReplyTemplate
from tests.templates.experiments.conftest import SLOT, A, B, C, contact, draft, history, running

NAMES = {"nome": "Ana", "empresa": "Clínica Bella"}
SAID = {A: "Oi, Ana! Como posso ajudar?", B: "Olá, Ana! Quer agendar um horário?", C: "Bom dia, Ana! Tudo bem?"}
COMPANY_TEXT = "Olá, Ana! Aqui é a Clínica Bella."


def say(contact_id=None, **kwargs) -> str:
    return text(SLOT, NAMES, contact_id=contact_id, **kwargs)


def test_a_contact_sees_the_same_variant_every_time(acme):
    with schema_context("acme"):
        test = running(epsilon=1.0)
        people = [contact() for _ in range(20)]
        first = {person.pk: say(person.pk) for person in people}
        again = {person.pk: [say(person.pk) for _ in range(3)] for person in people}

        assert all(said == [first[pk]] * 3 for pk, said in again.items())
        assert set(first.values()) == {SAID[A], SAID[B]}  # both shown: ε = 1 explores
        assert Exposure.objects.filter(experiment=test).count() == 20


def test_without_a_contact_or_a_running_test_the_company_text_is_said(acme):
    with schema_context("acme"):
        person = contact()
        assert say(person.pk) == COMPANY_TEXT  # no test at all
        test = draft()
        assert say(person.pk) == COMPANY_TEXT  # a draft shows nothing
        test = running(epsilon=1.0)
        assert say() == COMPANY_TEXT  # no contact: a preview, a notice
        assert Exposure.objects.count() == 0
        shown = say(person.pk)
        experiment_pause(experiment=test)
        assert say(person.pk) == COMPANY_TEXT and say(contact().pk) == COMPANY_TEXT
        assert Exposure.objects.count() == 1
        experiment_stop(experiment=test)
        assert say(person.pk) == COMPANY_TEXT
    assert shown in (SAID[A], SAID[B])


def test_a_test_on_the_main_text_covers_asks_for_a_wording_the_company_never_wrote(acme):
    with schema_context("acme"):
        running(epsilon=0.0)
        person = contact()
        assert say(person.pk, variant="formal") == "Prezado(a) Ana, aqui é a Clínica Bella."  # shipped wording
        assert say(person.pk, variant="upset") in (SAID[A], SAID[B])  # none of its own: the main text's test


def test_epsilon_zero_always_exploits_the_best_observed_rate(acme):
    with schema_context("acme"):
        test = running((A, B, C), epsilon=0.0)
        variant_a, variant_b, variant_c = test.variants.order_by("position")
        history(test, variant_a, exposed=50, converted=2)
        history(test, variant_b, exposed=50, converted=20)
        history(test, variant_c, exposed=50, converted=5)

        said = Counter(say(contact().pk) for _ in range(100))

    # B's rate falls as it is shown without bookings (20/150 after 100 more) but stays the best.
    assert said == Counter({SAID[B]: 100})


def chi_square_uniform(counts: list[int]) -> float:
    expected = sum(counts) / len(counts)
    return sum((count - expected) ** 2 / expected for count in counts)


# chi-square, 2 degrees of freedom, p = 0.001: a fair three-way split exceeds it once in a thousand runs.
CHI2_DF2_P001 = 13.816


def test_the_split_bound_rejects_a_lopsided_split():
    assert chi_square_uniform([667, 667, 666]) < CHI2_DF2_P001
    assert chi_square_uniform([760, 620, 620]) > CHI2_DF2_P001  # 38 % / 31 % / 31 %: refused


def test_epsilon_one_splits_2000_contacts_evenly(acme):
    with schema_context("acme"):
        test = running((A, B, C), epsilon=1.0)
        # A better rate must not matter when ε = 1: every pick explores.
        history(test, test.variants.get(position=1), exposed=10, converted=10)
        people = Contact.objects.bulk_create(Contact(phone=f"5511960{n:06d}", name="Ana") for n in range(2000))

        said = Counter(say(person.pk) for person in people)
        counts = [said[SAID[A]], said[SAID[B]], said[SAID[C]]]
        exposures = Exposure.objects.filter(experiment=test, contact__in=people).count()

    assert sum(counts) == 2000 == exposures
    assert chi_square_uniform(counts) < CHI2_DF2_P001, counts


def test_a_retried_render_records_one_exposure(acme, django_capture_on_commit_callbacks):
    with schema_context("acme"):
        test = running(epsilon=1.0)
        person = contact()
        with django_capture_on_commit_callbacks(execute=True):
            said = {say(person.pk) for _ in range(5)}
        assert len(said) == 1
        assert Exposure.objects.filter(experiment=test, contact=person).count() == 1


def test_an_unknown_contact_gets_the_company_text_and_no_exposure(acme):
    with schema_context("acme"):
        running(epsilon=1.0)
        assert say(987654321) == COMPANY_TEXT
        assert Exposure.objects.count() == 0


def test_a_stopped_winner_is_the_text_everybody_gets(acme):
    with schema_context("acme"):
        test = running(epsilon=1.0)
        person = contact()
        say(person.pk)
        winner = test.variants.get(position=1)
        experiment_stop(experiment=test, winner_id=winner.pk)

        assert ReplyTemplate.objects.get(slot=SLOT, variant="").text == B
        assert say(person.pk) == SAID[B] and say(contact().pk) == SAID[B] and say() == SAID[B]


# --- two renders racing for one new contact --------------------------------------------------------

@pytest.fixture
def committed_test(django_db_setup, django_db_blocker):
    """A running test and contacts committed in acme, so threads with their own connections see them
    (not transaction=True: its flush would empty the session's companies). Removed afterwards."""
    with django_db_blocker.unblock(), schema_context("acme"):
        test = running(epsilon=1.0)
        people = [contact(phone=f"5511950{n:06d}") for n in range(12)]
    try:
        yield test, people
    finally:
        with django_db_blocker.unblock(), schema_context("acme"):
            Experiment.objects.filter(pk=test.pk).delete()
            Contact.objects.filter(pk__in=[p.pk for p in people]).delete()
        connection.set_schema_to_public()


def test_two_concurrent_renders_for_one_new_contact_agree(committed_test, django_db_blocker, db):
    # `db` last: only so that pytest-django builds the database when this test runs alone.
    test, people = committed_test

    def render(contact_id: int, barrier: threading.Barrier) -> str:
        try:
            with schema_context("acme"):
                barrier.wait()
                with transaction.atomic():  # like a reply: the exposure commits with the rest, a moment later
                    said = say(contact_id)
                    time.sleep(0.05)
                return said
        finally:
            connection.close()

    with django_db_blocker.unblock(), ThreadPoolExecutor(max_workers=2) as pool:
        rounds = []
        for person in people:
            barrier = threading.Barrier(2)
            rounds.append(list(pool.map(render, [person.pk, person.pk], [barrier, barrier])))
        with schema_context("acme"):
            exposures = Counter(Exposure.objects.filter(experiment_id=test.pk).values_list("contact_id", flat=True))

    assert all(first == second for first, second in rounds), rounds
    assert exposures == Counter({person.pk: 1 for person in people})
