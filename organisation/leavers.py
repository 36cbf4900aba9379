"""X-3: people who leave. Marking a person as left, by hand or from the directory (LDAP).

A person who has left is inactive (Person.is_active False, kept with history: who marked
them and why) and their user account is deactivated, so they can no longer sign in. Apps
above organisation flag what the person leaves behind (subscriptions, phones, voicemail
boxes) through the `person_left` signal, sent once the marking is committed; organisation
imports none of them.

The nightly job reads the whole user search base of the directory (paged, so directories
with a size limit such as Active Directory's 1000 are read whole) and marks as left every
active person linked to the directory whose entry is gone (mode "missing") or matches the
"disabled" filter. Settings (TELEFONI_LDAP_LEAVERS, built by telefoni.ldap_config from
the LDAP_LEAVERS_* environment variables):

- mode: "missing" (gone from the search base, or disabled), "disabled" (only entries that
  match disabled_filter), "off" (the job does nothing);
- disabled_filter: an LDAP filter for disabled entries, e.g. Active Directory's
  (userAccountControl:1.2.840.113556.1.4.803:=2);
- list_filter: the filter that lists every user entry (default: LDAP_USER_FILTER with the
  user name replaced by *), username_attr: the attribute holding the user name;
- max_count, max_percent: the safety threshold. One run marks at most
  max(max_count, max_percent % of the people linked to the directory) as left; a run that
  would mark more marks nobody and logs an error (a directory answering with a part of
  its entries, or none, must never deactivate everyone). A directory that answers with no
  entries at all, or does not answer, changes nothing either.

A person is *linked to the directory* when they have an employee number or a user account
without a local password (django-auth-ldap gives directory users none). People entered by
hand with neither are never touched by the job: Tele kundtjänst marks them as left.
"""

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils.translation import gettext as _

from .models import Person

log = logging.getLogger(__name__)

# Sent after the marking is committed, with person_ids=[...] of the people who left.
person_left = Signal()

MODES = ("missing", "disabled", "off")
PAGE_SIZE = 500


def _mark_left(person, *, actor, reason):
    person.is_active = False
    person._history_user = actor
    person._change_reason = reason
    person.save(update_fields=["is_active"])
    if person.user_id is not None:
        user = get_user_model().objects.select_for_update().get(pk=person.user_id)
        if user.is_active:
            user.is_active = False
            user.save(update_fields=["is_active"])
            log.info("User %s deactivated: %s", user.get_username(), reason)


def _send_on_commit(person_ids):
    transaction.on_commit(lambda: person_left.send(sender=Person, person_ids=list(person_ids)))


@transaction.atomic
def person_mark_left(*, actor, person, reason=""):
    """X-3: mark a person as left (inactive, account deactivated) and have what they hold
    flagged for handover or cancellation. A person already marked is refused."""
    locked = Person.objects.select_for_update().get(pk=person.pk)
    if not locked.is_active:
        raise ValidationError(
            _("%(name)s is already marked as having left.") % {"name": locked.full_name}
        )
    reason = (reason or "").strip()
    _mark_left(
        locked,
        actor=actor,
        reason=_("Left the municipality: %(reason)s") % {"reason": reason}
        if reason
        else _("Left the municipality"),
    )
    _send_on_commit([locked.pk])
    person.is_active = False
    return locked


# --- The directory (LDAP) -------------------------------------------------------------


@dataclass
class LeaverRun:
    """What one run of the directory check did."""

    status: str  # "off", "done", "unavailable" (directory down) or "refused" (threshold)
    entries: int = 0
    linked: int = 0
    left: list = field(default_factory=list)

    @property
    def changed(self):
        return len(self.left)


@dataclass
class DirectoryPeople:
    usernames: set = field(default_factory=set)
    employee_ids: set = field(default_factory=set)
    disabled_usernames: set = field(default_factory=set)
    disabled_employee_ids: set = field(default_factory=set)
    entries: int = 0


def leaver_settings():
    """The job's settings, or None when LDAP is not configured."""
    if not getattr(settings, "AUTH_LDAP_SERVER_URI", ""):
        return None
    return getattr(settings, "TELEFONI_LDAP_LEAVERS", None)


def _text(attrs, name):
    for value in (attrs or {}).get(name) or ():
        if isinstance(value, bytes):
            value = value.decode("utf-8", errors="replace")
        if value.strip():
            return value.strip()
    return ""


def _connect():
    import ldap  # noqa: PLC0415 -- python-ldap is optional (make run without the LDAP headers)

    conn = ldap.initialize(settings.AUTH_LDAP_SERVER_URI)
    for option, value in getattr(settings, "AUTH_LDAP_CONNECTION_OPTIONS", {}).items():
        conn.set_option(option, value)
    if getattr(settings, "AUTH_LDAP_START_TLS", False):
        conn.start_tls_s()
    conn.simple_bind_s(
        getattr(settings, "AUTH_LDAP_BIND_DN", ""), getattr(settings, "AUTH_LDAP_BIND_PASSWORD", "")
    )
    return conn


