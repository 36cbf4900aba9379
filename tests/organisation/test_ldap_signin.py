"""Sign-in through a real directory: slapd started by python-ldap's slapdtest.

The settings are built by telefoni.ldap_config.ldap_settings, the same code production
uses, pointed at the test server. Through the real login page this proves: the password
is checked by the directory, a mapped directory group grants its role and leaving the group
takes it away, the person record follows the directory, and a directory that does not
answer gives a clear message instead of a server error.
"""

import socket

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import Group, User
from django.utils.html import escape
from django.utils.translation import gettext, override

from common.roles import Role, roles_of
from organisation.models import Person
from tests.factories import PersonFactory, UnitFactory, UserFactory
from tests.services import running_slapd

pytestmark = pytest.mark.service("slapd")

SUFFIX = "dc=kommun,dc=example"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"
LOGIN_URL = "/accounts/login/"
LDAP_BACKEND = "organisation.ldap.TelefoniLDAPBackend"

# Each test user has one job; tests that change the directory use `directory`, which puts
# the entries back afterwards.
USERS = {
    # In no mapped group (only in an unmapped one): a plain employee.
    "anna": {
        "givenName": "Anna",
        "sn": "Östlund",
        "mail": "anna.ostlund@kommun.example",
        "title": "Undersköterska",
        "departmentNumber": "VO-HTN1",
        "employeeNumber": "10001",
    },
    # In the telesamordnare group.
    "tove": {
        "givenName": "Tove",
        "sn": "Lind",
        "mail": "tove.lind@kommun.example",
        "title": "Telesamordnare",
        "departmentNumber": "KFV-BIB",
        "employeeNumber": "10002",
    },
    # In the admin group.
    "sys": {
        "givenName": "Sune",
        "sn": "Ström",
        "mail": "sune.strom@kommun.example",
        "title": "Systemförvaltare",
        "departmentNumber": "KSF-TELE",
        "employeeNumber": "10003",
    },
    # A unit code telefoni does not know.
    "ulla": {
        "givenName": "Ulla",
        "sn": "Berg",
        "mail": "ulla.berg@kommun.example",
        "title": "Handläggare",
        "departmentNumber": "OKAND-99",
        "employeeNumber": "10004",
    },
    # Already in telefoni as a person without an account (found by employee number).
    "per": {
        "givenName": "Per",
        "sn": "Nilsson",
        "mail": "per.nilsson@kommun.example",
        "title": "Enhetschef",
        "departmentNumber": "VO-HTN",
        "employeeNumber": "10005",
    },
}
PLACEHOLDER = f"cn=placeholder,{SUFFIX}"  # groupOfNames needs at least one member
GROUP_MEMBERS = {
    "telesamordnare": ["tove"],
    "admin": ["sys"],
    "kundtjanst": [],
    "intranatredaktorer": ["anna"],  # not mapped to a role
}
ROLE_GROUPS = (
    # Written in another case and spacing than slapd returns: DNs compare case-insensitively.
    "telesamordnare=CN=Telesamordnare, OU=Groups, DC=kommun, DC=example;"
    f"admin=cn=admin,{GROUPS};"
    f"kundtjanst=cn=kundtjanst,{GROUPS}"
)


def password_of(uid):
    return f"{uid}-Lösen-123"


def user_dn(uid):
    return f"uid={uid},{PEOPLE}"


def entries_ldif():
    blocks = [
        f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people\n",
        f"dn: {GROUPS}\nobjectClass: organizationalUnit\nou: groups\n",
    ]
    for uid, attrs in USERS.items():
        lines = [
            f"dn: {user_dn(uid)}",
            "objectClass: inetOrgPerson",
            f"uid: {uid}",
            f"cn: {attrs['givenName']} {attrs['sn']}",
            *(f"{name}: {value}" for name, value in attrs.items()),
            f"userPassword: {password_of(uid)}",
        ]
        blocks.append("\n".join(lines) + "\n")
    for cn, uids in GROUP_MEMBERS.items():
        members = [user_dn(uid) for uid in uids] + [PLACEHOLDER]
        lines = [f"dn: cn={cn},{GROUPS}", "objectClass: groupOfNames", f"cn: {cn}"]
        lines += [f"member: {dn}" for dn in members]
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


