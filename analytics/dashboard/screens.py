"""The dashboards as the panel mounts them: each answers its site's index (secretaria/panel/screens.py)."""

from secretaria.panel.screens import PUBLIC, Screen
from secretaria.panel.views import screen_page


def _company_home(request, site):
    return screen_page(request, site, template="panel/placeholder.html", title="Início")


def _platform_home(request, site):
    return screen_page(request, site, template="panel/placeholder.html", title="Início")


COMPANY_HOME = Screen(name="home", label="Início", home=_company_home, order=10)
PLATFORM_HOME = Screen(name="home", label="Início", site=PUBLIC, home=_platform_home, order=10)
