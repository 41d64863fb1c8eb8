"""The plan's standing limits (channels, staff users, professionals), plugged into secretaria.limits.

The writes that add one ask `secretaria.limits.limit_check`; this module answers with the
company's current plan, read from the database (adding a channel or a user is rare; the plan
may have been edited in the platform admin a second ago). 0 in a plan means unlimited.
"""

from django.db import connection

from billing.models import Subscription
from secretaria.limits import CHANNELS, PROFESSIONALS, STAFF, Limit, register_limit

_FIELDS = {CHANNELS: "max_channels", STAFF: "max_staff", PROFESSIONALS: "max_professionals"}
# kind -> (one, many, what frees a place)
_WORDS = {
    CHANNELS: ("canal ativo", "canais ativos", "desative um canal"),
    STAFF: ("usuário ativo na equipe", "usuários ativos na equipe", "desative um usuário"),
    PROFESSIONALS: ("profissional ativo", "profissionais ativos", "desative um profissional"),
}


def _reason(kind: str, in_use: int) -> str | None:
    if connection.schema_name == "public":
        return None  # the platform's own users have no plan
    subscription = Subscription.objects.select_related("plan").filter(
        company__schema_name=connection.schema_name).first()
    if subscription is None:
        return None  # mid-provisioning, before the subscription exists
    maximum = getattr(subscription.plan, _FIELDS[kind])
    if maximum == 0 or in_use <= maximum:
        return None
    one, many, free_one = _WORDS[kind]
    return (f"O plano {subscription.plan.name} permite até {maximum} {one if maximum == 1 else many}. "
            f"Para adicionar outro, mude de plano ou {free_one}.")


def limits_register() -> None:
    for kind in _FIELDS:
        register_limit(Limit(kind=kind, allowed=lambda in_use, kind=kind: _reason(kind, in_use)))
