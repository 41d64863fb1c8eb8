"""Ending a login session before its tokens expire.

An access token is checked by its signature alone and lives ACCESS_TOKEN_LIFETIME (10 min). To
refuse it after a logout, every token of a login carries the session's id (`sid`: the jti of the
refresh token the login issued, kept through rotations), and a logout writes that id to Redis for
as long as an access token of the session could still be valid. A password change and a
deactivation need no list: simplejwt checks the password-hash claim (CHECK_REVOKE_TOKEN) and
`is_active` on every request, and accounts.tokens on every refresh.

With Redis unreachable a logged-out access token is accepted until it expires, as before this
existed, rather than every request of every user being refused.
"""

import structlog
from django.conf import settings
from redis.exceptions import RedisError

from secretaria.redis_client import get_redis, tenant_key

SESSION_CLAIM = "sid"
log = structlog.get_logger(__name__)


def _key(session_id: str) -> str:
    return tenant_key("jwt", "ended", session_id)


def session_end(*, refresh) -> None:
    """Logout: the refresh token is blacklisted and the session's access tokens refused from now on."""
    refresh.blacklist()
    session_id = refresh.get(SESSION_CLAIM)
    if not session_id:
        return
    lifetime = settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds()
    try:
        get_redis().set(_key(session_id), 1, ex=int(lifetime) + 60)
    except RedisError:
        log.warning("session_end_not_recorded", reason="redis unreachable")


def session_ended(session_id: str | None) -> bool:
    if not session_id:
        return False
    try:
        return bool(get_redis().exists(_key(session_id)))
    except RedisError:
        return False
