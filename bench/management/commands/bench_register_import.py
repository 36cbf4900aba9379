"""manage.py bench_register_import --subscriptions 20000: the register import beside a raw
COPY of the same rows into the same table.

Seeds a throwaway förvaltning (BENCH_NAME, organisation code BENCH_CODE) with units that
have organisation codes, one person per subscription (employee numbers) and a cost
centre, and writes a subscriptions sheet of `--subscriptions` rows (half fixed phones
with extensions, half mobiles; holders by employee number). Then, each in a transaction
that is rolled back, so every run starts from the same database:

  raw COPY    the same rows, already resolved to the table's columns (ids, E.164, the
              search keys, the BAR-1 flags), COPY'd into subscriptions_subscription with
              all its indexes and constraints: the least any import into that table costs
  import      register.importer.load_register on the file: read, check every row, write
              with bulk_create_with_history (the rows and their history rows), with its
              steps (read, check, write) from its progress reports
  again       the same file imported a second time (every row unchanged, nothing written)

The goal (issue 17.4) is the import within 3x of the raw COPY. The seeded rows are removed
at the end unless --keep. Refuses to run with DEBUG off, like the other benchmarks.
"""

import csv
import io
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from bench.helpers import bench_people, bench_unit_tree
from organisation.models import CostCentre, Person, Unit
from organisation.numbers import search_digits
from register.importer import load_register
from register.reader import KINDS, SUBSCRIPTIONS
from subscriptions.choices import Kind, Status, Unanswered
from subscriptions.models import Subscription
from subscriptions.services import barring_defaults

BENCH_NAME = "Registerimport benchmark (throwaway)"
BENCH_CODE = "REGISTER-BENCH"
CENTRE_CODE = "REGISTER-BENCH-CC"
PER_UNIT = 50
GOAL = 3.0


NULL = "\\N"  # COPY's NULL marker here, so that an empty cell is an empty string


class _Rollback(Exception):
    pass


def _number(index):
    """A valid Swedish number per index: fixed 019-1x xx xx, mobile 070-xxx xx xx."""
    if index % 2:
        return f"0701{index:06d}", None
    return f"01912{index:05d}", f"{2000000 + index}"


