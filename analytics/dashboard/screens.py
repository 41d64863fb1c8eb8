"""The dashboards as the panel mounts them: each answers its site's index (secretaria/panel/screens.py).

Both are "Início" in the menu (the site's index). Their own pages live under /admin/home/:
the company's report download, the platform's "Nova empresa".
"""

from django.urls import path

from analytics.dashboard import views
from secretaria.panel.screens import PUBLIC, Screen


def _company_urls():
    return [path("relatorio/<str:file_format>/", views.company_report, name="home_report")]


def _platform_urls():
    return [path("nova-empresa/", views.company_new, name="home_company_new")]


COMPANY_HOME = Screen(name="home", label="Início", urls=_company_urls, menu_url="index", home=views.company_home,
                      order=10)
PLATFORM_HOME = Screen(name="home", label="Início", site=PUBLIC, urls=_platform_urls, menu_url="index",
                       home=views.platform_home, order=10)
