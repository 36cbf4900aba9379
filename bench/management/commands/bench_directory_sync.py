"""manage.py bench_directory_sync --people 20000: how long does the directory sync take?

Starts a throwaway slapd (python-ldap's slapdtest, as the tests do), loads `--people`
inetOrgPerson entries into it, and places them in a throwaway förvaltning (BENCH_NAME,
code BENCH_CODE) of `--units` units with organisation codes. Then, in one run:

  raw LDAP read        the paged search of the same entries and attributes (python-ldap,
                       500 a page), fully read: the floor of any sync
  raw upsert, new      one set-based INSERT ... ON CONFLICT (external_id) DO UPDATE of the
                       same rows into the empty people table (rolled back)
  raw upsert, same     the same statement again once the rows are there, with a WHERE that
                       writes nothing when nothing differs (rolled back)
  first sync           organisation.directory_sync.sync_directory(): creates every person,
                       with their history rows (actor katalogsynk)
  steady sync          the same again: nothing changed, nothing is written

and prints the goals: the steady sync within 2x of (raw read + raw upsert, same), the
first within 3x of (raw read + raw upsert, new). The raw upserts get the search keys
computed beforehand (the sync computes them itself, inside its timing).

The leaver check is off for the two syncs (LDAP_LEAVERS=off): a development database may
hold people linked to a real directory that this slapd does not know. Everything the run
made is removed at its end (and at its start, after a run that was interrupted). Refuses
to run with DEBUG off, like seed_demo.
"""

import tempfile
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import override_settings

from bench.helpers import bench_unit_tree
from organisation import directory_sync
from organisation.models import DirectorySyncRun, Person, Unit, person_search_keys, search_text

BENCH_NAME = "Katalogsynk benchmark (throwaway)"
BENCH_CODE = "DIRSYNC-BENCH"
SUFFIX = "dc=bench,dc=example"
PEOPLE = f"ou=people,{SUFFIX}"
EMPLOYEE_PREFIX = "B"
ATTRS = ["uid", "employeeNumber", "givenName", "sn", "mail", "title", "departmentNumber"]
UPSERT_COLUMNS = (
    "external_id",
    "kind",
    "first_name",
    "last_name",
    "title",
    "unit_id",
    "email",
    "room",
    "secondary_number",
    "protected_identity",
    "is_active",
    "search_name",
    "search_title",
    "search_text",
)
COMPARED = ("first_name", "last_name", "title", "unit_id", "email")


def _entries(count, codes):
    for n in range(count):
        yield {
            "uid": f"bench{n:06d}",
            "employeeNumber": f"{EMPLOYEE_PREFIX}{n:06d}",
            "givenName": "Bench",
            "sn": f"Person {n}",
            "mail": f"bench{n}@bench.example",
            "title": "Handläggare",
            "departmentNumber": codes[n % len(codes)],
        }


