"""Phones as other systems write them, matched to contacts as the channels store them.

Contacts are stored as digits with the country code ("5511988887777", what WhatsApp sends). A CRM
or a survey tool may write "+55 (11) 98888-7777", "11 98888-7777" or a mobile without its ninth digit
(WhatsApp itself still reports some older Brazilian accounts that way), so a phone is tried in the
few forms the same Brazilian number takes.
"""

from __future__ import annotations

import re

BRAZIL = "55"
MIN_DIGITS, MAX_DIGITS = 10, 15


def phone_digits(phone: str) -> str:
    """Digits only: "+55 (11) 98888-7777" -> "5511988887777"."""
    return re.sub(r"\D", "", phone or "")


def phone_candidates(phone: str) -> list[str]:
    """The stored forms `phone` may have, most likely first ([] when it cannot be a phone).

    - with the country code as given, or 55 added to a Brazilian number written without it
      (10 or 11 digits: area code and number);
    - a Brazilian mobile with and without the ninth digit ("55 11 9 8888-7777" / "55 11 8888-7777").
    """
    digits = phone_digits(phone)
    if not MIN_DIGITS <= len(digits) <= MAX_DIGITS:
        return []
    # 10 or 11 digits is most likely a Brazilian number without the country code (area code 55 exists
    # too, so a leading 55 proves nothing); as given comes second.
    forms = [BRAZIL + digits, digits] if len(digits) in (10, 11) else [digits]
    for form in list(forms):
        if form.startswith(BRAZIL) and len(form) == 13 and form[4] == "9":
            forms.append(form[:4] + form[5:])  # without the ninth digit
        elif form.startswith(BRAZIL) and len(form) == 12 and form[4] in "6789":
            forms.append(form[:4] + "9" + form[4:])  # a mobile written without it
    return list(dict.fromkeys(forms))

