"""The calendar's pages, mounted at /admin/calendar/ by screens.py.

Reads go through agenda.calendar.selectors; every write through the booking services the
chat and the API use (agenda.services.booking): the same locks (no double booking), history,
reminders and follow-ups. Each view checks its own permission with `has_perm` (the menu only
hides): everyone with a role reads, operators and up book and change.
"""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from agenda.calendar import layout
from agenda.calendar.forms import BoardForm, BookingForm, CancelForm, MoveForm, local_text
from agenda.calendar.selectors import (
    Board,
    calendar_appointment,
    calendar_day,
    calendar_professionals,
    calendar_services,
    calendar_week,
    company_day_of,
    moved_from,
    uses_calcom,
    week_of,
)
from agenda.models import Appointment, Professional
from agenda.reports import company_today, company_tz
from agenda.services.booking import (
    appointment_book,
    appointment_cancel,
    appointment_confirm,
    appointment_mark_attended,
    appointment_mark_no_show,
    appointment_reschedule,
)
from agenda.services.config import calendar_config
from agenda.types import AgendaError, Slot, SlotTaken
from conversations.core.contacts import contact_by_phone, contact_for_phone, phone_normalise
from secretaria.admin_sites import tenant_admin
from secretaria.panel.formats import phone as phone_text
from secretaria.panel.formats import when
from secretaria.panel.views import screen_page
from secretaria.ptbr import WEEKDAY_SHORT

VIEW, BOOK, CHANGE = "agenda.view_appointment", "agenda.add_appointment", "agenda.change_appointment"
ADD_CONTACT, VIEW_CONTACT = "conversations.add_contact", "conversations.view_contact"
Status = Appointment.Status
# The quick actions of an appointment: the service, what staff read after it, when it applies.
ACTIONS = {
    "confirmar": (appointment_confirm, "Presença confirmada."),
    "compareceu": (appointment_mark_attended, "Comparecimento registrado."),
    "faltou": (appointment_mark_no_show, "Falta registrada."),
}
# Who did it, in the history: staff by e-mail, the rest by these names.
ACTORS = {"customer": "cliente", "system": "sistema", "calcom": "Cal.com"}


def _require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _url(name: str, *, pk: int | None = None, **params) -> str:
    path = reverse(f"tenant_admin:{name}", kwargs={"pk": pk} if pk else None)
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{path}?{query}" if query else path


def _back(request, default: str) -> str:
    """Where to return after a page of the calendar: the board the user came from, if it is one."""
    target = request.POST.get("volta") or request.GET.get("volta") or ""
    home = reverse("tenant_admin:calendar")
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    return target if safe and target.startswith(home) else default


# --- the board: a day, a week ----------------------------------------------------------------


def day_view(request):
    """Every professional's day side by side, with free slots to book and appointments to open."""
    _require(request, VIEW)
    form = BoardForm(request.GET)
    day, moving = form.day(), _moving(request, form)
    service = moving.service if moving else form.value("servico")
    board = calendar_day(day=day, service=service)
    return _board_page(request, board, form=form, moving=moving, mode="dia", day=day, title_of=_professional_title)


def week_view(request):
    """One professional's week, Monday to Sunday."""
    _require(request, VIEW)
    form = BoardForm(request.GET)
    day, moving = form.day(), _moving(request, form)
    service = moving.service if moving else form.value("servico")
    professional = _week_professional(form, moving)
    board = calendar_week(day=day, professional=professional, service=service)
    return _board_page(request, board, form=form, moving=moving, mode="semana", day=day, title_of=_day_title,
                       professional=professional)


def _week_professional(form: BoardForm, moving: Appointment | None) -> Professional | None:
    if uses_calcom():
        return None  # Cal.com has no professionals: its week is one strip of days
    chosen = form.value("profissional") or (moving.professional if moving else None)
    return chosen or next(iter(calendar_professionals()), None)


def _moving(request, form: BoardForm) -> Appointment | None:
    """The appointment being rescheduled (?remarcar=<id>), for users who may move it."""
    pk = form.value("remarcar")
    if not pk or not request.user.has_perm(CHANGE):
        return None
    appointment = calendar_appointment(pk=pk)
    return appointment if appointment and appointment.is_active else None


def _board_page(request, board: Board, *, form: BoardForm, moving, mode: str, day: date, title_of,
                professional: Professional | None = None):
    can_book = request.user.has_perm(BOOK)
    highlight = {pk for pk in (form.value("destaque"), moving.pk if moving else None) if pk}
    links = layout.Links(slot=_slot_link(request, board, moving=moving, can_book=can_book),
                         appointment=lambda a: _url("calendar_appointment", pk=a.pk, volta=request.get_full_path()),
                         title=title_of, highlight=highlight)
    grid = layout.grid(board, links=links, step_minutes=calendar_config().slot_step_minutes,
                       today=company_today(), tz=company_tz())
    keep = {"servico": board.service.pk if board.service and not moving else None,
            "profissional": professional.pk if professional else None, "remarcar": moving.pk if moving else None}
    return screen_page(
        request, tenant_admin, template="calendar/board.html", title="Agenda", grid=grid, board=board, form=form,
        mode=mode, day=day, week=week_of(day), moving=moving, can_book=can_book, professional=professional,
        professionals=calendar_professionals(), services=calendar_services(), calcom=uses_calcom(),
        nav=_nav(mode, day, keep))


