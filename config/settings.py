"""Mostrador settings, read from the environment (twelve-factor).

With nothing set, Mostrador runs on its embedded default: a SQLite file and a
file-system Celery broker under ``var/``, so the same web, worker and beat
processes run on a laptop with no servers. Set ``DATABASE_URL`` and
``REDIS_URL`` for the full stack on PostgreSQL and Redis.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue
from redis.backoff import NoBackoff
from redis.retry import Retry

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("MOSTRADOR_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for a local demo).")
    SECRET_KEY = "django-insecure-mostrador-local-demo-only"  # noqa: S105
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# Credentials of channels are encrypted at rest with this key (Fernet keys are
# derived from it); rotate by listing the new key first and the old ones after.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", "") or [SECRET_KEY]

INSTALLED_APPS = [
    # The admin site, with a second factor for the accounts that have one.
    "core.accounts.admin_site.MostradorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "core.apps.CoreConfig",
    "channels.apps.ChannelsConfig",
    "inbox.apps.InboxConfig",
    "protocols.apps.ProtocolsConfig",
    "teams.apps.TeamsConfig",
    "quality.apps.QualityConfig",
    "reports.apps.ReportsConfig",
    "listening.apps.ListeningConfig",
]
# The demo app (seed data, local fake network APIs, the fake connector) exists
# for `make run` and the tests only: on unless DEBUG is off, or said otherwise.
MOSTRADOR_DEMO = env_bool("MOSTRADOR_DEMO", DEBUG)
if MOSTRADOR_DEMO:
    INSTALLED_APPS.append("demo.apps.DemoConfig")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Deliveries from the networks skip everything below (sessions, users, CSP…).
    "config.middleware.WebhookFastPath",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # The facts every page reads (roles, alerts, crises…), from the cache in one round trip.
    "core.memo.PrefetchMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.accounts.middleware.SessionTimeoutMiddleware",
    "core.accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.roles",
                "core.context_processors.nav",
                "protocols.context_processors.alerts",
                "quality.context_processors.reviews",
            ],
        },
    },
]

# --- Database: PostgreSQL in production, a SQLite file for the embedded demo.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'mostrador.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let web, worker and beat share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache and Celery broker. Without it, a file cache and a file broker.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Fail fast when Redis is down (redis-py would otherwise retry with
            # backoff for seconds): callers have a fallback for every cache miss.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5, "retry": Retry(NoBackoff(), 1)},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or REDIS_URL or "filesystem://"
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    (_broker_dir / "queue").mkdir(parents=True, exist_ok=True)
    (_broker_dir / "processed").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# A publish that finds the broker down fails at once instead of retrying the
# connection for ~6 s inside a webhook (everything queued is already stored and
# swept up periodically). The worker's consumer keeps its own reconnect policy.
CELERY_BROKER_TRANSPORT_OPTIONS["max_retries"] = 0
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 4
# Pool processes per worker (default: one per CPU). With several workers, one per
# kind of work, set it per worker; each process costs ~90-110 MB (README, Scaling).
if os.environ.get("CELERY_WORKER_CONCURRENCY"):
    CELERY_WORKER_CONCURRENCY = int(os.environ["CELERY_WORKER_CONCURRENCY"])
# A pool process that has grown past this (KiB) after a task is replaced by a fresh
# one: no single process of the worker stays above ~150 MB, whatever a task read.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = int(os.environ.get("CELERY_WORKER_MAX_MEMORY_PER_CHILD", "150000"))
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TIMEZONE = os.environ.get("TIME_ZONE", "Europe/Madrid")
# Queues per kind of work, so a slow sweep or a slow network never holds ingest
# back. A worker started without -Q consumes them all (make run, the tests); in
# production each queue has its own worker service (docker-compose.yml).
CELERY_TASK_QUEUES = [Queue(name) for name in ("ingest", "sending", "polling", "sweeps", "listening", "celery")]
CELERY_TASK_DEFAULT_QUEUE = "celery"
_QUEUE_OF = {
    "ingest": ["inbox.tasks.inbound_events_drain_task", "teams.tasks.conversations_assign_task"],
    "sending": [
        "inbox.tasks.reply_send_task",
        "inbox.tasks.replies_requeue_task",
        "core.tasks.alerts_email_task",
        "reports.tasks.report_weekly_send_task",
    ],
    "polling": [
        "channels.tasks.channels_poll_due_task",
        "channels.tasks.channel_poll_task",
        "inbox.tasks.attachment_copies_settle_task",
        "inbox.tasks.contact_profiles_fetch_task",
        "inbox.tasks.item_lookups_settle_task",
        "inbox.tasks.inbound_follow_ups_sweep_task",
    ],
    "sweeps": [
        "protocols.tasks.sla_sweep_task",
        "protocols.tasks.sla_escalations_settle_task",
        "protocols.tasks.crisis_detect_task",
        "teams.tasks.rota_tick_task",
        "teams.tasks.rota_gaps_warn_task",
        "quality.tasks.review_queue_build_task",
    ],
    "listening": ["listening.tasks.watches_poll_due_task", "listening.tasks.watch_poll_task"],
}
CELERY_TASK_ROUTES = {task: {"queue": queue} for queue, tasks in _QUEUE_OF.items() for task in tasks}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Copies of network pictures, names of people, mentions and X threads owed (durable debts).
    "settle-inbound-follow-ups": {
        "task": "inbox.tasks.inbound_follow_ups_sweep_task",
        "schedule": timedelta(minutes=5),
    },
    # Webhooks accepted while the broker was down, or whose task was lost.
    # Every few seconds, so a worker that died mid-drain delays ingest by seconds.
    "drain-inbound-events": {
        "task": "inbox.tasks.inbound_events_drain_task",
        "schedule": timedelta(seconds=5),
    },
    # Networks that are polled (backfill of missed webhooks, X mentions, listening).
    "poll-due-channels": {
        "task": "channels.tasks.channels_poll_due_task",
        "schedule": timedelta(seconds=30),
    },
    # Deadlines turning at risk or overdue, and their escalation.
    "sweep-sla": {
        "task": "protocols.tasks.sla_sweep_task",
        "schedule": timedelta(seconds=20),
    },
    # Spikes of complaints about one subject.
    "detect-crisis": {
        "task": "protocols.tasks.crisis_detect_task",
        "schedule": timedelta(seconds=60),
    },
    # Shift ends hand work over; shift starts take the team queue.
    "rota-tick": {
        "task": "teams.tasks.rota_tick_task",
        "schedule": timedelta(seconds=60),
    },
    # Hours nobody covers in the coming week, told to the Community Manager.
    "rota-gaps": {
        "task": "teams.tasks.rota_gaps_warn_task",
        "schedule": timedelta(hours=6),
    },
    # Brand, keyword and competitor watches (each on its own interval).
    "poll-due-watches": {
        "task": "listening.tasks.watches_poll_due_task",
        "schedule": timedelta(seconds=60),
    },
    # The owner's weekly report, Monday 08:00 in the business time zone (CELERY_TIMEZONE).
    "weekly-report": {
        "task": "reports.tasks.report_weekly_send_task",
        "schedule": crontab(minute=0, hour=8, day_of_week="mon"),
    },
    # The quality review queue of the week just ended (idempotent per week), before the report.
    "review-queue": {
        "task": "quality.tasks.review_queue_build_task",
        "schedule": crontab(minute=0, hour=7, day_of_week="mon"),
    },
    # Alert e-mails owed and not yet sent (the broker was down, or SMTP failed).
    "email-alerts": {
        "task": "core.tasks.alerts_email_task",
        "schedule": timedelta(seconds=60),
    },
    # Replies still queued after their task was lost; stuck sends marked failed.
    "resend-queued-replies": {
        "task": "inbox.tasks.replies_requeue_task",
        "schedule": timedelta(seconds=60),
    },
}

# --- Auth and sessions
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "inbox:list"
LOGOUT_REDIRECT_URL = "login"

# --- Internationalisation: Spanish first, English available.
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "es")
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Madrid")
USE_I18N = True
USE_TZ = True

# --- Static files
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# --- Media: copies of network pictures (their URLs expire) and images sent with
# replies. Local files by default; any storage backend in production (set
# STORAGES["default"], e.g. S3 through django-storages) and serve MEDIA_URL from
# the web server or the bucket, not from Django.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MOSTRADOR_COPY_MEDIA = env_bool("MOSTRADOR_COPY_MEDIA", True)
MOSTRADOR_MEDIA_MAX_BYTES = int(os.environ.get("MOSTRADOR_MEDIA_MAX_BYTES", 15 * 1024 * 1024))
MOSTRADOR_REPLY_IMAGE_MAX_BYTES = int(os.environ.get("MOSTRADOR_REPLY_IMAGE_MAX_BYTES", 5 * 1024 * 1024))
# Where the networks fetch images sent by URL (Messenger's Send API): this site's public address.
MOSTRADOR_PUBLIC_URL = os.environ.get("MOSTRADOR_PUBLIC_URL", "http://localhost:8000")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- E-mail: replies on the web channel leave through this backend.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = str(VAR_DIR / "sent-mail")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Mostrador <no-reply@mostrador.local>")

# --- Accounts and sign-in security ------------------------------------------
# How many reverse proxies stand in front of Django, each appending to
# X-Forwarded-For. 0 (the default): the header is ignored entirely and the
# client address is the TCP peer (REMOTE_ADDR); N: the N-th address from the
# right, the one our outermost proxy saw (addresses to its left are whatever
# the client sent, and a client can send anything). The lockout, the sign-in
# throttles and DRF's NUM_PROXIES all read the address the same way.
MOSTRADOR_TRUSTED_PROXIES = int(os.environ.get("MOSTRADOR_TRUSTED_PROXIES", "0"))
AUTHENTICATION_BACKENDS = [
    # Refuses every sign-in (password, admin, API token) while locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout (django-axes). Two tiers, counted over a sliding cool-off window:
# - one account from one address: AXES_FAILURE_LIMIT failures (5) lock that
#   pair. Guessing one password is stopped, and an attacker elsewhere cannot
#   lock the real person out (keying on the username alone would let anyone
#   lock the Community Manager out of the brand's accounts from anywhere);
# - one address across accounts (password spraying): MOSTRADOR_LOCKOUT_ADDRESS_LIMIT
#   failures (20) lock the address. Higher than the per-account limit because a
#   team often signs in from behind one office address, where a locked address
#   would lock out everybody for a few typos.
# core.accounts.lockout.TieredLockoutHandler reads the two counts in the order
# of AXES_LOCKOUT_PARAMETERS; wrong two-factor codes count as failures too.
AXES_HANDLER = "core.accounts.lockout.TieredLockoutHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
MOSTRADOR_LOCKOUT_ADDRESS_LIMIT = int(os.environ.get("MOSTRADOR_LOCKOUT_ADDRESS_LIMIT", "20"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
# Attempts made while locked out are refused but do not push the end of the
# lockout further, so the time the lockout page gives is the time it ends.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A success does not wipe the failures: with the address tier, one valid
# account would otherwise reset the count of an address spraying the others.
AXES_RESET_ON_SUCCESS = False
AXES_CLIENT_IP_CALLABLE = "core.accounts.network.client_ip"
AXES_LOCKOUT_CALLABLE = "core.accounts.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# Two-factor sign-in (django-otp): users with a confirmed device give a code
# after their password. Users holding one of these roles (the accounts that
# speak for the brand) must set one up before they can use Mostrador. Read at
# request time. The local demo (DEBUG on) requires nobody by default, so the
# demo users sign in with their password alone; set the variable to require it.
MOSTRADOR_2FA_REQUIRED_ROLES = env_list("MOSTRADOR_2FA_REQUIRED_ROLES", "" if DEBUG else "community_manager,supervisor")
OTP_TOTP_ISSUER = "Mostrador"
# Password reset by e-mail: at most this many messages per address per hour.
MOSTRADOR_PASSWORD_RESET_PER_HOUR = int(os.environ.get("MOSTRADOR_PASSWORD_RESET_PER_HOUR", "5"))
PASSWORD_RESET_TIMEOUT = 60 * 60  # a reset link works for one hour
# Sessions end after SESSION_IDLE_MINUTES without activity, and SESSION_MAX_HOURS
# after signing in whatever the activity. core.accounts.middleware.SessionTimeoutMiddleware
# keeps the time of the last activity in the session rather than relying on
# SESSION_SAVE_EVERY_REQUEST with a short SESSION_COOKIE_AGE: the inbox polls
# every 30 s, which would keep an unattended screen signed in for ever, and
# saving the session on every request is a database write per poll. The
# middleware does not count background polls as activity and writes the
# session at most once a minute.
SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "60"))
SESSION_MAX_HOURS = int(os.environ.get("SESSION_MAX_HOURS", "12"))
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 60 * 60
# An API token works this long after it is issued (POST /api/v1/auth/token/),
# unless revoked before (POST /api/v1/auth/token/revoke/).
MOSTRADOR_API_TOKEN_HOURS = int(os.environ.get("MOSTRADOR_API_TOKEN_HOURS", str(24 * 30)))
# --- End of accounts and sign-in security ------------------------------------

# --- REST API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Tokens expire (MOSTRADOR_API_TOKEN_HOURS) and can be revoked. First, so
        # that a missing, expired or revoked token answers 401 (WWW-Authenticate: Token).
        "core.accounts.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.permissions.IsStaffRole"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"token": "20/minute"},
    # Throttles key on the client address: X-Forwarded-For only as far as our
    # own proxies wrote it (see MOSTRADOR_TRUSTED_PROXIES below).
    "NUM_PROXIES": MOSTRADOR_TRUSTED_PROXIES,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Mostrador API",
    "DESCRIPTION": "The unified social inbox: channels, conversations, replies.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and the docs are for people with a Mostrador role, like the API.
    "SERVE_PERMISSIONS": ["core.permissions.IsStaffRole"],
    # Every operation lists the error statuses it can answer with (400, 401, 403, 404, 429).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.openapi.add_error_responses",
    ],
    # Swagger UI served from our own static files: no CDN, works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ConversationKindEnum": "inbox.models.Conversation.Kind",
        "ChannelKindEnum": "channels.connectors.registry.kind_choices",
        "ConversationStatusEnum": "inbox.models.Conversation.Status",
        "CaseProposalStatusEnum": "protocols.models.CaseProposal.Status",
        "WatchKindEnum": "listening.models.Watch.Kind",
    },
}

# --- Mostrador
# Connectors beyond the real networks (``channels.connectors.registry``): the
# in-memory fake one, for tests and the demo only.
MOSTRADOR_EXTRA_CONNECTORS = (
    {"fake": (_("Test channel"), "demo.fakes.connector.FakeConnector")} if MOSTRADOR_DEMO else {}
)
# How long a send may stay "sending" (its worker died) before the network is
# asked whether it arrived; it is re-sent only when the network says it did not
# (or, for e-mail, when a resend is the same message).
MOSTRADOR_SENDING_STALE_AFTER = timedelta(minutes=3)
# How long a stale send is asked about while the network cannot answer, before
# it is left failed for a person to check.
MOSTRADOR_SENDING_RECONCILE_FOR = timedelta(hours=1)
MOSTRADOR_REPLY_MAX_ATTEMPTS = 5
MOSTRADOR_INGEST_BATCH_SIZE = int(os.environ.get("MOSTRADOR_INGEST_BATCH_SIZE", "200"))
# How long the first event of a burst waits for others before the drain runs.
MOSTRADOR_INGEST_GATHER_SECONDS = float(os.environ.get("MOSTRADOR_INGEST_GATHER_SECONDS", "0.25"))
MOSTRADOR_WEBHOOK_MAX_BYTES = 1024 * 1024
# Deliveries refused before they proved authentic: how many per address and
# hour are kept (first bytes and headers); beyond that they are only counted.
MOSTRADOR_REFUSALS_RECORDED_PER_HOUR = int(os.environ.get("MOSTRADOR_REFUSALS_RECORDED_PER_HOUR", "60"))
# Crisis detection: at least MIN_ITEMS complaint or negative conversations about
# one subject within WINDOW minutes, FACTOR times its usual rate.
MOSTRADOR_CRISIS_WINDOW_MINUTES = int(os.environ.get("MOSTRADOR_CRISIS_WINDOW_MINUTES", "60"))
MOSTRADOR_CRISIS_MIN_ITEMS = int(os.environ.get("MOSTRADOR_CRISIS_MIN_ITEMS", "5"))
MOSTRADOR_CRISIS_FACTOR = float(os.environ.get("MOSTRADOR_CRISIS_FACTOR", "3"))
# X (Twitter): the app's consumer secret signs Account Activity deliveries and CRC
# answers; the API base URL points at a local fake X API in the demo and tests.
X_CONSUMER_SECRET = os.environ.get("X_CONSUMER_SECRET", "demo-x-secret" if DEBUG else "")
X_API_BASE_URL = os.environ.get("X_API_BASE_URL", "https://api.twitter.com")
X_API_TIMEOUT = float(os.environ.get("X_API_TIMEOUT", "15"))
# Meta: the app's secret signs webhook deliveries; the verify token answers the
# subscription handshake; the Graph API version and base URL (a local fake one
# in the demo and the tests).
META_APP_SECRET = os.environ.get("META_APP_SECRET", "demo-meta-secret" if DEBUG else "")
META_VERIFY_TOKEN = os.environ.get("META_VERIFY_TOKEN", "demo-verify-token" if DEBUG else "")
META_GRAPH_VERSION = os.environ.get("META_GRAPH_VERSION", "v24.0")
META_GRAPH_BASE_URL = os.environ.get("META_GRAPH_BASE_URL", "https://graph.facebook.com")
META_GRAPH_TIMEOUT = float(os.environ.get("META_GRAPH_TIMEOUT", "15"))
# Google (Business Profile reviews, YouTube): OAuth 2.0 token endpoint and the
# REST APIs' base URLs. GOOGLE_API_BASE_URL, when set, sends all three to one
# local fake Google (the demo's and the tests'), keeping the real paths.
GOOGLE_API_BASE_URL = os.environ.get("GOOGLE_API_BASE_URL", "")
GOOGLE_OAUTH_TOKEN_URL = os.environ.get("GOOGLE_OAUTH_TOKEN_URL", "https://oauth2.googleapis.com/token")
GOOGLE_BUSINESS_API_URL = os.environ.get("GOOGLE_BUSINESS_API_URL", "https://mybusiness.googleapis.com")
YOUTUBE_API_URL = os.environ.get("YOUTUBE_API_URL", "https://www.googleapis.com/youtube/v3")
GOOGLE_API_TIMEOUT = float(os.environ.get("GOOGLE_API_TIMEOUT", "15"))
# The demo's fake mailbox (``manage.py fake_mail_server``, started by ``make run``):
# the seeded e-mail inbox reads it by IMAP and answers through its SMTP sink.
DEMO_IMAP_PORT = int(os.environ.get("DEMO_IMAP_PORT", "8143"))
DEMO_SMTP_PORT = int(os.environ.get("DEMO_SMTP_PORT", "8025"))
# The demo's fake feeds, a blog and a forum (``manage.py fake_feed_server``, started by ``make run``).
DEMO_FEEDS_PORT = int(os.environ.get("DEMO_FEEDS_PORT", "8779"))
# The brand's name, for {brand} in canned replies.
MOSTRADOR_BRAND_NAME = os.environ.get("MOSTRADOR_BRAND_NAME") or "Panadería La Espiga"
# Where people open Mostrador; links in e-mails point here.
MOSTRADOR_BASE_URL = os.environ.get("MOSTRADOR_BASE_URL", "http://127.0.0.1:8000")
# A poll holds its channel this long at most; a failed poll retries after this.
MOSTRADOR_POLL_LEASE_SECONDS = 300
# Listening on feeds: one GET's time limit, the largest body read, the longest wait after failures in a row (any watch).
FEED_TIMEOUT = float(os.environ.get("FEED_TIMEOUT", "10"))
FEED_MAX_BYTES = int(os.environ.get("FEED_MAX_BYTES", str(5 * 1024 * 1024)))
WATCH_MAX_BACKOFF_MINUTES = 24 * 60
MOSTRADOR_POLL_RETRY_SECONDS = 120
# How long a web worker remembers a channel looked up by its webhook key.
MOSTRADOR_CHANNEL_CACHE_SECONDS = float(os.environ.get("MOSTRADOR_CHANNEL_CACHE_SECONDS", "5"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Production security --------------------------------------------------
# `python manage.py check --deploy` is clean with DEBUG off and the defaults
# below (see README, "Production").
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    # Every plain-HTTP request is redirected to HTTPS, but /healthz (the
    # container's own health check speaks plain HTTP to 127.0.0.1).
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    # Browsers remember to use HTTPS only for this long (a year; 0 turns HSTS off).
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 60 * 60)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    # The preload directive only allows the domain to be submitted to the
    # browsers' preload list; nothing is submitted by itself.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
# Behind a reverse proxy that terminates TLS, the header it sets to say the
# client used HTTPS (e.g. X-Forwarded-Proto). Only set it when that proxy
# always sets or strips the header: a client could otherwise claim HTTPS.
# Default: X-Forwarded-Proto when MOSTRADOR_TRUSTED_PROXIES says there is a proxy.
_proxy_ssl_header = os.environ.get(
    "SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto" if MOSTRADOR_TRUSTED_PROXIES else ""
).strip()
if _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")
# /healthz gives its details (what is down and why) to staff, and to callers
# sending this value in X-Health-Token; to anyone else only up or down.
MOSTRADOR_HEALTH_TOKEN = os.environ.get("MOSTRADOR_HEALTH_TOKEN", "")
# Content-Security-Policy (django-csp): scripts, styles and fonts from our own
# origin only, images also from the networks; no inline scripts (the pages' JavaScript is in
# static/js), no plugins, no framing, forms post only to us. Inline style
# attributes stay allowed (category colours are set per element); they cannot
# run code.
# Pictures the networks serve, shown until Mostrador's own copy is made (an
# image cannot run code); the demo's fake networks are local.
MOSTRADOR_NETWORK_IMAGE_SOURCES = env_list("MOSTRADOR_NETWORK_IMAGE_SOURCES", "https:") + (
    ["http://127.0.0.1:*", "http://localhost:*"] if MOSTRADOR_DEMO else []
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", *MOSTRADOR_NETWORK_IMAGE_SOURCES],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
# --- End of production security ---------------------------------------------
