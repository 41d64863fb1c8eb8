"""Every role against every operation of the schema: who may do what, in one table.

The table below is the contract, written from issue 13's roles and the grants of accounts/roles.py:
a viewer reads and changes nothing; an operator runs the inbox and the calendar and reads nothing
of the company's reports, staff or failures; a manager does everything but the staff and the
billing; an owner everything. A role outside an operation's set gets 403, a role inside it never
gets 401 or 403 (its empty request may still be 400, 404 or 409). Every write of the schema must
be in the table, so a new endpoint cannot ship without deciding who may call it; reads default to
every member, with the exceptions listed.
"""

import pytest
from django.db import transaction
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.roles import Role
from tests.security.conftest import WRITE_METHODS, openapi_schema, operations, rows_of_each

VIEWER, OPERATOR, MANAGER, OWNER = Role.VIEWER, Role.OPERATOR, Role.MANAGER, Role.OWNER
EVERY_MEMBER = frozenset({VIEWER, OPERATOR, MANAGER, OWNER})
NOT_OPERATOR = frozenset({VIEWER, MANAGER, OWNER})  # reads outside the inbox and the calendar
OPERATORS_UP = frozenset({OPERATOR, MANAGER, OWNER})  # the day-to-day's writes
MANAGERS_UP = frozenset({MANAGER, OWNER})  # the company's settings
OWNER_ONLY = frozenset({OWNER})  # the staff and the billing

