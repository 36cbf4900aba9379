"""ORG-1 (uniform names, the tree), ORG-4 (kinds), DIR-1 (name and title given), history."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from organisation import selectors, services
from organisation.models import Person, Unit
from tests.factories import PersonFactory, UnitFactory, UserFactory


@pytest.fixture
def actor(db):
    return UserFactory(username="tele")


def test_org_1_tree_paths_any_depth(db):
    root = UnitFactory(name="Socialförvaltningen")
    a = UnitFactory(name="Individ och familj", parent=root)
    b = UnitFactory(name="Barn och unga", parent=a)
    c = UnitFactory(name="Mottagningen", parent=b)
    c.refresh_from_db()
    assert c.path == f"/{root.pk}/{a.pk}/{b.pk}/{c.pk}/"
    assert c.depth == 3
    assert c.forvaltning_id == root.pk
    root.refresh_from_db()
    assert root.forvaltning_id == root.pk
    assert c.ancestor_ids() == [root.pk, a.pk, b.pk, c.pk]


@pytest.mark.parametrize("variant", ["hemtjänst norr", "HEMTJÄNST NORR", "  Hemtjänst   Norr "])
def test_org_1_sibling_names_clash_ignoring_case_and_spaces(actor, variant):
    root = services.unit_create(actor=actor, parent=None, name="Vård- och omsorgsförvaltningen")
    services.unit_create(actor=actor, parent=root, name="Hemtjänst Norr")
    with pytest.raises(ValidationError) as exc:
        services.unit_create(actor=actor, parent=root, name=variant)
    assert "name" in exc.value.message_dict
    assert Unit.objects.filter(parent=root).count() == 1


def test_org_1_database_enforces_uniqueness_without_the_service(db):
    root = UnitFactory(name="Miljöförvaltningen")
    UnitFactory(name="Östra teamet", parent=root)
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.create(name="östra  TEAMET", parent=root)


def test_org_1_same_name_allowed_under_different_parents(actor):
    a = services.unit_create(actor=actor, parent=None, name="Tekniska förvaltningen")
    b = services.unit_create(actor=actor, parent=None, name="Miljöförvaltningen")
    services.unit_create(actor=actor, parent=a, name="Administration")
    services.unit_create(actor=actor, parent=b, name="Administration")
    assert Unit.objects.filter(name="Administration").count() == 2


def test_org_1_forvaltning_names_unique_at_the_top(actor):
    services.unit_create(actor=actor, parent=None, name="Kommunstyrelseförvaltningen")
    with pytest.raises(ValidationError):
        services.unit_create(actor=actor, parent=None, name="kommunstyrelseförvaltningen")


def test_org_1_name_is_normalised_before_saving(actor):
    unit = services.unit_create(
        actor=actor, parent=None, name="  Kultur-  och fritidsförvaltningen "
    )
    assert unit.name == "Kultur- och fritidsförvaltningen"


def test_org_1_database_refuses_stray_spaces(db):
    root = UnitFactory(name="Socialförvaltningen")
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.filter(pk=root.pk).update(name=" Socialförvaltningen")


def test_rename_keeps_history_with_who_and_why(actor):
    unit = services.unit_create(actor=actor, parent=None, name="Gamla namnet")
    services.unit_rename(actor=actor, unit=unit, name="Nya namnet")
    latest = unit.history.first()
    assert latest.name == "Nya namnet"
    assert latest.history_user == actor
    assert latest.history_change_reason == "Enhet bytte namn"
    assert unit.history.count() == 2


def test_rename_to_same_name_writes_no_history(actor):
    unit = services.unit_create(actor=actor, parent=None, name="Samma")
    services.unit_rename(actor=actor, unit=unit, name=" samma ".replace("s", "S", 1).strip())
    assert unit.history.count() == 1


def test_rename_into_a_siblings_name_is_refused(actor):
    root = services.unit_create(actor=actor, parent=None, name="Förskola och skola")
    services.unit_create(actor=actor, parent=root, name="Brickebackens skola")
    other = services.unit_create(actor=actor, parent=root, name="Adolfsbergsskolan")
    with pytest.raises(ValidationError):
        services.unit_rename(actor=actor, unit=other, name="brickebackens skola")
    other.refresh_from_db()
    assert other.name == "Adolfsbergsskolan"


def test_dir_1_person_needs_name_and_title_in_the_database(db):
    unit = UnitFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(first_name="Eva", last_name="Berg", title="", unit=unit)


def test_manager_is_nearest_unit_upwards_with_one(db):
    root = UnitFactory(name="Socialförvaltningen")
    mid = UnitFactory(name="Individ och familj", parent=root)
    leaf = UnitFactory(name="Mottagningen", parent=mid)
    head = PersonFactory(unit=root, title="Förvaltningschef")
    root.manager = head
    root.save()
    worker = PersonFactory(unit=leaf)
    assert selectors.manager_of(worker) == head
    boss = PersonFactory(unit=mid, title="Enhetschef")
    mid.manager = boss
    mid.save()
    assert selectors.manager_of(worker) == boss
    # The enhetschef's own manager is found further up.
    assert selectors.manager_of(boss) == head
    assert selectors.manager_of(head) is None


def test_telesamordnare_change_is_history_kept(actor):
    unit = services.unit_create(actor=actor, parent=None, name="Socialförvaltningen")
    person = PersonFactory(unit=unit)
    services.unit_set_telesamordnare(actor=actor, unit=unit, people=[person])
    assert list(unit.telesamordnare.all()) == [person]
    record = unit.history.first()
    assert record.history_user == actor
    assert [m.person_id for m in record.telesamordnare.all()] == [person.pk]


def test_inactive_person_cannot_become_telesamordnare(actor):
    unit = services.unit_create(actor=actor, parent=None, name="Socialförvaltningen")
    person = PersonFactory(unit=unit, is_active=False)
    with pytest.raises(ValidationError):
        services.unit_set_telesamordnare(actor=actor, unit=unit, people=[person])
    assert unit.telesamordnare.count() == 0
