"""compliance.raise_or_resolve and the ORG-2 / ORG-3 nightly sweep."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from common.models import OutboxMessage
from common.tasks import send_outbox
from compliance import services, tasks
from compliance.models import Flag
from organisation import services as org_services
from tests.factories import PersonFactory, UnitFactory


def _ready(unit):
    unit.reserve_plan = "Mobiler laddade, reservtelefon i receptionen."
    unit.reserve_plan_updated_on = datetime.date(2026, 1, 10)
    unit.staff_trained_on = datetime.date(2026, 2, 1)
    unit.save()


@pytest.fixture
def org(db, set_guideline):
    set_guideline(large_unit_min_staff=3)
    root = UnitFactory(name="Socialförvaltningen")
    big = UnitFactory(name="Individ och familj", parent=root)
    small = UnitFactory(name="Mottagningen", parent=root)
    chief = PersonFactory(unit=root, title="Förvaltningschef", email="chef@kommun.example")
    root.manager = chief
    root.save()
    boss = PersonFactory(unit=big, title="Enhetschef", email="boss@kommun.example")
    big.manager = boss
    big.save()
    for _ in range(3):
        PersonFactory(unit=big)
    PersonFactory(unit=small)
    for unit in (root, big, small):
        _ready(unit)
    return {"root": root, "big": big, "small": small, "chief": chief, "boss": boss}


def _open(rule):
    return set(
        Flag.objects.filter(rule=rule, resolved_at__isnull=True).values_list("object_id", flat=True)
    )


def test_org_2_flags_forvaltning_and_large_units_without_telesamordnare(
    org, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = services.sweep_organisation_rules()
    # The förvaltning (5 people below it) and the large unit (4); not the small unit (1).
    assert _open("ORG-2") == {org["root"].pk, org["big"].pk}
    assert result.opened == 2
    flags = {f.object_id: f for f in Flag.objects.filter(rule="ORG-2")}
    assert flags[org["root"].pk].responsible == org["chief"]
    assert flags[org["big"].pk].responsible == org["boss"]
    assert sorted(m.to[0] for m in mail.outbox) == ["boss@kommun.example", "chef@kommun.example"]
    assert "ORG-2" in mail.outbox[0].subject


def test_sweep_twice_changes_nothing_and_sends_nothing(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.sweep_organisation_rules()
    sent = len(mail.outbox)
    flags_before = list(Flag.objects.values_list("pk", "resolved_at", "notified_at"))
    with django_capture_on_commit_callbacks(execute=True):
        second = services.sweep_organisation_rules()
    assert second.changed == 0
    assert len(mail.outbox) == sent
    assert list(Flag.objects.values_list("pk", "resolved_at", "notified_at")) == flags_before


def test_flag_resolves_when_rule_holds_and_reopens_when_broken_again(
    org, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.sweep_organisation_rules()
    coordinator = PersonFactory(unit=org["big"])
    org_services.unit_set_telesamordnare(actor=None, unit=org["big"], people=[coordinator])
    with django_capture_on_commit_callbacks(execute=True):
        result = services.sweep_organisation_rules()
    assert result.resolved == 1
    assert _open("ORG-2") == {org["root"].pk}
    closed = Flag.objects.get(rule="ORG-2", object_id=org["big"].pk)
    assert closed.resolved_at is not None

    org_services.unit_set_telesamordnare(actor=None, unit=org["big"], people=[])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.sweep_organisation_rules()
    assert Flag.objects.filter(rule="ORG-2", object_id=org["big"].pk).count() == 2
    assert [m.to for m in mail.outbox] == [["boss@kommun.example"]]


def test_org_3_flags_missing_reserve_plan_or_training(org, django_capture_on_commit_callbacks):
    org["small"].reserve_plan = ""
    org["small"].save()
    org["big"].staff_trained_on = None
    org["big"].save()
    with django_capture_on_commit_callbacks(execute=True):
        services.sweep_organisation_rules()
    assert _open("ORG-3") == {org["small"].pk, org["big"].pk}
    small_flag = Flag.objects.get(rule="ORG-3", object_id=org["small"].pk)
    # Mottagningen has no manager of its own: the förvaltningschef above is told.
    assert small_flag.responsible == org["chief"]
    assert small_flag.notified_to == ["chef@kommun.example"]


def test_flag_without_responsible_goes_to_the_service_desk(
    db, settings, django_capture_on_commit_callbacks
):
    settings.TELEFONI_SERVICE_DESK_EMAIL = "tele@kommun.example"
    UnitFactory(name="Ny förvaltning utan chef")
    with django_capture_on_commit_callbacks(execute=True):
        services.sweep_organisation_rules()
    assert {tuple(m.to) for m in mail.outbox} == {("tele@kommun.example",)}
    assert Flag.objects.filter(responsible__isnull=True, notified_at__isnull=False).count() == 2


def test_relay_down_the_flags_are_notified_and_their_mail_waits_in_the_outbox(
    org, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.mail_backends.RelayDown"
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep_organisation_rules().opened == 2
    # Marked notified with their e-mail written: the outbox owns the retry now.
    assert Flag.objects.filter(notified_at__isnull=True).count() == 0
    waiting = OutboxMessage.objects.filter(sent_at__isnull=True)
    assert waiting.count() == 2
    assert all(m.last_error == "ConnectionRefusedError: relay down" for m in waiting)
    assert mail.outbox == []
    assert tasks.notify_pending_flags() == 0  # nothing is written twice

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutboxMessage.objects.update(next_attempt_at=timezone.now())
    assert send_outbox() == 2
    assert send_outbox() == 0
    assert len(mail.outbox) == 2


def test_task_called_directly_twice(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.sweep_organisation_rules() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.sweep_organisation_rules() == 0
    assert len(mail.outbox) == 2


def test_task_on_an_empty_organisation(db):
    assert tasks.sweep_organisation_rules() == 0
    assert Flag.objects.count() == 0


def test_unknown_rule_is_refused(db):
    from organisation.models import Unit

    with pytest.raises(LookupError):
        services.raise_or_resolve(
            rule_id="NOPE-1",
            breaking=Unit.objects.all(),
            unit_field="pk",
            responsible_field="manager",
        )


def test_mail_is_swedish_and_links_to_the_object(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.sweep_organisation_rules()
    message = next(m for m in mail.outbox if m.to == ["boss@kommun.example"])
    assert f"https://telefoni.test/organisation/enhet/{org['big'].pk}/" in message.body
    assert "telesamordnare" in message.subject.lower()
    assert "Hej" in message.body
