"""The template language and the renderer behind secretaria.texts.text."""

import pytest
from django.core.exceptions import ValidationError

from templates.replies.syntax import choose, fields, fill, validate


def test_bare_names_only():
    assert fields("Olá, {nome}! {{literal}}") == ["nome"]
    for bad in ("{nome.__class__}", "{nome[0]}", "{nome!r}", "{nome:>10}", "{0}", "{}"):
        with pytest.raises(ValidationError):
            fields(bad)


@pytest.mark.parametrize("text, code", [("Olá {nome", "syntax"), ("Olá nome}", "syntax"), ("  ", "empty"),
                                        ("Olá {cpf}", "unknown_variable"), ("x" * 4097, "too_long")])
def test_validate_says_what_is_wrong(text, code):
    with pytest.raises(ValidationError) as caught:
        validate(text, allowed=["nome"])
    assert caught.value.code == code


def test_an_empty_variable_takes_its_separator_along():
    assert fill("Bom dia, {nome}! Aqui é a {empresa}.", {"empresa": "Clínica"}) == "Bom dia! Aqui é a Clínica."
    assert fill("Bom dia, {nome}!", {"nome": "Maria"}) == "Bom dia, Maria!"
    assert fill("Chaves: {{nome}}", {}) == "Chaves: {nome}"


def test_alternatives_are_chosen_by_seed_and_never_repeat_the_last_sent():
    text = "Como posso ajudar?\n---\nEm que posso ajudar hoje?"
    assert choose(text) == "Como posso ajudar?"
    assert choose(text, avoid=["Oi! Como posso ajudar?"]) == "Em que posso ajudar hoje?"
    assert choose(text, seed="x") == choose(text, seed="x")
