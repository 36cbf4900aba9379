"""The containers' health checks: `python -m telefoni.healthcheck web|beat`.

web   GET /healthz from gunicorn on this host (the port of GUNICORN_BIND, default 8000) with
      the first name of DJANGO_ALLOWED_HOSTS as Host (Django answers 400 to 127.0.0.1);
      healthy when it answers 200, that is when the database and the broker answer.
beat  beat's heartbeat in the database is fresh (telefoni.health.beat_state).

The worker's check is Celery's own: `celery -A telefoni inspect ping -d celery@$HOSTNAME`.
Exit status 0 is healthy, 1 is not; one line says why.
"""

import os
import sys
import urllib.error
import urllib.request
from collections.abc import Callable


def _host():
    for name in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(","):
        name = name.strip().lstrip(".")
        if name and name != "*":
            return name
    return "localhost"


def _port():
    bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000").split(",")[0].strip()
    return bind.rsplit(":", 1)[-1] if ":" in bind else "8000"


def check_web(timeout=5):
    url = f"http://127.0.0.1:{_port()}/healthz"
    request = urllib.request.Request(url, headers={"Host": _host()})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status == 200, f"{url}: {response.status}"
    except urllib.error.HTTPError as exc:
        return False, f"{url}: {exc.code} {exc.read()[:200]!r}"
    except OSError as exc:
        return False, f"{url}: {exc}"


def check_beat():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "telefoni.settings")
    import django  # noqa: PLC0415 -- the check sets up Django itself first
    from django.apps import apps  # noqa: PLC0415 -- the check sets up Django itself first

    if not apps.ready:
        django.setup()
    from telefoni.health import beat_state  # noqa: PLC0415 -- after django.setup()

    state, age = beat_state()
    return state == "ok", f"beat: {state} (heartbeat {age if age is not None else 'none'} s old)"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    checks: dict[str, Callable[[], tuple[bool, str]]] = {"web": check_web, "beat": check_beat}
    if len(argv) != 1 or argv[0] not in checks:
        print("usage: python -m telefoni.healthcheck web|beat", file=sys.stderr)
        return 2
    healthy, reason = checks[argv[0]]()
    print(reason)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
