"""SUB-1/DIR-1 rules the database enforces on a subscription, and BAR-1 defaults."""

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone

from subscriptions import services
from subscriptions.choices import Kind, Status, VoiceMessage
from subscriptions.models import Subscription

BARRING_FIELDS = (
    "open_domestic",
    "open_mobile",
    "open_international",
    "open_premium",
    "open_directory_enquiry",
)


@pytest.fixture
def base(world):
    """Keyword arguments of a valid fixed phone of Anna's."""
    return {
        "kind": Kind.FIXED,
        "number": "+4619211000",
        "extension": "1000",
        "holder": world.people["employee"],
        "unit": world.grupp,
        "cost_centre": world.cost_centre,
    }


@pytest.fixture
def actor(world):
    return world.people["telekundtjanst"].user


def _barring(subscription):
    return {field: getattr(subscription, field) for field in BARRING_FIELDS}


def test_bar_1_defaults_open_sweden_and_mobiles_only(actor, base):
    subscription = services.subscription_create(actor=actor, **base)
    subscription.refresh_from_db()
    assert _barring(subscription) == {
        "open_domestic": True,
        "open_mobile": True,
        "open_international": False,
        "open_premium": False,
        "open_directory_enquiry": False,
    }


def test_bar_1_defaults_follow_the_guideline(actor, base, set_guideline):
    set_guideline(barring_mobile_open=False, barring_international_open=True)
    subscription = services.subscription_create(actor=actor, **base)
    subscription.refresh_from_db()
    assert _barring(subscription) == {
        "open_domestic": True,
        "open_mobile": False,
        "open_international": True,
        "open_premium": False,
        "open_directory_enquiry": False,
    }


def test_bar_1_explicit_values_win_over_the_defaults(actor, base):
    subscription = services.subscription_create(actor=actor, open_international=True, **base)
    assert subscription.open_international is True


def test_subscription_create_records_who_and_why(actor, base):
    subscription = services.subscription_create(actor=actor, reason="Ny anställd", **base)
    record = subscription.history.get()
    assert (record.history_user, record.history_change_reason) == (actor, "Ny anställd")


def test_subscription_create_refuses_a_taken_extension(actor, base):
    services.subscription_create(actor=actor, **base)
    with pytest.raises(ValidationError):
        services.subscription_create(actor=actor, **(base | {"number": "+4619211001"}))
    assert Subscription.objects.count() == 1


def _insert(**fields):
    """Insert straight into the database, past full_clean: the database must refuse."""
    with transaction.atomic():
        return Subscription.objects.create(**fields)


def test_valid_fixed_phone_is_accepted(base):
    assert _insert(**base).pk


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"function_name": "Receptionen"}, id="holder-and-function"),
        pytest.param({"holder": None}, id="neither-holder-nor-function"),
    ],
)
def test_sub_1_holder_xor_function(base, change):
    with pytest.raises(IntegrityError):
        _insert(**(base | change))


def test_sub_1_function_phone_has_a_function_and_no_holder(base):
    assert _insert(
        **(base | {"kind": Kind.FUNCTION, "holder": None, "function_name": "Receptionen"})
    ).pk


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"kind": Kind.FUNCTION}, id="function-kind-with-holder"),
        pytest.param({"kind": Kind.GROUP}, id="group-kind-with-holder"),
        pytest.param(
            {"holder": None, "function_name": "Receptionen"}, id="personal-kind-without-holder"
        ),
    ],
)
def test_sub_1_function_kinds_and_only_they_are_without_holder(base, change):
    with pytest.raises(IntegrityError):
        _insert(**(base | change))


@pytest.mark.parametrize("number", ["019211000", "019-21 10 00", "+46 19 21 10 00", "+0123456"])
def test_dir_1_number_is_stored_in_e164(base, number):
    with pytest.raises(IntegrityError):
        _insert(**(base | {"number": number}))


@pytest.mark.parametrize("extension", ["12a4", "1", "123456789", " 1234", ""])
def test_dir_1_extension_is_two_to_eight_digits(base, extension):
    # Nine digits: PostgreSQL's varchar(8) refuses before the check constraint does.
    with pytest.raises((IntegrityError, DataError)):
        _insert(**(base | {"extension": extension}))


