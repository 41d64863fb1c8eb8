"""The renderer's chooser (templates/replies/render.py): when a test runs on the slot asked for and the
text is for a known contact, that contact's wording of the test instead of the company's text.

A text for nobody in particular (no contact: a preview, a staff notice) is the company's text, and so is
every text of a slot with no running test, which is the common case: it costs a look at the cached list
of the company's active tests and nothing else.
"""

from __future__ import annotations

import random

from secretaria.texts import TextAsk
from templates.experiments.selectors import ActiveTest, active_tests
from templates.experiments.services import exposure_variant
from templates.replies.catalogue import slot_get
from templates.replies.selectors import company_texts

# The picks' randomness; tests put a seeded random.Random here to make a split reproducible.
rng: random.Random = random.SystemRandom()


def abtest_choose(ask: TextAsk) -> str | None:
    if ask.contact_id is None:
        return None
    test = _test_for(ask, active_tests())
    if test is None:
        return None
    variant_id = exposure_variant(test=test, contact_id=ask.contact_id, rng=rng)
    return None if variant_id is None else test.text_of(variant_id)


def _test_for(ask: TextAsk, tests: tuple[ActiveTest, ...]) -> ActiveTest | None:
    running = {(t.slot, t.variant): t for t in tests if t.running and t.slot == ask.slot}
    if not running:
        return None
    test = running.get((ask.slot, ask.variant))
    if test is None and ask.variant and not _has_own_wording(ask.slot, ask.variant):
        # Asked for a wording ("formal") the slot does not have: the customer would get the slot's main
        # text, so a test on the main text covers this ask too.
        test = running.get((ask.slot, ""))
    return test


def _has_own_wording(slot: str, variant: str) -> bool:
    try:
        return variant in slot_get(slot).variants or (slot, variant) in company_texts()
    except LookupError:
        return False
