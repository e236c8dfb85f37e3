"""Test runs: the same stores as the environment chooses, faster hashing."""

from cpd.env import env

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
REST_FRAMEWORK = {**REST_FRAMEWORK}  # noqa: F405
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    "anon": "1000/min",
    "user": "1000/min",
    "token": "1000/min",
}
# On a real Redis, everything the suite writes starts with "test" (the suite
# refuses a database holding other keys: tests/conftest.py), and each xdist
# worker has prefixes of its own, so one worker's room events never reach
# another's sockets. The broker's keys (kombu) and RedBeat's lock likewise (set
# whatever REDIS_URL says: a fault test's subprocess gets a private Redis).
_worker = env.str("PYTEST_XDIST_WORKER", default="main")
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
    "global_keyprefix": f"test-{_worker}-celery:",
}
CELERY_REDBEAT_KEY_PREFIX = f"test-{_worker}-redbeat:"
if REDIS_URL:  # noqa: F405
    for _cache in CACHES.values():  # noqa: F405
        _cache["KEY_PREFIX"] = f"test-{_worker}"
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = f"test-{_worker}"  # noqa: F405

# Each test sees its own writes in the reports (tests/cpd/test_report_cache.py
# turns the cache on).
REPORT_CACHE_SECONDS = 0

# Tests run tasks in-process; the worker test turns this off on its side only.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
