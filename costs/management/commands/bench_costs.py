"""Benchmark the usage import and the cost sweep against raw PostgreSQL.

    manage.py bench_costs --subscriptions 100000 --months 12

Creates a benchmark cost centre with that many mobile subscriptions, writes the operator
file (subscriptions x months rows, semicolon-separated, decimal comma), imports it through
the real import (costs.importer.load_usage) and times a raw COPY of the same file into a
bare table beside it; then times the deviation sweep beside its raw SQL. Everything it
created is removed afterwards (unless --keep).
"""

import logging
import os
import random
import tempfile
import time
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from compliance.models import Flag
from costs.importer import HEADERS, load_usage
from costs.models import CostCentre, UsageRecord
from costs.services import deviating_record_ids, sweep_costs
from organisation.models import Person, Unit
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
            raw = self._raw_copy(path)
            if raw is not None:
                self.stdout.write(f"raw COPY into a bare table: {raw:.2f} s")
                self.stdout.write(f"import / raw COPY: {imported / raw:.2f}x (goal: within 2x)")
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

    def _raw_copy(self, path):
        if connection.vendor != "postgresql":
            return None
        columns = ", ".join(f"c{index} text" for index in range(len(HEADERS)))
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_costs_raw")
            cursor.execute(f"CREATE TABLE bench_costs_raw ({columns})")
            try:
                with open(path, encoding="utf-8") as handle:
                    started = time.perf_counter()
                    cursor.cursor.copy_expert(
                        "COPY bench_costs_raw FROM STDIN "
                        "WITH (FORMAT csv, DELIMITER ';', HEADER true)",
                        handle,
                        size=1 << 20,
                    )
                    return time.perf_counter() - started
            finally:
                cursor.execute("DROP TABLE IF EXISTS bench_costs_raw")

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
            for model in (UsageRecord, Subscription):
                Flag.objects.filter(
                    content_type=ContentType.objects.get_for_model(model),
                    unit=centre.unit,
                ).delete()
            UsageRecord.objects.filter(cost_centre=centre)._raw_delete(connection.alias)
            subscriptions._raw_delete(connection.alias)
            unit, person = centre.unit, centre.budget_manager
            centre.delete()
            person.delete()
            Unit.objects.filter(pk=unit.pk)._raw_delete(connection.alias)
