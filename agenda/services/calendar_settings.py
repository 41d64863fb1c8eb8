"""Changing the company's calendar settings (the API's PUT /api/agenda/calendar and the admin).

Secrets are write-only and follow the LLM settings' rule: a blank key keeps the stored
one only while the provider and the base URL stay the same, so a Cal.com key never
follows the company to another endpoint.
"""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.db import transaction

from agenda.models import CalendarConfig, Professional, Service, WorkingHours
from agenda.services.config import calendar_config, calendar_config_forget
from secretaria.events import SettingsChanged, publish
from secretaria.limits import PROFESSIONALS, limit_check
from secretaria.url_check import base_url_problem

Provider = CalendarConfig.Provider

SECRETS = ("calcom_api_key", "calcom_webhook_secret")
# Settings staff may change besides the provider and the Cal.com connection.
TUNABLE = ("timezone", "slot_step_minutes", "min_notice_minutes", "booking_horizon_days",
           "reminder_offsets_minutes", "noshow_grace_minutes", "followup_delay_minutes",
           "high_risk_threshold", "auto_reschedule_no_shows")
# (min, max) of the numeric settings: wide enough for any business, narrow enough to catch typos.
LIMITS = {
    "slot_step_minutes": (5, 240),
    "min_notice_minutes": (0, 7 * 24 * 60),
    "booking_horizon_days": (1, 365),
    "noshow_grace_minutes": (0, 24 * 60),
    "followup_delay_minutes": (0, 30 * 24 * 60),
}
CALCOM_CLOUD = CalendarConfig._meta.get_field("calcom_base_url").default
MAX_REMINDERS = 5
MAX_REMINDER_OFFSET = 14 * 24 * 60


def calcom_webhook_url(*, host: str, scheme: str = "https") -> str:
    """Where the company points its Cal.com webhooks (the company's own host)."""
    return f"{scheme}://{host}/webhook/calcom"


def calendar_config_resolve(*, config: CalendarConfig, provider: str | None = None,
                            calcom_base_url: str | None = None, calcom_api_key: str = "",
                            calcom_webhook_secret: str = "", **settings) -> dict:
    """The full settings after a change: what is given (not None) replaces what `config` holds.

    A blank secret keeps the stored one only while the base URL stays the same.
    """
    unknown = set(settings) - set(TUNABLE)
    if unknown:
        raise ValidationError({name: ["Configuração desconhecida."] for name in sorted(unknown)})
    values = {
        "provider": (provider if provider is not None else config.provider).strip(),
        # Blank means Cal.com's cloud, the model's default.
        "calcom_base_url": (config.calcom_base_url if calcom_base_url is None
                            else calcom_base_url.strip().rstrip("/") or CALCOM_CLOUD),
        **{name: getattr(config, name) if settings.get(name) is None else settings[name] for name in TUNABLE},
    }
    same_endpoint = values["calcom_base_url"] == config.calcom_base_url
    for name, given in (("calcom_api_key", calcom_api_key), ("calcom_webhook_secret", calcom_webhook_secret)):
        values[name] = (given or "").strip() or (getattr(config, name) if same_endpoint else "")
    return values


@transaction.atomic
def calendar_config_set(*, actor: str = "", **changes) -> CalendarConfig:
    """Update the settings given (see calendar_config_resolve) and forget the cached copy.

    Raises ValidationError with a pt-BR message per field.
    """
    calendar_config()  # creates the row on first use
    config = CalendarConfig.objects.select_for_update().get(singleton=1)
    values = calendar_config_resolve(config=config, **changes)
    errors = calendar_config_errors(values)
    if errors:
        raise ValidationError(errors)
    values["reminder_offsets_minutes"] = sorted(set(values["reminder_offsets_minutes"]), reverse=True)
    changed = [name for name, value in values.items() if getattr(config, name) != value]
    for name in changed:
        setattr(config, name, values[name])
    config.save()
    calendar_config_forget()
    if changed:
        publish(SettingsChanged(
            area="calendar", action="agenda.calendar_configured", actor=actor, target="calendar",
            # Which secrets changed, never their values.
            data={name: (True if name in SECRETS else values[name]) for name in changed}))
    return config