@pytest.fixture(scope="module")
def slapd():
    """A real slapd for this module, with the people and groups above."""
    with running_slapd(SUFFIX, entries_ldif()) as server:
        yield server


class Directory:
    """Changes to the test directory that are undone after the test."""

    def __init__(self, server):
        self.server = server
        self.changed = False

    def modify(self, ldif):
        self.changed = True
        self.server.ldapmodify(ldif)

    def remove_member(self, group, uid):
        self.modify(
            f"dn: cn={group},{GROUPS}\nchangetype: modify\ndelete: member\nmember: {user_dn(uid)}\n"
        )

    def replace(self, uid, attribute, value):
        self.modify(
            f"dn: {user_dn(uid)}\nchangetype: modify\nreplace: {attribute}\n{attribute}: {value}\n"
        )

    def reset(self):
        self.server.ldapdelete(PEOPLE, recursive=True)
        self.server.ldapdelete(GROUPS, recursive=True)
        self.server.ldapadd(entries_ldif())


@pytest.fixture
def directory(slapd):
    changes = Directory(slapd)
    yield changes
    if changes.changed:
        changes.reset()


def use_directory(settings, uri, **env):
    """Apply production's LDAP settings (telefoni.ldap_config) for a directory at `uri`."""
    from telefoni.ldap_config import ldap_settings

    config = ldap_settings(
        {
            "LDAP_SERVER_URI": uri,
            "LDAP_BIND_DN": f"cn=Manager,{SUFFIX}",
            "LDAP_BIND_PASSWORD": "password",
            "LDAP_USER_SEARCH_BASE": PEOPLE,
            "LDAP_GROUP_SEARCH_BASE": GROUPS,
            "LDAP_GROUP_TYPE": "groupOfNames",
            "LDAP_ROLE_GROUPS": ROLE_GROUPS,
            "LDAP_TIMEOUT": "2",
            **env,
        }
    )
    for name, value in config.items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        LDAP_BACKEND,
        "django.contrib.auth.backends.ModelBackend",
    ]


@pytest.fixture
def ldap_signin(settings, slapd, db):
    use_directory(settings, slapd.ldap_uri)
    return settings


@pytest.fixture
def units(db):
    """The units the directory's departmentNumber values point at (not OKAND-99)."""
    vof = UnitFactory(name="Vård- och omsorgsförvaltningen", code="VO")
    hemtjanst = UnitFactory(name="Hemtjänst Norr", parent=vof, code="VO-HTN")
    grupp = UnitFactory(name="Hemtjänst Norr grupp 1", parent=hemtjanst, code="VO-HTN1")
    kfv = UnitFactory(name="Kultur- och fritidsförvaltningen", code="KFV")
    bibliotek = UnitFactory(name="Stadsbiblioteket", parent=kfv, code="KFV-BIB")
    ksf = UnitFactory(name="Kommunstyrelseförvaltningen", code="KSF")
    tele = UnitFactory(name="Tele kundtjänst", parent=ksf, code="KSF-TELE")
    return {
        "hemtjanst": hemtjanst,
        "grupp": grupp,
        "bibliotek": bibliotek,
        "tele": tele,
    }


def sign_in(client, username, password=None, **extra):
    """POST the real login form, as a browser does (django-axes needs the request)."""
    client.logout()
    password = password_of(username) if password is None else password
    return client.post(
        LOGIN_URL, {"username": username, "password": password}, follow=True, **extra
    )


def signed_in_user(client):
    user_id = client.session.get(SESSION_KEY)
    return User.objects.get(pk=user_id) if user_id else None


def fresh_roles(username):
    """roles_of() for a fresh copy of the user (roles are cached on the user object)."""
    return roles_of(User.objects.get(username=username))


def sv(message):
    with override("sv"):
        return gettext(message)


def form_error_codes(response):
    return [error.code for error in response.context["form"].non_field_errors().as_data()]


WRONG_PASSWORD = "Wrong username or password. Note that both are case-sensitive."
DIRECTORY_DOWN = (
    "The sign-in service (the directory) is not answering right now. "
    "Try again in a few minutes; if it persists, call Tele kundtjänst."
)
NOT_LINKED = (
    "Your account is not linked to a person in the organisation. "
    "Contact Tele kundtjänst so that your entry can be created."
)


# --- The password is checked by the directory -----------------------------------------------


