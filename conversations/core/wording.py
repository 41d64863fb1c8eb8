"""The company's fixed texts said to one contact, outside the engine's turn (callback offer, quota notice).

A thin layer over the template seam (secretaria/texts.py): it fills the names every slot of ours may
use, the contact's first name and the company's, and passes the contact so an A/B test on the slot can
pick the text for them.
"""

from collections.abc import Mapping

from conversations.assistant.engine.tone import first_name
from conversations.core.models import Contact
from secretaria import texts
from secretaria.settings_cache import cached
from tenants.selectors import company_current


def contact_text(slot: str, *, contact: Contact, variables: Mapping[str, object] | None = None) -> str:
    names = {"nome": first_name(contact.name), "empresa": cached("company", company_current).name}
    return texts.text(slot, {**names, **(variables or {})}, contact_id=contact.pk)
