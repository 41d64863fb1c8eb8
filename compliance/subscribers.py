"""The audit trail hears the domain events worth keeping (secretaria/events): who did what, when.

Each entry maps an event to an audit row (action, actor, target, data); the event's own
id-based `key`, where given, makes a redelivered event a no-op.
"""

from collections.abc import Callable
from dataclasses import dataclass

from compliance.services import audit_event_record
from secretaria import events
from secretaria.events import DomainEvent


@dataclass(frozen=True)
class AuditEntry:
    action: str
    actor: str = ""
    target: str = ""
    data: dict | None = None
    key: str | None = None


def _handoff_opened(e: events.HandoffOpened) -> AuditEntry | None:
    if not e.actor:
        return None  # the assistant's own handoffs are in the conversation, not the audit trail
    return AuditEntry("conversation.handed_off", e.actor, str(e.conversation_id), {"reason": e.reason})


def _followup_scored(e: events.FollowUpScored) -> AuditEntry | None:
    if e.sentiment != "negative":
        return None
    return AuditEntry("agenda.followup_negative", "customer", f"followup:{e.followup_id}",
                      {"appointment_id": e.appointment_id, "score": e.score},
                      key=f"agenda.followup_negative:{e.followup_id}")


def _role_changed(e: events.RoleChanged) -> AuditEntry:
    action = "user.deactivated" if not e.active else "user.role_changed"
    return AuditEntry(action, e.actor, f"user:{e.user_id}",
                      {"email": e.email, "old_role": e.old_role, "new_role": e.new_role, "active": e.active})


def _login_failures(e: events.LoginFailuresBurst) -> AuditEntry:
    return AuditEntry("security.login_failures", "system", e.username[:200],
                      {"ip": e.ip, "failures": e.failures, "surface": e.surface})


def _staff_replied(e: events.StaffReplied) -> AuditEntry:
    # The message's text stays in the conversation (and goes with an LGPD erasure); the trail keeps ids.
    return AuditEntry("conversation.staff_replied", e.actor, str(e.conversation_id),
                      {"contact_id": e.contact_id, "message_id": e.message_id},
                      key=f"conversation.staff_replied:{e.message_id}")


AUDITED: dict[type[DomainEvent], Callable[[DomainEvent], AuditEntry | None]] = {
    events.CompanyProvisioned: lambda e: AuditEntry("company.provisioned", "system", e.slug, {"plan": e.plan}),
    events.SettingsChanged: lambda e: AuditEntry(e.action, e.actor, e.target, dict(e.data)),
    events.RoleChanged: _role_changed,
    events.LoginFailuresBurst: _login_failures,
    events.StaffReplied: _staff_replied,
    events.PromptInjectionRefused: lambda e: AuditEntry("security.prompt_injection", "system",
                                                        f"contact:{e.contact_id}", {"intent": e.intent}),
    events.HandoffOpened: _handoff_opened,
    events.HandoffClosed: lambda e: AuditEntry("conversation.handed_back", e.actor, str(e.conversation_id)),
    events.DeadLetterReprocessed: lambda e: AuditEntry("dead_letter.reprocessed", e.actor, str(e.dead_letter_id),
                                                       {"source": e.source, "outcome": e.outcome}),
    events.FollowUpScored: _followup_scored,
}


def audit_from_event(event: DomainEvent) -> None:
    entry = AUDITED[type(event)](event)
    if entry is not None:
        audit_event_record(action=entry.action, actor=entry.actor, target=entry.target, data=entry.data or {},
                           key=entry.key)


def subscribe_all() -> None:
    for event_type in AUDITED:
        events.subscribe(event_type, audit_from_event)
