"""The operator panel's frame: the Django admin, dressed for the people who run a company's day.

The admin stays the panel (its login, its permissions through `user.has_perm()`, its model
pages). This package adds what every screen shares and nothing domain-specific:

- `screens`: the registry through which the apps above add their screens (inbox, calendar,
  dashboard, settings) to an admin site: their URLs, their place in the menu, who sees them;
- `middleware`: admin pages speak in the company's time zone;
- `formats`: phones, money and dates the way Brazilians read them (also as template filters,
  `{% load panel %}`);
- `templates/admin/base_site.html` and `static/panel/`: the menu, the look, the shared scripts.
"""
