"""Shared fixtures: a small organisation and the access matrix of STYLE.md, and a clock.

`world` builds two förvaltningar and the people of the matrix; `matrix_client(name)`
returns a signed-in test client for one of them; `desk` is the Tele kundtjänst user and
`phone(world, ...)` saves a subscription in the world. `clock` holds absence.workdays.now,
the one clock absence, voicemail and service read, at Tuesday 1 December 2026, 11:30 in
Stockholm (a working day) until a test moves it with `clock.set(datetime)`; `local(...)`
is a datetime in Stockholm.
"""

import os
from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from common.roles import Role
from subscriptions.choices import Kind
from subscriptions.models import Subscription
from tests.factories import CostCentreFactory, UnitFactory, person_with_user

REQUIRE_SERVICES = os.environ.get("TELEFONI_REQUIRE_SERVICES") == "1"

MATRIX = (
    "anonymous",
    "employee",
    "colleague",
    "manager",
    "forvaltningschef",
    "budgetchef",
    "outsider",
    "telesamordnare_other",
    "telekundtjanst",
    "kundtjanst",
    "ksordforande",
    "admin",
)


def statuses(default, **overrides):
    """A role -> status table: every matrix role gets `default`, anonymous is sent to the
    login page (302), and `overrides` name the exceptions."""
    return dict.fromkeys(MATRIX, default) | {"anonymous": 302} | overrides


EVERYONE = statuses(200)

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def local(*args):
    """A datetime in Stockholm: local(2026, 12, 1, 11, 30)."""
    return datetime(*args, tzinfo=STOCKHOLM)


class Clock:
    """absence.workdays.now, standing still at `start` until set() moves it."""

    def __init__(self, monkeypatch, start):
        self.now = start
        monkeypatch.setattr("absence.workdays.now", lambda: self.now)

    def set(self, when):
        self.now = when


@pytest.fixture
def clock(monkeypatch):
    """The clock at Tuesday 1 December 2026, 11:30 in Stockholm (a working day)."""
    return Clock(monkeypatch, local(2026, 12, 1, 11, 30))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """With TELEFONI_REQUIRE_SERVICES=1 a skipped test is a failed test (CI)."""
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_SERVICES and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"skipped, but TELEFONI_REQUIRE_SERVICES=1: {reason}"


