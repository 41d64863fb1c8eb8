"""Every domain event the apps publish: ids and plain values, never model instances.

Published by the app that owns the change (named in each section), delivered on commit
to whoever subscribed (usage metering, analytics, A/B outcomes, outgoing webhooks, the
audit trail). Adding an event: a frozen dataclass here, `publish()` where it happens.
"""

from dataclasses import dataclass, field
from datetime import datetime

from secretaria.events.bus import DomainEvent

__all__ = [
    "AppointmentAttended", "AppointmentBooked", "AppointmentCancelled", "AppointmentConfirmed",
    "AppointmentNoShow", "AppointmentRescheduled", "ChannelDisabled", "CompanyProvisioned", "DeadLetterRecorded",
    "DeadLetterReprocessed", "FollowUpScored", "HandoffClosed", "HandoffOpened", "LLMCallMade",
    "MessageReceived", "MessageSent", "OutreachQueued", "PromptInjectionRefused", "ReminderAnswered",
    "ReplySent", "SettingsChanged", "StaffReplied", "LoginFailuresBurst", "RoleChanged",
    "QuotaThresholdCrossed", "RecommendationCreated", "SlotsOffered", "FeedbackReceived",
]


def _empty() -> dict:
    return {}


# --- Platform (tenants) ---------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class CompanyProvisioned(DomainEvent):
    """A company, its schema and its owner exist. Delivered in the new company's schema."""

    company_id: int
    slug: str
    plan: str


@dataclass(frozen=True, kw_only=True)
class SettingsChanged(DomainEvent):
    """Staff changed a company setting (`area`: "channel", "calendar", "service"...).

    `action` is the audit trail's name for it; `data` never holds a secret's value.
    """

    area: str
    action: str
    actor: str = ""
    target: str = ""
    data: dict = field(default_factory=_empty)


@dataclass(frozen=True, kw_only=True)
class LoginFailuresBurst(DomainEvent):
    """Repeated wrong passwords for one account or from one address were refused (accounts).

    Published once per lockout, in the schema the login was tried on; `username` is what was typed.
    """

    username: str
    ip: str
    failures: int
    surface: str  # "api" or "admin"


@dataclass(frozen=True, kw_only=True)
class RoleChanged(DomainEvent):
    """A staff member's role or active flag changed (accounts)."""

    user_id: int
    email: str
    old_role: str
    new_role: str
    actor: str = ""
    active: bool = True


# --- Billing ---------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class QuotaThresholdCrossed(DomainEvent):
    """A company used 80 % or 100 % of a plan's monthly quota (billing.metering), once per period and kind."""

    company_id: int
    kind: str  # "messages", "ai_tokens", "outreach"
    threshold: int  # 80 or 100
    used: int
    limit: int
    period: str  # "YYYY-MM"


# --- Conversations ---------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class ChannelDisabled(DomainEvent):
    """A channel was disabled or removed: what was waiting to leave through it cannot."""

    channel_id: int
    reason: str
    actor: str = ""


@dataclass(frozen=True, kw_only=True)
class MessageReceived(DomainEvent):
    """A customer's message was stored (once: a provider's redelivery publishes nothing)."""

    message_id: int
    contact_id: int
    channel_id: int | None
    kind: str
    answered: bool  # False: stored but never answered (reactions, statuses, a flooding sender)


@dataclass(frozen=True, kw_only=True)
class ReplySent(DomainEvent):
    """The assistant answered a burst of a contact's messages (the reply is in the outbox)."""

    conversation_id: int
    contact_id: int
    reply_message_id: int
    answered_message_ids: tuple[int, ...]
    intent: str
    turn: str = ""  # the turn handler that answered ("agenda"...), "" for the engine or the LLM


@dataclass(frozen=True, kw_only=True)
class MessageSent(DomainEvent):
    """A message left through a channel (the provider accepted it)."""

    message_id: int
    contact_id: int
    channel_id: int | None
    origin: str  # "reply", "staff", "outreach"
    outreach_kind: str = ""  # "reminder", "followup", "rebook_offer", "waitlist_offer"... for outreach
    template: str = ""  # the template it rode in, outside Meta's 24-hour window


