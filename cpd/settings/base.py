"""Settings shared by every mode, driven by the environment.

With nothing set this is the embedded default: SQLite, Channels' in-memory layer,
Celery eager, local-memory cache and console email. ``DATABASE_URL`` and
``REDIS_URL`` switch to PostgreSQL and Redis (channel layer, Celery broker, cache).
"""

from datetime import timedelta
from typing import Any

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from cpd.env import BASE_DIR, env

SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY", default="insecure-dev-key-change-me-only-for-local-demo"
)
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "axes",
    "cpd",
    "cpd.notifications",
    "cpd.privacy",
    "cpd.enrolment",
    "courses",
    "forums",
    "forums.rooms",
    "mentoring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise (static files keep their precompressed copies), above
    # everything that writes the body, so pages and JSON leave compressed.
    "cpd.middleware.TextGZipMiddleware",
    "csp.middleware.CSPMiddleware",
    # Above sessions and messages, so the redirect it rewrites carries their cookies.
    "cpd.middleware.OutboxRedirectMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cpd.middleware.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cpd.site.urls"
WSGI_APPLICATION = "cpd.wsgi.application"
ASGI_APPLICATION = "cpd.asgi.application"

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
                "cpd.context_processors.layout",
                "cpd.context_processors.data_saver",
                "cpd.notifications.context_processors.unread",
            ],
        },
    },
]

# --- Data stores -----------------------------------------------------------------
VAR_DIR = BASE_DIR / "var"  # local state of the embedded mode (git-ignored)
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
}
# Persistent connections suit WSGI workers; the ASGI process keeps the default of
# closing per request (Django's advice), so the Procfile sets this for gunicorn only.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")


def redis_stores(url: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """CACHES and CHANNEL_LAYERS on the Redis at ``url`` (fault tests use it too)."""
    # Redis is a cache here, never the record: "default" (sessions are in the
    # database; allauth's and DRF's rate limits, fragments) answers a miss while
    # Redis is away instead of raising, and logs it. "counters" raises, for the
    # code that must know it is away and degrades on its own (cpd.limits, reading
    # time folding). Short socket timeouts: a lost Redis costs milliseconds.
    _cache_options = {
        "SOCKET_CONNECT_TIMEOUT": env.float("CACHE_CONNECT_TIMEOUT", default=0.5),
        "SOCKET_TIMEOUT": env.float("CACHE_TIMEOUT", default=0.5),
    }
    caches = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="cpd"),
            "OPTIONS": {**_cache_options, "IGNORE_EXCEPTIONS": True},
        },
        "counters": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="cpd"),
            "OPTIONS": _cache_options,
        },
    }
    # Sized for case rooms of 500 members; the reasons are in docs/rooms.md.
    layers = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": url,
                        # redis-py's default pool refuses the 101st concurrent
                        # command (MaxConnectionsError) during a join storm.
                        "max_connections": env.int(
                            "CHANNEL_LAYER_MAX_CONNECTIONS", default=1000
                        ),
                        # Longer than channels_redis's 5 s BZPOPMIN, or a quiet
                        # process times out its own receive and closes sockets.
                        "socket_timeout": 15,
                        "socket_connect_timeout": 5,
                        "socket_keepalive": True,
                        "health_check_interval": 30,
                    }
                ],
                "prefix": env.str("CHANNEL_LAYER_PREFIX", default="cpd"),
                # Per process inbox (all local sockets share one Redis key) and
                # per socket buffer: room for bursts, not for a stalled reader.
                "capacity": 1000,
                # An event undelivered for 30 s is stale: clients catch up by number.
                "expiry": 30,
                # Longer than any socket stays open (a night shift), since
                # membership is not refreshed while the socket lives.
                "group_expiry": 24 * 3600,
            },
        }
    }
    return caches, layers


DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
if REDIS_URL:
    CACHES, CHANNEL_LAYERS = redis_stores(REDIS_URL)
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "counters": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "counters",
        },
    }
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# Case-room presence: each server process sends at most one presence frame per
# room this often, in seconds (joins and leaves in between are batched).
ROOM_PRESENCE_INTERVAL = env.float("ROOM_PRESENCE_INTERVAL", default=2.0)
# Sessions are read from the cache and written through to the database: a
# signed-in page costs no session query, and a cache that is away (or cold)
# falls back to the database row, so no one is signed out by a Redis restart.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# A thread page's rendered post list is cached this long, in seconds, under the
# thread's revision (every write bumps it, a member's rename too: this only
# bounds how long an unforeseen write can show stale); 0 turns the cache off.
FORUMS_THREAD_CACHE_SECONDS = env.int("FORUMS_THREAD_CACHE_SECONDS", default=600)
# Reading-time heartbeats are folded in the cache and written to the lesson's
# progress row at most once per learner, lesson and this many seconds; a cache
# that dies loses at most this window of reading (courses/services/progress.py).
# The cohort report's costly parts (the learning record's per-learner counts,
# the reply network) are kept this many seconds; 0 computes them every time
# (cpd.report_cache).
REPORT_CACHE_SECONDS = env.int("REPORT_CACHE_SECONDS", default=120)
COURSES_HEARTBEAT_FLUSH_SECONDS = env.int(
    "COURSES_HEARTBEAT_FLUSH_SECONDS", default=180
)
# A QR or typed check-in code counts for this long after its 30 s window: a
# learner who scanned without a signal is counted when the phone syncs later
# (courses/services/checkin.py checks the code's window, not the arrival time).
ATTENDANCE_CHECKIN_GRACE = timedelta(
    hours=env.float("ATTENDANCE_CHECKIN_GRACE_HOURS", default=24)
)

# --- Celery ------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
# Delays are due times in the outbox (cpd.outbox), never broker countdowns, so an
# unacknowledged task (a worker killed mid-task) is redelivered after minutes. It
# must stay longer than the longest task runs (a pairing run of a cohort: seconds).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=300),
    "socket_connect_timeout": 2,
    # A publish to a broker that is down fails after one quick retry (0.05 s,
    # not kombu's 2 s); the outbox keeps the task. Workers reconnect on their own
    # terms (broker_connection_retry), which these do not change.
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Beat runs once in the whole deployment, enforced: RedBeat keeps the schedule in
# Redis under a lock, so a second `celery beat` waits instead of sending every
# periodic task twice (Procfile and deploy/systemd/cpd-beat.service use it).
CELERY_REDBEAT_REDIS_URL = REDIS_URL or None
CELERY_REDBEAT_KEY_PREFIX = env.str("CELERY_REDBEAT_KEY_PREFIX", default="cpd:redbeat:")
CELERY_BEAT_MAX_LOOP_INTERVAL = 30  # seconds; the lock expires after 5 of these
CELERY_TIMEZONE = "UTC"
# Periodic work, run by the single `celery beat` process (see Procfile).
CELERY_BEAT_SCHEDULE = {
    "cpd-outbox-sweep": {"task": "cpd.tasks.outbox_sweep", "schedule": 60},
    "cpd-outbox-purge": {"task": "cpd.tasks.outbox_purge", "schedule": 24 * 3600},
    "courses-sessions-tomorrow": {
        "task": "courses.tasks.sessions_tomorrow",
        "schedule": crontab(hour=15, minute=0),
    },
    "courses-modules-opened": {
        "task": "courses.tasks.modules_opened",
        "schedule": crontab(hour=4, minute=0),
    },
    "mentoring-inactive-nudges": {
        "task": "mentoring.tasks.inactive_nudges",
        "schedule": crontab(hour=6, minute=0),
    },
    "rooms-retention": {
        "task": "forums.rooms.tasks.retention_sweep",
        "schedule": 6 * 3600,
    },
    # Hourly: each person's digest goes at NOTIFY_DIGEST_HOUR in their zone.
    "notifications-digests": {
        "task": "cpd.notifications.tasks.digests_send",
        "schedule": crontab(minute=0),
    },
    # Idempotent (each statement is counted once): hourly is cheap.
    "cpd-record-rollup": {"task": "cpd.tasks.record_rollup", "schedule": 3600},
    "mentoring-checkin-reminders": {
        "task": "mentoring.tasks.checkin_reminders_queue",
        "schedule": 15 * 60,  # seconds; reminders go out within 24 h of a check-in
    },
    "privacy-sweep": {"task": "cpd.privacy.tasks.privacy_sweep", "schedule": 3600},
}

