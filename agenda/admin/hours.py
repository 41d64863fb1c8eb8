"""The professionals' weekly hours as a grid, and the days off with the year's holidays, on the admin.

Both write through agenda/services/hours.py (validated, audited, seen at once by every process), so
the slots the chat and the calendar offer follow the next moment. Everyone who may view the
professionals reads these pages; saving needs `manage_settings` (a viewer gets the page without
buttons, and 403 on a POST).
"""

from __future__ import annotations

from datetime import date, datetime, time

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone

from agenda.admin import selectors
from agenda.models import Professional, TimeOff
from agenda.services.hours import (
    company_zone,
    days_off_bounds,
    professional_hours_set,
    professional_week,
    time_off_create,
    time_off_delete,
)
from conversations.admin_settings import SETTINGS_PERM
from conversations.admin_settings.fields import WeekHoursField
from conversations.admin_settings.selectors import profile_stored
from conversations.assistant.closed_days import brazil_holidays
from conversations.assistant.weekly_hours import clock, week_summary
from secretaria.panel.settings_screen import may_read_settings
from secretaria.ptbr import WEEKDAY_NAMES

DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"]
DATE_ERROR = {"invalid": "Data inválida: use dd/mm/aaaa (ex.: 25/12/2026)."}


def day_label(day: date) -> str:
    """"25/12/2026 (sexta)"."""
    return f"{day:%d/%m/%Y} ({WEEKDAY_NAMES[day.weekday()]})"


def _page(request, model_admin, template: str, title: str, **context) -> TemplateResponse:
    return TemplateResponse(request, template, {
        **model_admin.admin_site.each_context(request), "title": title, "opts": model_admin.opts,
        "editable": request.user.has_perm(SETTINGS_PERM), "hub": may_read_settings(request.user), **context})


def _may_save(request) -> None:
    if not request.user.has_perm(SETTINGS_PERM):
        raise PermissionDenied


# --- weekly hours ------------------------------------------------------------------------------------


