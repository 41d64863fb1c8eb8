"""Phones, money and dates the way staff read them in the panel."""

from datetime import datetime

import phonenumbers
from django.utils import timezone

from secretaria.ptbr import WEEKDAY_NAMES, brl

__all__ = ["brl", "phone", "when", "wait"]


def phone(number: str | None) -> str:
    """"5511987654321" -> "+55 11 98765-4321"; anything phonenumbers cannot parse comes back as given.

    Brazilian numbers in the international format with the country code first, as WhatsApp
    shows them; a number from another country in that country's international format.
    """
    if not number:
        return ""
    raw = number if number.startswith("+") else f"+{number}"
    try:
        parsed = phonenumbers.parse(raw, None)
    except phonenumbers.NumberParseException:
        return number
    if not phonenumbers.is_possible_number(parsed):
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def when(moment: datetime | None, *, weekday: bool = False) -> str:
    """"08/12/2026 10:00" in the active (company) time zone; with weekday, "terça, 08/12 10:00"."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    if weekday:
        return f"{WEEKDAY_NAMES[local.weekday()]}, {local:%d/%m %H:%M}"
    return f"{local:%d/%m/%Y %H:%M}"


def wait(seconds: float | None) -> str:
    """How long someone has waited: "agora", "4 min", "1 h 05 min", "2 dias"."""
    if seconds is None:
        return ""
    minutes = int(seconds // 60)
    if minutes < 1:
        return "agora"
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d} min"
    days = hours // 24
    return "1 dia" if days == 1 else f"{days} dias"