# --- Notifications (cpd/notifications) ----------------------------------------------
# Digests go at this local hour (the end of a day shift), weekly ones on this day
# (0 is Monday); a person's zone is their quiet hours' one, else NOTIFY_TIME_ZONE.
NOTIFY_DIGEST_HOUR = env.int("NOTIFY_DIGEST_HOUR", default=17)
NOTIFY_DIGEST_WEEKDAY = env.int("NOTIFY_DIGEST_WEEKDAY", default=4)
NOTIFY_TIME_ZONE = env.str("NOTIFY_TIME_ZONE", default="UTC")
# SMS: the console backend logs; production sets the Africa's Talking one.
SMS_BACKEND = env.str(
    "SMS_BACKEND", default="cpd.notifications.backends.sms.ConsoleSmsBackend"
)
AFRICASTALKING_USERNAME = env.str("AFRICASTALKING_USERNAME", default="sandbox")
AFRICASTALKING_API_KEY = env.str("AFRICASTALKING_API_KEY", default="")
AFRICASTALKING_SENDER_ID = env.str("AFRICASTALKING_SENDER_ID", default="")
# Empty: the SDK's own address. Set for a gateway double (tests) or a proxy.
AFRICASTALKING_API_URL = env.str("AFRICASTALKING_API_URL", default="")
# Delivery reports must carry ?token=<this>; empty refuses every report.
SMS_WEBHOOK_TOKEN = env.str("SMS_WEBHOOK_TOKEN", default="")
# Web push (VAPID): generate with `vapid --gen` (py-vapid); empty turns push off.
VAPID_PUBLIC_KEY = env.str("VAPID_PUBLIC_KEY", default="")
VAPID_PRIVATE_KEY = env.str("VAPID_PRIVATE_KEY", default="")
VAPID_CLAIMS_EMAIL = env.str("VAPID_CLAIMS_EMAIL", default="admin@example.org")

# One beat run of the learning record's roll-up stops after the first batch (7
# days of statements, one transaction) that ends past this many seconds; the
# next hourly run goes on. Well under the visibility timeout above, with room
# for that last batch (about 6 s on 200,000 statements; `record_backfill` has no
# bound).
RECORD_ROLLUP_RUN_SECONDS = env.int("RECORD_ROLLUP_RUN_SECONDS", default=120)

# --- People and accounts -----------------------------------------------------------
AUTH_USER_MODEL = "cpd.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "cpd.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email", "phone"}
ACCOUNT_SIGNUP_FIELDS = ["email", "phone", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "cpd.forms.SignupProfileForm"
ACCOUNT_EMAIL_VERIFICATION = "none"
# Phone numbers are confirmed by the inviting administrator; SMS verification codes
# arrive with the notification gateways.
ACCOUNT_PHONE_VERIFICATION_ENABLED = False
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True

# Login throttling on every path (allauth, Django admin, API token): django-axes
# watches Django's authenticate(), so one rule covers them all. The lock is per
# account *and* client address: a guesser who knows a phone number locks only
# themselves, and the owner still signs in from their own phone.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "cpd.adapters.login_identifier"
AXES_LOCKOUT_CALLABLE = "cpd.adapters.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
# The client address behind DJANGO_PROXY_COUNT reverse proxies, one reading for
# axes and allauth (django-ipware is not installed, so axes' own IPWARE settings
# would read REMOTE_ADDR: the proxy's address, shared by every user).
AXES_CLIENT_IP_CALLABLE = "cpd.adapters.client_ip"
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("DJANGO_PROXY_COUNT", default=0)
# allauth's per-address ceilings, sized for a clinic or a class behind one Wi-Fi
# or carrier NAT address (50 people signing in within a minute). Guessing one
# account is axes' job (above). allauth's default per-account ("key") limit is
# left out: it locks the owner too, and for phone logins its key is empty, one
# counter for every phone account. Failed sign-ins are counted per address to
# stop one address spraying guesses over many accounts.
ACCOUNT_RATE_LIMITS = {
    "login": env.str("LOGIN_RATE_PER_ADDRESS", default="300/m/ip"),
    "login_failed": env.str("LOGIN_FAILED_RATE_PER_ADDRESS", default="60/m/ip"),
}

INVITATION_TTL = timedelta(days=env.int("INVITATION_TTL_DAYS", default=14))

# --- Internationalisation ----------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("pt", _("Portuguese")),
    ("sw", _("Swahili")),
    ("ar", _("Arabic")),  # right to left: the proof that the layout mirrors
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media --------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_MAX_AGE = 3600

# --- Email -------------------------------------------------------------------------
EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="cpd@localhost")
# Production email through an ESP with django-anymail, for example
# DJANGO_EMAIL_BACKEND=anymail.backends.mailgun.EmailBackend and ANYMAIL_* below.
ANYMAIL = {
    key: value
    for key, value in {
        "MAILGUN_API_KEY": env.str("ANYMAIL_MAILGUN_API_KEY", default=""),
        "MAILGUN_SENDER_DOMAIN": env.str("ANYMAIL_MAILGUN_SENDER_DOMAIN", default=""),
        "SENDGRID_API_KEY": env.str("ANYMAIL_SENDGRID_API_KEY", default=""),
        "AMAZON_SES_CLIENT_PARAMS": {},
    }.items()
    if value
}
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# A Unicode TrueType font for PDF certificates (Debian: fonts-dejavu-core).
# Without it, names outside Latin-1 print with "?" and the HTML page is exact.
CERTIFICATE_FONT = env.str(
    "CERTIFICATE_FONT", default="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
)
# Where browsers open WebSockets; empty means the page's own origin (a proxy routes
# /ws/ to the ASGI process). Set it when the ASGI process listens on its own port.
REALTIME_URL = env.str("REALTIME_URL", default="")