class WeekForm(forms.Form):
    week = WeekHoursField(label="Horários da semana", required=False)

    def __init__(self, *args, editable: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not editable:
            self.fields["week"].widget.attrs["disabled"] = True


def hours_index_view(model_admin, request):
    """Every professional with their week in words, each a link to their grid."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    rows = [{"professional": p, "summary": week_summary(spans)} for p, spans in selectors.professionals_with_week()]
    return _page(request, model_admin, "settings_panel/hours_index.html", "Horários dos profissionais", rows=rows,
                 builtin=selectors.builtin_calendar())


def professional_hours_view(model_admin, request, object_id):
    """One professional's week as a grid (days as rows, intervals per day), and the slots it gives."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    professional = get_object_or_404(Professional, pk=object_id)
    editable = request.user.has_perm(SETTINGS_PERM)
    if request.method == "POST":
        _may_save(request)
        form = WeekForm(request.POST, editable=True)
        if form.is_valid() and _hours_saved(request, professional, form):
            return redirect("tenant_admin:agenda_professional_hours", professional.pk)
    else:
        form = WeekForm(initial={"week": professional_week(professional=professional)}, editable=editable)
    builtin = selectors.builtin_calendar()
    slots = selectors.slots_offered(professional_id=professional.pk) if builtin else []
    return _page(request, model_admin, "settings_panel/professional_hours.html", f"Horários de {professional.name}",
                 professional=professional, form=form, builtin=builtin, slots=slots)


def _hours_saved(request, professional: Professional, form: WeekForm) -> bool:
    spans = form.cleaned_data["week"]
    try:
        professional_hours_set(professional=professional, spans=spans, actor=request.user.email)
    except ValidationError as exc:
        form.add_error("week", exc)
        return False
    summary = week_summary(spans)
    messages.success(request, f"Horários de {professional.name} salvos: {summary}." if summary else
                     f"{professional.name} ficou sem horários: a agenda não oferece mais horários com "
                     f"{professional.name}.")
    return True


# --- days off and holidays ---------------------------------------------------------------------------


class DayOffForm(forms.Form):
    professional = forms.ModelChoiceField(label="Quem folga", queryset=Professional.objects.order_by("name"),
                                          required=False, empty_label="Todos (a empresa fecha)")
    first = forms.DateField(label="De", input_formats=DATE_FORMATS, error_messages=DATE_ERROR,
                            widget=forms.TextInput(attrs={"placeholder": "dd/mm/aaaa", "size": 10}))
    last = forms.DateField(label="Até", required=False, input_formats=DATE_FORMATS, error_messages=DATE_ERROR,
                           help_text="Em branco: um dia só.",
                           widget=forms.TextInput(attrs={"placeholder": "dd/mm/aaaa", "size": 10}))
    all_day = forms.BooleanField(label="Dia inteiro", required=False, initial=True)
    start = forms.CharField(label="Das", required=False, widget=forms.TextInput(attrs={"placeholder": "08:00",
                                                                                         "size": 5}))
    end = forms.CharField(label="Às", required=False, widget=forms.TextInput(attrs={"placeholder": "12:00",
                                                                                     "size": 5}))
    reason = forms.CharField(label="Motivo", required=False, max_length=120,
                             widget=forms.TextInput(attrs={"placeholder": "Ex.: recesso, congresso, reforma"}))

    def clean(self):
        data = super().clean()
        first, last = data.get("first"), data.get("last") or data.get("first")
        if first and last and last < first:
            self.add_error("last", "A data final deve ser igual ou depois da inicial.")
        data["last"] = last
        if not data.get("all_day"):
            data["start"], data["end"] = self._clock("start"), self._clock("end")
        else:
            data["start"] = data["end"] = None
        return data

    def _clock(self, name: str) -> time | None:
        try:
            return clock(self.cleaned_data.get(name) or "")
        except ValueError:
            self.add_error(name, "Informe o horário (ex.: 13:00), ou marque dia inteiro.")
            return None


def days_off_view(model_admin, request):
    """The days off ahead (add, remove) and the year's holidays the assistant knows.

    Days off are the calendar's day-to-day business too (a professional off sick today), so this page
    follows the TimeOff model's permissions (accounts/roles.py): operators read and add, managers also
    remove, viewers read.
    """
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    may_add, may_remove = model_admin.has_add_permission(request), model_admin.has_delete_permission(request)
    form = DayOffForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if not (may_remove if action == "remove" else may_add):
            raise PermissionDenied
        if action == "add":
            form = DayOffForm(request.POST)
            if form.is_valid() and _day_off_added(request, form):
                return redirect("tenant_admin:agenda_timeoff_changelist")
        elif action in ("holiday", "holidays"):
            _holidays_closed(request, year=_year(request.POST.get("year")), only=request.POST.get("day"))
            return redirect(f"{request.path}?ano={_year(request.POST.get('year'))}")
        elif action == "remove":
            _day_off_removed(request, request.POST.get("id"))
            return redirect("tenant_admin:agenda_timeoff_changelist")
    year = _year(request.GET.get("ano"))
    return _page(request, model_admin, "settings_panel/days_off.html", "Folgas e feriados", form=form,
                 may_add=may_add, may_remove=may_remove,
                 days_off=[_day_off_row(row) for row in selectors.time_off_ahead(now=timezone.now())],
                 year=year, holidays=_holiday_rows(year), profile=profile_stored())


def _year(value) -> int:
    today = timezone.localdate()
    try:
        year = int(value)
    except (TypeError, ValueError):
        return today.year
    return year if today.year - 1 <= year <= today.year + 2 else today.year


def _day_off_added(request, form: DayOffForm) -> bool:
    data = form.cleaned_data
    start, end = days_off_bounds(first=data["first"], last=data["last"], start=data["start"], end=data["end"])
    try:
        time_off_create(start=start, end=end, professional=data["professional"], reason=data["reason"],
                        actor=request.user.email)
    except ValidationError as exc:
        form.add_error(None, exc)
        return False
    who = data["professional"].name if data["professional"] else "Todos"
    messages.success(request, f"Folga marcada ({who}): {_when(start, end)}. A agenda não oferece horários nesse "
                              f"período.")
    return True


def _day_off_removed(request, pk) -> None:
    row = TimeOff.objects.filter(pk=pk).first() if str(pk or "").isdigit() else None
    if row is None:
        messages.error(request, "Essa folga não existe mais.")
        return
    when = _when(row.start, row.end)
    time_off_delete(time_off=row, actor=request.user.email)
    messages.success(request, f"Folga removida: {when}.")


def _holidays_closed(request, *, year: int, only: str | None) -> None:
    """Whole-business days off for the year's holidays still ahead and not closed yet (or one of them)."""
    today = timezone.localdate()
    rows = [row for row in _holiday_rows(year) if not row["closed"] and row["day"] >= today
            and (not only or row["day"].isoformat() == only)]
    for row in rows:
        start, end = days_off_bounds(first=row["day"], last=row["day"])
        time_off_create(start=start, end=end, reason=row["name"], actor=request.user.email)
    messages.success(request, f"{len(rows)} feriado(s) marcado(s) como folga: a agenda não oferece horários neles."
                     if rows else "Nenhum feriado a marcar.")


def _holiday_rows(year: int) -> list[dict]:
    profile = profile_stored()
    first, last = date(year, 1, 1), date(year, 12, 31)
    found = brazil_holidays(first=first, last=last, state=(profile.state if profile else "") or "")
    closed = selectors.business_closed_dates(first=first, last=last)
    today = timezone.localdate()
    return [{"day": day, "label": day_label(day), "name": name, "closed": day in closed, "past": day < today}
            for day, name in sorted(found.items())]


def _when(start: datetime, end: datetime) -> str:
    """"25/12/2026 (sexta), dia inteiro", "24/12/2026 (quinta) a 31/12/2026 (quinta)" or with the hours."""
    zone = company_zone()
    begin, finish = start.astimezone(zone), end.astimezone(zone)
    if begin.time() == time(0) and finish.time() == time(0):
        last = date.fromordinal(finish.date().toordinal() - 1)  # whole days end at the next midnight
        if last <= begin.date():
            return f"{day_label(begin.date())}, dia inteiro"
        return f"{day_label(begin.date())} a {day_label(last)}"
    if begin.date() == finish.date():
        return f"{day_label(begin.date())}, das {begin:%H:%M} às {finish:%H:%M}"
    return f"{day_label(begin.date())} {begin:%H:%M} a {day_label(finish.date())} {finish:%H:%M}"


def _day_off_row(row: TimeOff) -> dict:
    return {"pk": row.pk, "when": _when(row.start, row.end), "reason": row.reason or "—",
            "who": row.professional.name if row.professional else "Todos (empresa fechada)"}
