"""REV-1 and REV-2: the nightly sweep flags, reminds and escalates, each exactly once."""

from datetime import date, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.utils import timezone

from common.models import OutboxMessage
from common.tasks import send_outbox
from compliance.models import Flag
from review import services, tasks
from review.models import ReviewRound, UnitReview
from subscriptions.models import Subscription
from tests.review.conftest import YEAR

TODAY = timezone.localdate


def _age(phones, days):
    """Make every phone `days` old, so it is due for review."""
    Subscription.objects.filter(pk__in=[p.pk for p in phones.values()]).update(
        activated_on=TODAY() - timedelta(days=days)
    )


def _open(rule, model):
    return Flag.objects.filter(
        rule=rule,
        content_type=ContentType.objects.get_for_model(model),
        resolved_at__isnull=True,
    )


@pytest.fixture(autouse=True)
def _never_opens_by_itself(db, set_guideline):
    set_guideline(review_opens="")


# --- REV-1: subscriptions not reviewed within the max age -----------------------------------


def test_rev_1_new_subscriptions_are_not_due(world, phones):
    services.sweep_reviews()
    assert not _open("REV-1", world.hemtjanst).exists()


def test_rev_1_one_flag_per_unit_to_its_manager_and_a_second_run_changes_nothing(
    world, phones, django_capture_on_commit_callbacks
):
    _age(phones, 400)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.sweep_reviews()
    flags = _open("REV-1", world.hemtjanst)
    # Three phones in Hemtjänst Norr and grupp 1: one flag; one for the library's förvaltning.
    assert {(f.object_id, f.responsible) for f in flags} == {
        (world.hemtjanst.pk, world.people["manager"]),
        (world.kfv.pk, world.kfv.manager),
    }
    assert first.opened == 2
    sent = len(mail.outbox)
    assert sent == 2
    with django_capture_on_commit_callbacks(execute=True):
        second = services.sweep_reviews()
    assert second.changed == 0
    assert flags.count() == 2 and Flag.objects.count() == 2
    assert len(mail.outbox) == sent


def test_rev_1_flag_resolves_once_the_unit_review_is_signed(
    world, phones, hemtjanst_review, decide_all, manager
):
    _age(phones, 400)
    services.sweep_reviews()
    assert _open("REV-1", world.hemtjanst).filter(object_id=world.hemtjanst.pk).exists()
    decide_all()
    services.unit_review_sign(actor=manager, unit_review=hemtjanst_review)
    result = services.sweep_reviews()
    assert result.resolved == 1
    assert not _open("REV-1", world.hemtjanst).filter(object_id=world.hemtjanst.pk).exists()
    assert _open("REV-1", world.hemtjanst).filter(object_id=world.kfv.pk).exists()


def test_rev_1_a_review_older_than_the_max_age_is_due_again(
    world, phones, hemtjanst_review, decide_all, manager, set_guideline
):
    set_guideline(review_max_age_days=30)
    _age(phones, 400)
    decide_all()
    services.unit_review_sign(actor=manager, unit_review=hemtjanst_review)
    UnitReview.objects.filter(pk=hemtjanst_review.pk).update(
        signed_at=timezone.now() - timedelta(days=31)
    )
    services.sweep_reviews()
    assert _open("REV-1", world.hemtjanst).filter(object_id=world.hemtjanst.pk).exists()


def test_rev_1_never_reviewed_phones_are_due_a_max_age_after_activation(phones, set_guideline):
    set_guideline(review_max_age_days=365)
    _age(phones, 365)
    Subscription.objects.filter(pk=phones["bo"].pk).update(
        activated_on=TODAY() - timedelta(days=364)
    )
    due = set(services.unreviewed_subscriptions())
    assert due == {phones["anna"], phones["reception"], phones["library"]}


# --- REV-2: reviews overdue --------------------------------------------------------------


def test_rev_2_unsigned_review_after_the_deadline_is_flagged_until_signed(
    world, phones, hemtjanst_review, decide_all, manager
):
    after = hemtjanst_review.round.deadline + timedelta(days=1)
    services.sweep_reviews(today=hemtjanst_review.round.deadline)
    assert not _open("REV-2", UnitReview).exists()
    services.sweep_reviews(today=after)
    assert {(f.object_id, f.unit, f.responsible) for f in _open("REV-2", UnitReview)} == {
        (hemtjanst_review.pk, world.hemtjanst, world.people["manager"]),
        (UnitReview.objects.get(unit=world.kfv).pk, world.kfv, world.kfv.manager),
    }
    assert services.sweep_reviews(today=after).changed == 0
    decide_all()
    services.unit_review_sign(actor=manager, unit_review=hemtjanst_review)
    assert services.sweep_reviews(today=after).resolved == 1
    assert _open("REV-2", UnitReview).count() == 1


# --- E-mails -------------------------------------------------------------------------------


