"""The production settings (telefoni.settings, as they are) with the benchmark's trivial
page added, for the gunicorn that `manage.py bench_telesok --http` starts. Nothing else
differs: debug off, the same middleware, the cached template loader, WhiteNoise with the
hashed static files. The static files are collected under TELEFONI_VAR_DIR (the
benchmark's throwaway directory) instead of the checkout's staticfiles/."""

from telefoni.settings import *  # noqa: F403

if "bench" not in INSTALLED_APPS:  # noqa: F405
    INSTALLED_APPS.append("bench")  # noqa: F405
ROOT_URLCONF = "bench.urls"
STATIC_ROOT = VAR_DIR / "staticfiles"  # noqa: F405
