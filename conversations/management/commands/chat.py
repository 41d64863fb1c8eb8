"""`manage.py chat --tenant demo`: talk to the running server as a WhatsApp customer would.

It goes through the real path on purpose (HTTP webhook -> stored message -> Celery
pipeline -> outbound Message), so what you see is what a customer would get. Only
the company, its host and its sandbox secret are read from the database; everything
else is HTTP against the server, with the company's host in the Host header so no DNS
for *.localhost is needed. The server is `--url`, else the one `make run` recorded in
.data/run.json while it runs (so a `PORT=8066 make run` is found without flags), else
127.0.0.1:$PORT.
"""

import argparse
import json
import os
import secrets
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, DjangoHelpFormatter
from django.db import DatabaseError
from django.db.models import Q
from django_tenants.utils import schema_context

from conversations.api.sandbox import MAX_REPLIES
from conversations.assistant.models import CompanyProfile
from conversations.channels.models import Channel
from tenants.models import PUBLIC_SCHEMA, TEMPLATE_SCHEMA, Company

PROMPT = "você> "
POLL_SECONDS = 0.3  # between two looks at the replies
SETTLE_SECONDS = 0.6  # after a reply, how long to wait for the rest of a multi-message answer
# Without a profile the engine introduces itself by the profile's default name: sign its replies the same.
DEFAULT_ASSISTANT = CompanyProfile._meta.get_field("assistant_name").default
# Written by `make run` while its web server is up (devstack/launcher.py, record_run_url).
RUN_FILE = "run.json"

IN_CHAT_COMMANDS = (
    ("/novo", "recomeça como um cliente novo (outro telefone, aleatório)"),
    ("/espera N", "mostra o que chegar nos próximos N s (padrão 5): lembretes, a resposta da equipe"),
    ("/ajuda", "lista estes comandos"),
    ("/sair", "encerra (ou Ctrl-D)"),
)

HELP = f"""\
Simula um cliente no WhatsApp: envia mensagens ao webhook sandbox do servidor em execução e mostra
as respostas, pelo mesmo caminho de um cliente de verdade (webhook, worker do Celery, resposta).

Servidor: --url; sem ele, o do `make run` em execução (ele se registra em .data/run.json, com a
porta que estiver usando); sem `make run`, http://127.0.0.1:$PORT (padrão 8000).

Cliente: cada execução começa como um cliente novo, com um telefone aleatório mostrado no início.
--phone N fala como o cliente N: repita o mesmo N para continuar a conversa dele (por exemplo,
remarcar o que ele marcou). Dentro da conversa, /novo recomeça como outro cliente.

Comandos na conversa (também valem em --say e --script):
{chr(10).join(f"  {name:<10} {text}" for name, text in IN_CHAT_COMMANDS)}

Exemplos:
  make manage ARGS="chat --tenant demo"
  make manage ARGS="chat --tenant demo --say 'Oi, bom dia!' --say 'Quanto custa a limpeza de pele?'"
  make manage ARGS="chat --tenant demo --phone 5511987650001 --say 'quero remarcar'"
"""


@dataclass(frozen=True)
class Target:
    """Everything the simulator needs from the database, read once at start."""

    company: str
    domain: str
    secret: str
    assistant: str


def company_find(tenant: str) -> Company:
    company = (Company.objects.filter(Q(schema_name=tenant) | Q(slug=tenant))
               .exclude(schema_name__in=(PUBLIC_SCHEMA, TEMPLATE_SCHEMA)).first())
    if company is None:
        known = ", ".join(Company.objects.exclude(schema_name__in=(PUBLIC_SCHEMA, TEMPLATE_SCHEMA))
                          .order_by("slug").values_list("slug", flat=True)[:10])
        raise CommandError(f"Empresa '{tenant}' não encontrada (informe o schema ou o slug). "
                           f"Empresas existentes: {known or 'nenhuma'}.")
    return company


def target_for(tenant: str, *, url: str) -> Target:
    try:
        return _target(tenant, url=url)
    except DatabaseError as exc:
        raise CommandError(f"Não foi possível ler a empresa no banco ({exc.__class__.__name__}). "
                           "Rode `make run` ao menos uma vez para criar e migrar o banco; "
                           "depois use `make manage` para este comando (com o mesmo DATABASE_URL "
                           "do `make run`, se ele usa um).") from exc


def _target(tenant: str, *, url: str) -> Target:
    company = company_find(tenant)
    domain = company.domains.order_by("-is_primary", "id").values_list("domain", flat=True).first()
    if domain is None:
        raise CommandError(f"A empresa '{company.slug}' não tem domínio cadastrado.")
    with schema_context(company.schema_name):
        channel = Channel.objects.filter(kind="sandbox", enabled=True).order_by("-is_default", "id").first()
        profile = CompanyProfile.objects.first()
    if channel is None:
        raise CommandError(_not_sandbox(company, domain=domain, url=url))
    assistant = (profile.assistant_name if profile else "") or DEFAULT_ASSISTANT
    return Target(company=company.name, domain=domain, secret=channel.inbound_secret, assistant=assistant)


