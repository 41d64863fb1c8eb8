"""Idempotent set-up run by `make run` and the container entrypoint after migrations."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand
from django_tenants.utils import schema_context

from accounts.roles import Role
from accounts.services import member_ensure, platform_admin_ensure
from agenda.services.demo import demo_calendar_ensure
from conversations.services.demo import demo_content_ensure
from tenants.models import Company
from tenants.services import (
    company_provision,
    public_tenant_ensure,
    roles_sync_all,
    template_schema_ensure,
)

DEMO_SLUG = "demo"


class Command(BaseCommand):
    help = (
        "Garante o esquema público, o modelo de esquema, o admin da plataforma e (com --demo) "
        "a empresa de demonstração. Pode ser executado várias vezes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true", help="não cria a empresa demo")

    def handle(self, *args, **opts):
        public_tenant_ensure(domains=settings.SECRETARIA_PUBLIC_DOMAINS)
        if template_schema_ensure():
            self.stdout.write("modelo de esquema criado")
        self._platform_admin()
        if not opts["no_demo"]:
            self._demo_company()
        synced = roles_sync_all()
        self.stdout.write(f"papéis sincronizados em {synced} esquemas")

    def _platform_admin(self):
        email = os.environ.get("SECRETARIA_ADMIN_EMAIL")
        password = os.environ.get("SECRETARIA_ADMIN_PASSWORD")
        if not (email and password):
            self.stdout.write("SECRETARIA_ADMIN_EMAIL/PASSWORD ausentes: admin da plataforma não criado")
            return
        with schema_context("public"):
            _, created = platform_admin_ensure(email=email, password=password, reset_password=True)
        self.stdout.write(f"admin da plataforma {'criado' if created else 'atualizado'}: {email}")

    def _demo_company(self):
        email = os.environ.get("SECRETARIA_DEMO_EMAIL")
        password = os.environ.get("SECRETARIA_DEMO_PASSWORD")
        if not (email and password):
            return
        if Company.objects.filter(slug=DEMO_SLUG).exists():
            # Keep the printed credentials true on every run.
            with schema_context(DEMO_SLUG):
                member_ensure(email=email, password=password, role=Role.OWNER)
        else:
            port = os.environ.get("PORT", "8000")
            result = company_provision(
                name="Clínica Demo", slug=DEMO_SLUG, domain="demo.localhost", plan="free",
                owner_email=email, owner_password=password,
            )
            self.stdout.write(f"empresa demo criada em {result.seconds:.2f}s: http://demo.localhost:{port}/")
        with schema_context(DEMO_SLUG):
            demo_content_ensure(company_name="Clínica Demo")
            demo_calendar_ensure()
