"""Every role against every operation of the schema: who may do what, in one table.

The table below is the contract, written from the permission classes of each view and the grants
of accounts/roles.py (viewer < operator < manager < owner): a role below an operation's minimum gets
403, a role at or above it never gets 401 or 403 (its empty request may still be 400, 404 or 409).
Every write of the schema must be in the table, so a new endpoint cannot ship without deciding who
may call it; reads default to every member, with the exceptions listed.
"""

import pytest
from django.db import transaction
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.roles import RANK, Role
from tests.security.conftest import WRITE_METHODS, openapi_schema, operations, rows_of_each

VIEWER, OPERATOR, MANAGER, OWNER = Role.VIEWER, Role.OPERATOR, Role.MANAGER, Role.OWNER

# The minimum role of every write.
WRITES = {
    # The agenda's day-to-day (agenda add/change permissions): operators and up.
    "POST /api/agenda/appointments/": OPERATOR,
    "POST /api/agenda/appointments/{id}/attended/": OPERATOR,
    "POST /api/agenda/appointments/{id}/cancel/": OPERATOR,
    "POST /api/agenda/appointments/{id}/confirm/": OPERATOR,
    "POST /api/agenda/appointments/{id}/no-show/": OPERATOR,
    "POST /api/agenda/appointments/{id}/reminders/": OPERATOR,
    "POST /api/agenda/appointments/{id}/reschedule/": OPERATOR,
    "POST /api/agenda/insights/run/": MANAGER,  # the scheduling AI studies the hours: settings
    "POST /api/agenda/no-shows/reschedule/": OPERATOR,
    # The inbox (conversations permissions): operators and up.
    "POST /api/conversations/{id}/hand-back/": OPERATOR,
    "POST /api/conversations/{id}/handoff/": OPERATOR,
    "POST /api/conversations/{id}/reply/": OPERATOR,
    # The dead-letter queue is operations, not the inbox: managers and up.
    "POST /api/dead-letters/{id}/reprocess/": MANAGER,
    # Company configuration (accounts.manage_settings): managers and owners.
    "PUT /api/agenda/calendar/": MANAGER,
    "POST /api/agenda/professionals/": MANAGER,
    "POST /api/agenda/services/": MANAGER,
    "PUT /api/channel": MANAGER,
    "POST /api/channel/rotate-secret": MANAGER,
    "POST /api/channels/{id}/rotate-secret": MANAGER,
    "POST /api/channels": MANAGER,
    "PATCH /api/channels/{id}": MANAGER,
    "DELETE /api/channels/{id}": MANAGER,
    "PATCH /api/company": MANAGER,
    "PUT /api/llm": MANAGER,
    # Staff (accounts.add/change/delete_user).
    "POST /api/users/": MANAGER,
    "PATCH /api/users/{id}/": MANAGER,
    "DELETE /api/users/{id}/": MANAGER,
    # LGPD requests (compliance.add_datarequest).
    "POST /api/compliance/exports": MANAGER,
    "POST /api/compliance/erasures": MANAGER,
    # Paying for a plan commits the company's money (billing.checkout: the owner alone).
    "POST /api/billing/checkout": OWNER,
    # Outgoing webhooks send the company's events out: registering, changing and testing are settings.
    "POST /api/webhooks": MANAGER,
    "PATCH /api/webhooks/{id}": MANAGER,
    "DELETE /api/webhooks/{id}": MANAGER,
    "POST /api/webhooks/{id}/test": MANAGER,
    # Accepting a recommendation acts (messages to customers, extra reminders).
    "POST /api/analytics/recommendations/{id}/accept/": MANAGER,
    "POST /api/analytics/recommendations/{id}/dismiss/": MANAGER,
    # Reply templates (templates.change_replytemplate): managers and owners change and reset; a preview
    # saves nothing, so every member may try a wording.
    "PUT /api/templates/{slot}": MANAGER,
    "POST /api/templates/{slot}/reset": MANAGER,
    "POST /api/templates/{slot}/preview": VIEWER,
    # WhatsApp message templates (templates.add_whatsapptemplate): submitting one to Meta, syncing now.
    "POST /api/whatsapp-templates": MANAGER,
    "POST /api/whatsapp-templates/sync": MANAGER,
    # Feedback (analytics): integration keys write in the company's name; a staff token ingests like one.
    "POST /api/feedback/ingest": MANAGER,
    "POST /api/feedback/keys": MANAGER,
    "DELETE /api/feedback/keys/{id}": MANAGER,
    # A/B tests change what customers are told (templates.change_experiment): managers and owners.
    "POST /api/abtests": MANAGER,
    "POST /api/abtests/{id}/start": MANAGER,
    "POST /api/abtests/{id}/pause": MANAGER,
    "POST /api/abtests/{id}/stop": MANAGER,
}
# Reads that not every member may make; every other read is open to every role.
READS = {
    # A channel's webhook URL carries its inbound secret (issue 16, finding 1).
    "GET /api/channel": MANAGER,
    "GET /api/channels": MANAGER,
    "GET /api/channels/{id}": MANAGER,
    "GET /api/compliance/audit/verify": MANAGER,
    "GET /api/compliance/audit/export": MANAGER,
    "GET /api/compliance/exports/{id}": MANAGER,
    # A webhook URL often works as a credential (Zapier, n8n); the delivery log holds customers' data.
    "GET /api/webhooks": MANAGER,
    "GET /api/webhooks/{id}": MANAGER,
    "GET /api/webhooks/{id}/deliveries": MANAGER,
    # Feedback (analytics): the list of integration keys (who may send scores in the company's name).
    "GET /api/feedback/keys": MANAGER,
}
# Reads the operator is refused although a viewer makes them: the operator's panel is the inbox and the
# calendar (accounts/roles.py), so reports and exports, the staff list and the dead letters are not theirs.
NOT_FOR_THE_OPERATOR = {
    "GET /api/analytics/export", "GET /api/analytics/funnel/", "GET /api/analytics/history/",
    "GET /api/analytics/recommendations/", "GET /api/analytics/summary/",
    "GET /api/dead-letters/", "GET /api/dead-letters/{id}/", "GET /api/users/", "GET /api/users/{id}/",
}
ROLES = [Role.VIEWER, Role.OPERATOR, Role.MANAGER, Role.OWNER]


