"""Issue 17: people from the directory (LDAP/AD), nightly and on "Synka nu".

One run reads every user entry of LDAP_USER_SEARCH_BASE, page by page (Active Directory
answers at most 1000 entries a page), and makes the people Telefoni knows from the
directory agree with it:

- joiners are created (name, title, e-mail, employee number, unit by the organisation
  code, elected official by LDAP_ELECTED_FILTER or LDAP_ELECTED_GROUP);
- people whose entry changed are updated, and moved when their unit code did (the
  `person_moved` signal tells subscriptions, which flags the phones left on the old unit's
  cost centre: DEV-4);
- leavers are marked as left (X-3; what used to be a job of its own in leavers.py), with
  the safety threshold of LDAP_LEAVERS_MAX_COUNT/MAX_PERCENT;
- people the sync marked as left who are back in the directory are reactivated.

Every change is saved with history whose user is the system account "katalogsynk". A
person's protected identity is Telefoni's and never touched. An entry with odd values (no
surname, an unknown unit code, an employee number twice, a value too long for its field,
text a spreadsheet would read as a formula) is refused with a line in the run's Swedish
report, and changes nothing; the rest of the run goes on. A run that would mark more
leavers and movers than the threshold changes nothing and tells Tele kundtjänst.

Set-based: the directory is read in one paged search, the people in one query, the
comparison is made in memory, and a run where nothing changed writes nothing but its own
run record. Creations and updates are bulk writes with bulk history rows.
"""

import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from common.exports import FORMULA_START
from common.mail import mail_template_on_commit
from common.users import Actor

from . import leavers
from .choices import PersonKind
from .models import DirectorySyncRun, Person, Unit
from .signals import send_person_moved_on_commit

log = logging.getLogger(__name__)

SYSTEM_USERNAME = "katalogsynk"
# The fields the directory is the source of (a value it does not give is kept).
SYNCED_FIELDS = ("first_name", "last_name", "email", "title", "external_id")
_BATCH = 500


@dataclass
class Entry:
    """One user entry of the directory, as text."""

    dn: str
    username: str = ""
    employee_id: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    title: str = ""
    unit_code: str = ""
    disabled: bool = False
    elected: bool | None = None


@dataclass
class Plan:
    """What a run would change, computed before anything is written."""

    create: list[Person] = field(default_factory=list)
    update: dict[int, dict[str, Any]] = field(default_factory=dict)
    moves: dict[int, tuple[int, int]] = field(default_factory=dict)
    leave: list[tuple[int, str]] = field(default_factory=list)
    come_back: list[int] = field(default_factory=list)
    report: list[str] = field(default_factory=list)
    refused: int = 0
    linked: int = 0


class DirectoryUnavailable(Exception):
    pass


def system_user() -> User:
    """The account the sync acts as in history rows; it cannot sign in."""
    user, created = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"is_active": False, "first_name": "Katalogsynk"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def configured() -> bool:
    return bool(getattr(settings, "AUTH_LDAP_SERVER_URI", ""))


# --- Reading the directory --------------------------------------------------------------


def _attribute_names() -> dict[str, str]:
    person = getattr(settings, "TELEFONI_LDAP_PERSON_ATTRS", {})
    user = getattr(settings, "AUTH_LDAP_USER_ATTR_MAP", {})
    return {
        "username": settings.TELEFONI_LDAP_LEAVERS["username_attr"],
        "employee_id": person.get("external_id", "employeeNumber"),
        "first_name": user.get("first_name", "givenName"),
        "last_name": user.get("last_name", "sn"),
        "email": user.get("email", "mail"),
        "title": person.get("title", "title"),
        "unit_code": person.get("unit_code", "departmentNumber"),
    }


def _connect() -> Any:
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


def search_all(
    conn: Any, base: str, filterstr: str, attrs: list[str], page_size: int
) -> list[tuple[str, dict[str, list[bytes]]]]:
    """Every entry under `base` that matches, page by page (RFC 2696)."""
    import ldap  # noqa: PLC0415 -- python-ldap is optional (make run without the LDAP headers)
    from ldap.controls import SimplePagedResultsControl  # noqa: PLC0415 -- as above

    control = SimplePagedResultsControl(True, size=page_size, cookie="")
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


