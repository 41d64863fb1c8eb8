"""Views the panel's frame serves itself."""

from django.template.response import TemplateResponse


def screen_page(request, site, *, template: str, title: str, **context):
    """A panel page: the admin site's context (menu, user, header) plus the screen's own."""
    return TemplateResponse(request, template, {**site.each_context(request), "title": title, **context})
