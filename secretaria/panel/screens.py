"""Screens that the apps above add to an admin site (docs/panel.md).

The admin sites live on the lowest floor, the screens' code on the floors above (the inbox in
conversations, the calendar in agenda, the dashboards in analytics): each app registers its
screens in `AppConfig.ready()` and the site mounts them under `/admin/<name>/`, each view
wrapped in the site's `admin_view` (login required, no caching), and lists them in the menu
for the users `visible` lets in. A view still checks its own permission: the menu only hides.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern

from secretaria.registry import Registry

TENANT, PUBLIC = "tenant", "public"


def everyone(user) -> bool:
    return True


@dataclass(frozen=True)
class Screen:
    """One screen of the panel.

    `urls()` returns plain `path()` patterns relative to `/admin/<name>/`; their names must
    start with `<name>` (they share the admin's URL namespace: `reverse("admin:inbox")`).
    `menu_url` is the name the menu links to ("" keeps the screen out of the menu).
    `home`, when set, answers the site's index page instead of Django's list of models.
    `scripts` are static paths loaded on every page of the site (e.g. the handoff notice).
    """

    name: str
    label: str
    site: str = TENANT
    urls: Callable[[], list[URLPattern]] = list
    menu_url: str = ""
    order: int = 100
    visible: Callable[[object], bool] = everyone
    home: Callable[[HttpRequest, object], HttpResponse] | None = None
    scripts: tuple[str, ...] = field(default_factory=tuple)


screens: Registry[Screen] = Registry(key=lambda s: f"{s.site}:{s.name}", order=lambda s: (s.order, s.name))


def screens_of(site: str) -> list[Screen]:
    return [screen for screen in screens.all() if screen.site == site]
