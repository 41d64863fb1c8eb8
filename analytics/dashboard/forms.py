"""The "Nova empresa" form of the platform home: what the provisioning service needs, in pt-BR."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from analytics.dashboard.selectors import plan_choices
from secretaria.errors import Conflict

# The provisioning service's field names that are not this form's.
SERVICE_FIELDS = {"owner_password": None, "email": "owner_email", "password": None}


def platform_domain() -> str:
    """The platform's own host: companies are its subdomains unless given a host of their own."""
    return settings.SECRETARIA_PUBLIC_DOMAINS[0]


class CompanyNewForm(forms.Form):
    name = forms.CharField(label="Nome da empresa", max_length=120,
                           error_messages={"required": "Informe o nome da empresa."})
    slug = forms.CharField(label="Identificador", max_length=40,
                           help_text="Letras minúsculas, números e hífens (ex.: clinica-bela). Vira o endereço "
                                     "da empresa.",
                           error_messages={"required": "Informe o identificador."})
    domain = forms.CharField(label="Endereço (domínio)", max_length=253, required=False)
    plan = forms.ChoiceField(label="Plano", error_messages={"required": "Escolha o plano.",
                                                            "invalid_choice": "Plano desconhecido: %(value)s."})
    owner_email = forms.EmailField(label="E-mail do proprietário",
                                   error_messages={"required": "Informe o e-mail do proprietário.",
                                                   "invalid": "E-mail inválido (ex.: dona@clinica.com.br)."})
    owner_name = forms.CharField(label="Nome do proprietário", max_length=150, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = [("", "Escolha…"), *plan_choices()]
        self.fields["domain"].help_text = f"Em branco: <identificador>.{platform_domain()}"

    def clean_slug(self) -> str:
        return self.cleaned_data["slug"].strip().lower()

    def clean(self):
        data = super().clean()
        if data.get("slug") and not (data.get("domain") or "").strip():
            data["domain"] = f"{data['slug']}.{platform_domain()}"
        return data

    def add_service_errors(self, error: ValidationError | Conflict) -> None:
        """Put what the provisioning refused next to the field it is about (the rest on top)."""
        if isinstance(error, Conflict):
            self.add_error(error.field if error.field in self.fields else None, error.message)
            return
        for name, messages in getattr(error, "message_dict", {"__all__": error.messages}).items():
            field = SERVICE_FIELDS.get(name, name)
            self.add_error(field if field in self.fields else None, messages)