def _nav(mode: str, day: date, keep: dict) -> dict[str, str]:
    """Today, previous, next (a day or a week), and the switch between the two views, keeping the filters."""
    view, step = ("calendar", timedelta(days=1)) if mode == "dia" else ("calendar_week", timedelta(days=7))
    return {"today": _url(view, **keep), "previous": _url(view, dia=(day - step).isoformat(), **keep),
            "next": _url(view, dia=(day + step).isoformat(), **keep),
            "day": _url("calendar", dia=day.isoformat(), **{**keep, "profissional": None}),
            "week": _url("calendar_week", dia=day.isoformat(), **keep)}


def _slot_link(request, board: Board, *, moving: Appointment | None, can_book: bool):
    back = request.get_full_path()

    def link(column, slot: Slot) -> str:
        professional = slot.professional_id or (column.professional.pk if column.professional else None)
        if moving is not None:
            return _url("calendar_move", pk=moving.pk, inicio=local_text(slot.start), profissional=professional,
                        volta=back)
        if not can_book:
            return ""
        return _url("calendar_book", inicio=local_text(slot.start), profissional=professional,
                    servico=board.service.pk if board.service else None, volta=back)

    return link


def _professional_title(column) -> str:
    if column.professional is not None:
        return column.professional.name
    return "Cal.com" if uses_calcom() else "Sem profissional"


def _day_title(column) -> str:
    return f"{WEEKDAY_SHORT[column.day.weekday()]} {column.day:%d/%m}"


# --- booking a caller ------------------------------------------------------------------------


def book_view(request):
    """Book a phone caller on the slot chosen on the board, through the chat's booking service."""
    _require(request, BOOK)
    source = request.POST if request.method == "POST" else request.GET
    professional = Professional.objects.filter(pk=_int(source.get("profissional")), is_active=True).first()
    form = BookingForm(request.POST if request.method == "POST" else None, professional=professional,
                       initial={"inicio": source.get("inicio"), "profissional": professional,
                                "servico": _int(source.get("servico")) or None})
    if request.method == "POST" and form.is_valid():
        appointment = _book(request, form)
        if appointment is not None:
            messages.success(request, _booked_text(appointment))
            return redirect(_url("calendar", dia=company_day_of(appointment.start).isoformat(),
                                 destaque=appointment.pk))
    start = form.chosen_start()
    back = _back(request, _url("calendar", dia=company_day_of(start).isoformat() if start else None))
    return screen_page(request, tenant_admin, template="calendar/book.html", title="Agendar por telefone",
                       form=form, start=start, professional=professional, back=back,
                       contact_url=_url("calendar_contact"))


def _book(request, form: BookingForm) -> Appointment | None:
    """The booking itself; a slot taken meanwhile (or any refusal of the calendar) becomes a form error."""
    data = form.cleaned_data
    contact = contact_by_phone(phone=data["telefone"])
    if contact is None:
        _require(request, ADD_CONTACT)
    contact, _ = contact_for_phone(phone=data["telefone"], name=data["nome"])
    try:
        # No transaction around it: on Cal.com the booking is an HTTP call, made holding no lock.
        return appointment_book(contact=contact, slot=form.slot(), source=Appointment.Source.ADMIN,
                                notes=data["observacoes"], actor=request.user.email)
    except SlotTaken as exc:
        form.add_error(None, f"{exc} Escolha outro horário na agenda.")
    except AgendaError as exc:
        form.add_error(None, str(exc))
    return None


def _booked_text(appointment: Appointment) -> str:
    who = appointment.contact.name or phone_text(appointment.contact.phone)
    with_whom = f" com {appointment.professional.name}" if appointment.professional else ""
    service = f" — {appointment.service.name}" if appointment.service else ""
    return f"Agendado: {who}, {_when(appointment)}{with_whom}{service}."


def contact_view(request):
    """The contact a typed phone belongs to, for the booking form ("Maria Souza, cliente desde...")."""
    _require(request, VIEW_CONTACT)
    phone = phone_normalise(request.GET.get("telefone", ""))
    if phone is None:
        return JsonResponse({"valid": False})
    contact = contact_by_phone(phone=phone)
    upcoming = []
    if contact is not None:
        rows = (Appointment.objects.filter(contact=contact, status__in=Appointment.ACTIVE, start__gt=timezone.now())
                .select_related("service").order_by("start")[:3])
        upcoming = [f"{_when(a)}{' — ' + a.service.name if a.service else ''}" for a in rows]
    return JsonResponse({"valid": True, "phone": phone_text(phone), "found": contact is not None,
                         "name": contact.name if contact else "", "upcoming": upcoming})


# --- one appointment: see it, confirm, mark, move, cancel --------------------------------------