def read_directory() -> list[Entry]:
    """Every user entry of the search base. Raises DirectoryUnavailable when the directory
    does not answer whole."""
    try:
        import ldap  # noqa: PLC0415 -- python-ldap is optional (make run without the LDAP headers)

        from .ldap import first_value, normalise_dn  # noqa: PLC0415 -- imports python-ldap
    except ImportError as exc:
        raise DirectoryUnavailable("python-ldap is not installed") from exc
    leaver_config = settings.TELEFONI_LDAP_LEAVERS
    sync_config = getattr(settings, "TELEFONI_LDAP_SYNC", {}) or {}
    page_size = int(sync_config.get("page_size", 500))
    names = _attribute_names()
    base = settings.AUTH_LDAP_USER_SEARCH.base_dn
    list_filter = leaver_config["list_filter"]
    try:
        conn = _connect()
        try:
            raw = search_all(conn, base, list_filter, sorted(set(names.values())), page_size)
            disabled: set[str] = set()
            if leaver_config["disabled_filter"] and leaver_config["mode"] != "off":
                both = f"(&{list_filter}{leaver_config['disabled_filter']})"
                disabled = {
                    normalise_dn(dn) for dn, _e in search_all(conn, base, both, ["1.1"], page_size)
                }
            elected: set[str] | None = None
            if sync_config.get("elected_filter"):
                both = f"(&{list_filter}{sync_config['elected_filter']})"
                elected = {
                    normalise_dn(dn) for dn, _e in search_all(conn, base, both, ["1.1"], page_size)
                }
            if sync_config.get("elected_group"):
                members = _group_members(conn, sync_config["elected_group"])
                elected = (elected or set()) | {normalise_dn(dn) for dn in members}
        finally:
            conn.unbind_s()
    except ldap.LDAPError as exc:
        raise DirectoryUnavailable(str(exc)) from exc
    entries = []
    for dn, attrs in raw:
        key = normalise_dn(dn)
        texts = {name: first_value(attrs, attr) for name, attr in names.items()}
        entry = Entry(
            dn=dn,
            username=texts["username"].lower(),
            employee_id=texts["employee_id"],
            first_name=texts["first_name"],
            last_name=texts["last_name"],
            email=texts["email"],
            title=texts["title"],
            unit_code=texts["unit_code"],
        )
        entry.disabled = key in disabled
        entry.elected = None if elected is None else key in elected
        entries.append(entry)
    return entries


def _group_members(conn: Any, group_dn: str) -> set[str]:
    """The member DNs of a group (groupOfNames, groupOfUniqueNames or an AD group), as
    the directory writes them."""
    import ldap  # noqa: PLC0415 -- python-ldap is optional (make run without the LDAP headers)

    found = conn.search_s(group_dn, ldap.SCOPE_BASE, "(objectClass=*)", ["member", "uniqueMember"])
    members = set()
    for _dn, attrs in found:
        for name in ("member", "uniqueMember"):
            for value in attrs.get(name) or ():
                members.add(value.decode("utf-8", errors="replace"))
    return members


# --- Comparing ---------------------------------------------------------------------------


def _max_length(name: str) -> int:
    field = Person._meta.get_field(name)
    return getattr(field, "max_length", None) or 0


_LABELS = {
    "first_name": "givenName",
    "last_name": "sn",
    "email": "mail",
    "title": "title",
    "external_id": "employeeNumber",
}