@pytest.fixture(autouse=True)
def _swedish():
    """Every test starts in the UI's language: a request (LocaleMiddleware) leaves its
    language active in the thread, so a test that switched to English must not decide the
    language of the messages the next test reads."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _outbox_drained_at_once(request, monkeypatch):
    """The mail outbox is drained in the test's own thread after each commit that wrote
    to it, as an idle worker would at once, so a test reads mail.outbox without a broker.
    Tests with a real worker (redis_worker) or that test the queuing itself (a fixture
    named real_queue, tests/common/test_outbox.py) queue the task for real."""
    if {"redis_worker", "real_queue"} & set(request.fixturenames):
        return
    from common import mail, outbox

    monkeypatch.setattr(mail, "queue_drain", outbox.send_due)


@pytest.fixture(autouse=True)
def _fixed_fake_names(request):
    """Each test gets the same Faker names on every run and machine (seeded by its id),
    so a name that happens to match a search cannot pass here and fail in CI."""
    import factory.random

    factory.random.reseed_random(request.node.nodeid)


@pytest.fixture
def set_guideline():
    """Change the guideline's parameters (X-1) for one test: set_guideline(unused_months=4).
    The test must have database access (world, db or transactional_db)."""

    def change(**values):
        from organisation.guideline import guideline

        row = guideline()
        for name, value in values.items():
            setattr(row, name, value)
        row.full_clean()
        row.save()
        return row

    return change


@pytest.fixture
def world(db):
    """Two förvaltningar, units at three levels, and one person per matrix role."""
    vof = UnitFactory(name="Vård- och omsorgsförvaltningen")
    hemtjanst = UnitFactory(name="Hemtjänst Norr", parent=vof)
    grupp = UnitFactory(name="Hemtjänst Norr grupp 1", parent=hemtjanst)
    kfv = UnitFactory(name="Kultur- och fritidsförvaltningen")
    bibliotek = UnitFactory(name="Stadsbiblioteket", parent=kfv)
    ksf = UnitFactory(name="Kommunstyrelseförvaltningen")
    tele = UnitFactory(name="Tele kundtjänst", parent=ksf)

    fchef = person_with_user(
        unit=vof, roles=[Role.FORVALTNINGSCHEF], username="fchef", title="Förvaltningschef"
    )
    vof.manager = fchef
    vof.save()
    manager = person_with_user(
        unit=hemtjanst, roles=[Role.ENHETSCHEF], username="chef", title="Enhetschef"
    )
    hemtjanst.manager = manager
    hemtjanst.save()
    employee = person_with_user(
        unit=grupp, username="anna", first_name="Anna", last_name="Östlund", title="Undersköterska"
    )
    colleague = person_with_user(unit=grupp, username="bo", title="Undersköterska")
    budgetchef = person_with_user(
        unit=hemtjanst, roles=[Role.BUDGETCHEF], username="budget", title="Ekonom"
    )
    outsider = person_with_user(unit=bibliotek, username="outsider", title="Bibliotekarie")
    kfv_chef = person_with_user(
        unit=kfv, roles=[Role.FORVALTNINGSCHEF], username="kfvchef", title="Förvaltningschef"
    )
    kfv.manager = kfv_chef
    kfv.save()
    tsam_other = person_with_user(
        unit=bibliotek, roles=[Role.TELESAMORDNARE], username="tsam", title="Telesamordnare"
    )
    kfv.telesamordnare.add(tsam_other)
    telekundtjanst = person_with_user(
        unit=tele, roles=[Role.TELEKUNDTJANST], username="tele", title="Teletekniker"
    )
    kundtjanst = person_with_user(
        unit=ksf, roles=[Role.KUNDTJANST], username="kundtjanst", title="Kundtjänstmedarbetare"
    )
    ksordforande = person_with_user(
        unit=ksf,
        roles=[Role.KSORDFORANDE],
        username="ksordf",
        title="Kommunstyrelsens ordförande",
        kind="elected",
    )
    admin = person_with_user(
        unit=tele, roles=[Role.ADMIN], username="admin", title="Systemförvaltare"
    )
    admin.user.is_staff = admin.user.is_superuser = True
    admin.user.save()
    cost_centre = CostCentreFactory(
        code="4100", name="Hemtjänst Norr", unit=hemtjanst, budget_manager=budgetchef
    )
    return SimpleNamespace(
        vof=vof,
        hemtjanst=hemtjanst,
        grupp=grupp,
        kfv=kfv,
        bibliotek=bibliotek,
        ksf=ksf,
        tele=tele,
        cost_centre=cost_centre,
        people={
            "employee": employee,
            "colleague": colleague,
            "manager": manager,
            "forvaltningschef": fchef,
            "budgetchef": budgetchef,
            "outsider": outsider,
            "telesamordnare_other": tsam_other,
            "telekundtjanst": telekundtjanst,
            "kundtjanst": kundtjanst,
            "ksordforande": ksordforande,
            "admin": admin,
        },
    )


@pytest.fixture
def desk(world):
    """The Tele kundtjänst user of the world."""
    return world.people["telekundtjanst"].user


def phone(world, *, number, extension=None, holder=None, function_name="", kind=None, **kw):
    """A saved Subscription of `holder` (or a function phone), in the holder's unit unless
    `unit` is given, on the world's cost centre; straight to the database, no service."""
    unit = kw.pop("unit", None) or holder.unit
    kind = kind or (Kind.FIXED if holder else Kind.FUNCTION)
    return Subscription.objects.create(
        kind=kind,
        number=number,
        extension=extension,
        holder=holder,
        function_name=function_name,
        unit=unit,
        cost_centre=world.cost_centre,
        **kw,
    )


@pytest.fixture
def matrix_client(world, client):
    """matrix_client(name) -> a test client signed in as that matrix role (or anonymous)."""

    def sign_in(name):
        assert name in MATRIX, name
        client.logout()
        if name != "anonymous":
            client.force_login(world.people[name].user)
        return client

    return sign_in


# --- A real Celery worker on Redis (beat jobs and uploads, "with a real worker") ---------


@pytest.fixture
def finished():
    """Names of the tasks the worker has finished, in order."""
    from celery.signals import task_postrun

    done = []

    def record(sender=None, **kwargs):
        done.append(sender.name)

    task_postrun.connect(record, weak=False)
    yield done
    task_postrun.disconnect(record)


def _close_worker_connections(**kwargs):
    # Runs in the worker's thread: its database connection would otherwise outlive the
    # test and keep PostgreSQL from dropping the test database.
    from django.db import connections

    connections.close_all()


@pytest.fixture
def redis_worker(transactional_db):
    """A solo Celery worker on the test Redis (skips without one; CI requires it)."""
    import celery.contrib.testing.tasks  # noqa: F401  (registers the ping task start_worker knows)
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun

    from telefoni.celery import app
    from tests.services import celery_broker, require_redis

    url = require_redis()
    task_postrun.connect(_close_worker_connections, weak=False)
    with celery_broker(url):
        with app.connection_for_write() as conn:
            assert conn.as_uri().startswith("redis://")
            conn.default_channel.client.flushdb()
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    task_postrun.disconnect(_close_worker_connections)