def _subjects():
    return sorted((m.to[0], m.subject) for m in mail.outbox)


def test_rev_2_opening_mail_goes_to_each_manager_once(
    world, phones, desk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.review_round_open(actor=desk, year=YEAR)
    assert _subjects() == sorted(
        [
            (world.kfv.manager.email, f"[Telefoni] Årlig översyn {YEAR} för {world.kfv} är öppnad"),
            (
                world.people["manager"].email,
                f"[Telefoni] Årlig översyn {YEAR} för Hemtjänst Norr är öppnad",
            ),
        ]
    )
    body = next(m.body for m in mail.outbox if m.to == [world.people["manager"].email])
    review = UnitReview.objects.get(unit=world.hemtjanst)
    assert f"/oversyn/enhet/{review.pk}/" in body and "behållas, ändras eller sägas upp" in body
    assert services.sweep_reviews().changed == 0
    assert services.send_review_mails() == 0
    assert len(mail.outbox) == 2


def test_rev_2_reminder_then_escalation_each_once_and_none_after_signing(
    world,
    phones,
    hemtjanst_review,
    review_round,
    decide_all,
    manager,
    set_guideline,
    django_capture_on_commit_callbacks,
):
    set_guideline(review_reminder_days=10, review_escalation_days=3)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_review_mails()  # the opening mails
    mail.outbox.clear()
    ReviewRound.objects.filter(pk=review_round.pk).update(
        opened_at=timezone.now() - timedelta(days=10)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_review_mails() == 2
        assert services.send_review_mails() == 0
    assert {m.subject.split(":")[0] for m in mail.outbox} == {"[Telefoni] Påminnelse"}
    mail.outbox.clear()
    # Hemtjänst Norr signs; the library's review stays unsigned past the deadline + 3 days.
    decide_all()
    services.unit_review_sign(actor=manager, unit_review=hemtjanst_review)
    late = review_round.deadline + timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_review_mails(today=late - timedelta(days=1)) == 0
        assert services.send_review_mails(today=late) == 1
        assert services.send_review_mails(today=late) == 0
    (escalation,) = mail.outbox
    # Up the line: the förvaltningschef (here the library's review is the förvaltning's own).
    assert escalation.to == [world.kfv.manager.email]
    assert "inte signerad" in escalation.subject
    hemtjanst_review.refresh_from_db()
    assert hemtjanst_review.escalated_at is None


def test_rev_2_escalation_goes_to_the_forvaltningschef_of_the_unit(
    world, phones, hemtjanst_review, review_round, set_guideline, django_capture_on_commit_callbacks
):
    set_guideline(review_escalation_days=0)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_review_mails()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_review_mails(today=review_round.deadline)
    recipients = {m.to[0] for m in mail.outbox if "inte signerad" in m.subject}
    assert world.people["forvaltningschef"].email in recipients
    assert world.people["manager"].email not in recipients


def test_relay_down_the_mails_wait_in_the_outbox_and_go_once_later(
    world, phones, review_round, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.mail_backends.RelayDown"
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_review_mails() == 2
    assert UnitReview.objects.filter(opened_mail_at__isnull=False).count() == 2
    assert OutboxMessage.objects.filter(sent_at__isnull=True, attempts=1).count() == 2
    assert mail.outbox == []
    assert services.send_review_mails() == 0  # claimed with their mail: never twice

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutboxMessage.objects.update(next_attempt_at=timezone.now())
    assert send_outbox() == 2
    assert send_outbox() == 0
    assert len(mail.outbox) == 2


def test_a_failure_while_writing_the_mail_releases_the_claim(
    world, phones, review_round, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("template broke")

    monkeypatch.setattr(services, "mail_template_on_commit", broken)
    assert services.send_review_mails() == 0
    assert not UnitReview.objects.filter(opened_mail_at__isnull=False).exists()
    monkeypatch.undo()
    assert services.send_review_mails() == 2


# --- The task, and opening by itself --------------------------------------------------------


def test_task_opens_the_round_on_the_day_and_twice_changes_nothing(
    world, phones, set_guideline, django_capture_on_commit_callbacks
):
    set_guideline(review_opens=TODAY().strftime("%m-%d"))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.sweep_reviews()
    assert ReviewRound.objects.get().year == TODAY().year
    assert UnitReview.objects.count() == 2
    sent = len(mail.outbox)
    assert sent == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.sweep_reviews() == 0
    assert ReviewRound.objects.count() == 1 and len(mail.outbox) == sent


def test_task_with_nothing_to_do_returns_zero(db):
    assert tasks.sweep_reviews() == 0
    assert not Flag.objects.exists()


def test_opening_day_reads_the_guideline(set_guideline):
    set_guideline(review_opens="03-15")
    assert services.opening_day(2027) == date(2027, 3, 15)
    set_guideline(review_opens="")
    assert services.opening_day(2027) is None