def appointment_view(request, pk: int, *, cancel_form: CancelForm | None = None):
    _require(request, VIEW)
    appointment = _appointment_or_404(pk)
    day = company_day_of(appointment.start).isoformat()
    back = _back(request, _url("calendar", dia=day, destaque=appointment.pk))
    return screen_page(
        request, tenant_admin, template="calendar/appointment.html", title=f"Agendamento de {appointment.contact}",
        appointment=appointment, moved_from=moved_from(appointment), back=back, actions=_actions(request, appointment),
        cancel_form=cancel_form or CancelForm(),
        events=[(event, ACTORS.get(event.actor, event.actor)) for event in appointment.events.all()],
        move_url=_url("calendar", dia=day, remarcar=appointment.pk),
        admin_url=reverse("tenant_admin:agenda_appointment_change", args=[appointment.pk]),
        status=layout.STATE_WORD.get(appointment.status, appointment.get_status_display().lower()))


def _actions(request, appointment: Appointment) -> dict[str, bool]:
    """Which controls the page shows: the user's permission and what the services allow from here."""
    if not request.user.has_perm(CHANGE):
        return {}
    started = appointment.start <= timezone.now()
    status = appointment.status
    return {"confirmar": status == Status.PENDING,
            "compareceu": started and status in (Status.PENDING, Status.CONFIRMED, Status.NO_SHOW),
            "faltou": started and status in (Status.PENDING, Status.CONFIRMED, Status.ATTENDED),
            "remarcar": appointment.is_active and appointment.service_id is not None,
            "cancelar": appointment.is_active}


@require_POST
def action_view(request, pk: int, action: str):
    """Confirm, attended, no-show: one service each; what it refuses is said in its own words."""
    _require(request, CHANGE)
    if action not in ACTIONS:
        raise Http404("Ação desconhecida.")
    appointment = _appointment_or_404(pk)
    service, done = ACTIONS[action]
    try:
        service(appointment=appointment, actor=request.user.email)
        messages.success(request, done)
    except AgendaError as exc:
        messages.error(request, str(exc))
    return redirect(_url("calendar_appointment", pk=pk, volta=_back(request, "")))


@require_POST
def cancel_view(request, pk: int):
    _require(request, CHANGE)
    appointment = _appointment_or_404(pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        return appointment_view(request, pk, cancel_form=form)
    try:
        appointment_cancel(appointment=appointment, reason=form.cleaned_data["motivo"], actor=request.user.email)
    except AgendaError as exc:
        messages.error(request, str(exc))
        return redirect(_url("calendar_appointment", pk=pk))
    messages.success(request, f"Agendamento de {appointment.contact} ({_when(appointment)}) cancelado.")
    return redirect(_back(request, _url("calendar", dia=company_day_of(appointment.start).isoformat())))


def move_view(request, pk: int):
    """Reschedule to the slot chosen on the board: a confirmation page, then the booking service."""
    _require(request, CHANGE)
    appointment = _appointment_or_404(pk)
    form = MoveForm(request.POST if request.method == "POST" else request.GET)
    if request.method == "POST" and form.is_valid():
        moved = _move(request, appointment, form)
        if moved is not None:
            messages.success(request, f"Remarcado para {_when(moved)}"
                                      f"{' com ' + moved.professional.name if moved.professional else ''}.")
            return redirect(_url("calendar", dia=company_day_of(moved.start).isoformat(), destaque=moved.pk))
    form.is_valid()  # the GET shows the chosen slot (or why it is not valid)
    data = getattr(form, "cleaned_data", {})
    return screen_page(request, tenant_admin, template="calendar/move.html", title="Remarcar", form=form,
                       appointment=appointment, start=data.get("inicio"), professional=data.get("profissional"),
                       back=_back(request, _url("calendar", dia=company_day_of(appointment.start).isoformat(),
                                                remarcar=appointment.pk)))


def _move(request, appointment: Appointment, form: MoveForm) -> Appointment | None:
    if appointment.service is None:
        form.add_error(None, "Este agendamento não tem serviço; cancele-o e agende de novo.")
        return None
    start, professional = form.cleaned_data["inicio"], form.cleaned_data["profissional"]
    slot = Slot(start=start, end=start + timedelta(minutes=appointment.service.duration_minutes),
                service_id=appointment.service_id,
                professional_id=professional.pk if professional else appointment.professional_id)
    try:
        return appointment_reschedule(appointment=appointment, slot=slot, actor=request.user.email)
    except SlotTaken as exc:
        form.add_error(None, f"{exc} Escolha outro horário na agenda.")
    except AgendaError as exc:
        form.add_error(None, str(exc))
    return None


# --- helpers ---------------------------------------------------------------------------------


def _appointment_or_404(pk: int) -> Appointment:
    appointment = calendar_appointment(pk=pk)
    if appointment is None:
        raise Http404("Agendamento não encontrado.")
    return appointment


def _when(appointment: Appointment) -> str:
    with timezone.override(company_tz()):
        return when(appointment.start, weekday=True)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
