"""The calendar's inputs: which day and service to show, booking a caller, moving, cancelling.

Times travel as the company's wall-clock time ("2026-12-08T10:00"), as staff read them;
the forms make them aware in the company's zone.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django import forms
from django.utils import timezone

from agenda.calendar.selectors import calendar_professionals, default_day, services_of
from agenda.models import Professional, Service
from agenda.reports import company_tz
from agenda.types import Slot
from conversations.core.contacts import phone_normalise

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def local_text(moment: datetime) -> str:
    """An aware datetime as the forms' `inicio` ("2026-12-08T10:00", company time)."""
    return moment.astimezone(company_tz()).strftime(LOCAL_FORMAT)


class StartField(forms.DateTimeField):
    """A start in the company's time zone, whatever the active one."""

    def __init__(self, **kwargs):
        super().__init__(input_formats=[LOCAL_FORMAT, "%Y-%m-%d %H:%M"], widget=forms.HiddenInput,
                         error_messages={"required": "Escolha um horário na agenda.",
                                         "invalid": "Horário inválido; escolha um horário na agenda."}, **kwargs)

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        naive = timezone.make_naive(moment) if timezone.is_aware(moment) else moment
        return timezone.make_aware(naive, company_tz())


class ServiceChoice(forms.ModelChoiceField):
    def label_from_instance(self, service: Service) -> str:
        return f"{service.name} ({service.duration_minutes} min)"


class BoardForm(forms.Form):
    """The calendar's address bar: ?dia=2026-12-08&servico=3&profissional=2&remarcar=17."""

    dia = forms.DateField(required=False, label="Dia", widget=forms.DateInput(attrs={"type": "date"}))
    servico = ServiceChoice(queryset=Service.objects.filter(is_active=True).order_by("name"), required=False,
                            label="Horários livres para", empty_label="Qualquer serviço")
    profissional = forms.ModelChoiceField(queryset=Professional.objects.filter(is_active=True).order_by("name"),
                                          required=False, label="Profissional", empty_label=None)
    remarcar = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    destaque = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def value(self, name: str):
        """The field's cleaned value; None when the address carried nonsense for it (an old link)."""
        self.is_valid()
        return self.cleaned_data.get(name)

    def day(self):
        return self.value("dia") or default_day()


class BookingForm(forms.Form):
    """A phone caller: who (phone, name), what (service) and when (the slot chosen on the calendar)."""

    telefone = forms.CharField(label="Telefone", max_length=40,
                               widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel",
                                                             "placeholder": "(11) 98765-4321", "autofocus": True}),
                               error_messages={"required": "Informe o telefone do cliente."})
    nome = forms.CharField(label="Nome", max_length=120, required=False,
                           help_text="Para um contato novo; o nome de um contato conhecido é mantido.")
    servico = ServiceChoice(queryset=Service.objects.filter(is_active=True), label="Serviço", empty_label=None,
                            error_messages={"required": "Escolha o serviço.",
                                            "invalid_choice": "Esse serviço não está mais disponível."})
    profissional = forms.ModelChoiceField(queryset=Professional.objects.filter(is_active=True), required=False,
                                          widget=forms.HiddenInput,
                                          error_messages={"invalid_choice": "Profissional não encontrado."})
    inicio = StartField()
    observacoes = forms.CharField(label="Observações", required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, professional: Professional | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # The menu lists what this professional does; any active service validates, so that a wrong
        # pair (an old page, a hand-made request) is answered with who does not do what.
        field = self.fields["servico"]
        offered = [(s.pk, field.label_from_instance(s)) for s in services_of(professional)]
        field.widget.choices = [("", "Escolha o serviço")] + offered if len(offered) > 1 else offered

    def clean_telefone(self) -> str:
        phone = phone_normalise(self.cleaned_data["telefone"])
        if phone is None:
            raise forms.ValidationError("Telefone inválido; use DDD + número, ex.: (11) 98765-4321.")
        return phone

    def clean_inicio(self) -> datetime:
        start = self.cleaned_data["inicio"]
        if start <= timezone.now():
            raise forms.ValidationError("Esse horário já passou; escolha outro na agenda.")
        return start

    def chosen_start(self) -> datetime | None:
        """The slot's start as the page was opened or posted, for the heading (None if unreadable)."""
        try:
            return self.fields["inicio"].to_python(self["inicio"].value())
        except forms.ValidationError:
            return None

    def clean(self):
        data = super().clean()
        service, professional = data.get("servico"), data.get("profissional")
        if service and professional and professional not in services_professionals(service):
            self.add_error("servico", f"{professional.name} não atende {service.name}.")
        return data

    def slot(self) -> Slot:
        data = self.cleaned_data
        service, professional = data["servico"], data["profissional"]
        return Slot(start=data["inicio"], end=data["inicio"] + timedelta(minutes=service.duration_minutes),
                    service_id=service.pk, professional_id=professional.pk if professional else None)


def services_professionals(service: Service) -> list[Professional]:
    """Who does a service: the ones linked to it, or everyone when it is linked to nobody."""
    linked = list(service.professionals.all())
    return linked or calendar_professionals()


class CancelForm(forms.Form):
    motivo = forms.CharField(label="Motivo do cancelamento", max_length=200,
                             widget=forms.TextInput(attrs={"placeholder": "Ex.: cliente pediu por telefone"}),
                             error_messages={"required": "Informe o motivo do cancelamento.",
                                             "max_length": "Use no máximo 200 caracteres."})


class MoveForm(forms.Form):
    """The new slot of a reschedule: its start and, on the built-in calendar, its professional."""

    inicio = StartField()
    profissional = forms.ModelChoiceField(queryset=Professional.objects.filter(is_active=True), required=False,
                                          widget=forms.HiddenInput,
                                          error_messages={"invalid_choice": "Profissional não encontrado."})

    def clean_inicio(self) -> datetime:
        start = self.cleaned_data["inicio"]
        if start <= timezone.now():
            raise forms.ValidationError("Esse horário já passou; escolha outro na agenda.")
        return start