def test_right_password_signs_in_and_lands_on_the_start_page(client, ldap_signin, units):
    response = sign_in(client, "anna")
    assert response.redirect_chain == [("/", 302)]
    user = signed_in_user(client)
    assert user.username == "anna"
    assert client.session[BACKEND_SESSION_KEY] == LDAP_BACKEND
    # The Django user is filled from the directory and has no password of its own.
    assert (user.first_name, user.last_name, user.email) == (
        "Anna",
        "Östlund",
        "anna.ostlund@kommun.example",
    )
    assert not user.has_usable_password()
    with override("sv"):
        welcome = gettext("Welcome, %(name)s") % {"name": "Anna"}
    assert escape(welcome) in response.content.decode()


@pytest.mark.parametrize(
    "username, password",
    [("anna", "wrong-password"), ("nobody", "whatever-123"), ("anna", password_of("tove"))],
    ids=["wrong-password", "unknown-user", "someone-elses-password"],
)
def test_wrong_credentials_are_refused_with_the_login_message(
    client, ldap_signin, units, username, password
):
    response = sign_in(client, username, password)
    assert response.status_code == 200
    assert form_error_codes(response) == ["invalid_login"]
    assert escape(sv(WRONG_PASSWORD)) in response.content.decode()
    assert signed_in_user(client) is None
    assert not User.objects.filter(username=username).exists()
    # The failure counts towards the throttle (tests/telefoni/test_login.py).
    assert AccessAttempt.objects.get(username=username).failures_since_start == 1


# --- Roles from directory groups ------------------------------------------------------------


def test_group_grants_the_role_and_leaving_the_group_removes_it(client, ldap_signin, directory):
    sign_in(client, "tove")
    assert signed_in_user(client).username == "tove"
    assert fresh_roles("tove") == {Role.TELESAMORDNARE}

    directory.remove_member("telesamordnare", "tove")
    sign_in(client, "tove")
    # Still signs in (an employee), but no longer a telesamordnare.
    assert signed_in_user(client).username == "tove"
    assert fresh_roles("tove") == frozenset()
    assert not User.objects.get(username="tove").groups.filter(name=Role.TELESAMORDNARE).exists()


def test_admin_group_gives_staff_and_superuser_and_leaving_it_takes_them(
    client, ldap_signin, directory
):
    sign_in(client, "sys")
    user = User.objects.get(username="sys")
    assert (user.is_staff, user.is_superuser) == (True, True)
    assert set(user.groups.values_list("name", flat=True)) == {Role.ADMIN}

    directory.remove_member("admin", "sys")
    sign_in(client, "sys")
    user = User.objects.get(username="sys")
    assert signed_in_user(client) == user
    assert (user.is_staff, user.is_superuser) == (False, False)
    assert fresh_roles("sys") == frozenset()


def test_user_in_no_mapped_group_is_a_plain_employee(client, ldap_signin, units):
    """Role groups left over from before are taken away; groups that are not roles stay."""
    anna = UserFactory(username="anna", roles=[Role.ENHETSCHEF, Role.KUNDTJANST])
    editors = Group.objects.create(name="Redaktörer för telefonkatalogen")
    anna.groups.add(editors)

    sign_in(client, "anna")
    assert signed_in_user(client) == anna
    assert fresh_roles("anna") == frozenset()
    assert list(anna.groups.values_list("name", flat=True)) == [editors.name]
    # An unmapped directory group is not copied into Django.
    assert not Group.objects.filter(name="intranatredaktorer").exists()


def test_without_a_role_mapping_roles_given_by_hand_are_left_alone(client, settings, slapd, db):
    use_directory(settings, slapd.ldap_uri, LDAP_ROLE_GROUPS="")
    UserFactory(username="tove", roles=[Role.KUNDTJANST])
    sign_in(client, "tove")
    assert signed_in_user(client).username == "tove"
    assert fresh_roles("tove") == {Role.KUNDTJANST}


# --- The person record follows the directory ------------------------------------------------


