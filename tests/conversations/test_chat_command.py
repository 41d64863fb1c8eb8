"""The chat simulator: the sandbox replies view (real requests) and `manage.py chat` over HTTP (respx)."""

import io
import json

import httpx
import pytest
import respx
from django.core.management import CommandError, call_command
from django.test import Client
from django_tenants.utils import schema_context

from conversations.channels.services import channel_configure, channel_default_ensure
from conversations.management.commands import chat
from tenants.models import Company
from tests.conversations.factories import CompanyProfileFactory, ContactFactory, MessageFactory

ACME = Client(HTTP_HOST="acme.localhost")
GLOBEX = Client(HTTP_HOST="globex.localhost")
PHONE = "5511912345678"
URL = "http://testserver.local"


def sandbox_secret_of(schema: str) -> str:
    with schema_context(schema):
        channel_configure(kind="sandbox")
        return channel_default_ensure().inbound_secret


def messages_for(schema: str, phone: str, *texts: str, direction: str = "out") -> list[int]:
    with schema_context(schema):
        contact, channel = ContactFactory(phone=phone), channel_default_ensure()
        return [MessageFactory(contact=contact, channel=channel, direction=direction, text=text).id for text in texts]


def replies(client: Client, secret: str, **params) -> tuple[int, dict]:
    response = client.get(f"/webhook/sandbox/{secret}/replies", params)
    return response.status_code, response.json()


@pytest.fixture
def secret(acme) -> str:
    return sandbox_secret_of("acme")


# --- the replies view ----------------------------------------------------------------------

def test_replies_are_the_outbound_messages_to_that_contact_after_the_cursor_oldest_first(secret):
    first, second, third = messages_for("acme", PHONE, "um", "dois", "três")
    messages_for("acme", PHONE, "mensagem do cliente", direction="in")
    messages_for("acme", "5511900000000", "para outro contato")

    status, body = replies(ACME, secret, to=PHONE, after=first)

    assert status == 200
    assert [(r["id"], r["text"]) for r in body["replies"]] == [(second, "dois"), (third, "três")]
    assert set(body["replies"][0]) == {"id", "text", "created_at"}


def test_without_after_every_reply_comes_and_never_more_than_fifty(secret):
    ids = messages_for("acme", PHONE, *[f"resposta {n}" for n in range(55)])

    _, everything = replies(ACME, secret, to=PHONE)
    _, rest = replies(ACME, secret, to=f"+{PHONE}", after=ids[49])

    assert [r["id"] for r in everything["replies"]] == ids[:50]
    assert [r["id"] for r in rest["replies"]] == ids[50:]


def test_an_unknown_contact_has_no_replies(secret):
    assert replies(ACME, secret, to="5511988887777", after=0) == (200, {"replies": []})


@pytest.mark.parametrize(
    ("params", "field"),
    [({}, "'to'"), ({"to": "abc"}, "'to'"), ({"to": "1234567"}, "'to'"), ({"to": "1" * 16}, "'to'"),
     ({"to": PHONE, "after": "x"}, "'after'"), ({"to": PHONE, "after": "-1"}, "'after'"),
     ({"to": PHONE, "after": "1.5"}, "'after'")],
)
def test_bad_parameters_are_a_400_in_portuguese(secret, params, field):
    status, body = replies(ACME, secret, **params)

    assert status == 400
    assert field in body["detail"] and "deve" in body["detail"]


def test_a_wrong_secret_is_refused_before_the_parameters_are_looked_at(secret):
    messages_for("acme", PHONE, "segredo")

    assert replies(ACME, "errado", to=PHONE) == (401, {"detail": "Não autorizado."})
    assert replies(ACME, "errado", to="abc")[0] == 401


def test_another_companys_secret_is_refused(secret, globex):
    globex_secret = sandbox_secret_of("globex")
    messages_for("acme", PHONE, "da acme")

    assert replies(ACME, globex_secret, to=PHONE)[0] == 401
    assert replies(GLOBEX, secret, to=PHONE)[0] == 401


def test_each_company_sees_only_its_own_replies_for_the_same_phone(secret, globex):
    globex_secret = sandbox_secret_of("globex")
    messages_for("acme", PHONE, "da acme")
    messages_for("globex", PHONE, "da globex")

    assert [r["text"] for r in replies(ACME, secret, to=PHONE)[1]["replies"]] == ["da acme"]
    assert [r["text"] for r in replies(GLOBEX, globex_secret, to=PHONE)[1]["replies"]] == ["da globex"]


