"""Writes for the LGPD rights: requests (access, erasure, opt-out, opt-in), their outcome, consent history.

Every request is a DataRequest row (the DPO's register, admin read-only) and every export and
erasure an audit entry naming the person only by the phone's keyed hash. Staff requests come from
the API and the admin; the customer's from WhatsApp (compliance/lgpd/turns.py).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from compliance.lgpd import exports
from compliance.lgpd.erasure import customer_erase
from compliance.lgpd.models import Consent, DataRequest
from compliance.lgpd.selectors import contact_by_phone, customer_data, subject_target
from compliance.services import audit_event_record
from conversations.core.models import Contact, Message, Outbox
from conversations.core.privacy import contact_opt_out_set, phone_hash
from secretaria.queue import task_delay

Kind, Status, Channel = DataRequest.Kind, DataRequest.Status, DataRequest.Channel
CUSTOMER = "cliente via WhatsApp"
NOT_FOUND = "Nenhum cliente com este telefone."


def data_request_open(*, kind: str, contact: Contact, requested_by: str, channel: str, reason: str = "",
                      status: str = Status.PENDING) -> DataRequest:
    return DataRequest.objects.create(kind=kind, contact=contact, phone_hash=phone_hash(contact.phone),
                                      requested_by=requested_by[:254], channel=channel, reason=reason[:300],
                                      status=status)


def _contact_required(phone: str) -> Contact:
    contact = contact_by_phone(phone=phone)
    if contact is None:
        raise ValidationError({"phone": [NOT_FOUND]})
    return contact


def _finish(request: DataRequest, *, status: str, result: dict, **fields) -> DataRequest:
    changes = {"status": status, "result": result, "finished_at": timezone.now(), **fields}
    DataRequest.objects.filter(pk=request.pk).update(**changes)
    for name, value in changes.items():
        setattr(request, name, value)
    return request


# --- access / portability --------------------------------------------------------------------------

def export_request(*, phone: str, requested_by: str, channel: str) -> DataRequest:
    """Open an access request for the customer with this phone; the zip is built by a task."""
    contact = _contact_required(phone)
    with transaction.atomic():
        request = data_request_open(kind=Kind.ACCESS, contact=contact, requested_by=requested_by, channel=channel)
        transaction.on_commit(lambda: task_delay("compliance.lgpd_export_build", request.pk))
    return request


def export_build(*, request_id: int) -> DataRequest | None:
    """Build the zip of a pending access request (once: a second run finds it done)."""
    if not DataRequest.objects.filter(pk=request_id, kind=Kind.ACCESS, status=Status.PENDING).exists():
        return DataRequest.objects.filter(pk=request_id).first()
    request = DataRequest.objects.select_related("contact").get(pk=request_id)
    if request.contact is None or request.contact.erased_at is not None:
        return _finish(request, status=Status.FAILED, result={"error": "cliente não encontrado"})
    data = customer_data(contact=request.contact)
    name = exports.export_save(request_id=request.pk, content=exports.zip_build(data))
    counts = {table: len(rows) for table, rows in data.items()}
    with transaction.atomic():
        if not DataRequest.objects.filter(pk=request_id, status=Status.PENDING).update(file=name):
            exports.export_delete(name)  # another run finished first
            return DataRequest.objects.get(pk=request_id)
        _finish(request, status=Status.DONE, result=counts, file=name)
        _audit("lgpd.export", request, counts)
    return request


# --- erasure ---------------------------------------------------------------------------------------

def erasure_request(*, phone: str, requested_by: str, channel: str, reason: str = "") -> DataRequest:
    """Staff erase a customer now (API, admin): anonymised in this call, the request recorded done."""
    contact = _contact_required(phone)
    return erasure_of_contact(contact=contact, requested_by=requested_by, channel=channel, reason=reason)


def erasure_of_contact(*, contact: Contact, requested_by: str, channel: str, reason: str = "") -> DataRequest:
    request = data_request_open(kind=Kind.ERASURE, contact=contact, requested_by=requested_by, channel=channel,
                                reason=reason)
    return erasure_run(request_id=request.pk)


def erasure_run(*, request_id: int) -> DataRequest | None:
    """Carry out a pending erasure request (once), and drop the export files made for that customer."""
    request = DataRequest.objects.select_related("contact").filter(pk=request_id).first()
    if request is None or request.kind != Kind.ERASURE or request.status != Status.PENDING:
        return request
    if request.contact is None:
        return _finish(request, status=Status.FAILED, result={"error": "cliente não encontrado"})
    with transaction.atomic():
        counts = customer_erase(contact=request.contact)
        counts["exports_deleted"] = _exports_drop(request.contact)
        _finish(request, status=Status.DONE, result=counts)
        _audit("lgpd.erasure", request, counts)  # not the reason: free text may name the person
    return request


def erasure_must_wait(*, contact: Contact) -> bool:
    """Is something still on its way to this customer (the confirmation of their own request)? Their
    number is part of what gets erased: the erasure waits until that message has left."""
    return (Outbox.objects.filter(message__contact=contact, state__in=[Outbox.State.PENDING, Outbox.State.SENDING])
            .exists() or Message.objects.filter(contact=contact, direction=Message.Direction.IN,
                                                state__in=[Message.State.RECEIVED, Message.State.PROCESSING])
            .exists())


def _exports_drop(contact: Contact) -> int:
    names = list(DataRequest.objects.filter(contact=contact, kind=Kind.ACCESS).exclude(file="")
                 .values_list("file", flat=True))
    DataRequest.objects.filter(contact=contact, kind=Kind.ACCESS).exclude(file="").update(file="")
    transaction.on_commit(lambda: [exports.export_delete(name) for name in names])
    return len(names)


# --- opt-out / opt-in ------------------------------------------------------------------------------

def consent_change(*, contact: Contact, kind: str, requested_by: str, channel: str,
                   keep_reminders: bool = False) -> DataRequest:
    """Opt out of (or back into) business-initiated messages; `keep_reminders` with an opt-out keeps
    the reminders of the customer's appointments. Recorded as consent history and as a request."""
    opted_out = kind == Kind.OPT_OUT
    with transaction.atomic():
        contact_opt_out_set(contact=contact, opted_out=opted_out, reminders_kept=keep_reminders)
        request = data_request_open(kind=kind, contact=contact, requested_by=requested_by, channel=channel)
        source = "whatsapp" if channel == Channel.WHATSAPP else requested_by
        Consent.objects.create(contact=contact, purpose=Consent.Purpose.MESSAGES, granted=not opted_out,
                               source=source, request=request)
        Consent.objects.create(contact=contact, purpose=Consent.Purpose.REMINDERS,
                               granted=not opted_out or keep_reminders, source=source, request=request)
        result = {"opted_out": opted_out, "reminders_kept": opted_out and keep_reminders}
        _finish(request, status=Status.DONE, result=result)
        _audit(f"lgpd.{kind}", request, result)
    return request


# --- WhatsApp confirmations ------------------------------------------------------------------------

def request_confirm(*, request: DataRequest) -> DataRequest:
    DataRequest.objects.filter(pk=request.pk, status=Status.AWAITING_CONFIRMATION).update(status=Status.PENDING)
    request.status = Status.PENDING
    return request


def request_cancel(*, request: DataRequest) -> DataRequest:
    return _finish(request, status=Status.CANCELLED, result={"cancelled_by": "customer"})


def _audit(action: str, request: DataRequest, data: dict) -> None:
    audit_event_record(action=action, actor=request.requested_by, key=f"{action}:{request.pk}",
                       target=subject_target(phone_hash_value=request.phone_hash),
                       data={"request_id": request.pk, "channel": request.channel, **data})

