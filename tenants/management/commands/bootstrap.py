"""Idempotent platform set-up run by `make run` and the container entrypoint after migrations.

The demo company is not the platform's business: `python -m devstack.demo` adds it.
"""

import os

from django.conf import settings
from django.core.management.base import BaseCommand
from django_tenants.utils import schema_context

from accounts.services import platform_admin_ensure
from tenants.services import public_tenant_ensure, roles_sync_all, template_schema_ensure


class Command(BaseCommand):
    help = (
        "Garante o esquema público, o modelo de esquema, o admin da plataforma, os papéis e os padrões "
        "de cada empresa. Pode ser executado várias vezes."
    )

    def handle(self, *args, **opts):
        public_tenant_ensure(domains=settings.SECRETARIA_PUBLIC_DOMAINS)
        if template_schema_ensure():
            self.stdout.write("modelo de esquema criado")
        self._platform_admin()
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