def entry_problems(entry: Entry, *, units: dict[str, int], known: bool) -> list[str]:
    """Why an entry cannot be used as it stands (Swedish report text); [] when it can.
    `known`: the entry matches a person Telefoni has (by employee number or account)."""
    problems = []
    values = {
        "first_name": entry.first_name,
        "last_name": entry.last_name,
        "email": entry.email,
        "title": entry.title,
        "external_id": entry.employee_id,
    }
    if not entry.last_name:
        problems.append(_("no surname"))
    if not entry.first_name:
        problems.append(_("no given name"))
    if not entry.employee_id and not known:
        problems.append(_("no employee number"))
    if not entry.title and not known:
        problems.append(_("no title"))
    if not entry.unit_code:
        problems.append(_("no organisation code"))
    elif entry.unit_code not in units:
        problems.append(_("no unit has the organisation code %(code)s") % {"code": entry.unit_code})
    for name, value in values.items():
        if len(value) > _max_length(name):
            problems.append(
                _("%(field)s is %(length)s characters long, at most %(max)s are kept")
                % {"field": _LABELS[name], "length": len(value), "max": _max_length(name)}
            )
        elif value.startswith(FORMULA_START):
            problems.append(
                _("%(field)s begins with %(char)s (a spreadsheet would read it as a formula)")
                % {"field": _LABELS[name], "char": value[0]}
            )
    if entry.email and len(entry.email) <= _max_length("email"):
        try:
            validate_email(entry.email)
        except ValidationError:
            problems.append(_("mail is not an e-mail address"))
    return problems


def _report_line(entry: Entry, problems: list[str]) -> str:
    return _("%(dn)s: not used (%(problems)s)") % {"dn": entry.dn, "problems": "; ".join(problems)}


def _people() -> tuple[list[dict[str, Any]], dict[int, int | None]]:
    """The people the directory speaks for, in one query, and for those inactive the
    user of their last history row (who marked them as left)."""
    linked = Person.objects.filter(
        (Q(external_id__isnull=False) & ~Q(external_id=""))
        | Q(user__isnull=False, user__password__startswith="!")
    )
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in linked.values(
            "pk",
            "external_id",
            "first_name",
            "last_name",
            "email",
            "title",
            "unit_id",
            "kind",
            "is_active",
            "user_id",
            "user__username",
        )
    ]
    inactive = [row["pk"] for row in rows if not row["is_active"]]
    left_by: dict[int, int | None] = {}
    if inactive:
        history = Person.history.model.objects.filter(id=OuterRef("pk")).order_by("-history_id")
        left_by = dict(
            Person.objects.filter(pk__in=inactive)
            .annotate(left_by=Subquery(history.values("history_user_id")[:1]))
            .values_list("pk", "left_by")
        )
    return rows, left_by


def plan_run(entries: list[Entry], *, system: User) -> Plan:
    """Compare the directory with the people, writing nothing."""
    plan = Plan()
    units = {
        code: pk
        for code, pk in Unit.objects.exclude(code__isnull=True).values_list("code", "pk")
        if code
    }
    rows, left_by = _people()
    by_employee = {row["external_id"]: row for row in rows if row["external_id"]}
    by_username = {
        row["user__username"].lower(): row for row in rows if row["user__username"] is not None
    }
    counts: dict[str, int] = {}
    for entry in entries:
        if entry.employee_id:
            counts[entry.employee_id] = counts.get(entry.employee_id, 0) + 1
    mode = settings.TELEFONI_LDAP_LEAVERS["mode"]

    present: set[int] = set()  # people with an entry that is not disabled
    disabled: set[int] = set()
    creating: set[str] = set()
    for entry in entries:
        row = by_employee.get(entry.employee_id) if entry.employee_id else None
        if row is None and entry.username:
            candidate = by_username.get(entry.username)
            if candidate is not None and candidate["external_id"] in (None, "", entry.employee_id):
                row = candidate
        if row is not None:
            (disabled if entry.disabled else present).add(row["pk"])
        if entry.disabled:
            continue
        problems = entry_problems(entry, units=units, known=row is not None)
        if entry.employee_id and counts[entry.employee_id] > 1:
            problems.insert(
                0,
                _("the employee number %(number)s is given to %(count)s entries")
                % {"number": entry.employee_id, "count": counts[entry.employee_id]},
            )
        if problems:
            plan.refused += 1
            plan.report.append(_report_line(entry, problems))
            continue
        wanted: dict[str, Any] = {
            "first_name": entry.first_name,
            "last_name": entry.last_name,
            "email": entry.email,
            "title": entry.title,
            "external_id": entry.employee_id,
            "unit_id": units[entry.unit_code],
        }
        if entry.elected is not None:
            wanted["kind"] = PersonKind.ELECTED if entry.elected else PersonKind.EMPLOYEE
        if row is None:
            if entry.employee_id in creating:
                continue
            creating.add(entry.employee_id)
            person = Person(**wanted)
            person._change_reason = _("Created by the directory sync")  # type: ignore[attr-defined]  # read by simple-history's bulk history
            plan.create.append(person)
            continue
        changes = {
            name: value
            for name, value in wanted.items()
            # Empty: not given by the directory, the stored value stays.
            if value not in ("", None) and row[name] != value
        }
        if changes:
            plan.update[row["pk"]] = changes
            if "unit_id" in changes:
                plan.moves[row["pk"]] = (row["unit_id"], changes["unit_id"])
        if not row["is_active"] and left_by.get(row["pk"]) in (None, system.pk):
            plan.come_back.append(row["pk"])

    if mode != "off":
        for row in rows:
            if not row["is_active"]:
                continue
            plan.linked += 1
            if row["pk"] in present:
                continue
            if row["pk"] in disabled:
                plan.leave.append((row["pk"], "disabled"))
            elif mode == "missing":
                plan.leave.append((row["pk"], "missing"))
    return plan


