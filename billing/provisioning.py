"""Billing's part of provisioning a company: the plan must exist; the subscription starts with it."""

from billing.selectors import plan_get_active
from billing.services import subscription_start
from tenants.provisioning import ProvisioningHook, ProvisionRequest


def _plan_errors(request: ProvisionRequest) -> dict[str, list[str]]:
    if plan_get_active(code=request.plan) is None:
        return {"plan": [f"Plano desconhecido: {request.plan}."]}
    return {}


def _subscribe(company, request: ProvisionRequest) -> None:
    subscription_start(company=company, plan=plan_get_active(code=request.plan))


BILLING_PROVISIONING = ProvisioningHook(name="billing", validate=_plan_errors, in_public=_subscribe, order=10)
