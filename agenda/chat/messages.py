"""What the agenda says to the customer (pt-BR), and how a slot or an appointment is written."""

from datetime import datetime
from zoneinfo import ZoneInfo

from secretaria.ptbr import WEEKDAY_NAMES, WEEKDAY_SHORT

HOW_TO_CHOOSE = "Responda com o número da opção ou me diga outro dia e período (ex.: “sexta à tarde”)."
OFFER = "Tenho estes horários livres{what}:"
OFFER_NEAR = "Não encontrei exatamente o que você pediu, mas tenho estes horários livres{what}:"
OFFER_ON_OPEN_DAY = "Tenho estes horários livres na {day}:"
OFFER_OTHER_DAY = "Sem problemas, em outro dia então! Veja estas opções{what}:"
CLOSED_DAY = "{day} não abrimos — atendemos {opens}. "
DROPPED_SLOT = "Tudo bem, não marquei aquele horário."
NOT_MOVED = "Tudo bem, não mudei o seu horário."
DROPPED_WAITLIST = "Tudo bem, não coloquei você na lista de espera."
DROPPED_LIST = "Tudo bem, deixei aqueles horários de lado."
WHEN_YOU_WANT = "Quando quiser marcar, é só me chamar por aqui."
WHICH_SLOT = "Claro! Qual deles você prefere?"
OFFER_AGAIN = "Sem problemas! Veja estas outras opções{what}:"
SLOT_TAKEN = "Poxa, esse horário acabou de ser preenchido por outra pessoa. 😕 Veja estas outras opções:"
NO_SLOTS = ("Não encontrei horários livres{what}{when}. Quer que eu coloque você na lista de espera e avise "
            "assim que abrir uma vaga? Se preferir, me diga outro dia ou período que eu procuro.")
NONE_FITS = ("Entendi, nenhum desses serve. Quer que eu coloque você na lista de espera e avise assim que abrir "
             "uma vaga? Se preferir, me diga outro dia ou período (ex.: “semana que vem de manhã”).")
ASK_SERVICE = "Vamos agendar! Qual serviço você deseja?"
# A waitlist wish with no dialog open: we look at what is free first (the waitlist is offered when nothing is).
ASK_SERVICE_WAITLIST = ("Vejo primeiro o que já está livre e, se nada servir, deixo você na lista de espera. "
                        "Qual serviço você deseja?")
CONFIRM_SLOT = "Tenho {slot}{who}{what}. Posso confirmar esse horário?"
BOOKED = "Prontinho, agendado! ✅\n{what}{slot}{who}."
RESCHEDULED = "Prontinho, remarcado! ✅\n{what}{slot}{who}."
AFTER_BOOKING = "Você vai receber um lembrete antes. Se precisar remarcar ou cancelar, é só me avisar por aqui."
ADDRESS = "📍 {address}"
CALENDAR_DOWN = ("Desculpe, não consegui acessar a agenda agora. Pode tentar de novo daqui a alguns minutos? "
                 "Se preferir, chamo alguém da nossa equipe.")
CALENDAR_REJECTED = ("Desculpe, a agenda não aceitou esse horário. Já pedi para a nossa equipe verificar; "
                     "falamos com você por aqui.")
GIVE_UP = "Tudo bem! Quando quiser marcar, é só me chamar por aqui."
NO_APPOINTMENTS = ("Não encontrei nenhum agendamento futuro no seu nome. Quer marcar um horário? É só me dizer "
                   "o dia e o período que prefere.")
CHOOSE_APPOINTMENT = "Você tem mais de um agendamento. Qual deles você quer {verb}?"
CONFIRM_CANCEL = "Confirma o cancelamento de {what}{slot}? (sim/não)"
CANCELLED = "Pronto, cancelei {what}{slot}. Se quiser marcar outro dia, é só me chamar."
KEPT = "Tudo bem, mantive o seu horário de {slot}. 😊"
RESCHEDULE_INTRO = "Vamos remarcar {what}{slot}. {offer}"
APPOINTMENT_GONE = "Esse agendamento não está mais ativo, então não há o que mudar. Posso ajudar com outra coisa?"
REMINDER_CONFIRMED = "Obrigado por confirmar! Te esperamos {slot}{who}. 😊"
REMINDER_WHICH = "Entendi. Você prefere remarcar ou cancelar? Responda 2 para remarcar ou 3 para cancelar."
FOLLOWUP_THANKS = "Muito obrigado pelo seu retorno! Ficamos felizes em atender você. 😊"
FOLLOWUP_NEUTRAL = "Obrigado pelo seu retorno! Ele ajuda a gente a melhorar sempre."
FOLLOWUP_NEGATIVE = ("Sinto muito que a experiência não tenha sido boa. Já avisei a nossa equipe, que vai entrar "
                     "em contato com você por aqui.")
REBOOK_DECLINED = "Tudo bem! Quando quiser remarcar, é só me chamar por aqui."
WAITLIST_JOINED = ("Pronto! Coloquei você na lista de espera{what}{when}. Assim que abrir um horário, eu te aviso "
                   "por aqui.")
WAITLIST_OFFER = ("Boa notícia! Abriu um horário: {slot}{who}{what}. Quer ficar com ele? Responda SIM para "
                  "agendar — quem confirmar primeiro fica com a vaga.")
WAITLIST_FILLED = ("Poxa, a vaga de {slot} já foi preenchida. 😕 Você continua na lista de espera e eu aviso "
                   "quando abrir outra.")
WAITLIST_TOO_LATE = "Poxa, essa vaga já foi preenchida por outra pessoa. 😕"
WAITLIST_DECLINED = "Tudo bem! Você continua na lista de espera e eu aviso quando abrir outro horário."


def local(moment: datetime, tz: str) -> datetime:
    return moment.astimezone(ZoneInfo(tz))


def slot_label(start: datetime, tz: str) -> str:
    """"terça, 02/12 às 15:00"."""
    at = local(start, tz)
    return f"{WEEKDAY_NAMES[at.weekday()]}, {at:%d/%m} às {at:%H:%M}"


def slot_title(start: datetime, tz: str) -> str:
    """A list row title (Meta allows 24 characters): "Ter, 02/12 às 15:00". Read back by parse_when."""
    at = local(start, tz)
    return f"{WEEKDAY_SHORT[at.weekday()]}, {at:%d/%m} às {at:%H:%M}"


def on_weekday(weekday: int, *, plural: bool = False) -> str:
    """"No domingo", "Aos sábados"."""
    name = WEEKDAY_NAMES[weekday]
    if plural:
        return f"{'aos' if weekday >= 5 else 'às'} {name}{'s' if not name.endswith('s') else ''}"
    return f"{'no' if weekday >= 5 else 'na'} {name}"


def open_days_text(weekdays: set[int]) -> str:
    """"de segunda a sábado", or "segunda, quarta e sexta"."""
    days = sorted(weekdays)
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        return f"de {WEEKDAY_NAMES[days[0]]} a {WEEKDAY_NAMES[days[-1]]}"
    names = [WEEKDAY_NAMES[d] for d in days]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " e " + names[-1]


def who(name: str | None) -> str:
    return f" com {name}" if name else ""


def service_part(name: str | None, *, prefix: str = " para ") -> str:
    return f"{prefix}{name}" if name else ""


def numbered(intro: str, lines: list[str], outro: str = HOW_TO_CHOOSE) -> str:
    body = "\n".join(f"{index}) {line}" for index, line in enumerate(lines, start=1))
    return "\n\n".join(part for part in (intro, body, outro) if part)
