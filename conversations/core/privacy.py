"""What the conversations floor keeps for the LGPD rights the compliance app runs (compliance/lgpd):
the keyed hashes of a phone and of provider message ids, the erasure tombstones ingest reads, and a
contact's opt-out of business-initiated messages, which the outreach service reads.

Hashes are HMAC-SHA256 keyed with the server's SECRET_KEY (`salted_hmac`): without the key nobody can
test a phone number against a tombstone, and the same phone always gives the same hash, so ingest can
look it up. Rotating SECRET_KEY forgets the tombstones (old redeliveries are then stored again).
"""

from datetime import datetime

from django.utils import timezone
from django.utils.crypto import salted_hmac

from conversations.core.models import Contact, ErasureTombstone

_PHONE_SALT = "secretaria.lgpd.phone"
_MESSAGE_SALT = "secretaria.lgpd.message"


def phone_hash(phone: str) -> str:
    """The keyed hash of a phone (digits only, no "+"), as stored in tombstones and data requests."""
    return salted_hmac(_PHONE_SALT, phone.strip().lstrip("+"), algorithm="sha256").hexdigest()


def message_hash(provider: str, provider_message_id: str) -> str:
    return salted_hmac(_MESSAGE_SALT, f"{provider}:{provider_message_id}", algorithm="sha256").hexdigest()


def tombstone_record(*, phone: str, erased_at: datetime,
                     provider_message_ids: list[tuple[str, str]]) -> ErasureTombstone:
    """Remember that `phone`'s data was erased at `erased_at`, and which provider messages it had."""
    hashes = sorted({message_hash(provider, pmid) for provider, pmid in provider_message_ids if pmid})
    return ErasureTombstone.objects.create(phone_hash=phone_hash(phone), erased_at=erased_at, message_hashes=hashes)


def contact_opt_out_set(*, contact: Contact, opted_out: bool, reminders_kept: bool = False) -> Contact:
    """Stop (or resume) business-initiated messages to a contact; `reminders_kept` lets reminders through."""
    contact.opted_out_at = (contact.opted_out_at or timezone.now()) if opted_out else None
    contact.reminders_kept = reminders_kept if opted_out else False
    contact.save(update_fields=["opted_out_at", "reminders_kept"])
    return contact


def outreach_allowed(*, contact: Contact, kind: str) -> bool:
    """May the business start a message of `kind` ("reminder", "followup"...) to this contact?"""
    if contact.erased_at is not None:
        return False
    if contact.opted_out_at is None:
        return True
    return kind == "reminder" and contact.reminders_kept
