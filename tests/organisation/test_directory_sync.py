"""Issue 17: people from the directory, against a real slapd (python-ldap's slapdtest).

Joiners, movers (and DEV-4: the mover's phone flagged to the new förvaltning's
telesamordnare, the one-click change request), leavers (X-3, with the safety threshold and
the successor flag), people who come back, entries with odd values, protected identities,
a steady run that writes nothing, paging, the "Synka nu" pages and the task on a real
worker.
"""

import logging
import socket

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext, override

from compliance.models import Flag
from organisation import directory_sync
from organisation import tasks as organisation_tasks
from organisation.choices import PersonKind
from organisation.models import DirectorySyncRun, Person
from subscriptions import services as subscription_services
from subscriptions.choices import Kind, RequestKind
from subscriptions.models import ChangeRequest
from tests.conftest import statuses
from tests.factories import CostCentreFactory, PersonFactory, UnitFactory, UserFactory
from tests.services import running_slapd, wait_for

SUFFIX = "dc=kommun,dc=example"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"
EMPTY = f"ou=empty,{SUFFIX}"
ELECTED_GROUP = f"cn=fortroendevalda,{GROUPS}"
UIDS = [f"u{n:02d}" for n in range(1, 11)]
Status = DirectorySyncRun.Status


def sv(message):
    with override("sv"):
        return gettext(message)


def employee_number(uid):
    return f"2{uid[1:]}00"


def entry(uid, **values):
    """An inetOrgPerson entry; `values` overrides attributes (None leaves one out)."""
    attrs = {
        "uid": uid,
        "cn": f"Person {uid}",
        "givenName": f"Förnamn{uid}",
        "sn": f"Efternamn{uid}",
        "employeeNumber": employee_number(uid),
        "title": "Handläggare",
        "departmentNumber": "G1",
        "mail": f"{uid}@kommun.example",
        "employeeType": "anstalld",
        **values,
    }
    # inetOrgPerson requires a surname; an entry without one is an extensibleObject.
    classes = ["inetOrgPerson"] if attrs["sn"] is not None else ["account", "extensibleObject"]
    lines = [f"dn: uid={uid},{PEOPLE}", *(f"objectClass: {name}" for name in classes)]
    lines += [f"{name}: {value}" for name, value in attrs.items() if value is not None]
    return "\n".join(lines) + "\n"


