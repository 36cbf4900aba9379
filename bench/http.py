"""The application under gunicorn with the production settings, for the benchmarks that
time pages over HTTP (bench_telesok --http), and a light client for it.

Server starts `gunicorn -c deploy/gunicorn.conf.py telefoni.wsgi:application` as
production does (deploy/gunicorn.conf.py, debug off, a secret key made for the run) with
bench.settings, which is telefoni.settings plus the trivial page of bench.views. It
listens on 127.0.0.1 over plain HTTP; the client sends X-Forwarded-Proto: https, which
gunicorn believes from 127.0.0.1 (FORWARDED_ALLOW_IPS), so Django serves it as HTTPS,
as behind the proxy: SECURE_SSL_REDIRECT, secure cookies and HSTS stay as they are.

The client is http.client, one connection per thread (gunicorn's sync workers close the
connection after each response; http.client opens the next one)."""

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.core.management.base import CommandError
from django.db import connection

GUNICORN_CONF = Path(settings.BASE_DIR) / "deploy" / "gunicorn.conf.py"
STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database_url() -> str:
    """A URL for the database this process uses (the test database under pytest), which
    another process can open."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        user = urllib.parse.quote(db.get("USER") or "")
        password = db.get("PASSWORD") or ""
        auth = f"{user}:{urllib.parse.quote(password)}@" if password else f"{user}@"
        host = db.get("HOST") or "127.0.0.1"
        port = f":{db['PORT']}" if db.get("PORT") else ""
        return f"postgres://{auth}{host}{port}/{db['NAME']}"
    name = str(db.get("NAME") or "")
    in_memory = name == ":memory:" or "mode=memory" in name  # as Django tells them
    if connection.vendor == "sqlite" and name and not in_memory:
        return f"sqlite:///{Path(name).resolve()}"
    raise CommandError(
        "--http needs a database that gunicorn's workers can open too: PostgreSQL, or a "
        "SQLite file (not an in-memory test database)."
    )


class Server:
    """gunicorn with `workers` workers on a free port of 127.0.0.1; a context manager.
    Its log (access lines, errors) goes to a file that is shown if it fails to start."""

    def __init__(self, *, workers: int = 2, var_dir: Path | None = None):
        self.workers = workers
        self.port = free_port()
        self.var_dir = Path(var_dir or settings.VAR_DIR)
        self.process: subprocess.Popen[bytes] | None = None
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed in stop)
            prefix="bench-gunicorn-", suffix=".log"
        )

    def environment(self) -> dict[str, str]:
        env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("DJANGO_", "GUNICORN_", "TELEFONI_", "DATABASE_"))
        }
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "bench.settings",
                "DJANGO_DEBUG": "0",
                "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
                "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
                "DATABASE_URL": database_url(),
                "TELEFONI_VAR_DIR": str(self.var_dir),
                "TELEFONI_BENCH": "1",
                "GUNICORN_BIND": f"127.0.0.1:{self.port}",
                "GUNICORN_WORKERS": str(self.workers),
                "FORWARDED_ALLOW_IPS": "127.0.0.1",
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    def collect_static(self, env: dict[str, str]) -> None:
        """The hashed static files and WhiteNoise's manifest, as the image builds them
        (scripts/build-production app), under var_dir; collected again only when a
        source file is newer than the manifest (a collection takes 10-25 s here)."""
        manifest = self.var_dir / "staticfiles" / "staticfiles.json"
        if manifest.exists():
            built = manifest.stat().st_mtime
            newest = max(
                (
                    os.path.getmtime(storage.path(path))
                    for finder in get_finders()
                    for path, storage in finder.list([])
                ),
                default=0.0,
            )
            if newest < built:
                return
        subprocess.run(  # noqa: S603 (this interpreter, fixed arguments)
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--clear", "-v", "0"],
            cwd=settings.BASE_DIR,
            env=env,
            check=True,
        )

    def __enter__(self) -> "Server":
        self.var_dir.mkdir(parents=True, exist_ok=True)
        env = self.environment()
        self.collect_static(env)
        self.process = subprocess.Popen(  # noqa: S603 (this interpreter, fixed arguments)
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                str(GUNICORN_CONF),
                "telefoni.wsgi:application",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def wait_ready(self) -> None:
        """Until both workers answer the login page."""
        deadline = time.monotonic() + STARTUP_SECONDS
        answered = 0
        while answered < self.workers * 2:
            assert self.process is not None
            if self.process.poll() is not None:
                raise CommandError(f"gunicorn stopped at start:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise CommandError(
                    f"gunicorn did not answer in {STARTUP_SECONDS} s:\n{self.log_tail()}"
                )
            try:
                status, _headers, _body = Client(self.port).get("/accounts/login/")
            except OSError:
                time.sleep(0.2)
                continue
            if status != 200:
                raise CommandError(f"the login page answered {status}:\n{self.log_tail()}")
            answered += 1

    def log_tail(self, lines: int = 30) -> str:
        self.log.flush()
        text = Path(self.log.name).read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None
        self.log.close()


class Client:
    """One signed-in (or not) browser over one keep-alive-when-possible connection.
    Every request claims HTTPS (X-Forwarded-Proto) as the proxy would."""

    def __init__(self, port: int, cookies: dict[str, str] | None = None):
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"
        self.cookies = dict(cookies or {})
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        headers = {"X-Forwarded-Proto": "https", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            # The worker closed the kept connection (as a sync worker does): once more.
            self.connection.close()
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        content = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        if response.will_close:
            self.connection.close()
        return response.status, response.headers, content

    def get(self, path: str) -> tuple[int, http.client.HTTPMessage, bytes]:
        return self.request("GET", path)

    def sign_in(self, username: str, password: str) -> None:
        """The login form, as a browser fills it in: a real session cookie."""
        login = "/accounts/login/"
        status, _headers, body = self.get(login)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if status != 200 or token is None:
            raise CommandError(f"GET {login} answered {status} without a CSRF token")
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1).decode(),
                "username": username,
                "password": password,
                "next": "/",
            }
        ).encode()
        status, headers, _body = self.request(
            "POST",
            login,
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Referer": self.origin + login,
            },
        )
        if status != 302 or headers.get("Location") != "/" or "sessionid" not in self.cookies:
            raise CommandError(f"signing in answered {status} {headers.get('Location')}")

    def sign_out(self) -> None:
        status, _headers, body = self.get("/bench/trivial/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if status == 200 and token is not None:
            self.request(
                "POST",
                "/accounts/logout/",
                body=urllib.parse.urlencode(
                    {"csrfmiddlewaretoken": token.group(1).decode()}
                ).encode(),
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": self.origin,
                    "Referer": self.origin + "/",
                },
            )
        self.connection.close()


def timed_get(client: Client, path: str) -> float:
    """ms for one GET that must answer 200."""
    started = time.perf_counter()
    status, _headers, _body = client.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    if status != 200:
        raise CommandError(f"GET {path} answered {status}")
    return elapsed


def throughput(
    port: int, cookies: dict[str, str], paths: list[str], *, clients: int, requests: int
) -> float:
    """Requests per second with `clients` threads, each its own connection, asking for
    `requests` paths in all (client n starts at its own place in `paths`)."""
    per_client = max(1, requests // clients)
    barrier = threading.Barrier(clients + 1)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        client = Client(port, cookies)
        start = n * len(paths) // clients
        mine = [paths[(start + i) % len(paths)] for i in range(per_client)]
        barrier.wait()
        try:
            for path in mine:
                timed_get(client, path)
        except BaseException as error:  # reported by the caller
            errors.append(error)
        finally:
            client.connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise CommandError(f"under load: {errors[0]}")
    return per_client * clients / elapsed