def _ldif(count, codes):
    blocks = [f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: bench\no: B\n"]
    blocks.append(f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people\n")
    for entry in _entries(count, codes):
        lines = [f"dn: uid={entry['uid']},{PEOPLE}", "objectClass: inetOrgPerson", "cn: Bench"]
        lines += [f"{name}: {value}" for name, value in entry.items()]
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def _slapd():
    try:
        from slapdtest import SlapdObject  # noqa: PLC0415 -- python-ldap is optional
        from slapdtest._slapdtest import SLAPD_CONF_TEMPLATE  # noqa: PLC0415 -- as above
    except ImportError as exc:
        raise CommandError("bench_directory_sync needs python-ldap (slapdtest)") from exc

    class BenchSlapd(SlapdObject):
        suffix = SUFFIX
        openldap_schema_files = ("core.ldif", "cosine.ldif", "inetorgperson.ldif", "nis.ldif")
        TMPDIR = tempfile.gettempdir()
        # mdb's default map (10 MB) is too small for tens of thousands of entries, and a
        # throwaway directory need not wait for the disk after every entry it loads.
        slapd_conf_template = SLAPD_CONF_TEMPLATE + "olcDbMaxSize: 4294967296\nolcDbNoSync: TRUE\n"

    return BenchSlapd()


def _ms(started):
    return (time.perf_counter() - started) * 1000


class Command(BaseCommand):
    help = "Time the directory sync of --people entries beside a raw LDAP read and upsert."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=20_000, help="directory entries")
        parser.add_argument("--units", type=int, default=200, help="units with a code")

    def handle(self, *args, people, units, **options):
        if not settings.DEBUG:
            raise CommandError(
                "bench_directory_sync writes throwaway data: run it with DJANGO_DEBUG=1."
            )
        if people < 10:
            raise CommandError("--people must be at least 10.")
        self.clean()
        server = _slapd()
        server.start()
        runs_before = set(DirectorySyncRun.objects.values_list("pk", flat=True))
        try:
            codes = self.seed_units(units)
            started = time.perf_counter()
            server.ldapadd(_ldif(people, codes))
            self.stdout.write(f"Loaded {people} entries into slapd in {_ms(started) / 1000:.1f} s.")
            self.measure(server, people)
        finally:
            server.stop()
            DirectorySyncRun.objects.exclude(pk__in=runs_before).delete()
            removed = self.clean()
            self.stdout.write(f"Removed the benchmark data ({removed} people).")

    def seed_units(self, count):
        root, _departments, leaves = bench_unit_tree(count, name=BENCH_NAME, code=BENCH_CODE)
        for n, unit in enumerate(leaves):
            unit.code = f"{BENCH_CODE}-{n}"
        Unit.objects.bulk_update(leaves, ["code"], batch_size=1000)
        return [unit.code for unit in leaves]

    def measure(self, server, people):
        from telefoni.ldap_config import ldap_settings  # noqa: PLC0415 -- needs python-ldap

        config = ldap_settings(
            {
                "LDAP_SERVER_URI": server.ldap_uri,
                "LDAP_BIND_DN": server.root_dn,
                "LDAP_BIND_PASSWORD": server.root_pw,
                "LDAP_USER_SEARCH_BASE": PEOPLE,
                "LDAP_LEAVERS": "off",
                "LDAP_TIMEOUT": "60",
            }
        )
        with override_settings(**config):
            read_ms, raw = self.raw_read()
            rows = self.rows(raw)
            new_ms = self.raw_upsert(rows, existing=False)
            first_ms, first = self.timed_sync()
            same_ms = self.raw_upsert(rows, existing=True)
            steady_ms, steady = self.timed_sync()
        if first.created != people or steady.status != DirectorySyncRun.Status.DONE:
            raise CommandError(f"The first sync did not create every person: {first.report}")
        changed = steady.created + steady.updated + steady.left + steady.returned
        new_floor, same_floor = read_ms + new_ms, read_ms + same_ms
        self.stdout.write(f"{people} directory entries, {connection.vendor}")
        for name, value in (
            ("raw LDAP read", read_ms),
            ("raw upsert, new", new_ms),
            ("raw upsert, same", same_ms),
            ("first sync", first_ms),
            ("steady sync", steady_ms),
        ):
            self.stdout.write(f"{name:<20}{value:>10.1f}")
        self.stdout.write(f"steady sync changed {changed} people")
        self.stdout.write(
            f"goal steady <= 2x (read + upsert, same): {steady_ms / same_floor:.2f}x "
            f"({'met' if steady_ms <= 2 * same_floor else 'NOT met'})"
        )
        self.stdout.write(
            f"goal first <= 3x (read + upsert, new): {first_ms / new_floor:.2f}x "
            f"({'met' if first_ms <= 3 * new_floor else 'NOT met'})"
        )

    def raw_read(self):
        conn = directory_sync._connect()
        try:
            started = time.perf_counter()
            raw = directory_sync.search_all(conn, PEOPLE, "(uid=*)", ATTRS, 500)
            return _ms(started), raw
        finally:
            conn.unbind_s()

    def rows(self, raw):
        units = dict(
            Unit.objects.filter(code__startswith=f"{BENCH_CODE}-").values_list("code", "pk")
        )
        unit_keys = dict(Unit.objects.filter(pk__in=units.values()).values_list("pk", "search_key"))
        rows = []
        for _dn, attrs in raw:
            value = {name: attrs[name][0].decode() for name in ATTRS}
            person = Person(
                first_name=value["givenName"], last_name=value["sn"], title=value["title"]
            )
            name_key, title_key = person_search_keys(person)
            unit_id = units[value["departmentNumber"]]
            rows.append(
                (
                    value["employeeNumber"],
                    "employee",
                    value["givenName"],
                    value["sn"],
                    value["title"],
                    unit_id,
                    value["mail"],
                    "",
                    "",
                    False,
                    True,
                    name_key,
                    title_key,
                    search_text(name_key, title_key, unit_keys[unit_id]),
                )
            )
        return rows

    def raw_upsert(self, rows, *, existing):
        """One INSERT ... ON CONFLICT of every row, timed, then rolled back."""
        table = Person._meta.db_table
        columns = ", ".join(UPSERT_COLUMNS)
        updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in COMPARED)
        differs = " OR ".join(
            f"{table}.{name} IS DISTINCT FROM EXCLUDED.{name}" for name in COMPARED
        )
        if connection.vendor == "sqlite":
            differs = " OR ".join(f"{table}.{name} IS NOT EXCLUDED.{name}" for name in COMPARED)
        tail = f"ON CONFLICT (external_id) DO UPDATE SET {updates} WHERE {differs}"
        with transaction.atomic():
            with connection.cursor() as cursor:
                started = time.perf_counter()
                if connection.vendor == "postgresql":
                    from psycopg2.extras import execute_values  # noqa: PLC0415 -- PostgreSQL only

                    execute_values(
                        cursor.cursor,
                        f"INSERT INTO {table} ({columns}) VALUES %s {tail}",  # noqa: S608
                        rows,
                        page_size=len(rows),
                    )
                else:  # SQLite allows 32766 parameters a statement: batches of 1000 rows
                    marks = "(" + ", ".join(["%s"] * len(UPSERT_COLUMNS)) + ")"
                    for start in range(0, len(rows), 1000):
                        batch = rows[start : start + 1000]
                        cursor.execute(
                            f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608
                            + ", ".join([marks] * len(batch))
                            + f" {tail}",
                            [value for row in batch for value in row],
                        )
                elapsed = _ms(started)
            transaction.set_rollback(True)
        return elapsed

    def timed_sync(self):
        started = time.perf_counter()
        run = directory_sync.sync_directory()
        return _ms(started), run

    def clean(self):
        """Remove the benchmark's people (with their history rows) and units."""
        root = Unit.objects.filter(code=BENCH_CODE).first()
        if root is None:
            return 0
        people = Person.objects.filter(unit__path__startswith=root.path)
        ids = list(people.values_list("pk", flat=True))
        with transaction.atomic():
            for start in range(0, len(ids), 5000):
                chunk = ids[start : start + 5000]
                Person.history.model.objects.filter(id__in=chunk).delete()
                Person.objects.filter(pk__in=chunk).delete()
            # The tree was bulk-created without history rows (bench.helpers); the root is
            # its own förvaltning (a protected reference), so raw deletes, leaves first.
            with connection.cursor() as cursor:
                for depth in (2, 1, 0):
                    cursor.execute(
                        f"DELETE FROM {Unit._meta.db_table} WHERE path LIKE %s AND depth = %s",  # noqa: S608
                        [root.path + "%", depth],
                    )
        return len(ids)