def people_ldif(entries):
    return "\n".join([f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people\n", *entries])


def standard(uids=UIDS, **changed):
    """The ten standard entries, with `changed` = {uid: {attr: value}}."""
    return [entry(uid, **changed.get(uid, {})) for uid in uids]


@pytest.fixture(scope="module")
def slapd():
    with running_slapd(
        SUFFIX,
        f"dn: {EMPTY}\nobjectClass: organizationalUnit\nou: empty\n\n"
        f"dn: {GROUPS}\nobjectClass: organizationalUnit\nou: groups\n\n"
        f"dn: {ELECTED_GROUP}\nobjectClass: groupOfNames\ncn: fortroendevalda\n"
        f"member: uid=u09,{PEOPLE}\n\n" + people_ldif(standard()),
    ) as server:
        yield server


class Directory:
    def __init__(self, server):
        self.server = server

    def load(self, entries):
        """Replace the people with these entries."""
        self.server.ldapdelete(PEOPLE, recursive=True)
        self.server.ldapadd(people_ldif(entries))


@pytest.fixture
def directory(slapd):
    changes = Directory(slapd)
    yield changes
    changes.load(standard())


def use_directory(settings, uri, **env):
    from telefoni.ldap_config import ldap_settings

    config = ldap_settings(
        {
            "LDAP_SERVER_URI": uri,
            "LDAP_BIND_DN": f"cn=Manager,{SUFFIX}",
            "LDAP_BIND_PASSWORD": "password",
            "LDAP_USER_SEARCH_BASE": PEOPLE,
            "LDAP_TIMEOUT": "2",
            **env,
        }
    )
    for name, value in config.items():
        setattr(settings, name, value)


@pytest.fixture
def coded(world):
    """Organisation codes on the world's units."""
    for unit, code in ((world.grupp, "G1"), (world.bibliotek, "BIB"), (world.hemtjanst, "HN")):
        unit.code = code
        unit.save()
    return world


@pytest.fixture
def synced(coded, directory, settings, slapd):
    """The directory pointed at, and a first sync made: the ten people exist."""
    use_directory(settings, slapd.ldap_uri)
    run = directory_sync.sync_directory()
    assert (run.status, run.created) == (Status.DONE, 10), run.report
    return {uid: Person.objects.get(external_id=employee_number(uid)) for uid in UIDS}


def sync():
    return directory_sync.sync_directory()


def _inactive():
    return set(Person.objects.filter(is_active=False).values_list("pk", flat=True))


def _history_rows():
    return Person.history.count()


# --- Joiners ---------------------------------------------------------------------------------


def test_joiners_are_created_with_history_by_katalogsynk(coded, directory, settings, slapd):
    use_directory(settings, slapd.ldap_uri)
    run = sync()
    assert (run.status, run.entries, run.created, run.refused) == (Status.DONE, 10, 10, 0)
    person = Person.objects.get(external_id=employee_number("u03"))
    assert (person.first_name, person.last_name, person.title, person.email, person.unit) == (
        "Förnamnu03",
        "Efternamnu03",
        "Handläggare",
        "u03@kommun.example",
        coded.grupp,
    )
    assert person.kind == PersonKind.EMPLOYEE
    record = person.history.get()
    assert record.history_user.username == "katalogsynk"
    assert record.history_change_reason == sv("Created by the directory sync")
    # Telesök finds them (the search keys were filled by the bulk write).
    assert "efternamnu03" in person.search_name
    # The system account cannot sign in.
    assert not User.objects.get(username="katalogsynk").is_active
    assert run.report == [
        sv(
            "%(entries)s entries read: %(created)s created, %(updated)s updated (%(moved)s "
            "moved), %(left)s left, %(returned)s back, %(refused)s refused."
        )
        % {
            "entries": 10,
            "created": 10,
            "updated": 0,
            "moved": 0,
            "left": 0,
            "returned": 0,
            "refused": 0,
        }
    ]


def test_a_joiner_who_signs_in_later_is_linked_to_the_same_person(synced, coded):
    from organisation.services import person_sync_from_directory

    account = UserFactory(username="u04")
    people = Person.objects.count()
    person = person_sync_from_directory(
        user=account, attrs={"external_id": employee_number("u04")}, unit=None
    )
    assert person.pk == synced["u04"].pk
    assert Person.objects.count() == people
    assert person.user == account


# --- Steady state -------------------------------------------------------------------------------


def test_a_steady_run_writes_nothing_and_queries_a_fixed_number(synced):
    rows = _history_rows()
    with CaptureQueriesContext(connection) as few:
        run = sync()
    assert (run.status, run.created, run.updated, run.moved, run.left, run.returned) == (
        Status.DONE,
        0,
        0,
        0,
        0,
        0,
    )
    assert _history_rows() == rows
    writes = [
        q["sql"]
        for q in few.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    # Only the run's own record is written.
    assert writes and all("directorysyncrun" in sql for sql in writes)


def test_a_steady_run_costs_no_query_per_person(synced, directory):
    with CaptureQueriesContext(connection) as ten:
        sync()
    directory.load(standard([f"u{n:02d}" for n in range(1, 31)]))
    assert sync().created == 20
    with CaptureQueriesContext(connection) as thirty:
        assert sync().updated == 0
    assert len(thirty.captured_queries) == len(ten.captured_queries)


# --- Movers and updates -------------------------------------------------------------------------


@pytest.fixture
def phone(synced, coded, desk):
    """u02's mobile on Hemtjänst Norr's cost centre, and a telesamordnare of the library's
    förvaltning (where u02 is about to move) besides the world's."""
    return subscription_services.subscription_create(
        actor=desk,
        kind=Kind.MOBILE,
        number="+46701112202",
        holder=synced["u02"],
        unit=coded.grupp,
        cost_centre=coded.cost_centre,
    )


def test_a_mover_is_moved_and_their_phone_flagged_to_the_new_telesamordnare(
    synced, coded, phone, directory, django_capture_on_commit_callbacks
):
    library_centre = CostCentreFactory(
        code="5100", unit=coded.bibliotek, budget_manager=coded.people["outsider"]
    )
    directory.load(standard(u02={"departmentNumber": "BIB", "title": "Bibliotekarie"}))
    with django_capture_on_commit_callbacks(execute=True):
        run = sync()
    assert (run.moved, run.updated) == (1, 1)
    person = Person.objects.get(pk=synced["u02"].pk)
    assert (person.unit, person.title) == (coded.bibliotek, "Bibliotekarie")
    record = person.history.first()
    assert (record.history_user.username, record.history_change_reason) == (
        "katalogsynk",
        sv("Moved by the directory sync"),
    )
    flag = Flag.objects.get(rule="DEV-4")
    assert (flag.object_id, flag.unit, flag.responsible) == (
        phone.pk,
        coded.bibliotek,
        coded.people["telesamordnare_other"],
    )
    assert [m.to for m in mail.outbox] == [[coded.people["telesamordnare_other"].email]]
    assert f"/abonnemang/{phone.pk}/flyttad-innehavare/" in mail.outbox[0].body

    # The one click: a change request of the subscription to the new unit's cost centre.
    from subscriptions import movers

    request = movers.mover_cost_centre_request(
        actor=coded.people["telesamordnare_other"].user, subscription=phone
    )
    assert request.kind == RequestKind.SUBSCRIPTION
    assert request.changes == {
        "cost_centre": {"old": coded.cost_centre.pk, "new": library_centre.pk},
        "unit": {"old": coded.grupp.pk, "new": coded.bibliotek.pk},
    }
    assert request.forvaltning == coded.kfv
    # Applied by Tele kundtjänst, the nightly sweep closes the flag.
    subscription_services.change_request_apply(
        actor=coded.people["telekundtjanst"].user, request=request
    )
    assert movers.sweep_movers().resolved == 1
    assert not Flag.objects.filter(rule="DEV-4", resolved_at__isnull=True).exists()


def test_a_move_by_hand_flags_the_phone_too(
    synced, coded, phone, desk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        subscription_services.entry_update(
            actor=desk, person=synced["u02"], values={"unit": coded.bibliotek}
        )
    assert Flag.objects.filter(rule="DEV-4", object_id=phone.pk).exists()


def test_a_move_within_the_cost_centres_unit_is_not_flagged(
    synced, coded, phone, directory, django_capture_on_commit_callbacks
):
    """Grupp 1 lies under Hemtjänst Norr, whose cost centre the phone is on."""
    directory.load(standard(u02={"departmentNumber": "HN"}))
    with django_capture_on_commit_callbacks(execute=True):
        assert sync().moved == 1
    assert not Flag.objects.filter(rule="DEV-4").exists()


MOVER_PAGE = statuses(403, telekundtjanst=200, telesamordnare_other=200)


@pytest.mark.parametrize("who, status", MOVER_PAGE.items())
def test_mover_page_role_table(matrix_client, synced, coded, phone, who, status):
    Person.objects.filter(pk=synced["u02"].pk).update(unit=coded.bibliotek)
    CostCentreFactory(code="5100", unit=coded.bibliotek, budget_manager=coded.people["outsider"])
    url = f"/abonnemang/{phone.pk}/flyttad-innehavare/"
    response = matrix_client(who).get(url)
    assert response.status_code == status
    if status == 200:
        assert "5100" in response.content.decode()
    response = matrix_client(who).post(url)
    made = ChangeRequest.objects.filter(object_id=phone.pk, kind=RequestKind.SUBSCRIPTION)
    assert made.exists() is (status == 200)
    assert response.status_code == (302 if status == 200 else status)


def test_mover_page_hides_a_protected_holder_and_a_second_click_sends_nothing(
    matrix_client, synced, coded, phone
):
    Person.objects.filter(pk=synced["u02"].pk).update(unit=coded.bibliotek)
    CostCentreFactory(code="5100", unit=coded.bibliotek, budget_manager=coded.people["outsider"])
    url = f"/abonnemang/{phone.pk}/flyttad-innehavare/"
    client = matrix_client("telesamordnare_other")
    client.post(url)
    client.post(url)
    assert ChangeRequest.objects.filter(object_id=phone.pk).count() == 1
    assert sv("Request #%(pk)s is waiting for Tele kundtjänst.").split("#")[0] in (
        client.get(url).content.decode()
    )
    Person.objects.filter(pk=synced["u02"].pk).update(protected_identity=True)
    assert client.get(url).status_code == 404
    assert matrix_client("telekundtjanst").get(url).status_code == 200


# --- Leavers and people who come back -----------------------------------------------------------


def test_a_leaver_is_marked_once_and_comes_back_when_the_entry_returns(
    synced, directory, django_capture_on_commit_callbacks
):
    directory.load(standard([uid for uid in UIDS if uid != "u03"]))
    with django_capture_on_commit_callbacks(execute=True):
        run = sync()
    assert (run.status, run.left) == (Status.DONE, 1)
    assert _inactive() == {synced["u03"].pk}
    record = Person.objects.get(pk=synced["u03"].pk).history.first()
    assert record.history_user.username == "katalogsynk"
    assert record.history_change_reason == sv(
        "Left the municipality: no longer in the directory (LDAP)"
    )
    rows = _history_rows()
    assert sync().left == 0
    assert _history_rows() == rows

    directory.load(standard())
    run = sync()
    assert (run.returned, run.left) == (1, 0)
    assert _inactive() == set()
    assert Person.objects.get(pk=synced["u03"].pk).history.first().history_change_reason == sv(
        "Back in the directory: active again"
    )


def test_someone_marked_as_left_by_hand_is_not_reactivated(synced, desk):
    from organisation import leavers

    leavers.person_mark_left(actor=desk, person=synced["u04"], reason="Slutat i förväg")
    assert sync().returned == 0
    assert _inactive() == {synced["u04"].pk}


def test_a_leaver_account_is_deactivated_and_reactivated(synced, directory):
    account = UserFactory(username="u05")
    account.set_unusable_password()
    account.save()
    Person.objects.filter(pk=synced["u05"].pk).update(user=account)
    directory.load(standard([uid for uid in UIDS if uid != "u05"]))
    sync()
    assert User.objects.get(username="u05").is_active is False
    directory.load(standard())
    sync()
    assert User.objects.get(username="u05").is_active is True


def test_the_local_person_the_directory_never_knew_stays(synced, coded, directory):
    local = PersonFactory(unit=coded.grupp)
    directory.load(standard(UIDS[1:]))
    sync()
    assert _inactive() == {synced["u01"].pk}
    assert local.pk not in _inactive()


def test_disabled_mode_uses_the_filter_and_ignores_missing_entries(
    synced, directory, settings, slapd
):
    use_directory(
        settings,
        slapd.ldap_uri,
        LDAP_LEAVERS="disabled",
        LDAP_LEAVERS_DISABLED_FILTER="(employeeType=slutat)",
    )
    directory.load(standard([uid for uid in UIDS if uid != "u02"], u04={"employeeType": "slutat"}))
    sync()
    assert _inactive() == {synced["u04"].pk}
    assert Person.objects.get(pk=synced["u04"].pk).history.first().history_change_reason == sv(
        "Left the municipality: disabled in the directory (LDAP)"
    )


def test_missing_mode_also_counts_disabled_entries(synced, directory, settings, slapd):
    use_directory(settings, slapd.ldap_uri, LDAP_LEAVERS_DISABLED_FILTER="(employeeType=slutat)")
    directory.load(standard([uid for uid in UIDS if uid != "u02"], u04={"employeeType": "slutat"}))
    sync()
    assert _inactive() == {synced["u02"].pk, synced["u04"].pk}


def test_mode_off_marks_nobody_but_still_syncs(synced, directory, settings, slapd):
    use_directory(settings, slapd.ldap_uri, LDAP_LEAVERS="off")
    directory.load(standard(UIDS[1:], u02={"title": "Chef"}))
    run = sync()
    assert (run.left, run.updated) == (0, 1)
    assert _inactive() == set()


def test_a_leaver_who_was_manager_is_flagged_to_the_forvaltningschef(
    synced, coded, directory, django_capture_on_commit_callbacks
):
    coded.grupp.manager = synced["u06"]
    coded.grupp.save()
    centre = CostCentreFactory(code="4200", unit=coded.grupp, budget_manager=synced["u07"])
    coded.grupp.telesamordnare.add(synced["u08"])
    directory.load(standard([uid for uid in UIDS if uid not in ("u06", "u07", "u08")]))
    with django_capture_on_commit_callbacks(execute=True):
        assert sync().left == 3
    flags = {
        (flag.content_type.model, flag.object_id): flag
        for flag in Flag.objects.filter(rule="X-3", resolved_at__isnull=True)
    }
    assert set(flags) == {("unit", coded.grupp.pk), ("costcentre", centre.pk)}
    assert {flag.responsible for flag in flags.values()} == {coded.people["forvaltningschef"]}

    # A successor named: the nightly sweep closes what is put right.
    from compliance.services import sweep_successors

    coded.grupp.manager = coded.people["manager"]
    coded.grupp.save()
    coded.grupp.telesamordnare.remove(synced["u08"])
    assert sweep_successors().resolved == 1
    assert set(
        Flag.objects.filter(rule="X-3", resolved_at__isnull=True).values_list(
            "content_type__model", flat=True
        )
    ) == {"costcentre"}


# --- The safety threshold, a directory down or empty ---------------------------------------------


def test_more_leavers_and_movers_than_the_threshold_changes_nothing_and_tells_the_desk(
    synced, coded, directory, settings, slapd, django_capture_on_commit_callbacks
):
    settings.TELEFONI_SERVICE_DESK_EMAIL = "tele@kommun.example"
    use_directory(settings, slapd.ldap_uri, LDAP_LEAVERS_MAX_COUNT="2")
    directory.load(standard(UIDS[2:], u03={"departmentNumber": "BIB"}, u04={"title": "Ny"}))
    rows = _history_rows()
    with django_capture_on_commit_callbacks(execute=True):
        run = sync()
    assert (run.status, run.left, run.moved, run.updated) == (Status.REFUSED, 0, 0, 0)
    assert _inactive() == set()
    assert _history_rows() == rows
    assert "2" in run.report[0] and "LDAP_LEAVERS_MAX_COUNT" in run.report[0]
    assert [m.to for m in mail.outbox] == [["tele@kommun.example"]]
    assert run.report[0] in mail.outbox[0].body
    # Within the limit, the same directory is obeyed.
    use_directory(settings, slapd.ldap_uri, LDAP_LEAVERS_MAX_COUNT="3")
    run = sync()
    assert (run.status, run.left, run.moved, run.updated) == (Status.DONE, 2, 1, 2)


def test_a_directory_that_does_not_answer_changes_nothing(synced, settings, caplog):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    use_directory(settings, f"ldap://127.0.0.1:{port}")
    with caplog.at_level(logging.ERROR, logger="organisation.directory_sync"):
        run = sync()
    assert run.status == Status.UNAVAILABLE
    assert _inactive() == set()
    assert "did not answer" in caplog.text


def test_a_directory_with_no_entries_is_refused(synced, settings, slapd):
    use_directory(settings, slapd.ldap_uri, LDAP_USER_SEARCH_BASE=EMPTY)
    run = sync()
    assert (run.status, run.entries) == (Status.REFUSED, 0)
    assert _inactive() == set()


def test_without_ldap_the_run_is_off(db, settings):
    settings.AUTH_LDAP_SERVER_URI = ""
    assert sync().status == Status.OFF


# --- Entries with odd values ---------------------------------------------------------------------


def test_entries_with_odd_values_are_reported_and_change_nothing(synced, coded, directory):
    before = {
        p["pk"]: p for p in Person.objects.values("pk", "first_name", "last_name", "title", "unit")
    }
    directory.load(
        [
            *standard(UIDS[:4]),
            entry("u05", sn=None, title="Ändrad"),  # no surname
            entry("u06", departmentNumber="OKAND", title="Ändrad"),  # unknown unit code
            entry("u07"),
            entry("u08", title="Ändrad"),  # its employee number twice, with u13
            entry("u13", employeeNumber=employee_number("u08"), title="Ändrad"),
            entry("u09", title="x" * 10_000),  # too long
            entry("u10", givenName="=HYPERLINK(1)"),  # a formula
            entry("u11", employeeNumber="21100", mail="inte-en-adress"),  # a bad joiner
            entry("u12", employeeNumber="21200", title="Ny"),  # and a good one
        ]
    )
    run = sync()
    assert run.status == Status.DONE
    assert (run.created, run.updated, run.left, run.refused) == (1, 0, 0, 7)
    after = {
        p["pk"]: p
        for p in Person.objects.filter(pk__in=before).values(
            "pk", "first_name", "last_name", "title", "unit"
        )
    }
    assert after == before
    assert Person.objects.filter(external_id="21200").exists()
    assert not Person.objects.filter(external_id="21100").exists()
    report = "\n".join(run.report)
    for text in (
        sv("no surname"),
        sv("no unit has the organisation code %(code)s") % {"code": "OKAND"},
        sv("the employee number %(number)s is given to %(count)s entries")
        % {"number": employee_number("u08"), "count": 2},
        sv("%(field)s is %(length)s characters long, at most %(max)s are kept")
        % {"field": "title", "length": 10_000, "max": 200},
        sv("%(field)s begins with %(char)s (a spreadsheet would read it as a formula)")
        % {"field": "givenName", "char": "="},
        sv("mail is not an e-mail address"),
    ):
        assert text in report, text
    assert f"uid=u05,{PEOPLE}" in report
    # Nobody whose entry was refused counts as a leaver.
    assert _inactive() == set()


# --- Protected identity, elected officials --------------------------------------------------------


def test_a_protected_identity_is_kept_by_the_sync(synced, directory):
    Person.objects.filter(pk=synced["u01"].pk).update(protected_identity=True)
    directory.load(standard(u01={"title": "Ny titel"}))
    assert sync().updated == 1
    person = Person.objects.get(pk=synced["u01"].pk)
    assert (person.title, person.protected_identity) == ("Ny titel", True)


def test_elected_officials_by_group_or_filter(synced, directory, settings, slapd):
    use_directory(settings, slapd.ldap_uri, LDAP_ELECTED_GROUP=ELECTED_GROUP)
    assert sync().updated == 1
    kinds = dict(
        Person.objects.filter(external_id__startswith="2").values_list("external_id", "kind")
    )
    assert kinds[employee_number("u09")] == PersonKind.ELECTED
    assert kinds[employee_number("u08")] == PersonKind.EMPLOYEE
    use_directory(settings, slapd.ldap_uri, LDAP_ELECTED_FILTER="(employeeType=politiker)")
    directory.load(standard(u02={"employeeType": "politiker"}))
    assert sync().updated == 2
    kinds = dict(
        Person.objects.filter(external_id__startswith="2").values_list("external_id", "kind")
    )
    assert (kinds[employee_number("u02")], kinds[employee_number("u09")]) == (
        PersonKind.ELECTED,
        PersonKind.EMPLOYEE,
    )


# --- Paging --------------------------------------------------------------------------------------


def test_the_directory_is_read_beyond_the_page_size(coded, directory, settings, slapd):
    use_directory(settings, slapd.ldap_uri, LDAP_SYNC_PAGE_SIZE="3")
    calls = []
    original = directory_sync.search_all

    def counting(conn, base, filterstr, attrs, page_size):
        calls.append(page_size)
        return original(conn, base, filterstr, attrs, page_size)

    import organisation.directory_sync as module

    module.search_all = counting
    try:
        run = sync()
    finally:
        module.search_all = original
    assert calls == [3]
    assert (run.entries, run.created) == (10, 10)


@pytest.fixture(scope="module")
def limited_slapd():
    """A slapd that answers at most 4 entries to anyone but its root (as AD answers at
    most 1000), except page by page."""
    with running_slapd(SUFFIX, people_ldif(standard()), size_limit=4) as server:
        yield server


def test_a_size_limit_on_the_server_is_paged_past(coded, settings, limited_slapd):
    import ldap

    conn = ldap.initialize(limited_slapd.ldap_uri)
    conn.simple_bind_s("", "")
    with pytest.raises(ldap.SIZELIMIT_EXCEEDED):
        conn.search_s(PEOPLE, ldap.SCOPE_SUBTREE, "(uid=*)", ["uid"])
    conn.unbind_s()
    use_directory(
        settings,
        limited_slapd.ldap_uri,
        LDAP_BIND_DN="",
        LDAP_BIND_PASSWORD="",
        # Within the server's page size (AD: at most 1000), as the default 500 is.
        LDAP_SYNC_PAGE_SIZE="4",
    )
    run = sync()
    assert (run.status, run.entries, run.created) == (Status.DONE, 10, 10)


# --- The task, the beat schedule and a real worker ------------------------------------------------


def test_the_task_runs_a_queued_run_once(synced, coded, desk):
    run, new = directory_sync.run_request(actor=desk)
    again, second = directory_sync.run_request(actor=desk)
    assert (new, second, again.pk) == (True, False, run.pk)
    assert organisation_tasks.sync_directory(run_id=run.pk) == 0
    run.refresh_from_db()
    assert (run.status, run.requested_by) == (Status.DONE, desk)
    # Not queued any more: the task leaves it alone; a missing run likewise.
    assert organisation_tasks.sync_directory(run_id=run.pk) == 0
    assert organisation_tasks.sync_directory(run_id=999999) == 0
    assert DirectorySyncRun.objects.count() == 2


def test_the_beat_schedule_names_the_sync_and_the_movers_sweep():
    from telefoni.celery import app

    app.finalize()
    app.loader.import_default_modules()
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    for name in ("organisation.tasks.sync_directory", "subscriptions.tasks.sweep_movers"):
        assert name in tasks
        assert name in app.tasks


def test_the_sync_on_a_real_worker_twice(redis_worker, finished, settings, slapd, directory):
    unit = UnitFactory(name="Miljöförvaltningen", code="G1")
    use_directory(settings, slapd.ldap_uri)
    name = organisation_tasks.sync_directory.name
    organisation_tasks.sync_directory.delay()
    assert wait_for(lambda: finished.count(name) == 1)
    assert Person.objects.filter(unit=unit).count() == 10
    rows = _history_rows()
    organisation_tasks.sync_directory.delay()
    assert wait_for(lambda: finished.count(name) == 2)
    assert _history_rows() == rows
    assert list(DirectorySyncRun.objects.values_list("status", "created")) == [
        (Status.DONE, 0),
        (Status.DONE, 10),
    ]


# --- "Synka nu" -----------------------------------------------------------------------------------

SYNC_PAGE = statuses(403, telekundtjanst=200)


@pytest.mark.parametrize("who, status", SYNC_PAGE.items())
def test_sync_page_role_table(matrix_client, world, who, status):
    DirectorySyncRun.objects.create(status=Status.DONE, created=7, report=["Rapportrad"])
    response = matrix_client(who).get("/organisation/katalogsynk/")
    assert response.status_code == status
    if status == 200:
        assert sv("Sync now") in response.content.decode()
        assert response.context["runs"][0].created == 7


@pytest.mark.parametrize("who, status", (SYNC_PAGE | {"telekundtjanst": 302}).items())
def test_sync_now_role_table(matrix_client, world, settings, who, status):
    settings.AUTH_LDAP_SERVER_URI = ""
    response = matrix_client(who).post("/organisation/katalogsynk/")
    assert response.status_code == status
    runs = DirectorySyncRun.objects.all()
    assert runs.exists() is (who == "telekundtjanst")
    if who == "telekundtjanst":
        assert response["Location"] == f"/organisation/katalogsynk/{runs.get().pk}/"


@pytest.mark.parametrize("who, status", SYNC_PAGE.items())
def test_sync_run_page_role_table(matrix_client, world, who, status):
    run = DirectorySyncRun.objects.create(status=Status.RUNNING, phase="Läser katalogen", report=[])
    response = matrix_client(who).get(f"/organisation/katalogsynk/{run.pk}/")
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert "Läser katalogen" in page
        # Progress without JavaScript or meta refresh: a link to the same page.
        assert f'href="/organisation/katalogsynk/{run.pk}/"' in page
        assert "http-equiv" not in page


def test_sync_run_page_shows_the_report_and_a_missing_run_is_404(matrix_client, world):
    run = DirectorySyncRun.objects.create(status=Status.DONE, report=["uid=x: inte använd"])
    client = matrix_client("telekundtjanst")
    assert (
        "uid=x: inte använd" in client.get(f"/organisation/katalogsynk/{run.pk}/").content.decode()
    )
    assert client.get("/organisation/katalogsynk/999999/").status_code == 404


def test_sync_page_query_count_at_one_and_three_runs(
    matrix_client, world, django_assert_num_queries
):
    client = matrix_client("telekundtjanst")
    DirectorySyncRun.objects.create(status=Status.DONE, requested_by=world.people["admin"].user)
    client.get("/organisation/katalogsynk/")
    with CaptureQueriesContext(connection) as one:
        client.get("/organisation/katalogsynk/")
    for _n in range(2):
        DirectorySyncRun.objects.create(status=Status.DONE, requested_by=world.people["admin"].user)
    with django_assert_num_queries(len(one.captured_queries)):
        client.get("/organisation/katalogsynk/")
