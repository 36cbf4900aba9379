"""ABS-1..ABS-3, ABS-6, SRV-1 through the services: each rule, and bad input that saves
nothing with a Swedish message."""

from datetime import date, time, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import translation

from absence import selectors, services
from absence.choices import Kind, Preset, Reason, Status, Target
from absence.models import Redirect, Trip
from subscriptions.choices import Status as PhoneStatus
from tests.conftest import local


def _set(world, phones, **kw):
    """A hänvisning of Anna's fixed phone (lunch until 13:00 to Kundtjänst unless told)."""
    values = {
        "actor": world.people["employee"].user,
        "subscriptions": [phones.anna],
        "reason": Reason.LUNCH,
        "ends_at": local(2026, 12, 1, 13, 0),
        "target": Target.KUNDTJANST,
    }
    return services.redirect_create(**(values | kw))


def _messages(error):
    with translation.override("sv"):
        return " ".join(error.value.messages)


# --- Setting and reading --------------------------------------------------------------


def test_abs_1_hanvisning_is_current_and_summarised(world, phones, clock):
    (redirect,) = _set(world, phones, message="Ring Kundtjänst vid brådska")
    assert selectors.current_redirects([phones.anna.pk]) == {phones.anna.pk: redirect}
    with translation.override("sv"):
        assert redirect.summary == "Lunch, åter 13:00"
    assert redirect.set_by == world.people["employee"].user
    assert redirect.history.get().history_user == world.people["employee"].user


def test_abs_1_a_hanvisning_is_over_the_moment_its_end_passes(world, phones, clock):
    _set(world, phones)
    clock.set(local(2026, 12, 1, 13, 0))
    assert selectors.current_redirects([phones.anna.pk]) == {}
    assert selectors.current_redirect_of(world.people["employee"]) is None
    # Not yet closed in the database: the sweep does that.
    assert Redirect.objects.get().status == Status.ACTIVE


def test_abs_1_summary_says_tomorrow_or_the_date(world, phones, clock):
    (tomorrow,) = _set(world, phones, reason=Reason.SICK, ends_at=local(2026, 12, 2, 8, 0))
    with translation.override("sv"):
        assert tomorrow.summary == "Sjuk, åter i morgon 08:00"
    services.redirect_end(actor=None, redirect=tomorrow)
    (later,) = _set(world, phones, reason=Reason.LEAVE, ends_at=local(2026, 12, 14, 8, 0))
    with translation.override("sv"):
        assert later.summary == "Semester/ledig, åter 14 december 08:00"


@pytest.mark.parametrize(
    "change, field",
    [
        pytest.param({"ends_at": local(2026, 12, 1, 11, 0)}, "ends_at", id="end-in-the-past"),
        pytest.param({"reason": ""}, "reason", id="no-reason"),
        pytest.param({"ends_at": None}, "ends_at", id="no-end"),
        pytest.param({"target": Target.EXTENSION}, "target_number", id="extension-not-named"),
        pytest.param({"subscriptions": []}, "phones", id="no-phone"),
    ],
)
def test_abs_1_bad_input_is_refused_and_nothing_saved(world, phones, change, field):
    with pytest.raises(ValidationError) as error:
        _set(world, phones, **change)
    assert field in error.value.message_dict
    assert not Redirect.objects.exists()


def test_abs_1_end_in_the_past_has_a_swedish_message(world, phones):
    with pytest.raises(ValidationError) as error:
        _set(world, phones, ends_at=local(2026, 12, 1, 11, 0))
    assert "redan passerat" in _messages(error)


def test_abs_1_two_hanvisningar_of_one_phone_never_overlap(world, phones, clock):
    _set(world, phones)
    with pytest.raises(ValidationError) as error:
        _set(world, phones, reason=Reason.MEETING, ends_at=local(2026, 12, 1, 15, 0))
    assert "redan en hänvisning" in _messages(error)
    assert Redirect.objects.count() == 1
    # Back to back is fine: the next one starts when the first ends.
    _set(
        world,
        phones,
        reason=Reason.MEETING,
        starts_at=local(2026, 12, 1, 13, 0),
        ends_at=local(2026, 12, 1, 15, 0),
    )
    assert Redirect.objects.count() == 2


def test_abs_1_target_colleague_by_extension(world, phones):
    target = services.municipal_subscription("1101")
    (redirect,) = _set(world, phones, target=Target.EXTENSION, target_subscription=target)
    assert redirect.target_subscription == phones.bo
    assert redirect.target_display == f"{world.people['colleague'].full_name}, 1101"