def safety_limit(linked: int) -> int:
    config = settings.TELEFONI_LDAP_LEAVERS
    return max(config["max_count"], linked * config["max_percent"] // 100)


# --- Writing -----------------------------------------------------------------------------


def _chunks(items: list[int], size: int = _BATCH) -> list[list[int]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def _apply(plan: Plan, *, system: User) -> None:
    """Write what the plan says, in the caller's transaction."""
    if plan.create:
        bulk_create_with_history(
            plan.create,
            Person,
            batch_size=_BATCH,
            default_user=system,
            default_change_reason=_("Created by the directory sync"),
        )
    if plan.update:
        moved_reason = _("Moved by the directory sync")
        updated_reason = _("Updated by the directory sync")
        for chunk in _chunks(list(plan.update)):
            objs = list(Person.objects.select_for_update().filter(pk__in=chunk))
            fields: set[str] = set()
            for person in objs:
                changes = plan.update[person.pk]
                for name, value in changes.items():
                    setattr(person, name, value)
                fields.update(changes)
                person._change_reason = (  # type: ignore[attr-defined]  # read by simple-history's bulk history
                    moved_reason if "unit_id" in changes else updated_reason
                )
            bulk_update_with_history(
                objs,
                Person,
                sorted("unit" if name == "unit_id" else name for name in fields),
                batch_size=_BATCH,
                default_user=system,
            )
    if plan.come_back:
        user_model = get_user_model()
        for person in Person.objects.select_for_update().filter(pk__in=plan.come_back):
            person.is_active = True
            person._history_user = system  # type: ignore[attr-defined]  # simple-history reads it
            person._change_reason = _("Back in the directory: active again")  # type: ignore[attr-defined]  # as above
            person.save(update_fields=["is_active"])
            if person.user_id is not None:
                user_model.objects.filter(pk=person.user_id, is_active=False).update(is_active=True)
    if plan.leave:
        reasons = {
            "missing": _("Left the municipality: no longer in the directory (LDAP)"),
            "disabled": _("Left the municipality: disabled in the directory (LDAP)"),
        }
        why = dict(plan.leave)
        marked = []
        for person in Person.objects.select_for_update().filter(pk__in=why, is_active=True):
            leavers.mark_left(person, actor=system, reason=reasons[why[person.pk]])
            marked.append(person.pk)
        leavers.send_left_on_commit(marked)
    if plan.moves:
        send_person_moved_on_commit(plan.moves)


# --- A run -------------------------------------------------------------------------------


def _set(run: DirectorySyncRun, **values: Any) -> None:
    for name, value in values.items():
        setattr(run, name, value)
    run.save(update_fields=list(values))


def _finish(run: DirectorySyncRun, status: str, report: list[str]) -> DirectorySyncRun:
    _set(run, status=status, report=report, phase="", finished_at=timezone.now())
    return run


def run_request(*, actor: Actor) -> tuple[DirectorySyncRun, bool]:
    """ "Synka nu": queue a run for the task, unless one is queued or running already.
    Returns (the run, whether it is new)."""
    with transaction.atomic():
        pending = DirectorySyncRun.objects.select_for_update().filter(
            status__in=(DirectorySyncRun.Status.QUEUED, DirectorySyncRun.Status.RUNNING)
        )
        existing = pending.first()
        if existing is not None:
            return existing, False
        run = DirectorySyncRun.objects.create(requested_by=actor)
    from common.tasks import enqueue_on_commit  # noqa: PLC0415 -- kept beside its one use

    enqueue_on_commit("organisation.tasks.sync_directory", run_id=run.pk)
    return run, True


def sync_directory(*, run: DirectorySyncRun | None = None) -> DirectorySyncRun:
    """One run of the sync; returns its record. Running it twice changes nothing."""
    if run is None:
        run = DirectorySyncRun.objects.create()
    with translation.override(settings.LANGUAGE_CODE):
        if not configured():
            return _finish(run, DirectorySyncRun.Status.OFF, [_("LDAP is not configured.")])
        _set(
            run,
            status=DirectorySyncRun.Status.RUNNING,
            started_at=timezone.now(),
            phase=_("Reading the directory"),
        )
        try:
            entries = read_directory()
        except DirectoryUnavailable as exc:
            log.error("Directory sync: the directory did not answer; nothing changed (%s)", exc)
            return _finish(
                run,
                DirectorySyncRun.Status.UNAVAILABLE,
                [_("The directory did not answer; nothing changed.")],
            )
        _set(run, entries=len(entries), phase=_("Comparing with Telefoni's people"))
        if not entries:
            log.error("Directory sync: no user entries under the search base; nothing changed")
            return _refuse(
                run,
                [_("The directory listed no user entries; nothing changed.")],
            )
        system = system_user()
        plan = plan_run(entries, system=system)
        counts = {
            "created": len(plan.create),
            "updated": len(plan.update),
            "moved": len(plan.moves),
            "left": len(plan.leave),
            "returned": len(plan.come_back),
            "refused": plan.refused,
        }
        limit = safety_limit(plan.linked)
        if len(plan.leave) + len(plan.moves) > limit:
            log.error(
                "Directory sync: %s leavers and %s movers, more than the safety limit of %s; "
                "nothing changed",
                len(plan.leave),
                len(plan.moves),
                limit,
            )
            line = _(
                "The directory would mark %(left)s people as left and move %(moved)s, more "
                "than the safety limit of %(limit)s (LDAP_LEAVERS_MAX_COUNT, "
                "LDAP_LEAVERS_MAX_PERCENT). Nothing changed. Check the directory; if the "
                "changes are right, raise the limit and sync again."
            ) % {"left": len(plan.leave), "moved": len(plan.moves), "limit": limit}
            return _refuse(run, [line, *plan.report], refused=plan.refused)
        _set(run, phase=_("Saving the changes"))
        with transaction.atomic():
            _apply(plan, system=system)
        summary = _(
            "%(entries)s entries read: %(created)s created, %(updated)s updated (%(moved)s "
            "moved), %(left)s left, %(returned)s back, %(refused)s refused."
        ) % {"entries": len(entries), **counts}
        _set(run, **counts)
        log.info(
            "Directory sync: %s entries, %s created, %s updated (%s moved), %s left, %s back, "
            "%s refused",
            len(entries),
            *(
                counts[name]
                for name in ("created", "updated", "moved", "left", "returned", "refused")
            ),
        )
        return _finish(run, DirectorySyncRun.Status.DONE, [summary, *plan.report])


def _refuse(run: DirectorySyncRun, report: list[str], **counts: int) -> DirectorySyncRun:
    with transaction.atomic():
        if counts:
            _set(run, **counts)
        _finish(run, DirectorySyncRun.Status.REFUSED, report)
        mail_template_on_commit(
            [settings.TELEFONI_SERVICE_DESK_EMAIL],
            "organisation/email/directory_sync_refused",
            {"run": run, "site_url": settings.TELEFONI_SITE_URL},
        )
    return run