# --- API ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "cpd.api.pagination.Pagination",
    "PAGE_SIZE": 25,
    # Throttles key on the client address behind this many proxies, not on a
    # forwarded header a client can write.
    "NUM_PROXIES": env.int("DJANGO_PROXY_COUNT", default=0),
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="60/min"),
        "user": env.str("API_THROTTLE_USER", default="600/min"),
        # Guessing is stopped per account and address (axes); this is a per-address
        # ceiling a clinic of colleagues behind one NAT address stays under.
        "token": env.str("API_THROTTLE_TOKEN", default="300/min"),
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "cpd.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CPD mobile-social learning API",
    "DESCRIPTION": "Cohorts, courses, forums, case rooms and mentoring.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # 400, 403, 404 and 429 on every operation (cpd/api/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "cpd.api.schema.error_responses",
    ],
    # Two choice sets share the field name "mode": name their enums explicitly.
    "ENUM_NAME_OVERRIDES": {
        "PairingModeEnum": "mentoring.models.PairingMode",
        "CheckInModeEnum": "mentoring.models.CheckInMode",
        "SurveyItemKindEnum": "courses.models.survey.SurveyItemKind",
    },
}


# --- Security headers (strict values in production.py) ------------------------------
def websocket_sources(site_url: str, realtime_url: str) -> list[str]:
    """The ws(s):// origins of SITE_URL and REALTIME_URL, for CSP ``connect-src``.

    CSP Level 3 lets 'self' match ws/wss on the page's own host, but older
    browsers (and some current ones for another port) need the socket origin
    named: a page on https://host opens wss://host.
    """
    from urllib.parse import urlsplit

    schemes = {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"}
    sources: list[str] = []
    for url in (site_url, realtime_url):
        parts = urlsplit(url.strip())
        scheme = schemes.get(parts.scheme.lower())
        host = parts.netloc.rsplit("@", 1)[-1].lower()
        origin = f"{scheme}://{host}"
        if scheme and host and origin not in sources:
            sources.append(origin)
    return sources


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        # Sockets only to our own origin and REALTIME_URL, never ws:/wss: to any host.
        "connect-src": ["'self'", *websocket_sources(SITE_URL, REALTIME_URL)],
        "font-src": ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
    # Swagger UI and the admin need inline scripts/styles; they are excluded.
    "EXCLUDE_URL_PREFIXES": ["/api/docs/", "/admin/"],
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 24 * 30
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

SILENCED_SYSTEM_CHECKS = [
    # Sign-up asks for email or phone (either may be left out, not both): the form
    # enforces "at least one", which allauth's static check cannot see.
    "account.W001",
]
