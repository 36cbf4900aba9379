"""X-1: the guideline's parameters live in one history-kept row that Tele kundtjänst edits
in the admin; the rules read them from there."""

from datetime import date, time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from absence import workdays
from organisation.guideline import guideline
from organisation.models import Guideline
from tests.conftest import MATRIX, statuses


def test_x_1_defaults_are_the_guidelines_values(db):
    row = guideline()
    assert row.pk == 1
    assert row.barring_open == ["domestic", "mobile"]  # BAR-1
    assert row.callback_deadline_workdays == 2  # SRV-2
    assert row.review_max_age_days == 365  # REV-2: every year
    assert (row.workday_starts, row.lunch_ends) == (time(8, 0), time(13, 0))
    assert row.cost_deviation_factor == Decimal("3")
    assert guideline().pk == 1 and Guideline.objects.count() == 1


def test_x_1_there_is_only_one_row(db):
    guideline()
    with pytest.raises(IntegrityError), transaction.atomic():
        Guideline.objects.create(pk=2)


def test_x_1_a_bad_value_is_refused_by_the_model(db):
    row = guideline()
    row.review_opens = "13-40"
    row.workday_ends = time(7, 0)
    with pytest.raises(ValidationError) as excinfo:
        row.full_clean()
    assert "review_opens" in excinfo.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()


EDIT = statuses(302, telekundtjanst=200, admin=200)


@pytest.mark.parametrize("who", MATRIX)
def test_x_1_who_may_open_the_settings_in_the_admin(matrix_client, who):
    row = guideline()
    response = matrix_client(who).get(reverse("admin:organisation_guideline_change", args=[row.pk]))
    assert response.status_code == EDIT[who]
    if EDIT[who] == 200:
        assert "callback_deadline_workdays" in response.content.decode()
    else:  # to the admin's sign-in page, never the form
        assert "login/" in response["Location"]


def test_x_1_tele_kundtjanst_sees_only_the_settings_in_the_admin(matrix_client):
    client = matrix_client("telekundtjanst")
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:organisation_guideline_changelist") in index
    assert reverse("admin:organisation_person_changelist") not in index
    assert client.get(reverse("admin:organisation_person_changelist")).status_code == 403
    listing = client.get(reverse("admin:organisation_guideline_changelist"))
    assert listing["Location"] == reverse("admin:organisation_guideline_change", args=[1])
    assert client.get(reverse("admin:organisation_guideline_add")).status_code == 403
    assert client.get(reverse("admin:organisation_guideline_delete", args=[1])).status_code == 403


def _form(row, **changes):
    data = {}
    for field in Guideline._meta.concrete_fields:
        if field.name == "id":
            continue
        value = getattr(row, field.name)
        if isinstance(value, bool):
            if value:
                data[field.name] = "on"
            continue
        data[field.name] = value.strftime("%H:%M") if isinstance(value, time) else value
    data.update(changes)
    return {k: v for k, v in data.items() if v is not False}


def test_x_1_tele_kundtjanst_changes_a_value_and_the_rule_follows_with_history(
    matrix_client, world
):
    row = guideline()
    url = reverse("admin:organisation_guideline_change", args=[row.pk])
    client = matrix_client("telekundtjanst")
    response = client.post(url, _form(row, workday_starts="07:30"))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert workdays.default_hours().starts == time(7, 30)
    last = Guideline.history.latest()
    assert last.history_user == world.people["telekundtjanst"].user
    assert last.workday_starts == time(7, 30)
    bad = client.post(url, _form(row, callback_deadline_workdays=0))
    assert bad.status_code == 200  # the form again, with the message
    assert guideline().callback_deadline_workdays == 2


@pytest.mark.parametrize(
    "start, days, deadline",
    [
        (date(2027, 3, 25), 2, date(2027, 3, 31)),  # Skärtorsdag: Långfredag, Easter Monday
        (date(2027, 6, 24), 2, date(2027, 6, 29)),  # before midsommarafton (de facto)
        (date(2027, 12, 23), 2, date(2027, 12, 28)),  # julafton .. annandag jul, weekend
        (date(2027, 12, 30), 1, date(2028, 1, 3)),  # nyårsafton, nyårsdagen, weekend
        (date(2027, 11, 23), 2, date(2027, 11, 25)),  # an ordinary week
    ],
)
def test_working_day_deadlines_across_the_holidays(start, days, deadline):
    assert workdays.add_working_days(start, days) == deadline


def test_previous_working_day_skips_easter():
    assert workdays.previous_working_day(date(2027, 3, 30)) == date(2027, 3, 25)
