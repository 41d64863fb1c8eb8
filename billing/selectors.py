from billing.models import Plan


def plan_get_active(*, code: str) -> Plan | None:
    return Plan.objects.filter(code=code, is_active=True).first()