def test_a_company_not_on_the_sandbox_gets_401_even_with_its_secret(secret, acme_on_meta):
    messages_for("acme", PHONE, "oi")

    assert replies(ACME, secret, to=PHONE)[0] == 401


# --- the command, against a fake server -----------------------------------------------------

class FakeServer:
    """The two endpoints the simulator uses; every message posted gets one reply per entry of `answers`."""

    def __init__(self, router: respx.Router, secret: str, answers=("Olá! Em que posso ajudar?",)):
        self.answers, self.secret, self.stored, self.sent, self.hosts = answers, secret, [], [], set()
        router.post(f"{URL}/webhook/sandbox/{secret}").mock(side_effect=self.post)
        router.get(f"{URL}/webhook/sandbox/{secret}/replies").mock(side_effect=self.get)

    def post(self, request):
        self.hosts.add(request.headers["host"])
        payload = json.loads(request.content)
        self.sent.append(payload)
        for answer in self.answers:
            self.stored.append({"id": len(self.stored) + 1, "to": payload["from"], "text": answer,
                                "created_at": "2025-01-01T12:00:00Z"})
        return httpx.Response(200, json={"detail": "Recebida.", "status": "stored"})

    def get(self, request):
        self.hosts.add(request.headers["host"])
        to, after = request.url.params["to"], int(request.url.params["after"])
        mine = [{k: r[k] for k in ("id", "text", "created_at")} for r in self.stored
                if r["to"] == to and r["id"] > after]
        return httpx.Response(200, json={"replies": mine[:50]})


@pytest.fixture
def fast(monkeypatch):
    monkeypatch.setattr(chat, "POLL_SECONDS", 0.01)
    monkeypatch.setattr(chat, "SETTLE_SECONDS", 0.0)


def acme_name() -> str:
    return Company.objects.get(slug="acme").name


def run(*args: str, stdin: str | None = None) -> str:
    out = io.StringIO()
    extra = {"stdin": io.StringIO(stdin)} if stdin is not None else {}
    call_command("chat", "--tenant", "acme", "--url", URL, *args, stdout=out, stderr=io.StringIO(), **extra)
    return out.getvalue()


def test_say_posts_each_message_to_the_companys_host_and_prints_the_replies(secret, fast):
    with respx.mock(assert_all_called=True) as router:
        server = FakeServer(router, secret)
        output = run("--say", "oi", "--say", "quero marcar", "--phone", PHONE, "--name", "Maria")

    assert server.hosts == {"acme.localhost"}
    assert [(m["from"], m["text"], m["name"]) for m in server.sent] == [
        (PHONE, "oi", "Maria"), (PHONE, "quero marcar", "Maria")]
    assert output.splitlines() == [f"Conversando com {acme_name()} (acme.localhost) em {URL} como {PHONE}.",
                                   "você> oi", "Ana> Olá! Em que posso ajudar?",
                                   "você> quero marcar", "Ana> Olá! Em que posso ajudar?"]


def test_replies_are_signed_with_the_assistants_name_and_multi_line_text_stays_aligned(secret, fast):
    with schema_context("acme"):
        CompanyProfileFactory(assistant_name="Bia")
    with respx.mock as router:
        FakeServer(router, secret, answers=("Temos horários:\n1 - 9h\n2 - 10h",))
        output = run("--say", "horários?")

    assert "Bia> Temos horários:\n     1 - 9h\n     2 - 10h" in output


def test_replies_from_an_earlier_session_with_the_same_phone_are_not_shown_again(secret, fast):
    with respx.mock as router:
        server = FakeServer(router, secret)
        server.stored.append({"id": 1, "to": PHONE, "text": "resposta antiga", "created_at": "2025-01-01T00:00:00Z"})
        output = run("--say", "oi de novo", "--phone", PHONE)

    assert "resposta antiga" not in output
    assert "Ana> Olá! Em que posso ajudar?" in output


def test_a_script_file_sends_one_message_per_line_and_skips_blank_lines(secret, fast, tmp_path):
    script = tmp_path / "roteiro.txt"
    script.write_text("Oi, bom dia!\n\nQuero falar com um atendente\n", encoding="utf-8")
    with respx.mock as router:
        server = FakeServer(router, secret)
        run("--script", str(script))

    assert [m["text"] for m in server.sent] == ["Oi, bom dia!", "Quero falar com um atendente"]


