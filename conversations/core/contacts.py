"""Contacts that staff add by hand: a customer who phoned instead of writing.

A contact's phone is stored as WhatsApp sends it, digits with the country code and no "+"
("5511987654321"), so a caller booked from the panel is the same contact when they later
write on WhatsApp. Staff type phones every way ("(11) 98765-4321", "+55 11 98765-4321",
"011 98765 4321"): phonenumbers reads them as Brazilian unless a country code is given.
"""

import re

import phonenumbers
from django.db import IntegrityError, transaction

from conversations.core.models import Contact

DEFAULT_REGION = "BR"
PHONE_LIKE = re.compile(r"[\d\s()+./-]+")


def phone_search_digits(query: str) -> str:
    """The digits to look for when a search looks like a phone in any format ("11 98765",
    "+55 (11) 98765-4321", "011 98765"); "" when it does not (a name, a text)."""
    query = (query or "").strip()
    digits = re.sub(r"\D", "", query).lstrip("0")
    return digits if digits and PHONE_LIKE.fullmatch(query) else ""


def phone_normalise(raw: str, *, region: str = DEFAULT_REGION) -> str | None:
    """The phone as contacts store it ("5511987654321"), or None when it cannot be a phone number."""
    try:
        parsed = phonenumbers.parse(raw or "", region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164).lstrip("+")


def contact_by_phone(*, phone: str) -> Contact | None:
    """The contact with this (normalised) phone, if there is one."""
    return Contact.objects.filter(phone=phone).first()


def contact_for_phone(*, phone: str, name: str = "") -> tuple[Contact, bool]:
    """The contact with this (normalised) phone, created when new; returns (contact, created).

    A name given for a known contact fills in a missing name only: what the customer told
    us on WhatsApp, or a colleague typed before, is not overwritten by a quick phone booking.
    """
    name = name.strip()[:120]
    contact = contact_by_phone(phone=phone)
    if contact is None:
        try:
            with transaction.atomic():
                return Contact.objects.create(phone=phone, name=name), True
        except IntegrityError:
            # The same customer wrote on WhatsApp (or a colleague booked them) meanwhile.
            contact = Contact.objects.get(phone=phone)
    if name and not contact.name:
        contact.name = name
        contact.save(update_fields=["name"])
    return contact, False