def minimum(operation) -> str | None:
    """The operation's minimum role; None for a write the table does not decide (a failure of its own)."""
    if operation.method in WRITE_METHODS:
        return WRITES.get(operation.label)
    return READS.get(operation.label, VIEWER)


def _answers(client, operations_, ids) -> dict[str, int]:
    """Each operation's status with an empty body, each in a savepoint rolled back after it."""
    answers = {}
    for operation in operations_:
        with transaction.atomic():
            response = getattr(client, operation.method)(operation.url(ids), data={}, format="json")
            transaction.set_rollback(True)
        answers[operation.label] = response.status_code
    return answers


@pytest.fixture
def company_operations(acme):
    return [op for op in operations(openapi_schema(acme)) if op.authenticated]


def test_the_table_decides_every_write_of_the_schema(company_operations):
    writes = {op.label for op in company_operations if op.method in WRITE_METHODS}

    assert writes - WRITES.keys() == set(), "a write without a decided minimum role"
    assert WRITES.keys() - writes == set(), "the table names an operation the schema no longer has"
    assert READS.keys() | NOT_FOR_THE_OPERATOR <= {op.label for op in company_operations}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_refused_exactly_what_the_table_keeps_from_it(acme, api, company_operations, unique, role):
    ids = rows_of_each(acme, f"rbac-{unique}")
    decided = [op for op in company_operations if minimum(op) is not None]

    answers = _answers(api(acme, role), decided, ids)

    denied = {op.label for op in decided if RANK[role] < RANK[minimum(op)]
              or (role == OPERATOR and op.label in NOT_FOR_THE_OPERATOR)}
    assert {label: code for label, code in answers.items() if label in denied and code != 403} == {}
    wrongly_refused = {label: code for label, code in answers.items()
                       if label not in denied and (code in (401, 403) or code >= 500)}
    assert wrongly_refused == {}, " | ".join(sorted(wrongly_refused))
    assert len(answers) >= 50


def test_a_member_without_a_role_is_refused_everything_but_who_they_are(acme, api, company_operations, unique):
    ids = rows_of_each(acme, f"rbac-{unique}")
    with schema_context(acme.schema_name):
        User.objects.create_user(f"sem-papel-{unique}@acme.test", "Senha-de-teste-9")
    token = api(acme).post("/api/auth/token", {"email": f"sem-papel-{unique}@acme.test",
                                               "password": "Senha-de-teste-9"}, format="json").json()["access"]

    answers = _answers(api(acme, token=token), company_operations, ids)

    assert {label: code for label, code in answers.items() if code != 403} == {"GET /api/me": 200}
