"""Factories of the conversations app: contacts, conversations, messages, channels, what the assistant knows.

They write in the schema that is current: call them inside `schema_context(company.schema_name)`.

    contact = ContactFactory(name="Maria Souza")          # a São Paulo mobile of its own
    chat = ConversationFactory(contact=contact)
    MessageFactory(conversation=chat, text="Oi, quero marcar")     # inbound, from the contact
    MessageFactory(conversation=chat, outbound=True)               # the assistant's answer
    second = ChannelFactory(name="Unidade Moema")                  # through channel_create (sandbox)

A contact is its phone: ContactFactory(phone=p) twice is one contact (as the webhooks see it).
"""

import factory
from factory.django import DjangoModelFactory

from conversations.channels.services import channel_create
from conversations.models import Channel, CompanyProfile, Contact, Conversation, KnowledgeItem, Message

CUSTOMERS = ["Maria Souza", "João Alves", "Ana Paula Ferreira", "Carlos Eduardo Lima", "Juliana Rocha",
             "Pedro Henrique Costa", "Fernanda Oliveira", "Lucas Martins", "Camila Ribeiro", "Rafael dos Santos",
             "Beatriz Carvalho", "Gabriel Pereira"]
FROM_CUSTOMERS = ["Oi, bom dia!", "Quero marcar uma consulta", "Vocês atendem sábado?",
                  "Quanto custa a limpeza de pele?", "Tem horário amanhã à tarde?", "Obrigada!"]
FROM_ASSISTANT = ["Olá! Como posso ajudar?", "Temos horários amanhã às 10:00 e às 14:30.",
                  "Atendemos aos sábados, das 8h às 12h.", "Agendamento confirmado. Até lá!"]
# Questions the demo company's knowledge base does not have (devstack/demo/conversations.py), so both can meet.
FAQS = [
    ("Atendem pelo convênio Unimed?", "Não; emitimos recibo para você pedir o reembolso ao seu plano.",
     "unimed, convênio, reembolso, plano"),
    ("Preciso levar algum documento?", "Traga um documento com foto e, se tiver, exames recentes.",
     "documento, rg, exames, levar"),
    ("Posso levar acompanhante?", "Pode sim; a sala de espera comporta um acompanhante por paciente.",
     "acompanhante, acompanhar, levar alguém"),
    ("Tem acessibilidade?", "Sim: rampa na entrada, elevador e banheiro adaptado.",
     "acessibilidade, cadeirante, rampa, elevador"),
    ("Como funciona o retorno?", "O retorno em até 30 dias após a consulta não é cobrado.",
     "retorno, revisão, voltar, gratuito"),
]


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact
        django_get_or_create = ("phone",)

    class Params:
        nameless = factory.Trait(name="")  # WhatsApp gave no profile name

    # São Paulo mobiles as digits, 55 11 97xxx-xxxx: a range no test writes by hand.
    phone = factory.Sequence(lambda n: f"551197{n:07d}")
    name = factory.Iterator(CUSTOMERS)


class ConversationFactory(DjangoModelFactory):
    """An open conversation with the assistant (status "bot"), on no channel unless given one."""

    class Meta:
        model = Conversation

    contact = factory.SubFactory(ContactFactory)
    channel = None
    status = Conversation.Status.BOT


class MessageFactory(DjangoModelFactory):
    """A message of a conversation's contact, or of a new contact without `conversation`.

    Inbound by default, waiting for the pipeline ("received"); `outbound=True` is one we sent.
    The channel is the conversation's and the provider the channel's kind ("sandbox" without one).
    """

    class Meta:
        model = Message

    class Params:
        inbound = factory.Trait(direction=Message.Direction.IN)
        outbound = factory.Trait(direction=Message.Direction.OUT)

    conversation = None
    contact = factory.Maybe("conversation", factory.SelfAttribute("conversation.contact"),
                            factory.SubFactory(ContactFactory))
    channel = factory.Maybe("conversation", factory.SelfAttribute("conversation.channel"), None)
    direction = Message.Direction.IN
    provider = factory.LazyAttribute(lambda message: message.channel.kind if message.channel else "sandbox")
    text = factory.LazyAttributeSequence(lambda message, n: _line(message.direction, n))
    state = factory.LazyAttribute(lambda message: Message.State.RECEIVED if message.direction == Message.Direction.IN
                                  else Message.State.OUTBOUND)


def _line(direction: str, n: int) -> str:
    lines = FROM_CUSTOMERS if direction == Message.Direction.IN else FROM_ASSISTANT
    return lines[n % len(lines)]


class ChannelFactory(factory.Factory):
    """A channel made by `channel_create` (checked values, its own inbound secret): a sandbox by default."""

    class Meta:
        model = Channel

    kind = "sandbox"
    name = factory.Iterator(["Recepção", "Unidade Moema", "Unidade Centro", "Financeiro"])
    data = factory.LazyFunction(dict)
    is_default = False
    enabled = True

    @classmethod
    def _create(cls, model_class, **kwargs) -> Channel:
        return channel_create(**kwargs)


class KnowledgeItemFactory(DjangoModelFactory):
    """A frequently asked question of a clinic and its answer."""

    class Meta:
        model = KnowledgeItem

    class Params:
        faq = factory.Iterator(FAQS)

    kind = KnowledgeItem.Kind.FAQ
    title = factory.LazyAttribute(lambda item: item.faq[0])
    answer = factory.LazyAttribute(lambda item: item.faq[1])
    keywords = factory.LazyAttribute(lambda item: item.faq[2])


class CompanyProfileFactory(DjangoModelFactory):
    """The company's one profile, as the model's defaults leave it (a second one is an IntegrityError)."""

    class Meta:
        model = CompanyProfile

    assistant_name = factory.Iterator(["Ana", "Bia", "Clara", "Luíza"])