def _not_sandbox(company: Company, *, domain: str, url: str) -> str:
    return (
        f"A empresa '{company.slug}' não tem um canal sandbox ativo, e o simulador só conversa pelo sandbox. "
        "Para criar um, ao lado dos números que ela já tem (como dono ou gerente):\n"
        f"  curl -X POST {url}/api/channels -H 'Host: {domain}' -H 'Authorization: Bearer <token>' \\\n"
        "       -H 'Content-Type: application/json' -d '{\"kind\": \"sandbox\", \"name\": \"Simulador\"}'"
    )


def run_file_path() -> Path:
    """The file `make run` keeps its URL in: .data/ (or $SECRETARIA_DATA_DIR), as devstack/launcher.py says."""
    return Path(os.environ.get("SECRETARIA_DATA_DIR") or settings.BASE_DIR / ".data") / RUN_FILE


def running_server_url(path: Path) -> str | None:
    """The URL `make run` recorded, while the web server it names is alive (a killed run leaves a stale file)."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        url, pid = str(record["url"]), int(record["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return url if _process_alive(pid) else None


def _process_alive(pid: int) -> bool:
    if pid <= 0:
        return False  # 0 and negatives name process groups for kill(), not a process
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True


def server_url(explicit: str | None) -> str:
    """--url, else the running `make run`'s, else 127.0.0.1:$PORT (the launcher's own default)."""
    url = explicit or running_server_url(run_file_path()) or f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
    return url.rstrip("/")


def commands_help() -> str:
    return "\n".join(f"{name:<10} {text}" for name, text in IN_CHAT_COMMANDS)


def random_phone() -> str:
    """A fresh Brazilian mobile number, i.e. a customer the company has never seen."""
    return f"55119{secrets.randbelow(10**8):08d}"


def phone_valid(phone: str) -> bool:
    return phone.isdigit() and 8 <= len(phone) <= 15


class ChatClient:
    """The HTTP side: post to the sandbox webhook and read the replies, errors in pt-BR."""

    def __init__(self, *, url: str, target: Target, timeout: float = 10.0):
        self.url = url
        self.target = target
        self.http = httpx.Client(base_url=url, headers={"Host": target.domain}, timeout=timeout)

    def close(self) -> None:
        self.http.close()

    def send(self, *, phone: str, name: str, text: str) -> None:
        self._call("POST", f"/webhook/sandbox/{self.target.secret}", json={"from": phone, "text": text, "name": name})

    def replies(self, *, phone: str, after: int) -> list[dict]:
        body = self._call("GET", f"/webhook/sandbox/{self.target.secret}/replies",
                          params={"to": phone, "after": after})
        return body.get("replies", [])

    def _call(self, method: str, path: str, **kwargs) -> dict:
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.ConnectError as exc:
            raise CommandError(f"Nenhum servidor em {self.url}: rode `make run` ou informe --url.") from exc
        except httpx.TimeoutException as exc:
            raise CommandError(f"O servidor em {self.url} não respondeu a tempo; tente de novo.") from exc
        except httpx.HTTPError as exc:
            raise CommandError(f"Falha ao falar com o servidor em {self.url}: {exc}") from exc
        if response.is_error:
            raise CommandError(self._explain(response))
        return _json(response)

    def _explain(self, response: httpx.Response) -> str:
        detail = _json(response).get("detail") or response.reason_phrase
        host = self.target.domain
        if response.status_code == 401:
            return (f"O servidor recusou o segredo do sandbox de {host} (401). Ele usa o mesmo banco "
                    "de dados que este comando? Se o segredo foi trocado, rode o comando de novo.")
        if response.status_code == 404:
            return (f"{response.request.method} {response.request.url.path} em {host}: 404 ({detail}). "
                    "Confira o domínio; se o código mudou, reinicie o `make run`.")
        return f"O servidor respondeu {response.status_code} em {host}: {detail}"


def _json(response: httpx.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class Chat:
    """One simulated customer at a time; `cursor` is the last reply already shown."""

    def __init__(self, client: ChatClient, *, phone: str, name: str, wait: float, out):
        self.client, self.phone, self.name, self.wait, self.out = client, phone, name, wait, out
        self.cursor = 0

    def start(self) -> None:
        """Skip the replies of earlier sessions with this phone (and prove the server answers)."""
        self.fetch(show=False)

    def new_customer(self) -> None:
        self.phone, self.cursor = random_phone(), 0
        self.start()
        self.out.write(f"— novo cliente: {self.phone} —")

    def turn(self, text: str) -> None:
        self.fetch(show=True)  # whatever arrived since the last turn (a person from the team, a reminder...)
        self.client.send(phone=self.phone, name=self.name, text=text)
        if not self.await_replies():
            self.out.write(f"(nenhuma resposta em {self.wait:g} s — a conversa pode estar com a equipe, "
                           "ou o worker do Celery não está rodando)")

    def pause(self, seconds: float) -> None:
        """Show whatever arrives in the next `seconds` (a reminder, a person from the team, a link)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.fetch(show=True)
            time.sleep(POLL_SECONDS)
        self.fetch(show=True)

    def await_replies(self) -> int:
        """Poll until a reply arrives (then a short settle for the rest of it) or --wait passes."""
        deadline, settle_until, shown = time.monotonic() + self.wait, 0.0, 0
        while True:
            if arrived := self.fetch(show=True):
                shown, settle_until = shown + arrived, time.monotonic() + SETTLE_SECONDS
            if time.monotonic() >= (settle_until if shown else deadline):
                return shown
            time.sleep(POLL_SECONDS)

    def fetch(self, *, show: bool) -> int:
        count = 0
        while True:
            page = self.client.replies(phone=self.phone, after=self.cursor)
            for reply in page:
                self.cursor = max(self.cursor, int(reply["id"]))
                if show:
                    self.print_reply(reply.get("text", ""))
            count += len(page)
            if len(page) < MAX_REPLIES:
                return count

    def print_reply(self, text: str) -> None:
        prefix = f"{self.client.target.assistant}> "
        self.out.write(prefix + text.replace("\n", "\n" + " " * len(prefix)))


class HelpFormatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Keeps the description's lines and indentation (the command list, the examples) as written."""


class Command(BaseCommand):
    help = HELP
    stealth_options = ("stdin",)  # tests hand in their own input stream

    def create_parser(self, prog_name, subcommand, **kwargs):
        return super().create_parser(prog_name, subcommand, formatter_class=HelpFormatter, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="schema ou slug da empresa (ex.: demo)")
        parser.add_argument("--url", help="endereço do servidor (padrão: o do `make run` em execução, "
                                          "senão http://127.0.0.1:$PORT)")
        parser.add_argument("--phone", help="telefone do cliente, só dígitos, ex.: 5511987650001 "
                                            "(padrão: um cliente novo, telefone aleatório)")
        parser.add_argument("--name", default="Cliente Teste", help="nome do cliente")
        parser.add_argument("--wait", type=float, default=15.0, help="segundos de espera por resposta")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--script", help="arquivo com uma mensagem por linha (não interativo)")
        group.add_argument("--say", action="append", help="mensagem a enviar; pode repetir (não interativo)")

    def handle(self, *args, **opts):
        phone = (opts["phone"] or random_phone()).strip().lstrip("+")
        if not phone_valid(phone):
            raise CommandError("--phone deve ter só dígitos (8 a 15), por exemplo 5511987650001.")
        url = server_url(opts["url"])
        script = _script_lines(opts)
        client = ChatClient(url=url, target=target_for(opts["tenant"], url=url))
        try:
            chat = Chat(client, phone=phone, name=opts["name"], wait=max(opts["wait"], 0.0), out=self.stdout)
            chat.start()
            self.stdout.write(f"Conversando com {chat.client.target.company} ({chat.client.target.domain}) "
                              f"em {url} como {chat.phone}.")
            if script is not None:
                self._run_script(chat, script)
            else:
                self._run_interactive(chat, opts.get("stdin") or sys.stdin)
        finally:
            client.close()

    def _run_script(self, chat: Chat, lines: list[str]) -> None:
        for line in lines:
            self.stdout.write(PROMPT + line)
            if not self._handle(chat, line):
                return

    def _run_interactive(self, chat: Chat, stream) -> None:
        self.stdout.write("/novo = novo cliente, /espera N = aguardar N s, /ajuda = comandos, /sair ou Ctrl-D = sair.")
        try:
            while True:
                line = self._read(stream)
                try:
                    if not self._handle(chat, line):
                        return
                except CommandError as exc:  # the server may come back: keep the session
                    self.stderr.write(str(exc))
        except (EOFError, KeyboardInterrupt):
            self.stdout.write("")

    def _read(self, stream) -> str:
        if stream is sys.stdin and stream.isatty():
            return input(PROMPT).strip()  # line editing; Ctrl-D raises EOFError
        line = stream.readline()
        if not line:
            raise EOFError
        self.stdout.write(PROMPT + line.strip())  # piped input: echo it, for a readable transcript
        return line.strip()

    def _handle(self, chat: Chat, line: str) -> bool:
        """One line typed by the customer; False ends the session."""
        if not line.startswith("/"):
            if line:
                chat.turn(line)
            return True
        command, _, argument = line.partition(" ")
        if command == "/sair":
            return False
        if command == "/novo":
            chat.new_customer()
        elif command == "/espera":
            chat.pause(_seconds(argument))
        elif command == "/ajuda":
            self.stdout.write(commands_help())
        else:  # a typo must not reach the bot as a customer's message
            self.stdout.write(f"Comando desconhecido: {command}. /ajuda lista os comandos.")
        return True


def _seconds(value: str) -> float:
    """ "5" -> 5.0; "" -> 5.0 (between 0 and 60)."""
    try:
        return min(max(float(value or 5), 0.0), 60.0)
    except ValueError:
        return 5.0


def _script_lines(opts: dict) -> list[str] | None:
    if opts["say"]:
        return [text.strip() for text in opts["say"] if text.strip()]
    if not opts["script"]:
        return None
    try:
        text = Path(opts["script"]).read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"Não foi possível ler o roteiro {opts['script']}: {exc.strerror}") from exc
    return [line.strip() for line in text.splitlines() if line.strip()]
