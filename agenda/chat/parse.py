"""Reading a customer's answer in Brazilian Portuguese: pure functions, no database.

The flow asks something (a numbered list of slots, "posso confirmar?", a reminder's
"1 confirmar / 2 remarcar / 3 cancelar") and reads the answer with these. Each returns
None (or False) when the text is not that kind of answer, so the flow can try the next
reading — or step aside and let the conversation engine answer.

Dates and times: the common spoken forms ("terça às 15h", "amanhã de manhã", "depois
das 17h", "dia 12 à tarde") are read by our own rules, because dateparser gets several of
them wrong in Portuguese ("terça às 15h" lands in the past, "sexta 9h30" in 2030);
dateparser reads the explicit calendar dates ("12 de dezembro", "5/1/2027").
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import dateparser

from agenda.types import Slot, SlotQuery
from secretaria.ptbr import WEEKDAY_NUMBERS, fold

DEFAULT_TZ = "America/Sao_Paulo"
MORNING = (time(8), time(12))
AFTERNOON = (time(12), time(18))
EVENING = (time(18), time(21))

CONFIRM, RESCHEDULE, CANCEL = "confirm", "reschedule", "cancel"

_NUMBER_WORDS = {"um": 1, "uma": 1, "dois": 2, "duas": 2, "tres": 3, "quatro": 4, "cinco": 5, "seis": 6,
                 "sete": 7, "oito": 8, "nove": 9, "dez": 10, "onze": 11, "doze": 12}
_ORDINALS = {"primeir": 1, "segund": 2, "terceir": 3, "quart": 4, "quint": 5, "sext": 6, "setim": 7,
             "oitav": 8, "non": 9, "decim": 10}
# Feminine ordinals that are also weekdays: "a segunda" is the second option, "na segunda" is Monday.
_WEEKDAY_ORDINALS = {"segunda", "quarta", "quinta", "sexta"}


def clean(text: str) -> str:
    """Normalised (lower case, no accents) with punctuation as spaces; keeps ':' and '/' of times and dates."""
    text = re.sub("[\ufe0f\u20e3]", "", text or "")  # keycap emojis "2️⃣" -> "2"
    text = fold(text)
    text = re.sub(r"[^\w:/\s\U0001F300-\U0001FAFF\u2705]", " ", text)
    text = re.sub(r"(?<!\d)[:/]|[:/](?!\d)", " ", text)
    return re.sub(r"\s+", " ", text).strip()


# --- a number from an offered list ----------------------------------------------------------

_FILLERS = (
    "vou querer", "pode ser", "fico com", "pode marcar", "por favor", "quero o", "quero a", "de numero",
    "quero", "queria", "prefiro", "escolho", "seria", "marca", "marque", "agenda", "agende", "vou de", "e", "eh",
    "o", "a", "os", "as", "numero", "num", "n", "no", "opcao", "op", "alternativa", "horario", "esse", "essa",
    "este", "esta", "mesmo", "entao", "pfv", "pf", "pode", "sim", "ok", "obrigado", "obrigada", "ai", "la",
    # WhatsApp wording around a pick: "manda o 3 msm", "bora no 2", "fico com a terceira opção, tá ótimo"
    "manda", "mande", "msm", "mesma", "bora", "vamos de", "vai", "vai ser", "vou ficar com", "fico", "com",
    "quero esse", "pra mim", "para mim", "me", "serve", "ta", "esta otimo", "otimo", "perfeito", "blz", "beleza",
    "show", "certo", "isso", "nº", "numero", "da lista", "das opcoes", "de la", "de cima", "la de cima", "opcoes",
)
_SIGNALS = {"a", "opcao", "op", "alternativa", "numero", "num", "n", "fico com", "manda", "mande",
            "vou ficar com", "da lista", "das opcoes"}
_FILLER_RE = re.compile(r"\b(?:" + "|".join(re.escape(f) for f in sorted(_FILLERS, key=len, reverse=True)) + r")\b")
_NUMBER_TOKEN = re.compile(r"^#?(\d{1,2})(?:o|a)?$")
_ORDINAL_TOKEN = re.compile(r"^(" + "|".join(_ORDINALS) + r")[oa]$")


def parse_choice(text: str, count: int) -> int | None:
    """The 1-based option chosen from a list of `count`: "2", "a segunda", "opção 3", "quero o 1º", "a última"."""
    norm = clean(text)
    if not norm or count < 1 or "feira" in norm:
        return None
    signals = {m.group(0) for m in _FILLER_RE.finditer(norm)} & _SIGNALS
    rest = _FILLER_RE.sub(" ", norm).split()
    if len(rest) != 1:
        return None
    token = rest[0]
    if match := _NUMBER_TOKEN.match(token):
        number = int(match.group(1))
    elif token in ("ultimo", "ultima"):
        number = count
    elif match := _ORDINAL_TOKEN.match(token):
        if token in _WEEKDAY_ORDINALS and not signals:
            return None  # "segunda" alone is Monday
        number = _ORDINALS[match.group(1)]
    else:
        return None
    return number if 1 <= number <= count else None


# --- yes / no, reminders, giving up ---------------------------------------------------------

_NEGATION = re.compile(r"\b(nao|nem|negativo|nunca)\b")
_NO = re.compile(r"^(?:nao|n|nem|negativo|nops?|nope|melhor nao|deixa|esquece|desisto|agora nao|nada)\b"
                 r"|\bnao (?:quero|precisa|obrigad\w*|posso|vou|da|serve|gostei)\b")
_YES = re.compile(r"^(?:sim|s|ss|isso|pode|confirm\w*|claro|com certeza|ok|okay|oks|blz|beleza|certo|fechado"
                  r"|perfeito|otimo|quero|vou|bora|yes|top|combinado|marca|aceito|manda|positivo|por favor|exato"
                  r"|uhum|aham|show|legal|tranquilo|pode ser|isso mesmo|sim sim)\b|^(?:\U0001F44D|\u2705|\U0001F44C)")


def parse_yes_no(text: str) -> bool | None:
    """True for "sim", "pode ser", "confirmo", "👍"; False for "não", "melhor não"; None otherwise."""
    norm = clean(text)
    if not norm:
        return None
    if _NO.search(norm):
        return False
    if _YES.search(norm) and not _NEGATION.search(norm):
        return True
    return None


_REMINDER_NUMBER = re.compile(r"^(?:opcao |numero |op )?([123])(?![\d:/h])")
_RESCHEDULE_WORDS = re.compile(
    r"\b(remarc\w*|reagend\w*|adiar|adia|adiamento|outro (dia|horario)|outra (data|hora)|mudar|trocar|mudanca"
    r"|transferir|passar para outro)\b")
_CANCEL_WORDS = re.compile(
    r"\b(cancel\w*|desmarc\w*|nao (vou|vai|irei) (mais )?(poder |conseguir )?(ir|comparecer|dar)"
    r"|nao (posso|consigo|poderei|conseguirei)( ir| comparecer)?|nao irei|nao vai dar|nao vou mais)\b")
_CONFIRM_WORDS = re.compile(
    r"\b(confirm\w*|vou sim|vou|irei|estarei( la| ai| presente)?|pode contar|sim|ok|okay|combinado|certo"
    r"|com certeza|claro|beleza|blz|tudo certo|positivo|to indo|estou indo|presente|s)\b"
    r"|\U0001F44D|\u2705|\U0001F44C")


# Moving an appointment in everyday words: "dá pra passar pra semana que vem?", "consigo trocar pra outro
# dia?", "preciso mudar meu horário". A verb of moving with where to, or with what is moved.
_MOVE_VERB = r"(?:passar|passa|mudar|muda|trocar|troca|mover|move|jogar|joga|alterar|altera)"
_MOVE_DET = r"(?: (?:o|a|meu|minha|o meu|a minha|ele|ela|isso|esse|essa|nosso|nossa|de))?"
_MOVE = re.compile(
    r"\b(remarc\w*|reagend\w*|adiar|adia|adiamento|transferir|transfere|empurrar|empurra)\b"
    rf"|\b{_MOVE_VERB}{_MOVE_DET}"
    r"(?: (?:horario|consulta|agendamento|atendimento|sessao|hora|data|dia|marcacao|limpeza|retorno))?"
    r" (?:pra|para|pro) (?:o |a )?(?:outro|outra|semana|proxim\w*|amanha|depois|mais tarde|mais cedo|dia|data"
    r"|horario|hora|segunda|terca|quarta|quinta|sexta|sabado|domingo)\b"
    rf"|\b{_MOVE_VERB}{_MOVE_DET} (?:dia|data|horario|hora)\b")
_OTHER_DAY = re.compile(
    r"\b(outro dia|outra data|(trocar|troca|mudar|muda|mudanca de) (o |de )?dia|outros dias|outras datas"
    r"|dia diferente|data diferente|em outro dia"
    r"|(hoje|amanha|nesse dia|neste dia|esse dia|este dia|mesmo dia|no mesmo dia) nao( da| posso| consigo| rola)?"
    r"|nao (pode|posso|consigo|da|rola) (ser )?(hoje|amanha|nesse dia|neste dia|no mesmo dia))\b")


def parse_move_request(text: str) -> bool:
    """"Surgiu um imprevisto, dá pra passar pra semana que vem?", "quero remarcar": move an appointment."""
    return bool(_MOVE.search(clean(text)))


def parse_cancel_request(text: str) -> bool:
    """"Quero cancelar", "desmarca": a cancellation asked in words."""
    return bool(re.search(r"\b(cancel\w*|desmarc\w*)\b", clean(text)))


def parse_other_day(text: str) -> bool:
    """"Só outro dia", "hoje não", "tem outra data?": not the day(s) just offered."""
    return bool(_OTHER_DAY.search(clean(text)))


def parse_reminder_answer(text: str) -> str | None:
    """A reminder's answer: CONFIRM ("1", "confirmo", "vou sim"), RESCHEDULE ("2", "preciso remarcar"),
    CANCEL ("3", "cancela", "não vou poder ir"); None when it is none of these (e.g. a bare "não")."""
    norm = clean(text)
    if not norm:
        return None
    if match := _REMINDER_NUMBER.match(norm):
        return {"1": CONFIRM, "2": RESCHEDULE, "3": CANCEL}[match.group(1)]
    # Rescheduling is checked first: "não vou poder ir, preciso remarcar" keeps the customer.
    if _RESCHEDULE_WORDS.search(norm) or _MOVE.search(norm):
        return RESCHEDULE
    if _CANCEL_WORDS.search(norm):
        return CANCEL
    if _CONFIRM_WORDS.search(norm) and not _NEGATION.search(norm):
        return CONFIRM
    return None


_NONE_FITS = re.compile(
    r"\bnenhu\w*\b|\bnao (me )?(serve|servem|da|dao|consigo|posso|gostei|funciona|rola|tenho como)\b"
    r"|\b(nesses|esses|desses) (horarios )?nao\b|\bnao tem (outro|outra|mais)\b|\boutros (horarios|dias)\b"
    r"|\bmais (opcoes|horarios)\b|\boutras (opcoes|datas)\b|\blista de espera\b|\bfila de espera\b")
_STOP = re.compile(
    r"^(deixa (pra|para) la|deixa quieto|esquece|desist\w*|nao quero mais|nao precisa( mais)?"
    r"|depois (eu )?(vejo|marco|agendo|falo|te falo|retorno)|vou ver (e|depois)|mais tarde eu (vejo|marco))\b")
_WAITLIST = re.compile(r"\b(lista|fila) de espera\b|\bme avis\w*\b|\bquero esperar\b|\bentrar na lista\b")


def parse_none_fits(text: str) -> bool:
    """"Nenhum serve", "não posso nesses", "tem outros horários?": none of the offered slots is good."""
    return bool(_NONE_FITS.search(clean(text)))


def parse_stop(text: str) -> bool:
    """"Deixa pra lá", "depois eu vejo": the customer drops the booking for now."""
    return bool(_STOP.search(clean(text)))


def parse_waitlist_request(text: str) -> bool:
    """"Me coloca na lista de espera", "me avisa se abrir"."""
    return bool(_WAITLIST.search(clean(text)))


# --- dates and times -> SlotQuery -------------------------------------------------------------

_MONTHS = r"janeiro|fevereiro|marco|abril|maio|junho|julho|agosto|setembro|outubro|novembro|dezembro"
_HOUR = r"(\d{1,2}|" + "|".join(_NUMBER_WORDS) + r")"
# A time with a unit: "15h", "9h30", "15:00", "15 horas", "meio dia".
_T_STRICT = _HOUR + r"(?:\s*(?:h|hs|hrs|horas?)\s*(\d{2})?(?:\s*min)?|:(\d{2})\s*(?:h|hs)?)(\s*e\s*meia)?"
# After a time word ("às", "depois das") the unit may be left out: "às 3", "depois das 5 e meia".
_T_LOOSE = _HOUR + r"(?:\s*(?:h|hs|hrs|horas?)\s*(\d{2})?(?:\s*min)?|:(\d{2})\s*(?:h|hs)?)?(\s*e\s*meia)?"
_PERIOD = r"(?:\s+(?:da|de|a|pela)\s+(manha|tarde|noite))?"
_AT = r"(?:as|(?:o|a|aquele|aquela|esse|essa) das|pelas|por volta d[ao]s|perto d[ao]s|umas|la pelas)"
_FROM = r"(?:depois d[ao]s?|a partir d[ao]s?|apos as|apos|mais tarde que)"
_TO = r"(?:antes d[ao]s?|ate as|ate|no maximo as|no maximo)"


_GREETING_TIME = re.compile(r"\b(?:bo[ma]+|bo|b)\s*(?:dia+|tarde+|noite+)s?\b")


@dataclass
class _Reading:
    """The text being read: each rule blanks out what it understood, so nothing is read twice."""

    text: str
    today: date
    zone: ZoneInfo
    found: bool = False
    fields: dict = field(default_factory=dict)
    period: tuple[time, time] | None = None

    def take(self, pattern: str) -> re.Match | None:
        match = re.search(pattern, self.text)
        if match:
            self.text = self.text[:match.start()] + " " + self.text[match.end():]
            self.found = True
        return match

    def take_all(self, pattern: str) -> list[re.Match]:
        matches = list(re.finditer(pattern, self.text))
        if matches:
            self.text = re.sub(pattern, " ", self.text)
            self.found = True
        return matches


def parse_when(text: str, *, now: datetime, tz: str = DEFAULT_TZ) -> SlotQuery | None:
    """The day and time the customer wants as a SlotQuery (None when the text says nothing about it).

    "terça às 15h" -> day = next Tuesday, exact_time 15:00; "amanhã de manhã" -> tomorrow, 08:00–12:00;
    "qualquer horário depois das 17h" -> time_from 17:00; "semana que vem" -> not_before next Monday.
    `now` is aware; dates are read in the company's timezone `tz`.
    """
    zone = ZoneInfo(tz)
    # "Bom dia! Gostaria de agendar", "boa tarde, queria marcar": a greeting, not a part of the day.
    reading = _Reading(text=f" {_GREETING_TIME.sub(' ', clean(text))} ", today=now.astimezone(zone).date(), zone=zone)
    _read_dates(reading)
    _read_weeks(reading)
    _read_times(reading)
    _read_periods(reading)
    if reading.take(r"\b(qualquer (horario|hora|dia|um|uma|momento|periodo)|tanto faz|o que tiver"
                    r"|o (mais )?(cedo|rapido) possivel|o quanto antes|mais proximo)\b"):
        pass  # understood: no constraint
    if not reading.found:
        return None
    _apply_period(reading)
    return SlotQuery(**reading.fields)


def _read_dates(r: _Reading) -> None:
    if m := r.take(r"\b(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?\b"):
        r.fields["day"] = (_explicit_date(m.group(0), r) if m.group(3)
                           else _day_month(int(m.group(1)), int(m.group(2)), r.today))
    elif m := r.take(rf"\b(?:dia\s+)?(\d{{1,2}})\s+de\s+({_MONTHS})(?:\s+de\s+(\d{{4}}))?\b"):
        r.fields["day"] = _explicit_date(m.group(0).removeprefix("dia").strip(), r)
    elif m := r.take(r"\bdia\s+(\d{1,2})\b"):
        r.fields["day"] = _day_of_month(int(m.group(1)), r.today)
    elif r.take(r"\bdepois de amanha\b"):
        r.fields["day"] = r.today + timedelta(days=2)
    elif r.take(r"\bamanha\b"):
        r.fields["day"] = r.today + timedelta(days=1)
    elif r.take(r"\b(ainda )?hoje\b"):
        r.fields["day"] = r.today
    elif m := r.take(r"\bdaqui a (\d+|" + "|".join(_NUMBER_WORDS) + r") dias?\b"):
        r.fields["day"] = r.today + timedelta(days=_number(m.group(1)))
    if r.fields.get("day") is None:
        r.fields.pop("day", None)


def _explicit_date(fragment: str, r: _Reading) -> date | None:
    """An explicit calendar date through dateparser, day first; without a year, the next such date
    from today on (dateparser's own "future" preference would move today itself to next year)."""
    base = datetime.combine(r.today, time(12))
    parsed = dateparser.parse(fragment, languages=["pt"], settings={
        "DATE_ORDER": "DMY", "PREFER_DATES_FROM": "current_period", "RELATIVE_BASE": base,
        "PREFER_DAY_OF_MONTH": "first", "RETURN_AS_TIMEZONE_AWARE": False})
    if parsed is None:
        return None
    day = parsed.date()
    if day < r.today and not re.search(r"\d{4}|/\d{2}$", fragment):  # no year given
        day = _next_year(day)
    return day


def _next_year(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29/02
        return day + timedelta(days=365)


def _day_month(day: int, month: int, today: date) -> date | None:
    try:
        candidate = date(today.year, month, day)
    except ValueError:
        return None
    return candidate if candidate >= today else _next_year(candidate)


def _day_of_month(day: int, today: date) -> date | None:
    """"Dia 12": this month's 12th, or next month's when it has passed."""
    year, month = today.year, today.month
    for _ in range(3):  # "dia 31" skips the months without one
        try:
            candidate = date(year, month, day)
            if candidate >= today:
                return candidate
        except ValueError:
            pass
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _next_monday(today: date) -> date:
    return today + timedelta(days=7 - today.weekday())


def _read_weeks(r: _Reading) -> None:
    next_week = bool(r.take(r"\b((da|na) )?(semana (?:que|q) vem|proxima semana|semana seguinte|outra semana)\b"))
    if r.take(r"\b(no |num )?(fim|final) de semana\b"):
        r.fields.setdefault("weekdays", frozenset({5, 6}))
    elif r.take(r"\b(durante a semana|dias? de semana|dias? uteis|dia util)\b"):
        r.fields.setdefault("weekdays", frozenset(range(5)))
    names = r.take_all(r"\b(proxim[ao] )?(segunda|terca|quarta|quinta|sexta|sabado|domingo)s?(?:[- ]feiras?)?"
                       r"( que vem)?\b")
    days = sorted({WEEKDAY_NUMBERS[m.group(2)] for m in names})
    if len(days) == 1 and "day" not in r.fields and "weekdays" not in r.fields:
        start = _next_monday(r.today) if next_week else r.today
        ahead = (days[0] - start.weekday()) % 7
        if ahead == 0 and not next_week and any(m.group(1) or m.group(3) for m in names):
            ahead = 7  # "quinta que vem" said on a Thursday is next week's
        r.fields["day"] = start + timedelta(days=ahead)
        return
    if days and "day" not in r.fields:
        r.fields["weekdays"] = frozenset(days)
    if next_week and "day" not in r.fields:
        r.fields["not_before"] = datetime.combine(_next_monday(r.today), time(0), tzinfo=r.zone)
    if r.take(r"\b(mes que vem|proximo mes)\b") and "day" not in r.fields:
        first = (r.today.replace(day=1) + timedelta(days=32)).replace(day=1)
        r.fields["not_before"] = datetime.combine(first, time(0), tzinfo=r.zone)


def _read_times(r: _Reading) -> None:
    between = r.take(rf"\b(?:entre|das|de)\s+(?:as\s+)?{_T_LOOSE}{_PERIOD}\s+(?:e|as|ate|a)\s+(?:as\s+)?"
                     rf"{_T_LOOSE}{_PERIOD}\b")
    if between:
        g = between.groups()
        late = g[9] or g[4]
        r.fields["time_from"] = _time(g[0:4], g[4] or late)
        r.fields["time_to"] = _time(g[5:9], late)
        return
    if m := r.take(rf"\b{_FROM}\s+(?:as\s+)?{_T_LOOSE}{_PERIOD}\b"):
        r.fields["time_from"] = _time(m.groups()[:4], m.group(5))
    if m := r.take(rf"\b{_TO}\s+(?:as\s+)?{_T_LOOSE}{_PERIOD}\b"):
        r.fields["time_to"] = _time(m.groups()[:4], m.group(5))
    if "time_from" in r.fields or "time_to" in r.fields:
        return
    if r.take(r"\b((ao|as|a|por volta do) )?meio[ -]?dia\b"):
        r.fields["exact_time"] = time(12)
    elif (m := r.take(rf"\b{_AT}\s+{_T_LOOSE}{_PERIOD}\b")) or (m := r.take(rf"\b{_T_STRICT}{_PERIOD}\b")):
        groups = m.groups()
        r.fields["exact_time"] = _time(groups[:4], groups[4] or _period_word(r.text))
    for key in ("time_from", "time_to", "exact_time"):
        if r.fields.get(key) is None:
            r.fields.pop(key, None)


def _period_word(text: str) -> str | None:
    """"Amanhã às 3 da tarde" is handled with the time; "à tarde, às 3" needs a look around."""
    match = re.search(r"\b(manha|tarde|noite)\b", text)
    return match.group(1) if match else None


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBER_WORDS[word]


def _time(groups, period: str | None) -> time | None:
    hour_word, minutes_h, minutes_colon, half = groups
    hour = _number(hour_word)
    minute = int(minutes_h or minutes_colon or 0) + (30 if half else 0)
    if period in ("tarde", "noite") and hour < 12:
        hour += 12
    elif period is None and 1 <= hour <= 6:
        hour += 12  # "às 3": nobody books at three in the morning
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return time(hour, minute)


def _read_periods(r: _Reading) -> None:
    rules = [
        (r"\b(no |ao )?(fim|final) da tarde\b", (time(16), time(18))),
        (r"\b(no )?(inicio|comeco) da tarde\b", (time(12), time(15))),
        (r"\b(na )?hora do almoco\b", (time(12), time(14))),
        (r"\b(bem )?cedo\b", (time(8), time(10))),
        (r"\b((de|pela|a|na|durante a|no periodo da) )?manha\b", MORNING),
        (r"(?<!mais )\b((de|pela|a|na|durante a|no periodo da) )?tarde\b", AFTERNOON),
        (r"\b((de|pela|a|na|durante a|no periodo da) )?noite\b", EVENING),
    ]
    for pattern, window in rules:
        if r.take(pattern):
            r.period = window
            return


def _apply_period(r: _Reading) -> None:
    """A part of the day narrows the hours; explicit times inside it win ("à tarde depois das 15h")."""
    if r.period is None or "exact_time" in r.fields:
        return
    start, end = r.period
    r.fields["time_from"] = max(start, r.fields.get("time_from") or start)
    r.fields["time_to"] = min(end, r.fields.get("time_to") or end)


# --- matching offered slots ---------------------------------------------------------------------

def slots_matching(slots: list[Slot], query: SlotQuery, *, tz: str = DEFAULT_TZ) -> list[Slot]:
    """The offered slots that fit what the customer said ("o de terça", "o das 15h")."""
    zone = ZoneInfo(tz)
    return [slot for slot in slots if _fits(slot.start.astimezone(zone), query)]


def _fits(start: datetime, query: SlotQuery) -> bool:
    clock = start.time().replace(tzinfo=None)
    checks = (
        query.day is None or start.date() == query.day,
        not query.weekdays or start.weekday() in query.weekdays,
        query.time_from is None or clock >= query.time_from,
        query.time_to is None or clock < query.time_to,
        query.exact_time is None or clock == query.exact_time,
        query.not_before is None or start >= query.not_before,
    )
    return all(checks)


def query_is_empty(query: SlotQuery) -> bool:
    return not (query.day or query.weekdays or query.time_from or query.time_to or query.exact_time
                or query.not_before)