@dataclass(frozen=True, kw_only=True)
class OutreachQueued(DomainEvent):
    """A business-initiated message (reminder, follow-up, offer, alert) was recorded to send."""

    kind: str
    contact_id: int
    message_id: int
    key: str


@dataclass(frozen=True, kw_only=True)
class HandoffOpened(DomainEvent):
    conversation_id: int
    contact_id: int
    reason: str
    actor: str = ""  # staff e-mail when a person took it over; "" when the assistant handed it over
    opened: bool = True  # False: a person took over a conversation already waiting for the staff


@dataclass(frozen=True, kw_only=True)
class HandoffClosed(DomainEvent):
    conversation_id: int
    contact_id: int
    actor: str = ""


@dataclass(frozen=True, kw_only=True)
class StaffReplied(DomainEvent):
    """A person on the staff answered a customer in a conversation."""

    conversation_id: int
    contact_id: int
    message_id: int
    actor: str = ""


@dataclass(frozen=True, kw_only=True)
class LLMCallMade(DomainEvent):
    call_id: int
    provider: str
    model: str
    input_tokens: int
    output_tokens: int
    outcome: str  # ok, blocked, error, fallback, breaker_open
    latency_ms: int
    conversation_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class PromptInjectionRefused(DomainEvent):
    contact_id: int
    intent: str


@dataclass(frozen=True, kw_only=True)
class DeadLetterRecorded(DomainEvent):
    dead_letter_id: int
    source: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class DeadLetterReprocessed(DomainEvent):
    dead_letter_id: int
    source: str
    outcome: str
    actor: str = ""


# --- Agenda ----------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class AppointmentBooked(DomainEvent):
    appointment_id: int
    contact_id: int
    service_id: int | None
    professional_id: int | None
    start: datetime
    source: str  # chat, api, admin, calcom, waitlist
    actor: str = ""


@dataclass(frozen=True, kw_only=True)
class AppointmentRescheduled(DomainEvent):
    appointment_id: int  # the new row
    previous_id: int
    contact_id: int
    start: datetime
    actor: str = ""


@dataclass(frozen=True, kw_only=True)
class AppointmentCancelled(DomainEvent):
    appointment_id: int
    contact_id: int
    actor: str = ""
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class AppointmentConfirmed(DomainEvent):
    appointment_id: int
    contact_id: int
    actor: str = ""


@dataclass(frozen=True, kw_only=True)
class AppointmentAttended(DomainEvent):
    appointment_id: int
    contact_id: int
    actor: str = ""


@dataclass(frozen=True, kw_only=True)
class AppointmentNoShow(DomainEvent):
    appointment_id: int
    contact_id: int
    actor: str = ""


@dataclass(frozen=True, kw_only=True)
class ReminderAnswered(DomainEvent):
    reminder_id: int | None
    appointment_id: int
    contact_id: int
    answer: str  # confirm, reschedule, cancel


@dataclass(frozen=True, kw_only=True)
class SlotsOffered(DomainEvent):
    """The agenda's chat offered a customer slots to choose from (the funnel's "slots offered" step).

    Published by agenda/chat/flow.py when at least one slot is offered (a list, or the one slot asked for).
    """

    contact_id: int
    purpose: str  # book, reschedule, rebook, waitlist
    service_id: int | None
    professional_ids: tuple[int, ...]
    count: int


@dataclass(frozen=True, kw_only=True)
class FollowUpScored(DomainEvent):
    followup_id: int
    appointment_id: int
    contact_id: int
    score: int | None
    sentiment: str
    flagged: bool


# --- Analytics -------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class RecommendationCreated(DomainEvent):
    """A new next-best-action for the company's owner (analytics/recommendations)."""

    recommendation_id: int
    kind: str
    title: str


@dataclass(frozen=True, kw_only=True)
class FeedbackReceived(DomainEvent):
    """Another system sent a customer's score (analytics/feedback: Google, a survey, a CRM), once per
    external id. The follow-up answers are `FollowUpScored`; both are the outgoing `feedback.received`."""

    feedback_id: int
    contact_id: int
    score: int
    source: str
    appointment_id: int | None = None
    professional_id: int | None = None
    service_id: int | None = None
    handoff_conversation_id: int | None = None  # the detractor's comment was handed to the staff there