def calendar_config_errors(values: dict) -> dict[str, list[str]]:
    """What is wrong with a full set of settings (every editable field), per field; empty when nothing."""
    errors: dict[str, list[str]] = {}
    if values["provider"] not in Provider.values:
        errors["provider"] = ["Escolha builtin (agenda própria) ou calcom."]
    if values["provider"] == Provider.CALCOM:
        problem = base_url_problem(values["calcom_base_url"])
        if problem:
            errors["calcom_base_url"] = [problem]
        if not values["calcom_api_key"]:
            errors["calcom_api_key"] = ["Informe a chave da API do Cal.com."]
    try:
        ZoneInfo(str(values["timezone"]))
    except (ZoneInfoNotFoundError, ValueError):
        errors["timezone"] = ["Fuso horário desconhecido; use, por exemplo, America/Sao_Paulo."]
    for name, (low, high) in LIMITS.items():
        value = values[name]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            errors[name] = [f"Use um número inteiro entre {low} e {high}."]
    threshold = values["high_risk_threshold"]
    if not isinstance(threshold, (int, float)) or isinstance(threshold, bool) or not 0 < threshold <= 1:
        errors["high_risk_threshold"] = ["Use um número entre 0 e 1 (ex.: 0.5)."]
    if not isinstance(values["auto_reschedule_no_shows"], bool):
        errors["auto_reschedule_no_shows"] = ["Use true ou false."]
    problem = _offsets_problem(values["reminder_offsets_minutes"])
    if problem:
        errors["reminder_offsets_minutes"] = [problem]
    return errors


def _offsets_problem(offsets) -> str | None:
    if not isinstance(offsets, list) or len(offsets) > MAX_REMINDERS:
        return f"Informe uma lista de até {MAX_REMINDERS} lembretes, em minutos antes (ex.: [1440, 60])."
    if not all(isinstance(m, int) and not isinstance(m, bool) and 1 <= m <= MAX_REMINDER_OFFSET for m in offsets):
        return f"Cada lembrete é um número inteiro de minutos entre 1 e {MAX_REMINDER_OFFSET}."
    return None


# --- Services and professionals ------------------------------------------------------


@transaction.atomic
def service_create(*, name: str, duration_minutes: int = 30, buffer_minutes: int = 0, price_cents: int | None = None,
                   keywords: str = "", description: str = "", professional_ids: list[int] = (),
                   calcom_event_type_id: int | None = None, actor: str = "") -> Service:
    """A service of the catalogue; the assistant quotes its price and duration from the next message on."""
    name = name.strip()
    if Service.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": ["Já existe um serviço com este nome."]})
    professionals = _professionals(professional_ids, field="professionals")
    service = Service.objects.create(name=name, description=description.strip(), duration_minutes=duration_minutes,
                                     buffer_minutes=buffer_minutes, price_cents=price_cents, keywords=keywords.strip(),
                                     calcom_event_type_id=calcom_event_type_id)
    service.professionals.set(professionals)
    calendar_config_forget()
    publish(SettingsChanged(area="service", action="agenda.service_created", actor=actor,
                            target=f"service:{service.pk}", data={"name": name}))
    return service


@transaction.atomic
def professional_create(*, name: str, service_ids: list[int] = (), hours: list[dict] = (),
                        actor: str = "") -> Professional:
    """A professional with the services they offer and their weekly hours ({weekday, start, end})."""
    services = list(Service.objects.filter(pk__in=set(service_ids)))
    if len(services) != len(set(service_ids)):
        raise ValidationError({"services": ["Serviço não encontrado."]})
    limit_check(PROFESSIONALS, count=Professional.objects.filter(is_active=True).count)
    professional = Professional.objects.create(name=name.strip())
    professional.services.set(services)
    WorkingHours.objects.bulk_create([WorkingHours(professional=professional, **span) for span in hours])
    calendar_config_forget()
    publish(SettingsChanged(area="professional", action="agenda.professional_created", actor=actor,
                            target=f"professional:{professional.pk}", data={"name": professional.name}))
    return professional


def _professionals(ids, *, field: str) -> list[Professional]:
    professionals = list(Professional.objects.filter(pk__in=set(ids)))
    if len(professionals) != len(set(ids)):
        raise ValidationError({field: ["Profissional não encontrado."]})
    return professionals