def test_no_reply_within_wait_is_said_and_still_exits_cleanly(secret, fast):
    with respx.mock as router:
        FakeServer(router, secret, answers=())
        output = run("--say", "alô?", "--wait", "0.05")

    assert "(nenhuma resposta em 0.05 s" in output


def test_interactive_novo_switches_to_a_new_customer_and_sair_ends(secret, fast):
    with respx.mock as router:
        server = FakeServer(router, secret)
        output = run("--phone", PHONE, stdin="oi\n/novo\noi, sou outro\n/sair\nnão enviada\n")

    phones = [m["from"] for m in server.sent]
    assert [m["text"] for m in server.sent] == ["oi", "oi, sou outro"]
    assert phones[0] == PHONE and phones[1] != PHONE and chat.phone_valid(phones[1])
    assert f"— novo cliente: {phones[1]} —" in output
    assert output.count("Ana> Olá! Em que posso ajudar?") == 2


def test_without_phone_each_run_is_a_new_customer_and_says_which(secret, fast):
    with respx.mock as router:
        server = FakeServer(router, secret)
        first, second = run("--say", "oi"), run("--say", "oi")

    phones = [m["from"] for m in server.sent]
    assert phones[0] != phones[1] and all(chat.phone_valid(phone) for phone in phones)
    assert f"como {phones[0]}." in first.splitlines()[0] and f"como {phones[1]}." in second.splitlines()[0]


def test_ajuda_lists_the_commands_and_an_unknown_command_is_not_sent_to_the_bot(secret, fast):
    with respx.mock as router:
        server = FakeServer(router, secret)
        output = run("--say", "/ajuda", "--say", "/nov", "--say", "/espera 0", "--say", "oi")

    assert [m["text"] for m in server.sent] == ["oi"]
    for command in ("/novo", "/espera N", "/ajuda", "/sair"):
        assert any(line.startswith(command + " ") for line in output.splitlines())
    assert "Comando desconhecido: /nov. /ajuda lista os comandos." in output


def test_help_explains_where_the_server_comes_from_and_how_to_start_as_a_new_customer():
    text = chat.Command().create_parser("manage.py", "chat").format_help()

    assert ".data/run.json" in text and "--url" in text and "$PORT" in text
    assert "--phone N" in text and "\n  /novo      recomeça como um cliente novo" in text  # lines kept as written
    assert "/ajuda" in text and "/espera N" in text


def test_interactive_end_of_input_exits_cleanly(secret, fast):
    with respx.mock as router:
        server = FakeServer(router, secret)
        output = run(stdin="só uma\n")

    assert [m["text"] for m in server.sent] == ["só uma"]
    assert "você> só uma" in output


def test_an_unreachable_server_is_explained_in_portuguese(secret):
    with respx.mock as router:
        router.route(host="testserver.local").mock(side_effect=httpx.ConnectError("connection refused"))
        with pytest.raises(CommandError) as excinfo:
            run("--say", "oi")

    assert str(excinfo.value) == "Nenhum servidor em http://testserver.local: rode `make run` ou informe --url."


def test_a_refused_secret_is_explained(secret):
    with respx.mock as router:
        router.route(host="testserver.local").mock(return_value=httpx.Response(401, json={"detail": "Não autorizado."}))
        with pytest.raises(CommandError, match="recusou o segredo do sandbox de acme.localhost"):
            run("--say", "oi")


def test_a_company_without_a_sandbox_channel_is_told_how_to_add_one(acme_on_meta):
    with pytest.raises(CommandError) as excinfo:
        run("--say", "oi")

    message = str(excinfo.value)
    assert "não tem um canal sandbox ativo" in message
    assert "POST http://testserver.local/api/channels" in message and '"kind": "sandbox"' in message


def test_an_unknown_company_or_a_bad_phone_is_refused(secret):
    with pytest.raises(CommandError, match="Empresa 'nada' não encontrada.*acme"):
        call_command("chat", "--tenant", "nada", "--say", "oi", stdout=io.StringIO())
    with pytest.raises(CommandError, match="--phone"):
        run("--say", "oi", "--phone", "12ab")
