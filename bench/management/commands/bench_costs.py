"""Benchmark the usage import and the cost sweep against raw PostgreSQL.

    manage.py bench_costs --subscriptions 100000 --months 12

Creates a benchmark cost centre with that many mobile subscriptions, writes the operator
file (subscriptions x months rows, semicolon-separated, decimal comma), imports it through
the real import (costs.importer.load_usage) and times beside it a raw COPY of the same file
into a bare table and the lower bound of the issue's own design: COPY into a staging table,
then one INSERT ... SELECT that types the amounts and joins the subscriptions into a bare
table, without any validation, index or constraint. Then it times the deviation sweep
beside its raw SQL. Everything it created is removed afterwards (unless --keep).
"""

import logging
import os
import random
import tempfile
import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from compliance.services import discard_flags_under
from costs.importer import HEADERS, load_usage
from costs.models import UsageRecord
from costs.services import deviating_record_ids, sweep_costs
from organisation.models import CostCentre, Person, Unit
from organisation.numbers import search_digits
from subscriptions.choices import Kind, Status
from subscriptions.models import Subscription

BENCH_CODE = "BENCH"


def _months_back(count):
    today = date.today()
    index = today.year * 12 + today.month - 2  # last month
    return [index - offset for offset in reversed(range(count))]


class Command(BaseCommand):
    help = "Time the usage import and the deviation sweep beside raw PostgreSQL."

    def add_arguments(self, parser):
        parser.add_argument("--subscriptions", type=int, default=100_000)
        parser.add_argument("--months", type=int, default=12)
        parser.add_argument("--keep", action="store_true", help="Keep the benchmark data.")

    def handle(self, *args, subscriptions, months, keep, **options):
        # The import's own step timings (costs.importer logs them at DEBUG).
        logging.getLogger("costs.importer").setLevel(logging.DEBUG)
        if CostCentre.objects.filter(code=BENCH_CODE).exists():
            self._clean()
        centre = self._world(subscriptions)
        path = self._write_file(subscriptions, months)
        rows = subscriptions * months
        size = os.path.getsize(path)
        self.stdout.write(f"file: {rows} rows, {size / 1e6:.1f} MB ({path})")
        try:
            with open(path, "rb") as handle:
                content = handle.read()
            started = time.perf_counter()
            result = load_usage(content=content)
            imported = time.perf_counter() - started
            self.stdout.write(
                f"import (COPY + validation + upsert): {imported:.2f} s, "
                f"{result.row_count} rows, {result.unknown_count} unknown numbers"
            )
            if connection.vendor == "postgresql":
                raw = self._raw_copy(path)
                self.stdout.write(f"raw COPY into a bare table: {raw:.2f} s")
                copy, insert = self._lower_bound(path, rows)
                bound = copy + insert
                self.stdout.write(
                    f"lower bound (COPY into staging {copy:.2f} s + one INSERT ... SELECT with "
                    f"the casts and the join, no checks {insert:.2f} s): {bound:.2f} s, "
                    f"{bound / raw:.2f}x raw COPY"
                )
                self.stdout.write(
                    f"import / raw COPY: {imported / raw:.2f}x; "
                    f"import / lower bound: {imported / bound:.2f}x (goal: within 3.5x)"
                )
            else:
                self.stdout.write("raw COPY: needs PostgreSQL (skipped)")
            self._time_sweep()
        finally:
            os.unlink(path)
            if not keep:
                self._clean(centre)

    def _world(self, count):
        unit = Unit.objects.create(name="Benchmark")
        person = Person.objects.create(
            first_name="Bench", last_name="Mark", title="Benchmark", unit=unit
        )
        centre = CostCentre.objects.create(
            code=BENCH_CODE, name="Benchmark", unit=unit, budget_manager=person
        )
        activated = date(2000, 1, 1)
        batch = []
        for index in range(count):
            number = f"+4676{index:07d}"
            batch.append(
                Subscription(
                    kind=Kind.MOBILE,
                    number=number,
                    number_digits=search_digits(number),
                    holder=person,
                    unit=unit,
                    cost_centre=centre,
                    status=Status.ACTIVE,
                    activated_on=activated,
                )
            )
        Subscription.objects.bulk_create(batch, batch_size=5000)
        return centre

    def _write_file(self, count, months):
        randomness = random.Random(8)
        with tempfile.NamedTemporaryFile(
            "w", suffix=".csv", delete=False, encoding="utf-8", newline=""
        ) as handle:
            handle.write(";".join(HEADERS.values()) + "\n")
            for month in _months_back(months):
                period = f"{month // 12:04d}-{month % 12 + 1:02d}"
                for index in range(count):
                    calls = randomness.randint(0, 40000)
                    # About one in a thousand months is far above normal (COST-2).
                    data = 250000 if randomness.random() < 0.001 else randomness.randint(0, 9000)
                    handle.write(
                        f"076-{index:07d};{period};149,00;{calls // 100},{calls % 100:02d};"
                        f"12,50;0,00;0,00;0,00;{data // 100},{data % 100:02d};0,00;0,00\n"
                    )
        return handle.name

    def _copy(self, cursor, path, table):
        """COPY the file into `table`; returns the seconds it took."""
        with open(path, encoding="utf-8") as handle:
            started = time.perf_counter()
            cursor.cursor.copy_expert(
                f"COPY {table} FROM STDIN WITH (FORMAT csv, DELIMITER ';', HEADER true)",
                handle,
                size=1 << 20,
            )
            return time.perf_counter() - started

    def _raw_copy(self, path):
        columns = ", ".join(f"c{index} text" for index in range(len(HEADERS)))
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_costs_raw")
            cursor.execute(f"CREATE TABLE bench_costs_raw ({columns})")
            try:
                return self._copy(cursor, path, "bench_costs_raw")
            finally:
                cursor.execute("DROP TABLE IF EXISTS bench_costs_raw")

    def _lower_bound(self, path, rows):
        """The least that COPY into staging plus set-based SQL into the real table can cost:
        the file into a temporary text table, then one INSERT ... SELECT that casts the nine
        amounts and joins the subscriptions (numbers as this command writes them,
        076-NNNNNNN) into a bare table with no index, constraint or check. Returns the
        seconds of the COPY and of the INSERT."""
        amounts = range(2, len(HEADERS))
        text = ", ".join(f"c{index} text" for index in range(len(HEADERS)))
        typed = ", ".join(f"c{index} numeric(12, 2)" for index in amounts)
        casts = ", ".join(f"replace(c{index}, ',', '.')::numeric(12, 2)" for index in amounts)
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_costs_bound")
            cursor.execute(f"CREATE TEMP TABLE bench_costs_staging ({text})")
            cursor.execute(f"CREATE TABLE bench_costs_bound (subscription_id bigint, {typed})")
            try:
                copy = self._copy(cursor, path, "bench_costs_staging")
                started = time.perf_counter()
                cursor.execute(
                    f"INSERT INTO bench_costs_bound SELECT s.id, {casts} "  # noqa: S608
                    f"FROM bench_costs_staging JOIN subscriptions_subscription s "
                    f"ON s.number = '+46' || substr(translate(c0, '-', ''), 2)"
                )
                insert = time.perf_counter() - started
                if cursor.rowcount != rows:  # every row must have found its subscription
                    raise CommandError(f"lower bound: {cursor.rowcount} rows, not {rows}")
                return copy, insert
            finally:
                cursor.execute("DROP TABLE IF EXISTS bench_costs_bound")
                cursor.execute("DROP TABLE IF EXISTS bench_costs_staging")

    def _time_sweep(self):
        # Rolled back: the benchmark must not e-mail thousands of flags.
        with transaction.atomic():
            started = time.perf_counter()
            result = sweep_costs()
            swept = time.perf_counter() - started
            transaction.set_rollback(True)
        self.stdout.write(
            f"deviation sweep (COST-2, BAR-1, COST-5, SUB-5 with flags): {swept:.2f} s, "
            f"{result.opened} flags opened"
        )
        raw_sql = deviating_record_ids()
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(f"SELECT COUNT(*) FROM ({raw_sql.sql}) AS deviating", raw_sql.params)  # noqa: S608
            count = cursor.fetchone()[0]
            raw = time.perf_counter() - started
        self.stdout.write(f"raw SQL of the COST-2 deviation query: {raw:.2f} s, {count} rows")

    def _clean(self, centre=None):
        centre = centre or CostCentre.objects.get(code=BENCH_CODE)
        subscriptions = Subscription.objects.filter(cost_centre=centre)
        with transaction.atomic():
            discard_flags_under(centre.unit)
            UsageRecord.objects.filter(cost_centre=centre)._raw_delete(connection.alias)
            subscriptions._raw_delete(connection.alias)
            unit, person = centre.unit, centre.budget_manager
            centre.delete()
            person.delete()
            Unit.objects.filter(pk=unit.pk)._raw_delete(connection.alias)
