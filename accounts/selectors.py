from django.db.models import QuerySet

from accounts.models import User


def user_list(*, role: str | None = None, active: bool | None = None) -> QuerySet[User]:
    users = User.objects.prefetch_related("groups").order_by("email")
    if role:
        users = users.filter(groups__name=role)
    if active is not None:
        users = users.filter(is_active=active)
    return users
