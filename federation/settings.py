"""Settings of the 有你泰好 portal, all read from the environment (see .env.example)."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from federation.ops.env import env_bool, env_list, load_dotenv, parse_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
load_dotenv(BASE_DIR / ".env")

DEBUG = env_bool("DEBUG", default=False)

# Management commands that read only the code (models, templates, static files, messages) and
# never serve, sign or store anything: they run from a bare checkout without a secret.
CODE_ONLY_COMMANDS = {
    "makemigrations",
    "showmigrations",
    "sqlmigrate",
    "makemessages",
    "compilemessages",
    "collectstatic",
}

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG:
        # Development only: a fixed key is harmless while DEBUG is on and nothing is public.
        SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"  # noqa: S105
    elif os.path.basename(sys.argv[0]) == "manage.py" and CODE_ONLY_COMMANDS & set(sys.argv[1:2]):
        # A random key for this process only: nothing it signs outlives it.
        SECRET_KEY = secrets.token_urlsafe(50)
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY 未设置：生产环境（DEBUG 关闭）必须在环境变量中提供 SECRET_KEY。"
            " / SECRET_KEY is not set: with DEBUG off a secret key must come from the environment."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "import_export",
    "simple_history",
    "axes",
    # Before "federation": its admin replaces django-otp's device admin (which shows the secrets).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "captcha",
    # The article body editor's static files (Tiptap/ProseMirror); see activities/widgets.py.
    "django_prose_editor",
    "federation",
    "organizations",
    "activities",
    "brands",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Two-step login: which device verified the session, then the rules (federation.web.two_factor).
    "django_otp.middleware.OTPMiddleware",
    "federation.web.two_factor.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that a locked-out login is answered after authentication has run.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "federation.urls"
WSGI_APPLICATION = "federation.wsgi.application"
AUTH_USER_MODEL = "federation.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "federation.web.context_processors.site",
            ],
            # {% url %} reversing each address once per process (federation/templatetags).
            "builtins": ["federation.templatetags.fasturl"],
        },
    },
]

# Django's renderer, with <select> written in Python (one template include per option was a
# quarter of an uncached list page).
FORM_RENDERER = "federation.web.forms_renderer.FormRenderer"

DATABASES = {
    "default": parse_database_url(os.environ.get("DATABASE_URL", "sqlite:///db.sqlite3"), BASE_DIR)
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    from federation.ops.redis import redis_cache_settings

    # Short timeouts and a circuit breaker: a hung Redis must not stall pages (issue 15).
    CACHES = {
        "default": redis_cache_settings(
            REDIS_URL,
            timeout=float(os.environ.get("REDIS_SOCKET_TIMEOUT", "0.5")),
            retry_after=float(os.environ.get("REDIS_RETRY_AFTER", "5")),
            # Several deployments (or a test run) may share one Redis database.
            key_prefix=os.environ.get("REDIS_KEY_PREFIX", ""),
        )
    }
    DJANGO_REDIS_IGNORE_EXCEPTIONS = True
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "teda-portal",
            "TIMEOUT": 300,
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/staff/"
LOGOUT_REDIRECT_URL = "/"

# Lockout after repeated failures that lifts by itself (axes' default never expires).
# Two-step login (TOTP): optional for every account; with this on, district admins must use it.
TWO_FACTOR_REQUIRED_FOR_DISTRICT_ADMINS = env_bool("TWO_FACTOR_REQUIRED_FOR_DISTRICT_ADMINS", False)
OTP_TOTP_ISSUER = "有你泰好"
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# An attempt during a lockout does not extend it (else one try every 15 minutes locks for ever).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The client's address behind nginx (federation.core.client_ip), not the proxy's.
AXES_CLIENT_IP_CALLABLE = "federation.core.client_ip.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Where the scheduled quarterly_report task keeps the 季度工作台账 files the staff page lists.
REPORTS_DIR = Path(os.environ.get("REPORTS_DIR", BASE_DIR / "reports"))
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

# Uploads: a request body over the limit is refused before it is read into memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
# Files over PHOTO_MAX_FILES_PER_REQUEST (20) are refused by name by the form; a request with
# more than this many is refused outright (400) before its files are read.
DATA_UPLOAD_MAX_NUMBER_FILES = 40

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

SIMPLE_HISTORY_REVERT_DISABLED = True

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# The district federation's name and public links shown across the site.
PORTAL_NAME = _("有你泰好")
PORTAL_OWNER = _("天津经开区妇联")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}

# --- Staff workbench (issue 4) ---
# A locked-out login gets a Chinese page saying when it lifts (the cool-off above).
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
# Photo uploads (activities.images): bytes and decoded pixels, checked before decoding.
PHOTO_MAX_BYTES = int(os.environ.get("PHOTO_MAX_BYTES", str(10 * 1024 * 1024)))
PHOTO_MAX_PIXELS = int(os.environ.get("PHOTO_MAX_PIXELS", str(40_000_000)))
# One request decodes at most this many photos and pixels in all (counted from the headers):
# the rest are refused by name. 200 Mpx decode in about 7 s on this machine, well inside
# gunicorn's 30 s timeout.
PHOTO_MAX_FILES_PER_REQUEST = int(os.environ.get("PHOTO_MAX_FILES_PER_REQUEST", "20"))
PHOTO_MAX_PIXELS_PER_REQUEST = int(os.environ.get("PHOTO_MAX_PIXELS_PER_REQUEST", "200000000"))

# --- Public portal ---
# Anonymous public pages are cached this many seconds at most (less before a scheduled article).
PUBLIC_CACHE_ENABLED = env_bool("PUBLIC_CACHE_ENABLED", default=True)
PUBLIC_CACHE_TIMEOUT = int(os.environ.get("PUBLIC_CACHE_TIMEOUT", "300"))
# Widths (px) of the resized photo renditions served on public pages.
PUBLIC_RENDITION_WIDTHS = (240, 480, 960)

# --- Production: security, scale-out switches, health, faults (issue #6) ---
# Everything below is read from the environment; docs/deploy.md lists the variables.
from federation.ops.env import parse_replica_urls  # noqa: E402

# Reverse proxy (nginx) terminates TLS and says so in X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# The load balancer asks plain HTTP on the node's address: never redirect the health check.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_HTTPONLY = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# The admin's address can be moved away from the well-known /admin/ (e.g. ADMIN_URL=manage-7f3a/).
ADMIN_URL = os.environ.get("ADMIN_URL", "admin/").strip("/") + "/"
# Contact published in /.well-known/security.txt (RFC 9116).
SECURITY_CONTACT = os.environ.get("SECURITY_CONTACT", "")

MIDDLEWARE = [
    # First: answers /healthz for any Host header (the balancer uses the node's address).
    "federation.web.middleware.HealthCheckMiddleware",
    *MIDDLEWARE,
]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    # django-csp, with the policy string built once (federation/web/csp.py).
    "federation.web.csp.CSPMiddleware",
)
MIDDLEWARE += [
    # Pages showing personal data (admin, staff, any logged-in response) are never stored.
    "federation.web.middleware.NoStoreForPersonalPagesMiddleware",
    # The admin (and django-import-export's templates) need a few extra CSP allowances.
    "federation.web.middleware.AdminContentSecurityPolicyMiddleware",
    # Anonymous safe requests may read from replicas; anything else stays on the primary.
    "federation.web.middleware.ReplicaRoutingMiddleware",
]
INSTALLED_APPS += ["csp"]

# django-csp 4: no inline script or style on public pages.
_media_origins = []
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    },
}

# PostgreSQL connection handling: either psycopg's pool (DB_POOL_MAX_SIZE) or persistent
# connections (CONN_MAX_AGE) — Django refuses both at once.
_DB_POOL_MAX = int(os.environ.get("DB_POOL_MAX_SIZE", "0"))
_CONN_MAX_AGE = int(os.environ.get("CONN_MAX_AGE", "60"))


def _tune_connection(db: dict) -> dict:
    if db["ENGINE"] == "django.db.backends.postgresql":
        db["CONN_HEALTH_CHECKS"] = True
        db["OPTIONS"].setdefault("connect_timeout", int(os.environ.get("DB_CONNECT_TIMEOUT", "3")))
        if _DB_POOL_MAX:
            db["CONN_MAX_AGE"] = 0
            db["OPTIONS"]["pool"] = {
                "min_size": int(os.environ.get("DB_POOL_MIN_SIZE", "1")),
                "max_size": _DB_POOL_MAX,
                "timeout": int(os.environ.get("DB_POOL_TIMEOUT", "10")),
            }
        else:
            db["CONN_MAX_AGE"] = _CONN_MAX_AGE
    return db


_tune_connection(DATABASES["default"])
for _alias, _replica in parse_replica_urls(
    os.environ.get("DATABASE_REPLICA_URLS", ""), BASE_DIR
).items():
    DATABASES[_alias] = _tune_connection(_replica)
DATABASE_ROUTERS = ["federation.ops.db_router.PrimaryReplicaRouter"]

# Sessions: with Redis, cached_db reads from Redis and falls back to the database, so a Redis
# outage neither logs anybody out nor breaks a login.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)
# Media on S3-compatible object storage (MinIO, Aliyun OSS, Tencent COS, AWS S3, …).
AWS_STORAGE_BUCKET_NAME = os.environ.get("S3_BUCKET", "")
if AWS_STORAGE_BUCKET_NAME:
    AWS_S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL") or None
    AWS_S3_REGION_NAME = os.environ.get("S3_REGION") or None
    AWS_ACCESS_KEY_ID = os.environ.get("S3_ACCESS_KEY_ID") or None
    AWS_SECRET_ACCESS_KEY = os.environ.get("S3_SECRET_ACCESS_KEY") or None
    AWS_S3_CUSTOM_DOMAIN = os.environ.get("S3_CUSTOM_DOMAIN") or None
    AWS_S3_ADDRESSING_STYLE = os.environ.get("S3_ADDRESSING_STYLE", "virtual")
    AWS_LOCATION = os.environ.get("S3_PREFIX", "media")
    AWS_DEFAULT_ACL = None
    # Public photos: plain URLs, no signatures that would defeat caching.
    AWS_QUERYSTRING_AUTH = env_bool("S3_SIGNED_URLS", default=False)
    AWS_S3_FILE_OVERWRITE = False
    # Short: a photo that becomes private moves to a new name, old copies must not linger.
    AWS_S3_OBJECT_PARAMETERS = {
        "CacheControl": f"public, max-age={int(os.environ.get('S3_CACHE_MAX_AGE', '600'))}"
    }
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}
    if AWS_S3_CUSTOM_DOMAIN:
        _media_origins.append(f"https://{AWS_S3_CUSTOM_DOMAIN}")
    elif AWS_S3_ENDPOINT_URL:
        from urllib.parse import urlsplit as _urlsplit

        _endpoint = _urlsplit(AWS_S3_ENDPOINT_URL)
        _media_origins.append(f"{_endpoint.scheme}://*.{_endpoint.netloc}")
        _media_origins.append(f"{_endpoint.scheme}://{_endpoint.netloc}")
    else:
        _media_origins.append("https://*.amazonaws.com")
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] += _media_origins
else:
    # Local disk: a failed write (disk full) removes its partial file.
    STORAGES["default"] = {"BACKEND": "federation.ops.storage.MediaStorage"}

# Static files: whitenoise marks hashed names immutable (cached for years); other files this long.
WHITENOISE_MAX_AGE = int(os.environ.get("WHITENOISE_MAX_AGE", "3600"))

# A constant view used only by bench/load_bench as the throughput reference.
BENCH_TRIVIAL_VIEW = env_bool("BENCH_TRIVIAL_VIEW", default=False)

LOGGING["formatters"] = {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}}
LOGGING["handlers"]["console"]["formatter"] = "plain"

# --- Spreadsheet import and export (organizations/importing) ---
# Uploads above this size are refused before they are stored.
IMPORT_MAX_UPLOAD_BYTES = int(os.environ.get("IMPORT_MAX_UPLOAD_MB", "20")) * 1024 * 1024
# An xlsx is refused before parsing when it unpacks to more than this, or (above 10 MB unpacked)
# to more than this many times its own size: a zip bomb.
IMPORT_MAX_UNCOMPRESSED_BYTES = (
    int(os.environ.get("IMPORT_MAX_UNCOMPRESSED_MB", "300")) * 1024 * 1024
)
IMPORT_MAX_COMPRESSION_RATIO = int(os.environ.get("IMPORT_MAX_COMPRESSION_RATIO", "100"))
# Files with more data rows than this are previewed and applied by the background worker.
IMPORT_BACKGROUND_ROWS = int(os.environ.get("IMPORT_BACKGROUND_ROWS", "3000"))
# At most this many non-blank rows, and this much cell text, are read from one file: the
# reading stops at the limit (checked while streaming, for xlsx, xls and CSV alike).
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "100000"))
IMPORT_MAX_CELL_BYTES = int(os.environ.get("IMPORT_MAX_CELL_MB", "64")) * 1024 * 1024
# Uploaded lists and their error sheets hold contacts' phones: every job's stored files and its
# per-row data (preview rows, row errors, warnings) are deleted this many days after the job's
# last step (``manage.py import_cleanup``, daily by teda-portal-retention.timer, and on every
# upload); a preview left waiting that long expires. The job record keeps its summary.
IMPORT_KEEP_DAYS = int(os.environ.get("IMPORT_KEEP_DAYS", "7"))
# A running import reports progress every few seconds; one silent this long is dead (its worker
# was killed or lost the database) and ends as failed, nothing changed. A job still queued after
# IMPORT_QUEUED_MINUTES (no worker running) ends the same way.
IMPORT_HEARTBEAT_SECONDS = int(os.environ.get("IMPORT_HEARTBEAT_SECONDS", "300"))
IMPORT_QUEUED_MINUTES = int(os.environ.get("IMPORT_QUEUED_MINUTES", "60"))
IMPORT_PREVIEW_PAGE_SIZE = 100

# --- Page cache stampede protection (issue 6) ---
# While one request re-renders an outdated public page (holding a lock at most this many
# seconds), other visitors get the previous copy; copies are kept this long past freshness.
PUBLIC_CACHE_LOCK_TIMEOUT = int(os.environ.get("PUBLIC_CACHE_LOCK_TIMEOUT", "5"))
PUBLIC_CACHE_STALE_TIMEOUT = int(os.environ.get("PUBLIC_CACHE_STALE_TIMEOUT", "3600"))

# --- Hardening (issue 15) ---
# X-Forwarded-For is read only from these (addresses or networks): nginx on the same host by
# default. On a separate load balancer, list its address.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "127.0.0.1,::1")
# Rate limits per client address (django-ratelimit), in the shared cache. They fail open when
# the cache does not answer. "N/15m" means N requests per 15 minutes.
INSTALLED_APPS += ["django_ratelimit"]
RATELIMIT_FAIL_OPEN = True
RATELIMIT_CACHE_PREFIX = "rl:"
LOGIN_RATE_PER_ADDRESS = os.environ.get("LOGIN_RATE_PER_ADDRESS", "20/15m")
LOGIN_RATE_PER_USERNAME = os.environ.get("LOGIN_RATE_PER_USERNAME", "30/15m")
SEARCH_RATE = os.environ.get("SEARCH_RATE", "30/m")
# Page-cache misses (renders) per address; hits are never limited.
PUBLIC_CACHE_MISS_RATE = os.environ.get("PUBLIC_CACHE_MISS_RATE", "120/m")
# At most this many query-string variants of one path are stored (per cache epoch).
PUBLIC_CACHE_MAX_VARIANTS = int(os.environ.get("PUBLIC_CACHE_MAX_VARIANTS", "200"))
# Rendered pieces of public pages each process keeps (federation/web/fragments.py): about 1 KB
# each, least recently used dropped first.
PUBLIC_FRAGMENT_MAX_ENTRIES = int(os.environ.get("PUBLIC_FRAGMENT_MAX_ENTRIES", "5000"))
if not REDIS_URL:
    # Without Redis (development, one process) the local-memory cache counts per process.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
    "federation.web.middleware.LoginRateLimitMiddleware",
)
# NUL and other control characters: a 400 in a query string, removed from forms.
MIDDLEWARE.insert(
    MIDDLEWARE.index("federation.web.middleware.LoginRateLimitMiddleware"),
    "federation.web.middleware.ControlCharacterMiddleware",
)
# A cached public page answers here, before sessions, locale, CSRF, auth and messages
# (federation.web.cache.PageCacheMiddleware); the security headers around it still apply.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
    "federation.web.cache.PageCacheMiddleware",
)
# Outside every other (after the health check): a page is stored with all of its headers, so
# federation.web.fastpath can send it as it is.
MIDDLEWARE.insert(
    MIDDLEWARE.index("federation.web.middleware.HealthCheckMiddleware") + 1,
    "federation.web.cache.PageCacheStoreMiddleware",
)
# Browser features the portal never uses (django-permissions-policy).
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "django_permissions_policy.PermissionsPolicyMiddleware",
)
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
}
# The site finder's "使用我的位置" asks for the phone's position (our own script only).
PERMISSIONS_POLICY["geolocation"] = ["self"]
# --- Sign-up and check-in (issue 13) ---
# Registrants' names, mobiles and answers are erased this many days after the activity ended
# (manage.py registrations_erase, daily by the teda-portal-retention timer); counts are kept.
REGISTRATION_KEEP_DAYS = int(os.environ.get("REGISTRATION_KEEP_DAYS", "180"))
# A federation or an open site with no activity in this many days is flagged as dormant.
DORMANT_DAYS = int(os.environ.get("DORMANT_DAYS", "90"))
# Abuse limits of the public sign-up (django-ratelimit rates: "N/s|m|h|d"). A CAPTCHA is asked
# from the SIGNUP_CAPTCHA_AFTER-th submission of one address within an hour.
SIGNUP_RATE_PER_ADDRESS = os.environ.get("SIGNUP_RATE_PER_ADDRESS", "30/h")
SIGNUP_RATE_PER_MOBILE = os.environ.get("SIGNUP_RATE_PER_MOBILE", "6/h")
SIGNUP_CAPTCHA_AFTER = int(os.environ.get("SIGNUP_CAPTCHA_AFTER", "3"))
CODE_ATTEMPTS_PER_ADDRESS = os.environ.get("CODE_ATTEMPTS_PER_ADDRESS", "30/h")
# The rate limits count in the default cache: shared with Redis, per process without it.
RATELIMIT_USE_CACHE = "default"
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", default=True)
# django-simple-captcha: digits only (a sum), easy on a phone keyboard; no external service.
CAPTCHA_CHALLENGE_FUNCT = "captcha.helpers.math_challenge"
CAPTCHA_MATH_CHALLENGE_OPERATOR = "+"
CAPTCHA_TIMEOUT = 10  # minutes
CAPTCHA_IMAGE_SIZE = (120, 44)
CAPTCHA_FONT_SIZE = 30

# --- E-mail: notifications are also mailed when EMAIL_HOST is set (in-portal only otherwise) ---
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "webmaster@localhost")

# --- WeChat share cards (issue 12) ---
# With both set, public pages opened in WeChat load its JS-SDK and set the share card
# (federation/web/wechat.py). The 公众号's JS safe domain must be the portal's host, and the
# server's address must be on the 公众号's IP whitelist (WeChat answers 40164 otherwise).
WECHAT_APP_ID = os.environ.get("WECHAT_APP_ID", "")
WECHAT_APP_SECRET = os.environ.get("WECHAT_APP_SECRET", "")
WECHAT_API_BASE = os.environ.get("WECHAT_API_BASE", "https://api.weixin.qq.com")
WECHAT_API_TIMEOUT = float(os.environ.get("WECHAT_API_TIMEOUT", "3"))
# Token and ticket are renewed this many seconds before they expire (WeChat gives 7200 s).
WECHAT_REFRESH_MARGIN = int(os.environ.get("WECHAT_REFRESH_MARGIN", "600"))
# After a failed call, WeChat's API is not asked again for this many seconds.
WECHAT_FAILURE_BACKOFF = int(os.environ.get("WECHAT_FAILURE_BACKOFF", "60"))
WECHAT_CONFIG_RATE = os.environ.get("WECHAT_CONFIG_RATE", "60/m")
# Inside the page cache (so a stored page keeps its CSP allowance); replica routing stays last.
MIDDLEWARE.insert(
    MIDDLEWARE.index("federation.web.middleware.ReplicaRoutingMiddleware"),
    "federation.web.wechat.WeChatShareMiddleware",
)

# --- Site map tiles (issue 12) ---
# A 天地图 browser key (console.tianditu.gov.cn, bound to the portal's domain): the site pages then
# show an interactive map (vendored Leaflet) and their CSP allows t0-t7.tianditu.gov.cn. Empty:
# the server-drawn SVG map only, and no outside request.
TIANDITU_KEY = os.environ.get("TIANDITU_KEY", "")
