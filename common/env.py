"""Reading typed values from the environment; settings.py is the only caller."""

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on", "ja"}
FALSE_WORDS = {"0", "false", "no", "off", "nej", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_secret(name: str, default: str = "", environ: Mapping[str, str] | None = None) -> str:
    """A secret from `name`, or from the file that `name`_FILE names (Docker and
    Kubernetes mount secrets as files: DJANGO_SECRET_KEY_FILE=/run/secrets/django_secret_key).

    The file's trailing line break is dropped. Setting both, or naming a file that cannot
    be read or is empty, is an ImproperlyConfigured error that names the variable."""
    environ = os.environ if environ is None else environ
    path = environ.get(f"{name}_FILE", "")
    value = environ.get(name)
    if not path:
        return default if value is None else value
    if value:
        raise ImproperlyConfigured(f"Set {name} or {name}_FILE, not both")
    try:
        text = Path(path).read_text(encoding="utf-8").rstrip("\r\n")
    except OSError as exc:
        raise ImproperlyConfigured(
            f"{name}_FILE={path}: the file cannot be read ({exc.strerror or exc})"
        ) from exc
    if not text:
        raise ImproperlyConfigured(f"{name}_FILE={path}: the file is empty")
    return text


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from exc


def env_list(name: str, default: Iterable[str] = ()) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]