@pytest.mark.parametrize("kind", [Kind.FIXED, Kind.MEX])
def test_dir_1_extension_is_required_unless_mobile(base, kind):
    with pytest.raises(IntegrityError):
        _insert(**(base | {"kind": kind, "extension": None}))


def test_dir_1_a_mobile_needs_no_extension(base):
    assert _insert(**(base | {"kind": Kind.MOBILE, "number": "+46701234567", "extension": None}))


def test_extension_is_unique_among_active_subscriptions(base):
    _insert(**base)
    with pytest.raises(IntegrityError):
        _insert(**(base | {"number": "+4619211001"}))


def test_number_is_unique_among_active_subscriptions(base):
    _insert(**base)
    with pytest.raises(IntegrityError):
        _insert(**(base | {"extension": "1001"}))


def test_blocked_subscription_still_holds_its_extension(base):
    _insert(**(base | {"status": Status.BLOCKED}))
    with pytest.raises(IntegrityError):
        _insert(**(base | {"number": "+4619211001"}))


def test_a_cancelled_subscriptions_extension_may_be_reused(base):
    _insert(**(base | {"status": Status.CANCELLED, "cancelled_on": timezone.localdate()}))
    assert _insert(**base).pk
    assert Subscription.objects.filter(extension="1000").count() == 2


def test_cancelled_needs_a_date(base):
    with pytest.raises(IntegrityError):
        _insert(**(base | {"status": Status.CANCELLED}))


# --- ABS-4: a group phone's voice message -----------------------------------------------


@pytest.fixture
def group(world):
    """Keyword arguments of a group phone with no voice message yet."""
    return {
        "kind": Kind.GROUP,
        "number": "+4619212001",
        "extension": "2001",
        "function_name": "Arbetslag Nattpatrull Norr",
        "unit": world.grupp,
        "cost_centre": world.cost_centre,
    }


def test_abs_4_group_phone_without_voice_message_is_refused(actor, group):
    with pytest.raises(ValidationError) as error:
        services.subscription_create(actor=actor, **group)
    assert "voice_message_to" in error.value.message_dict
    assert not Subscription.objects.exists()


def test_abs_4_group_phone_without_voice_message_is_refused_by_the_database(group):
    with pytest.raises(IntegrityError):
        _insert(**group)


def test_abs_4_group_phone_voice_message_to_kundtjanst(actor, group):
    phone = services.subscription_create(
        actor=actor, voice_message_to=VoiceMessage.KUNDTJANST, **group
    )
    phone.refresh_from_db()
    assert phone.voice_message_to == VoiceMessage.KUNDTJANST
    assert phone.voice_message_phone is None


def test_abs_4_group_phone_voice_message_to_a_staffed_phone(actor, group, world):
    reception = services.subscription_create(
        actor=actor,
        kind=Kind.FUNCTION,
        number="+4619212000",
        extension="2000",
        function_name="Receptionen",
        unit=world.hemtjanst,
        cost_centre=world.cost_centre,
    )
    phone = services.subscription_create(
        actor=actor, voice_message_to=VoiceMessage.PHONE, voice_message_phone=reception, **group
    )
    assert Subscription.objects.get(pk=phone.pk).voice_message_phone == reception


def test_abs_4_staffed_phone_must_be_named_and_not_a_group_phone(actor, group):
    with pytest.raises(ValidationError) as error:
        services.subscription_create(actor=actor, voice_message_to=VoiceMessage.PHONE, **group)
    assert "voice_message_phone" in error.value.message_dict
    other = services.subscription_create(
        actor=actor,
        **(group | {"number": "+4619212002", "extension": "2002"}),
        voice_message_to=VoiceMessage.KUNDTJANST,
    )
    with pytest.raises(ValidationError) as error:
        services.subscription_create(
            actor=actor, voice_message_to=VoiceMessage.PHONE, voice_message_phone=other, **group
        )
    assert "voice_message_phone" in error.value.message_dict
    assert Subscription.objects.count() == 1


def test_abs_4_a_staffed_phone_without_the_choice_is_refused_by_the_database(group, world):
    reception = _insert(
        kind=Kind.FUNCTION,
        number="+4619212000",
        extension="2000",
        function_name="Receptionen",
        unit=world.hemtjanst,
        cost_centre=world.cost_centre,
    )
    with pytest.raises(IntegrityError):
        _insert(**group, voice_message_to=VoiceMessage.KUNDTJANST, voice_message_phone=reception)
