"""Login brute-force lockout (django-axes), on the API's token view and the admin's login page.

Failures are counted per schema (axes' tables are in every company's schema and in `public`),
by account and by IP address: `LOGIN_FAILURE_LIMIT` wrong passwords for one e-mail, or from one
address, refuse every login of that e-mail, or from that address, for `LOGIN_LOCKOUT_MINUTES`,
the right password included. The API answers 429 with a pt-BR message (accounts.tokens), the
admin a pt-BR page with status 429 (`lockout_response`). Each lockout is published once as
`LoginFailuresBurst` for the audit trail.
"""

import ipaddress
import math

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render

from secretaria.client_ip import client_ip
from secretaria.events import LoginFailuresBurst, publish


def lockout_minutes() -> int:
    return max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60))


def lockout_message() -> str:
    minutes = lockout_minutes()
    return f"Muitas tentativas de login. Tente novamente em {minutes} minuto{'s' if minutes > 1 else ''}."


def login_ip(request) -> str | None:
    """The caller's address as axes stores it (an IP column): None when the server was given none."""
    ip = client_ip(request)
    try:
        return str(ipaddress.ip_address(ip))
    except ValueError:
        return None


def login_username(request, credentials: dict | None) -> str | None:
    """The account a login names, as the user model stores it: the API posts `email`, the admin's
    form `username`; both count against the same e-mail, whatever its case."""
    credentials = credentials or {}
    data = getattr(request, "data", None) or getattr(request, "POST", {})
    for value in (credentials.get("email"), credentials.get("username"), data.get("email"), data.get("username")):
        if isinstance(value, str) and value.strip():
            # As stored by axes (a varchar(255), which refuses NULs): no e-mail is longer than 254.
            return value.replace("\x00", "").strip().lower()[:254]
    return None


def _surface(request) -> str:
    return "admin" if request.path.startswith("/admin/") else "api"


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out login gets (AXES_LOCKOUT_CALLABLE): the admin a page, anything else JSON."""
    if _surface(request) == "admin":
        context = {"message": lockout_message(), "minutes": lockout_minutes()}
        return render(request, "accounts/lockout.html", context, status=429)
    return JsonResponse({"detail": lockout_message()}, status=429)


def on_user_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    """axes' `user_locked_out`: sent when an account or address reaches the limit, and again for each
    attempt during the lockout; only the first one (the failure that was counted) is published."""
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is None:
        return  # refused while already locked out: axes did not count it
    publish(LoginFailuresBurst(username=username or "", ip=ip_address or "", failures=failures,
                               surface=_surface(request)))