# Who may make each write.
WRITES = {
    # The agenda's day-to-day (agenda add/change permissions): operators and up.
    "POST /api/agenda/appointments/": OPERATORS_UP,
    "POST /api/agenda/appointments/{id}/attended/": OPERATORS_UP,
    "POST /api/agenda/appointments/{id}/cancel/": OPERATORS_UP,
    "POST /api/agenda/appointments/{id}/confirm/": OPERATORS_UP,
    "POST /api/agenda/appointments/{id}/no-show/": OPERATORS_UP,
    "POST /api/agenda/appointments/{id}/reminders/": OPERATORS_UP,
    "POST /api/agenda/appointments/{id}/reschedule/": OPERATORS_UP,
    "POST /api/agenda/no-shows/reschedule/": OPERATORS_UP,
    # The scheduling analysis is a report, not the calendar: the operator does not run it.
    "POST /api/agenda/insights/run/": MANAGERS_UP,
    # The inbox (conversations permissions): operators and up.
    "POST /api/conversations/{id}/hand-back/": OPERATORS_UP,
    "POST /api/conversations/{id}/handoff/": OPERATORS_UP,
    "POST /api/conversations/{id}/reply/": OPERATORS_UP,
    # The queue of failed work is the company's operation, not the inbox: managers and owners.
    "POST /api/dead-letters/{id}/reprocess/": MANAGERS_UP,
    # Company configuration (accounts.manage_settings): managers and owners.
    "PUT /api/agenda/calendar/": MANAGERS_UP,
    "POST /api/agenda/professionals/": MANAGERS_UP,
    "POST /api/agenda/services/": MANAGERS_UP,
    "PUT /api/channel": MANAGERS_UP,
    "POST /api/channel/rotate-secret": MANAGERS_UP,
    "POST /api/channels/{id}/rotate-secret": MANAGERS_UP,
    "POST /api/channels": MANAGERS_UP,
    "PATCH /api/channels/{id}": MANAGERS_UP,
    "DELETE /api/channels/{id}": MANAGERS_UP,
    "PATCH /api/company": MANAGERS_UP,
    "PUT /api/llm": MANAGERS_UP,
    # The staff (accounts.add/change/delete_user): the owner's, not the managers' (issue 13).
    "POST /api/users/": OWNER_ONLY,
    "PATCH /api/users/{id}/": OWNER_ONLY,
    "DELETE /api/users/{id}/": OWNER_ONLY,
    # LGPD requests (compliance.add_datarequest).
    "POST /api/compliance/exports": MANAGERS_UP,
    "POST /api/compliance/erasures": MANAGERS_UP,
    # Paying for a plan commits the company's money (billing.checkout: the owner alone).
    "POST /api/billing/checkout": OWNER_ONLY,
    # Outgoing webhooks send the company's events out: registering, changing and testing are settings.
    "POST /api/webhooks": MANAGERS_UP,
    "PATCH /api/webhooks/{id}": MANAGERS_UP,
    "DELETE /api/webhooks/{id}": MANAGERS_UP,
    "POST /api/webhooks/{id}/test": MANAGERS_UP,
    # Accepting a recommendation acts (messages to customers, extra reminders).
    "POST /api/analytics/recommendations/{id}/accept/": MANAGERS_UP,
    "POST /api/analytics/recommendations/{id}/dismiss/": MANAGERS_UP,
    # Reply templates (templates.change_replytemplate): managers and owners change and reset; a preview
    # saves nothing, so every member may try a wording.
    "PUT /api/templates/{slot}": MANAGERS_UP,
    "POST /api/templates/{slot}/reset": MANAGERS_UP,
    "POST /api/templates/{slot}/preview": EVERY_MEMBER,
    # WhatsApp message templates (templates.add_whatsapptemplate): submitting one to Meta, syncing now.
    "POST /api/whatsapp-templates": MANAGERS_UP,
    "POST /api/whatsapp-templates/sync": MANAGERS_UP,
    # Feedback (analytics): integration keys write in the company's name; a staff token ingests like one.
    "POST /api/feedback/ingest": MANAGERS_UP,
    "POST /api/feedback/keys": MANAGERS_UP,
    "DELETE /api/feedback/keys/{id}": MANAGERS_UP,
    # A/B tests change what customers are told (templates.change_experiment): managers and owners.
    "POST /api/abtests": MANAGERS_UP,
    "POST /api/abtests/{id}/start": MANAGERS_UP,
    "POST /api/abtests/{id}/pause": MANAGERS_UP,
    "POST /api/abtests/{id}/stop": MANAGERS_UP,
}
# Reads that not every member may make. Every other read is open to every role, operators included:
# the inbox's and the calendar's data, and the settings the API shows without their secrets
# (GET /api/company, /api/llm, /api/agenda/calendar/, /api/templates...), whose views ask only for a role.
READS = {
    # A channel's webhook URL carries its inbound secret (issue 16, finding 1).
    "GET /api/channel": MANAGERS_UP,
    "GET /api/channels": MANAGERS_UP,
    "GET /api/channels/{id}": MANAGERS_UP,
    "GET /api/compliance/audit/verify": MANAGERS_UP,
    "GET /api/compliance/audit/export": MANAGERS_UP,
    "GET /api/compliance/exports/{id}": MANAGERS_UP,
    # A webhook URL often works as a credential (Zapier, n8n); the delivery log holds customers' data.
    "GET /api/webhooks": MANAGERS_UP,
    "GET /api/webhooks/{id}": MANAGERS_UP,
    "GET /api/webhooks/{id}/deliveries": MANAGERS_UP,
    # Feedback (analytics): the list of integration keys (who may send scores in the company's name).
    "GET /api/feedback/keys": MANAGERS_UP,
    # Outside the inbox and the calendar (accounts/roles.py OPERATOR_MODELS): the staff list, the
    # reports and their export, the recommendations, the queue of failed work.
    "GET /api/users/": NOT_OPERATOR,
    "GET /api/users/{id}/": NOT_OPERATOR,
    "GET /api/analytics/export": NOT_OPERATOR,
    "GET /api/analytics/funnel/": NOT_OPERATOR,
    "GET /api/analytics/history/": NOT_OPERATOR,
    "GET /api/analytics/summary/": NOT_OPERATOR,
    "GET /api/analytics/recommendations/": NOT_OPERATOR,
    "GET /api/dead-letters/": NOT_OPERATOR,
    "GET /api/dead-letters/{id}/": NOT_OPERATOR,
    # The company's settings (accounts.view_settings and the templates' view permissions): no secrets in
    # them, but the operator's panel has no settings, and neither has their token.
    "GET /api/company": NOT_OPERATOR,
    "GET /api/llm": NOT_OPERATOR,
    "GET /api/agenda/calendar/": NOT_OPERATOR,
    "GET /api/agenda/insights/": NOT_OPERATOR,
    "GET /api/templates": NOT_OPERATOR,
    "GET /api/templates/{slot}": NOT_OPERATOR,
    "GET /api/abtests": NOT_OPERATOR,
    "GET /api/abtests/{id}": NOT_OPERATOR,
    "GET /api/abtests/{id}/results": NOT_OPERATOR,
    "GET /api/whatsapp-templates": NOT_OPERATOR,
}
ROLES = [Role.VIEWER, Role.OPERATOR, Role.MANAGER, Role.OWNER]


def allowed(operation) -> frozenset[str] | None:
    """The roles the operation admits; None for a write the table does not decide (a failure of its own)."""
    if operation.method in WRITE_METHODS:
        return WRITES.get(operation.label)
    return READS.get(operation.label, EVERY_MEMBER)


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

    assert writes - WRITES.keys() == set(), "a write without decided roles"
    assert WRITES.keys() - writes == set(), "the table names an operation the schema no longer has"
    assert READS.keys() <= {op.label for op in company_operations}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_refused_exactly_what_the_table_keeps_from_it(acme, api, company_operations, unique, role):
    ids = rows_of_each(acme, f"rbac-{unique}")
    decided = [op for op in company_operations if allowed(op) is not None]

    answers = _answers(api(acme, role), decided, ids)

    denied = {op.label for op in decided if role not in allowed(op)}
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
