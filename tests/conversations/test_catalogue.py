"""The catalogue registry: the assistant's services come from the one app that registered them."""

import pytest

from conversations.assistant import catalogue
from conversations.assistant.catalogue import (
    CatalogueItem,
    catalogue_items,
    register_catalogue,
    unregister_catalogue,
)

CLEANING = CatalogueItem(1, "Limpeza de pele", "Remove impurezas.", "limpeza", 15000, 60)
BOTOX = CatalogueItem(2, "Botox", price_cents=120000, duration_minutes=30)


@pytest.fixture
def nothing_registered(monkeypatch):
    """No catalogue (as in an installation without the agenda); the agenda's loader comes back afterwards."""
    monkeypatch.setattr(catalogue, "_loader", None)


def test_without_a_registered_catalogue_there_are_no_services(nothing_registered):
    assert catalogue_items() == []


def test_the_last_registration_is_the_one_source(nothing_registered):
    register_catalogue(lambda: [CLEANING])
    register_catalogue(lambda: [BOTOX])

    assert catalogue_items() == [BOTOX]
    unregister_catalogue()
    assert catalogue_items() == []


def test_a_catalogue_item_cannot_be_changed_by_a_reader():
    with pytest.raises(AttributeError):
        CLEANING.price_cents = 0  # cached items are shared by every reply of the process