def _search_all(conn, base, filterstr, attrs):
    """Every entry under `base` that matches, page by page (RFC 2696)."""
    import ldap  # noqa: PLC0415 -- python-ldap is optional (make run without the LDAP headers)
    from ldap.controls import SimplePagedResultsControl  # noqa: PLC0415 -- python-ldap is optional (make run without the LDAP headers)

    control = SimplePagedResultsControl(True, size=PAGE_SIZE, cookie="")
    found = []
    while True:
        msgid = conn.search_ext(base, ldap.SCOPE_SUBTREE, filterstr, attrs, serverctrls=[control])
        _type, data, _msgid, controls = conn.result3(msgid)
        # Referrals come back without a DN.
        found += [(dn, entry) for dn, entry in data if dn]
        cookie = next(
            (c.cookie for c in controls if c.controlType == SimplePagedResultsControl.controlType),
            b"",
        )
        if not cookie:
            return found
        control.cookie = cookie


def read_directory(config):
    """Every user entry of the search base: user names and employee numbers, split into
    active and disabled. Raises ldap.LDAPError when the directory does not answer whole."""
    base = settings.AUTH_LDAP_USER_SEARCH.base_dn
    username_attr = config["username_attr"]
    employee_attr = settings.TELEFONI_LDAP_PERSON_ATTRS.get("external_id", "employeeNumber")
    attrs = [username_attr, employee_attr]
    conn = _connect()
    try:
        entries = _search_all(conn, base, config["list_filter"], attrs)
        disabled_dns = set()
        if config["disabled_filter"]:
            both = f"(&{config['list_filter']}{config['disabled_filter']})"
            disabled_dns = {dn.lower() for dn, _entry in _search_all(conn, base, both, ["1.1"])}
    finally:
        conn.unbind_s()
    people = DirectoryPeople(entries=len(entries))
    for dn, entry in entries:
        username = _text(entry, username_attr).lower()
        employee_id = _text(entry, employee_attr)
        disabled = dn.lower() in disabled_dns
        if username:
            (people.disabled_usernames if disabled else people.usernames).add(username)
        if employee_id:
            (people.disabled_employee_ids if disabled else people.employee_ids).add(employee_id)
    return people


def linked_people():
    """Active people the directory can speak for: an employee number, or an account with
    no local password (a directory account)."""
    return Person.objects.filter(is_active=True).filter(
        (Q(external_id__isnull=False) & ~Q(external_id=""))
        | Q(user__isnull=False, user__password__startswith="!")
    )


def _has_left(person, directory, mode):
    username = (person["user__username"] or "").lower()
    employee_id = person["external_id"] or ""
    active = (username and username in directory.usernames) or (
        employee_id and employee_id in directory.employee_ids
    )
    if active:
        return None
    disabled = (username and username in directory.disabled_usernames) or (
        employee_id and employee_id in directory.disabled_employee_ids
    )
    if disabled:
        return "disabled"
    return "missing" if mode == "missing" else None


def sync_leavers_from_directory():
    """The nightly directory check: mark as left the linked people the directory says
    have left, within the safety threshold. Running it twice changes nothing."""
    config = leaver_settings()
    if not config or config["mode"] == "off":
        return LeaverRun(status="off")
    try:
        import ldap  # noqa: PLC0415 -- python-ldap is optional (make run without the LDAP headers)
    except ImportError:
        log.error("Leavers: LDAP is configured but python-ldap is not installed")
        return LeaverRun(status="unavailable")
    try:
        directory = read_directory(config)
    except ldap.LDAPError as exc:
        log.error("Leavers: the directory did not answer; nobody is marked as left (%s)", exc)
        return LeaverRun(status="unavailable")
    people = list(linked_people().values("pk", "external_id", "user__username"))
    run = LeaverRun(status="done", entries=directory.entries, linked=len(people))
    if directory.entries == 0:
        log.error(
            "Leavers: the directory listed no user entries under %s; nobody is marked as left",
            settings.AUTH_LDAP_USER_SEARCH.base_dn,
        )
        run.status = "refused"
        return run
    leavers = [
        (person["pk"], why)
        for person in people
        if (why := _has_left(person, directory, config["mode"])) is not None
    ]
    limit = max(config["max_count"], len(people) * config["max_percent"] // 100)
    if len(leavers) > limit:
        log.error(
            "Leavers: the directory would mark %s of %s people as left, more than the safety "
            "limit of %s (LDAP_LEAVERS_MAX_COUNT, LDAP_LEAVERS_MAX_PERCENT); nobody is marked. "
            "Check the directory, or mark them by hand.",
            len(leavers),
            len(people),
            limit,
        )
        run.status = "refused"
        return run
    if leavers:
        run.left = _mark_directory_leavers(leavers)
    return run


@transaction.atomic
def _mark_directory_leavers(leavers):
    why = dict(leavers)
    reasons = {
        "missing": _("Left the municipality: no longer in the directory (LDAP)"),
        "disabled": _("Left the municipality: disabled in the directory (LDAP)"),
    }
    marked = []
    for person in Person.objects.select_for_update().filter(pk__in=why, is_active=True):
        _mark_left(person, actor=None, reason=reasons[why[person.pk]])
        marked.append(person.pk)
    if marked:
        log.info("Leavers: %s people marked as left from the directory", len(marked))
        _send_on_commit(marked)
    return marked
