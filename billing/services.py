from datetime import timedelta

from django.utils import timezone

from billing.models import Plan, Subscription

BILLING_PERIOD = timedelta(days=30)


def subscription_start(*, company, plan: Plan) -> Subscription:
    """Subscribe a new company to `plan`, for one billing period from now."""
    return Subscription.objects.create(
        company=company, plan=plan, current_period_end=timezone.now() + BILLING_PERIOD
    )