def test_first_sign_in_creates_the_person_in_the_unit_with_the_matching_code(
    client, ldap_signin, units
):
    response = sign_in(client, "anna")
    user = signed_in_user(client)
    person = Person.objects.get(user=user)
    assert (
        person.first_name,
        person.last_name,
        person.email,
        person.title,
        person.external_id,
        person.unit,
    ) == (
        "Anna",
        "Östlund",
        "anna.ostlund@kommun.example",
        "Undersköterska",
        "10001",
        units["grupp"],
    )
    record = person.history.get()
    assert record.history_type == "+"
    assert record.history_user == user
    assert record.history_change_reason == sv("Created from the directory (LDAP)")
    # The start page knows the person: no "contact Tele kundtjänst" notice.
    assert escape(sv(NOT_LINKED)) not in response.content.decode()


def test_person_is_saved_only_when_the_directory_changed(client, ldap_signin, units, directory):
    sign_in(client, "anna")
    sign_in(client, "anna")
    person = Person.objects.get(user__username="anna")
    assert person.history.count() == 1  # the second sign-in changed nothing

    directory.replace("anna", "title", "Samordnare")
    directory.replace("anna", "departmentNumber", "VO-HTN")
    sign_in(client, "anna")
    person.refresh_from_db()
    assert (person.title, person.unit) == ("Samordnare", units["hemtjanst"])
    assert person.history.count() == 2
    latest = person.history.first()
    assert latest.history_user == person.user
    assert latest.history_change_reason == sv("Updated from the directory (LDAP)")


def test_a_person_known_by_employee_number_is_linked_and_updated(client, ldap_signin, units):
    existing = PersonFactory(
        first_name="Per",
        last_name="Nilsson-Gammal",
        title="Samordnare",
        external_id="10005",
        unit=units["grupp"],
        user=None,
    )
    sign_in(client, "per")
    user = signed_in_user(client)
    assert Person.objects.count() == 1
    existing.refresh_from_db()
    assert existing.user == user
    assert (existing.last_name, existing.title, existing.unit) == (
        "Nilsson",
        "Enhetschef",
        units["hemtjanst"],
    )


def test_no_matching_unit_signs_in_without_a_person(client, ldap_signin, units, caplog):
    response = sign_in(client, "ulla")
    assert signed_in_user(client).username == "ulla"
    assert not Person.objects.exists()
    assert any(
        "OKAND-99" in record.getMessage() and record.levelname == "WARNING"
        for record in caplog.records
    )
    assert escape(sv(NOT_LINKED)) in response.content.decode()


# --- The directory does not answer ----------------------------------------------------------


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("how", ["stopped-slapd", "closed-port"])
def test_directory_down_gives_the_unavailable_message_not_a_500(
    client, settings, slapd, units, how
):
    if how == "closed-port":
        use_directory(settings, f"ldap://127.0.0.1:{_closed_port()}/")
        response = sign_in(client, "anna")
    else:
        use_directory(settings, slapd.ldap_uri)
        slapd.terminate()
        slapd.wait()
        try:
            response = sign_in(client, "anna")
        finally:
            slapd.resume()

    assert response.status_code == 200
    assert form_error_codes(response) == ["directory_unavailable"]
    body = response.content.decode()
    assert escape(sv(DIRECTORY_DOWN)) in body
    assert escape(sv(WRONG_PASSWORD)) not in body
    assert signed_in_user(client) is None
    assert not User.objects.filter(username="anna").exists()


# --- The throttle and the directory ---------------------------------------------------------


def test_a_lockout_cannot_be_dodged_by_changing_the_case_of_the_username(
    client, ldap_signin, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "tove", "wrong-password")
    assert sign_in(client, "tove").status_code == 429

    response = sign_in(client, "Tove")
    assert response.status_code == 429
    assert signed_in_user(client) is None


def test_failures_while_the_directory_is_down_do_not_lock_out(client, settings, units):
    use_directory(settings, f"ldap://127.0.0.1:{_closed_port()}/")
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        response = sign_in(client, "anna")
        assert response.status_code == 200
        assert form_error_codes(response) == ["directory_unavailable"]
    assert not AccessAttempt.objects.filter(username="anna").exists()


def test_local_accounts_stay_throttled_while_the_directory_is_down(
    client, settings, units, django_user_model
):
    django_user_model.objects.create_user("lokal", password="the-right-one-123")
    use_directory(settings, f"ldap://127.0.0.1:{_closed_port()}/")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "lokal", "guess")
    assert AccessAttempt.objects.filter(username="lokal").exists()
    response = sign_in(client, "lokal", "the-right-one-123")
    assert response.status_code == 429
    assert signed_in_user(client) is None