class Command(BaseCommand):
    help = "Time the register import beside a raw COPY of the same rows."

    def add_arguments(self, parser):
        parser.add_argument("--subscriptions", type=int, default=20_000)
        parser.add_argument("--keep", action="store_true", help="keep the seeded rows")

    def handle(self, *args, subscriptions, keep, **options):
        if not settings.DEBUG:
            raise CommandError(
                "bench_register_import writes throwaway data: run it with DJANGO_DEBUG=1."
            )
        if subscriptions < 10 or subscriptions > 99_999:
            raise CommandError("--subscriptions must be between 10 and 99999.")
        self._clean()
        started = time.perf_counter()
        units, people, centre = self._seed(subscriptions)
        self.stdout.write(
            f"Seeded {len(units)} units and {len(people)} people in "
            f"{time.perf_counter() - started:.1f} s."
        )
        try:
            content = self._file(units, people)
            self.stdout.write(f"file: {subscriptions} subscriptions, {len(content) / 1e6:.2f} MB")
            copy = (
                self._raw_copy(units, people, centre) if connection.vendor == "postgresql" else None
            )
            imported, steps, again = self._import(content, subscriptions)
            width = 34
            if copy is not None:
                self.stdout.write(f"{'raw COPY (same rows, same table)':<{width}} {copy:8.2f} s")
            else:
                self.stdout.write(f"{'raw COPY':<{width}} needs PostgreSQL (skipped)")
            self.stdout.write(f"{'import (read, check, write)':<{width}} {imported:8.2f} s")
            for name, seconds in steps:
                self.stdout.write(f"{'  ' + name:<{width}} {seconds:8.2f} s")
            self.stdout.write(f"{'import again (all unchanged)':<{width}} {again:8.2f} s")
            if copy is not None:
                ratio = imported / copy
                verdict = "met" if ratio <= GOAL else "NOT met"
                self.stdout.write(
                    f"import / raw COPY: {ratio:.2f}x (goal: within {GOAL:.0f}x, {verdict})"
                )
        finally:
            if not keep:
                self._clean()

    # --- The throwaway world ----------------------------------------------------------

    def _seed(self, count):
        with transaction.atomic():
            root, _departments, units = bench_unit_tree(
                max(1, count // PER_UNIT), name=BENCH_NAME, code=BENCH_CODE
            )
            for index, unit in enumerate(units):
                unit.code = f"RB{index:05d}"
            Unit.objects.bulk_update(units, ["code"], batch_size=2000)
            people = bench_people(units, count, external_id=lambda n: f"RB-E{n:06d}")
            centre = CostCentre.objects.create(
                code=CENTRE_CODE,
                name="Registerimport benchmark",
                unit=root,
                budget_manager=people[0],
            )
        return units, people, centre

    def _clean(self):
        """Delete the seeded rows with plain SQL: no signals, no history rows (they were
        bulk-created without history; the imports were rolled back)."""
        root = Unit.objects.filter(code=BENCH_CODE).first()
        if root is None:
            return
        like = root.path + "%"
        unit = Unit._meta.db_table
        units = f"SELECT id FROM {unit} WHERE path LIKE %s"  # noqa: S608
        with transaction.atomic(), connection.cursor() as cursor:
            for table in (Subscription._meta.db_table, CostCentre._meta.db_table):
                cursor.execute(f"DELETE FROM {table} WHERE unit_id IN ({units})", [like])  # noqa: S608
            cursor.execute(f"UPDATE {unit} SET manager_id = NULL WHERE path LIKE %s", [like])  # noqa: S608
            cursor.execute(
                f"DELETE FROM {Person._meta.db_table} WHERE unit_id IN ({units})",  # noqa: S608
                [like],
            )
            for depth in (2, 1, 0):
                cursor.execute(
                    f"DELETE FROM {unit} WHERE path LIKE %s AND depth = %s",  # noqa: S608
                    [like, depth],
                )

    def _rows(self, units, people):
        for index, person in enumerate(people):
            number, extension = _number(index)
            yield index, number, extension, person, units[index // PER_UNIT % len(units)]

    def _file(self, units, people):
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\n")
        headers = KINDS[SUBSCRIPTIONS]
        writer.writerow(headers)
        for _index, number, extension, person, unit in self._rows(units, people):
            cells = {
                "Nummer": number,
                "Anknytning": extension or "",
                "Typ": "fast" if extension else "mobil",
                "Innehavare": person.external_id,
                "Enhetskod": unit.code,
                "Kostnadsställe": CENTRE_CODE,
            }
            writer.writerow([cells.get(header, "") for header in headers])
        return out.getvalue().encode("utf-8")

    # --- The measurements ---------------------------------------------------------------

    def _raw_copy(self, units, people, centre):
        """The rows resolved to the table's columns, COPY'd in; rolled back."""
        flags = barring_defaults()
        columns = [
            "kind",
            "number",
            "extension",
            "holder_id",
            "function_name",
            "unit_id",
            "cost_centre_id",
            "status",
            "activated_on",
            *flags,
            "unanswered_to",
            "voice_message_to",
            "power_secured",
            "number_digits",
            "search_key",
            "search_text",
        ]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        today = time.strftime("%Y-%m-%d")
        for _index, number, extension, person, unit in self._rows(units, people):
            e164 = "+46" + number[1:]
            writer.writerow(
                [
                    Kind.FIXED if extension else Kind.MOBILE,
                    e164,
                    extension or NULL,
                    person.pk,
                    "",
                    unit.pk,
                    centre.pk,
                    Status.ACTIVE,
                    today,
                    *flags.values(),
                    Unanswered.KUNDTJANST,
                    "",
                    False,
                    search_digits(e164),
                    "",
                    "",
                ]
            )
        text = out.getvalue()
        table = Subscription._meta.db_table
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                started = time.perf_counter()
                cursor.cursor.copy_expert(
                    f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')",
                    io.StringIO(text),
                    size=1 << 20,
                )
                elapsed = time.perf_counter() - started
                raise _Rollback
        except _Rollback:
            pass
        return elapsed

    def _import(self, content, count):
        """(seconds of the import, its steps, seconds of a second import); rolled back."""
        marks = []
        try:
            with transaction.atomic():
                started = time.perf_counter()
                result = load_register(
                    [("abonnemang.csv", content)],
                    actor=None,
                    progress=lambda percent: marks.append((percent, time.perf_counter())),
                )
                imported = time.perf_counter() - started
                if result.counts[SUBSCRIPTIONS]["created"] != count:
                    raise CommandError(f"import: {result.counts}, not {count} created")
                started_again = time.perf_counter()
                again = load_register([("abonnemang.csv", content)], actor=None)
                repeated = time.perf_counter() - started_again
                if again.counts[SUBSCRIPTIONS]["unchanged"] != count:
                    raise CommandError(f"import again: {again.counts}")
                raise _Rollback
        except _Rollback:
            pass
        names = {20: "read the file", 50: "check every row"}
        steps, previous = [], started
        for percent, mark in marks:
            steps.append((names.get(percent, "write (rows and history)"), mark - previous))
            previous = mark
        return imported, steps, repeated