@pytest.mark.parametrize("text", ["1101", "019-21 10 01", "+46 19 21 10 01", "019211001"])
def test_abs_2_municipal_number_in_any_written_form(phones, text):
    assert services.municipal_subscription(text) == phones.bo


@pytest.mark.parametrize("text", ["9999", "070-999 99 99", "08-123 456 78", "nonsens", ""])
def test_abs_2_a_number_outside_the_municipality_is_refused(phones, text):
    with pytest.raises(ValidationError) as error:
        services.municipal_subscription(text)
    assert "inte ett nummer i kommunen" in _messages(error)


def test_abs_2_a_cancelled_subscription_is_not_a_municipal_number(phones):
    phones.bo.status, phones.bo.cancelled_on = PhoneStatus.CANCELLED, date(2026, 11, 1)
    phones.bo.save()
    with pytest.raises(ValidationError):
        services.municipal_subscription("1101")


def test_abs_2_medflyttning_to_a_municipal_mobile(world, phones):
    (follow,) = services.redirect_create(
        actor=world.people["employee"].user,
        subscriptions=[phones.anna],
        kind=Kind.MEDFLYTTNING,
        target=Target.MOBILE,
        target_subscription=phones.anna_mobile,
    )
    assert follow.ends_at is None and follow.reason == ""
    assert selectors.current_redirect_of(world.people["employee"]) == follow
    with translation.override("sv"):
        assert follow.summary == "Medflyttad till Anna Östlund, 070-555 11 00"


def test_abs_2_medflyttning_goes_to_a_number_only(world, phones):
    with pytest.raises(ValidationError) as error:
        services.redirect_create(
            actor=world.people["employee"].user,
            subscriptions=[phones.anna],
            kind=Kind.MEDFLYTTNING,
            target=Target.VOICEMAIL,
        )
    assert "target" in error.value.message_dict
    assert not Redirect.objects.exists()


def test_abs_2_mobile_target_must_be_a_mobile(world, phones):
    with pytest.raises(ValidationError) as error:
        _set(world, phones, target=Target.MOBILE, target_subscription=phones.bo)
    assert "target_number" in error.value.message_dict


def test_abs_2_a_redirect_to_itself_is_refused(world, phones):
    with pytest.raises(ValidationError) as error:
        _set(world, phones, target=Target.EXTENSION, target_subscription=phones.anna)
    assert "till sig själv" in _messages(error)
    assert not Redirect.objects.exists()


def _follow(world, who, source, target):
    return services.redirect_create(
        actor=world.people[who].user,
        subscriptions=[source],
        kind=Kind.MEDFLYTTNING,
        target=Target.EXTENSION,
        target_subscription=target,
    )


def test_abs_2_a_loop_a_b_a_is_refused(world, phones):
    _follow(world, "employee", phones.anna, phones.bo)
    with pytest.raises(ValidationError) as error:
        _follow(world, "colleague", phones.bo, phones.anna)
    assert "slinga" in _messages(error)
    assert Redirect.objects.count() == 1


def test_abs_2_a_longer_loop_is_refused(world, phones):
    _follow(world, "employee", phones.anna, phones.bo)
    _follow(world, "colleague", phones.bo, phones.manager)
    with pytest.raises(ValidationError) as error:
        _follow(world, "manager", phones.manager, phones.anna)
    assert "019-21 12 00 → 019-21 10 00 → 019-21 10 01 → 019-21 12 00" in _messages(error)
    assert Redirect.objects.count() == 2


def test_abs_2_a_chain_that_does_not_overlap_in_time_is_no_loop(world, phones, clock):
    # Anna -> Bo at lunch; Bo -> Anna in the afternoon: never at the same time.
    _set(world, phones, target=Target.EXTENSION, target_subscription=phones.bo)
    services.redirect_create(
        actor=world.people["colleague"].user,
        subscriptions=[phones.bo],
        reason=Reason.MEETING,
        starts_at=local(2026, 12, 1, 14, 0),
        ends_at=local(2026, 12, 1, 15, 0),
        target=Target.EXTENSION,
        target_subscription=phones.anna,
    )
    assert Redirect.objects.count() == 2


# --- One click, back, end --------------------------------------------------------------


def test_abs_1_one_click_lunch_until_13_on_all_own_phones(world, phones, clock):
    anna = world.people["employee"]
    created = services.redirect_quick_set(actor=anna.user, person=anna, preset=Preset.LUNCH)
    assert {r.subscription for r in created} == {phones.anna, phones.anna_mobile}
    assert {r.ends_at for r in created} == {local(2026, 12, 1, 13, 0)}
    assert {r.reason for r in created} == {Reason.LUNCH}
    # ABS-5: calls go where the phone's unanswered calls go (Kundtjänst by default).
    assert {r.target for r in created} == {Target.KUNDTJANST}


