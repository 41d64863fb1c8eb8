"""Each piece of a company's data stays inside its company.

One of each main model is made with the factories in acme (and in globex): none of acme's rows
is in globex's schema, and each company's API lists show its own rows and none of the other's.
(Staff accounts, ids and tokens across companies: tests/accounts/test_isolation.py.)
"""

from dataclasses import dataclass

import pytest
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.roles import Role
from agenda.models import Appointment, FollowUp, Professional, Reminder, Service, WorkingHours
from conversations.models import Channel, CompanyProfile, Contact, Conversation, KnowledgeItem, Message
from tenants.models import Company
from tests.agenda.factories import (
    AppointmentFactory,
    FollowUpFactory,
    ProfessionalFactory,
    ReminderFactory,
    ServiceFactory,
)
from tests.conversations.factories import (
    ChannelFactory,
    CompanyProfileFactory,
    ContactFactory,
    ConversationFactory,
    KnowledgeItemFactory,
    MessageFactory,
)
from tests.factories import UserFactory


@dataclass(frozen=True)
class Made:
    """What one company was given: the rows' distinctive values, to look for them anywhere."""

    marker: str
    phone: str
    email: str

    def lookups(self) -> list[tuple[type, dict, int]]:
        """(model, filter, how many rows it matches in the company that has them)."""
        phone = self.phone
        return [
            (Channel, {"name": f"Canal {self.marker}"}, 1),
            (Contact, {"phone": phone}, 1),
            (Conversation, {"contact__phone": phone}, 1),
            (Message, {"contact__phone": phone}, 2),
            (KnowledgeItem, {"title": f"Pergunta de {self.marker}?"}, 1),
            (CompanyProfile, {"assistant_name": self.marker}, 1),
            (Professional, {"name": f"Dra. {self.marker}"}, 1),
            (WorkingHours, {"professional__name": f"Dra. {self.marker}"}, 5),
            (Service, {"name": f"Consulta {self.marker}"}, 1),
            (Appointment, {"contact__phone": phone}, 2),
            (Reminder, {"appointment__contact__phone": phone}, 1),
            (FollowUp, {"appointment__contact__phone": phone}, 1),
            (User, {"email": self.email}, 1),
        ]


def one_of_each(company: Company, marker: str) -> Made:
    with schema_context(company.schema_name):
        channel = ChannelFactory(name=f"Canal {marker}")
        contact = ContactFactory(name=f"Cliente {marker}")
        conversation = ConversationFactory(contact=contact, channel=channel)
        MessageFactory(conversation=conversation, text="Quero marcar uma consulta")
        MessageFactory(conversation=conversation, outbound=True, text="Temos amanhã às 10:00.")
        KnowledgeItemFactory(title=f"Pergunta de {marker}?")
        CompanyProfileFactory(assistant_name=marker)
        professional = ProfessionalFactory(name=f"Dra. {marker}", weekdays=range(5))
        service = ServiceFactory(name=f"Consulta {marker}", professionals=[professional])
        visit = AppointmentFactory(contact=contact, service=service, professional=professional)
        ReminderFactory(appointment=visit)
        FollowUpFactory(appointment__contact=contact, appointment__service=service,
                        appointment__professional=professional)
        staff = UserFactory(email=f"{marker}@{company.slug}.test", role=Role.OPERATOR)
    return Made(marker=marker, phone=contact.phone, email=staff.email)


def found(company: Company, made: Made) -> dict[str, int]:
    with schema_context(company.schema_name):
        return {model.__name__: model.objects.filter(**lookup).count() for model, lookup, _ in made.lookups()}


def test_what_is_made_in_acme_is_in_acme_and_nowhere_in_globex(acme, globex, unique):
    made = one_of_each(acme, f"acme-{unique}")

    assert found(acme, made) == {model.__name__: count for model, _, count in made.lookups()}
    assert found(globex, made) == {model.__name__: 0 for model, _, _ in made.lookups()}


# Each list, and what in it tells one company's row from another's.
LISTS = {
    "/api/conversations": lambda body: {row["contact"]["phone"] for row in body["results"]},
    "/api/channels": lambda body: {row["name"] for row in body},
    "/api/agenda/appointments": lambda body: {row["contact"]["phone"] for row in body["results"]},
    "/api/agenda/followups": lambda body: {row["appointment"]["contact"]["phone"] for row in body["results"]},
    "/api/agenda/services": lambda body: {row["name"] for row in body["results"]},
    "/api/agenda/professionals": lambda body: {row["name"] for row in body["results"]},
    "/api/users": lambda body: {row["email"] for row in body["results"]},
}


def shown_as(path: str, made: Made) -> str:
    return {"/api/channels": f"Canal {made.marker}", "/api/agenda/services": f"Consulta {made.marker}",
            "/api/agenda/professionals": f"Dra. {made.marker}", "/api/users": made.email}.get(path, made.phone)


@pytest.mark.parametrize("path", LISTS)
def test_each_companys_api_list_shows_its_own_rows_and_none_of_the_others(acme, globex, api, unique, path):
    made = {acme: one_of_each(acme, f"acme-{unique}"), globex: one_of_each(globex, f"globex-{unique}")}

    for company, other in ((acme, globex), (globex, acme)):
        response = api(company, "owner").get(path)
        assert response.status_code == 200, response.content
        listed = LISTS[path](response.json())
        assert shown_as(path, made[company]) in listed
        assert shown_as(path, made[other]) not in listed
