"""The settings module: environment-driven, safe by default, passes check --deploy."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(code_or_args, env_extra, *, manage=False):
    # A clean environment: only what the settings under test are given (CI sets
    # DATABASE_URL, CELERY_BROKER_URL and more, which must not leak in).
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    env.update({"DJANGO_SETTINGS_MODULE": "telefoni.settings", "TELEFONI_VAR_DIR": "/tmp"})
    env.update(env_extra)
    args = (
        [sys.executable, "manage.py", *code_or_args]
        if manage
        else [sys.executable, "-c", code_or_args]
    )
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_secret_key_required_when_debug_is_off():
    result = _run("import django; django.setup()", {"DJANGO_DEBUG": "0"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr


def test_debug_is_off_by_default():
    result = _run(
        "from django.conf import settings; print(settings.DEBUG, settings.SESSION_COOKIE_AGE)",
        {"DJANGO_SECRET_KEY": "x" * 50},
    )
    assert result.stdout.split() == ["False", "28800"]


def test_sessions_never_last_more_than_eight_hours():
    result = _run(
        "from django.conf import settings; print(settings.SESSION_COOKIE_AGE)",
        {"DJANGO_SECRET_KEY": "x" * 50, "SESSION_COOKIE_AGE": "999999"},
    )
    assert result.stdout.strip() == "28800"


def test_embedded_default_is_sqlite_wal_and_sqlalchemy_broker():
    result = _run(
        "from django.conf import settings; d = settings.DATABASES['default'];"
        "print(d['ENGINE'], d['OPTIONS']['init_command'], settings.CELERY_BROKER_URL)",
        {"DJANGO_DEBUG": "1"},
    )
    out = result.stdout
    assert "sqlite3" in out and "journal_mode=WAL" in out
    assert "sqla+sqlite:////tmp/celery-broker.sqlite3" in out


def test_database_url_selects_postgresql():
    result = _run(
        "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])",
        {"DJANGO_DEBUG": "1", "DATABASE_URL": "postgres://u:p@db:5432/telefoni"},
    )
    assert result.stdout.strip() == "django.db.backends.postgresql"


@pytest.mark.parametrize("with_ldap", [False, True])
def test_production_settings_pass_check_deploy(with_ldap):
    env = {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "k3y-" + "a1b2c3d4e5" * 6,
        "DJANGO_ALLOWED_HOSTS": "telefoni.kommun.example",
    }
    if with_ldap:
        pytest.importorskip("django_auth_ldap", reason="python-ldap is not installed")
        env.update(
            {
                "LDAP_SERVER_URI": "ldap://ldap.kommun.example",
                "LDAP_USER_SEARCH_BASE": "ou=people,dc=kommun,dc=example",
                "LDAP_GROUP_SEARCH_BASE": "ou=groups,dc=kommun,dc=example",
                "LDAP_ROLE_GROUPS": "admin=cn=admins,ou=groups,dc=kommun,dc=example",
            }
        )
    result = _run(["check", "--deploy", "--fail-level", "WARNING"], env, manage=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_beat_schedule_runs_the_organisation_sweep():
    from telefoni.celery import app

    # What a worker and beat do at start-up: finalize the app and import the task modules.
    app.finalize()
    app.loader.import_default_modules()
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "compliance.tasks.sweep_organisation_rules" in tasks
    assert "compliance.tasks.sweep_organisation_rules" in app.tasks


def test_configuration_documents_every_environment_variable():
    """Every variable settings reads has its row in the table of docs/configuration.md."""
    import re

    source = (ROOT / "telefoni" / "settings.py").read_text() + (
        ROOT / "telefoni" / "ldap_config.py"
    ).read_text()
    names = set(re.findall(r'env(?:_str|_bool|_int|_list|_secret|\.get)\(\s*"([A-Z_]+)"', source))
    names |= set(re.findall(r'env\["([A-Z_]+)"\]', source))
    # A secret may come from a file: NAME_FILE needs its row too.
    secrets = set(re.findall(r'env_secret\(\s*"([A-Z_]+)"', source))
    assert {"DJANGO_SECRET_KEY", "POSTGRES_PASSWORD", "LDAP_BIND_PASSWORD"} <= secrets
    names |= {f"{name}_FILE" for name in secrets}
    configuration = (ROOT / "docs" / "configuration.md").read_text()
    # A row of the variables' table: "| `NAME` | default | meaning |" (one row may name
    # several variables, "| `EMAIL_HOST`, `EMAIL_PORT` | ...").
    rows = [line for line in configuration.splitlines() if re.match(r"\| `[A-Z]", line)]
    documented = {name for row in rows for name in re.findall(r"`([A-Z_]+)`", row.split("|")[1])}
    assert len(names) > 30
    assert sorted(names - documented) == []


def test_readme_links_every_guide():
    """README is the way in: it links every page of docs/ (decisions through their index)."""
    readme = (ROOT / "README.md").read_text()
    guides = sorted(path.name for path in (ROOT / "docs").glob("*.md"))
    assert "configuration.md" in guides
    assert [name for name in guides if f"](docs/{name})" not in readme] == []
    assert "](docs/decisions/README.md)" in readme


def test_bare_checkout_runs_management_commands_in_debug():
    result = _run(["makemigrations", "--check", "--dry-run"], {}, manage=True)
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_a_deployment_without_secret_key_still_refuses():
    result = _run(["check"], {"DATABASE_URL": "postgres://u:p@db:5432/telefoni"}, manage=True)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr


@pytest.mark.parametrize(
    ("env", "installed"),
    [
        ({"DJANGO_SECRET_KEY": "x" * 50}, False),
        ({"DJANGO_SECRET_KEY": "x" * 50, "TELEFONI_BENCH": "1"}, True),
        ({"DJANGO_DEBUG": "1"}, True),
    ],
)
def test_the_benchmarks_are_installed_only_for_development(env, installed):
    result = _run(
        "import django; django.setup();"
        "from django.apps import apps; from django.core.management import get_commands;"
        "print(apps.is_installed('bench'), 'bench_telesok' in get_commands())",
        env,
    )
    assert result.stdout.split() == [str(installed), str(installed)], result.stderr


# --- Secrets from files (Docker and Kubernetes secrets) ----------------------------------

PRODUCTION = {"DJANGO_DEBUG": "0", "DJANGO_ALLOWED_HOSTS": "telefoni.kommun.example"}


def test_secret_key_is_read_from_the_file_named(tmp_path):
    secret = tmp_path / "django_secret_key"
    secret.write_text("k3y-from-a-file-" + "z" * 40 + "\n")
    result = _run(
        "from django.conf import settings; print(repr(settings.SECRET_KEY))",
        {**PRODUCTION, "DJANGO_SECRET_KEY_FILE": str(secret)},
    )
    assert result.stdout.strip() == repr("k3y-from-a-file-" + "z" * 40), result.stderr


def test_a_missing_secret_file_is_a_clear_configuration_error():
    result = _run(
        "import django; django.setup()",
        {**PRODUCTION, "DJANGO_SECRET_KEY_FILE": "/run/secrets/finns-inte"},
    )
    assert result.returncode != 0
    assert "django.core.exceptions.ImproperlyConfigured: DJANGO_SECRET_KEY_FILE=" in result.stderr
    assert "/run/secrets/finns-inte: the file cannot be read (No such file or directory)" in (
        result.stderr
    )


def test_a_secret_given_twice_is_refused(tmp_path):
    secret = tmp_path / "email_password"
    secret.write_text("from-file")
    result = _run(
        "import django; django.setup()",
        {
            **PRODUCTION,
            "DJANGO_SECRET_KEY": "x" * 50,
            "EMAIL_HOST_PASSWORD": "from-env",
            "EMAIL_HOST_PASSWORD_FILE": str(secret),
        },
    )
    assert result.returncode != 0
    assert "Set EMAIL_HOST_PASSWORD or EMAIL_HOST_PASSWORD_FILE, not both" in result.stderr


def test_an_empty_secret_file_is_refused(tmp_path):
    secret = tmp_path / "empty"
    secret.write_text("\n")
    result = _run(
        "import django; django.setup()", {**PRODUCTION, "DJANGO_SECRET_KEY_FILE": str(secret)}
    )
    assert result.returncode != 0
    assert f"DJANGO_SECRET_KEY_FILE={secret}: the file is empty" in result.stderr


def test_database_and_mail_passwords_are_read_from_files(tmp_path):
    (tmp_path / "pg").write_text("pg-l\u00f6sen\n")
    (tmp_path / "smtp").write_text("smtp-secret")
    result = _run(
        "from django.conf import settings; d = settings.DATABASES['default'];"
        "print(d['PASSWORD'], d['USER'], d['CONN_HEALTH_CHECKS'], settings.EMAIL_HOST_PASSWORD)",
        {
            **PRODUCTION,
            "DJANGO_SECRET_KEY": "x" * 50,
            "DATABASE_URL": "postgres://telefoni@postgres:5432/telefoni",
            "POSTGRES_PASSWORD_FILE": str(tmp_path / "pg"),
            "EMAIL_HOST_PASSWORD_FILE": str(tmp_path / "smtp"),
        },
    )
    assert result.stdout.split() == ["pg-l\u00f6sen", "telefoni", "True", "smtp-secret"], (
        result.stderr
    )


def test_a_password_in_the_url_and_in_a_file_is_refused(tmp_path):
    (tmp_path / "pg").write_text("other")
    result = _run(
        "import django; django.setup()",
        {
            **PRODUCTION,
            "DJANGO_SECRET_KEY": "x" * 50,
            "DATABASE_URL": "postgres://telefoni:inline@postgres:5432/telefoni",
            "POSTGRES_PASSWORD_FILE": str(tmp_path / "pg"),
        },
    )
    assert result.returncode != 0
    assert "DATABASE_URL holds a password and POSTGRES_PASSWORD(_FILE) is set" in result.stderr


def test_ldap_bind_password_is_read_from_a_file(tmp_path):
    pytest.importorskip("django_auth_ldap", reason="python-ldap is not installed")
    from telefoni.ldap_config import ldap_settings

    (tmp_path / "bind").write_text("bind-secret\n")
    config = ldap_settings(
        {
            "LDAP_SERVER_URI": "ldap://ldap.kommun.example",
            "LDAP_USER_SEARCH_BASE": "ou=people,dc=kommun,dc=example",
            "LDAP_BIND_PASSWORD_FILE": str(tmp_path / "bind"),
        }
    )
    assert config["AUTH_LDAP_BIND_PASSWORD"] == "bind-secret"


def test_no_header_makes_a_request_https_in_django_itself():
    """X-Forwarded-Proto is believed by gunicorn from the proxy's address only."""
    result = _run(
        "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)",
        {**PRODUCTION, "DJANGO_SECRET_KEY": "x" * 50},
    )
    assert result.stdout.strip() == "None", result.stderr


def test_the_nightly_jobs_run_at_four_by_default():
    """02:00-03:00 is the hour summer time skips (March) or runs twice (October)."""
    from telefoni.celery import app

    app.finalize()
    hours = {
        name: entry["schedule"].hour
        for name, entry in app.conf.beat_schedule.items()
        if len(entry["schedule"].hour) == 1
    }
    nightly = {name for name in hours if "nightly" in name}
    assert len(nightly) >= 7
    assert {name: hours[name] for name in nightly} == dict.fromkeys(nightly, {4})
    assert all(not hour & {2, 3} for hour in hours.values())
