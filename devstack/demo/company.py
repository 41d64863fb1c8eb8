"""Creating or refreshing the demo company (needs Django set up: see devstack/demo/__main__.py)."""

import os

from django_tenants.utils import schema_context

from accounts.roles import Role
from accounts.services import member_ensure
from devstack.demo.agenda import demo_calendar_ensure
from devstack.demo.conversations import demo_content_ensure
from secretaria.settings_cache import settings_changed
from tenants.models import Company
from tenants.services import company_provision

DEMO_SLUG = "demo"
DEMO_NAME = "Clínica Demo"
# Three professionals and room to try adding staff and a second number: the free plan allows one
# professional, two users and one channel.
DEMO_PLAN = "pro"


def demo_company_ensure(*, email: str, password: str, port: str = "8000") -> str:
    """Create the demo company once (its owner with these credentials), then its content. Idempotent."""
    if Company.objects.filter(slug=DEMO_SLUG).exists():
        # Keep the printed credentials true on every run.
        with schema_context(DEMO_SLUG):
            member_ensure(email=email, password=password, role=Role.OWNER)
        said = "empresa demo atualizada"
    else:
        result = company_provision(name=DEMO_NAME, slug=DEMO_SLUG, domain="demo.localhost", plan=DEMO_PLAN,
                                   owner_email=email, owner_password=password)
        said = f"empresa demo criada em {result.seconds:.2f}s: http://demo.localhost:{port}/"
    with schema_context(DEMO_SLUG):
        demo_content_ensure(company_name=DEMO_NAME)
        demo_calendar_ensure()
        settings_changed()  # a `make run` already serving sees the demo's content at once
    return said


def main() -> int:
    email, password = os.environ.get("SECRETARIA_DEMO_EMAIL"), os.environ.get("SECRETARIA_DEMO_PASSWORD")
    if not (email and password):
        print("SECRETARIA_DEMO_EMAIL/PASSWORD ausentes: empresa demo não criada")
        return 0
    print(demo_company_ensure(email=email, password=password, port=os.environ.get("PORT", "8000")))
    return 0