def test_abs_1_one_click_lunch_after_13_lasts_45_minutes(world, phones, clock):
    clock.set(local(2026, 12, 1, 13, 2))
    anna = world.people["employee"]
    created = services.redirect_quick_set(actor=anna.user, person=anna, preset=Preset.LUNCH)
    assert created[0].ends_at == local(2026, 12, 1, 13, 50)


def test_abs_1_one_click_gone_for_the_day_back_next_working_day_at_unit_start(world, phones, clock):
    world.hemtjanst.workday_starts, world.hemtjanst.workday_ends = time(7, 30), time(16, 0)
    world.hemtjanst.save()
    clock.set(local(2026, 12, 4, 16, 10))  # a Friday
    anna = world.people["employee"]
    labels = {p.key: p.label for p in selectors.presets(anna, now=clock.now)}
    created = services.redirect_quick_set(
        actor=anna.user, person=anna, preset=Preset.GONE_FOR_THE_DAY
    )
    assert created[0].ends_at == local(2026, 12, 7, 7, 30)  # Monday, the unit's start
    with translation.override("sv"):
        assert selectors.presets(anna, now=local(2026, 12, 1, 16, 0))[1].label == (
            "Gått för dagen – åter i morgon 07:30"
        )
    assert "07:30" in labels[Preset.GONE_FOR_THE_DAY]


def test_abs_1_gone_for_the_day_before_christmas_skips_the_holidays(world, phones, clock):
    clock.set(local(2026, 12, 23, 16, 0))
    anna = world.people["employee"]
    (choice,) = [p for p in selectors.presets(anna) if p.key == Preset.GONE_FOR_THE_DAY]
    # Julafton (de facto), juldagen, annandag jul, a weekend: back Monday 28th, 08:00.
    assert choice.ends_at == local(2026, 12, 28, 8, 0)


def test_abs_1_default_working_day_comes_from_the_guideline(world, phones, clock, set_guideline):
    set_guideline(workday_starts=time(9, 15), workday_ends=time(17, 0))
    (choice,) = [
        p for p in selectors.presets(world.people["employee"]) if p.key == Preset.GONE_FOR_THE_DAY
    ]
    assert choice.ends_at == local(2026, 12, 2, 9, 15)


def test_abs_1_one_click_replaces_the_current_hanvisning(world, phones, clock):
    anna = world.people["employee"]
    (meeting,) = _set(world, phones, reason=Reason.MEETING)
    clock.set(local(2026, 12, 1, 11, 40))
    services.redirect_quick_set(actor=anna.user, person=anna, preset=Preset.LUNCH)
    meeting.refresh_from_db()
    assert (meeting.status, meeting.ends_at) == (Status.ENDED, clock.now)
    assert selectors.current_redirect_of(anna).reason == Reason.LUNCH


def test_abs_1_i_am_back_ends_current_ones_and_keeps_planned(world, phones, clock):
    anna = world.people["employee"]
    _set(world, phones)
    (planned,) = _set(
        world,
        phones,
        reason=Reason.LEAVE,
        starts_at=local(2026, 12, 20, 8, 0),
        ends_at=local(2026, 12, 28, 8, 0),
    )
    clock.set(local(2026, 12, 1, 12, 10))
    assert services.redirect_back(actor=anna.user, person=anna) == 1
    assert selectors.current_redirect_of(anna) is None
    planned.refresh_from_db()
    assert planned.status == Status.ACTIVE
    ended = Redirect.objects.get(reason=Reason.LUNCH)
    assert ended.ends_at == clock.now
    assert ended.history.first().history_change_reason == "Avslutad: tillbaka"
    # Ending a planned one withdraws it; a second end changes nothing.
    services.redirect_end(actor=anna.user, redirect=planned)
    services.redirect_end(actor=anna.user, redirect=planned)
    planned.refresh_from_db()
    assert planned.status == Status.CANCELLED
    assert planned.history.count() == 2


# --- ABS-3: sick leave -------------------------------------------------------------------


