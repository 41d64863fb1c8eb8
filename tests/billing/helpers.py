"""What several billing test files read the same way."""

from billing.models import Subscription


def subscription_of(company) -> Subscription:
    """The company's subscription, fresh from the database, with its plan."""
    return Subscription.objects.select_related("plan").get(company=company)
