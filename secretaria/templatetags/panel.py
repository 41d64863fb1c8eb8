"""`{% load panel %}`: the panel's formats as template filters (secretaria/panel/formats.py)."""

from django import template

from secretaria.panel import formats

register = template.Library()


@register.filter
def telefone(number):
    return formats.phone(number)


@register.filter
def reais(cents):
    return formats.brl(cents)


@register.filter
def quando(moment, style=""):
    return formats.when(moment, weekday=style == "dia")


@register.filter
def espera(seconds):
    return formats.wait(seconds)