def test_abs_3_manager_sets_sick_leave_and_the_employee_is_told(
    world, phones, clock, django_capture_on_commit_callbacks
):
    manager = world.people["manager"]
    with django_capture_on_commit_callbacks(execute=True):
        created = _set(
            world,
            phones,
            actor=manager.user,
            reason=Reason.SICK,
            ends_at=local(2026, 12, 3, 8, 0),
            target=Target.RECEPTION,
            target_subscription=phones.reception,
        )
    assert created[0].set_by == manager.user
    (message,) = mail.outbox
    assert message.to == [world.people["employee"].email]
    assert manager.full_name in message.subject
    assert "Receptionen" in message.body


def test_abs_3_own_hanvisning_sends_no_mail(
    world, phones, clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _set(world, phones)
    assert mail.outbox == []


# --- ABS-6: trips abroad -----------------------------------------------------------------


def test_abs_6_trip_is_kept_and_the_checklist_e_mailed(
    world, phones, clock, django_capture_on_commit_callbacks
):
    anna = world.people["employee"]
    with django_capture_on_commit_callbacks(execute=True):
        trip = services.trip_register(
            actor=anna.user,
            person=anna,
            subscription=phones.anna_mobile,
            destination="Tyskland",
            starts_on=date(2026, 12, 10),
            ends_on=date(2026, 12, 12),
        )
    (message,) = mail.outbox
    assert message.to == [anna.email]
    assert "mobilsvar" in message.body and "dataroaming" in message.body
    assert "10 december 2026" in message.body
    trip.refresh_from_db()
    assert trip.checklist_sent_at is not None
    assert list(
        selectors.trips_covering([phones.anna_mobile.pk], date(2026, 12, 1), date(2026, 12, 31))
    ) == [trip]


@pytest.mark.parametrize(
    "change, field",
    [
        pytest.param({"ends_on": date(2026, 12, 9)}, "ends_on", id="returns-before-leaving"),
        pytest.param(
            {"starts_on": date(2026, 11, 1), "ends_on": date(2026, 11, 5)}, "ends_on", id="past"
        ),
        pytest.param({"destination": " "}, "destination", id="no-destination"),
    ],
)
def test_abs_6_bad_trip_is_refused(world, phones, clock, change, field):
    anna = world.people["employee"]
    values = {
        "subscription": phones.anna_mobile,
        "destination": "Tyskland",
        "starts_on": date(2026, 12, 10),
        "ends_on": date(2026, 12, 12),
    }
    with pytest.raises(ValidationError) as error:
        services.trip_register(actor=anna.user, person=anna, **(values | change))
    assert field in error.value.message_dict
    assert not Trip.objects.exists()


def test_abs_6_only_own_phone(world, phones, clock):
    anna = world.people["employee"]
    with pytest.raises(ValidationError):
        services.trip_register(
            actor=anna.user,
            person=anna,
            subscription=phones.bo,
            destination="Norge",
            starts_on=date(2026, 12, 10),
            ends_on=date(2026, 12, 12),
        )


# --- SRV-1 and the working day --------------------------------------------------------------


def test_srv_1_unit_hours_are_saved_with_history(world):
    actor = world.people["manager"].user
    services.unit_set_hours(
        actor=actor,
        unit=world.hemtjanst,
        workday_starts=time(7, 0),
        workday_ends=time(15, 30),
        phone_hours="  Mån–fre   8–10 ",
    )
    world.hemtjanst.refresh_from_db()
    assert world.hemtjanst.phone_hours == "Mån–fre 8–10"
    assert world.hemtjanst.history.first().history_user == actor


@pytest.mark.parametrize(
    "starts, ends", [(time(8, 0), None), (None, time(16, 0)), (time(16, 0), time(8, 0))]
)
def test_srv_1_working_day_needs_both_ends_in_order(world, starts, ends):
    with pytest.raises(ValidationError) as error:
        services.unit_set_hours(
            actor=None,
            unit=world.hemtjanst,
            workday_starts=starts,
            workday_ends=ends,
            phone_hours="",
        )
    assert "workday_ends" in error.value.message_dict
    world.hemtjanst.refresh_from_db()
    assert world.hemtjanst.workday_starts is None


def test_working_hours_are_inherited_from_the_unit_above(world):
    from absence import workdays

    world.hemtjanst.workday_starts, world.hemtjanst.workday_ends = time(6, 45), time(15, 0)
    world.hemtjanst.save()
    assert workdays.working_hours(world.grupp).starts == time(6, 45)
    assert workdays.working_hours(world.bibliotek).starts == time(8, 0)
    paths = workdays.units_with_hours()
    assert workdays.hours_from_path(world.grupp.path, paths).starts == time(6, 45)
    assert timedelta(0) < timedelta(hours=1)
