"""manage.py bench_review --size 100000: how long does the nightly REV-1 sweep take?

Seeds `--size` subscriptions (mobiles, 400 days old) in a throwaway förvaltning
(BENCH_NAME, code BENCH_CODE): departments with a manager, units below them of which every
other one has a manager, people holding the phones (some inactive, some moved), and a
signed review round of the year BENCH_YEAR that covers half of the subscriptions. Then it
times, best of `--repeat` runs:

  rule (ORM)   the REV-1 rule's query, rev_1_breaking(), fully read
  rule (SQL)   the same rule as one hand-written SQL statement, fully read
  sweep        review.services.sweep_reviews(): rule, flags (raise_or_resolve) for REV-1
               and REV-2, due e-mails; the first run (timed once) opens the flags, later
               runs are the steady state of a night (nothing changes). The sweep covers
               the whole database, as it does at night; e-mails stay in memory.

The seeded rows stay for the next run (same --size: reused); `--clean` removes them.
Rows are written in bulk without history; refuses to run with DEBUG off, like seed_demo.
"""

from datetime import timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from bench.helpers import SeededBench, bench_people, bench_unit_tree, best_of, once
from compliance.services import discard_flags_under
from organisation.models import CostCentre, Person, Unit
from review import services
from review.choices import Decision, ReviewStatus
from review.models import ReviewItem, ReviewRound, UnitReview
from subscriptions.choices import Kind, Status
from subscriptions.models import Subscription

BENCH_NAME = "Översyn benchmark (throwaway)"
BENCH_CODE = "REVIEW-BENCH"
BENCH_YEAR = 2000
BENCH_USER = "review-bench"
SUBSCRIPTIONS_PER_UNIT = 100
UNITS_PER_DEPARTMENT = 20


def raw_rule_sql():
    """REV-1 as one statement: units with a manager that are the nearest managed unit at
    or above a unit holding at least one subscription that is due (not cancelled,
    activated on or before the cutoff day, no decision in a review signed since)."""
    unit = Unit._meta.db_table
    sub = Subscription._meta.db_table
    item = ReviewItem._meta.db_table
    review = UnitReview._meta.db_table
    concat = "r.path || '%%'"
    return f"""
        SELECT u.id, u.manager_id FROM {unit} u
        WHERE u.manager_id IS NOT NULL AND u.id IN (
            SELECT (
                SELECT r.id FROM {unit} r
                WHERE su.path LIKE {concat} AND r.manager_id IS NOT NULL
                ORDER BY r.depth DESC LIMIT 1
            )
            FROM {unit} su
            WHERE EXISTS (
                SELECT 1 FROM {sub} s
                WHERE s.unit_id = su.id AND s.status <> %s AND s.activated_on <= %s
                  AND NOT EXISTS (
                    SELECT 1 FROM {item} i JOIN {review} ur ON ur.id = i.unit_review_id
                    WHERE i.subscription_id = s.id AND ur.status = %s
                      AND ur.signed_at >= %s AND i.decision <> ''
                  )
            )
        )
    """  # noqa: S608


class Command(SeededBench):
    help = "Seed throwaway subscriptions and time the REV-1 sweep against its raw SQL."
    bench_code = BENCH_CODE

    def seeded_count(self, root):
        return Subscription.objects.filter(unit__path__startswith=root.path).count()

    def measure(self, *, size, seed, **options):
        self.analyze()
        self.run(size, max(1, options["repeat"]))

    # Data -------------------------------------------------------------------------------

    def analyze(self):
        if connection.vendor != "postgresql":
            return
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        with connection.cursor() as cursor:
            for model in (Unit, Person, Subscription, UnitReview, ReviewItem):
                cursor.execute(f"{command} {model._meta.db_table}")

    @transaction.atomic
    def clean(self):
        """Delete the benchmark rows with plain SQL: no signals, no history rows."""
        root = Unit.objects.filter(code=BENCH_CODE).first()
        rounds = ReviewRound.objects.filter(year=BENCH_YEAR)
        ReviewItem.objects.filter(unit_review__round__in=rounds).delete()
        UnitReview.objects.filter(round__in=rounds).delete()
        rounds.delete()
        with connection.cursor() as cursor:
            # Plain SQL: the benchmark user signed only benchmark rows, deleted above.
            cursor.execute(
                f"DELETE FROM {User._meta.db_table} WHERE username = %s",  # noqa: S608
                [BENCH_USER],
            )
        if root is None:
            return 0
        like = root.path + "%"
        units = f"SELECT id FROM {Unit._meta.db_table} WHERE path LIKE %s"  # noqa: S608
        discard_flags_under(root)
        item_table, sub_table = ReviewItem._meta.db_table, Subscription._meta.db_table
        with connection.cursor() as cursor:
            # Rows of real rounds that reviewed benchmark phones (a sweep opened one).
            cursor.execute(
                f"DELETE FROM {item_table} WHERE subscription_id IN "  # noqa: S608
                f"(SELECT id FROM {sub_table} WHERE unit_id IN ({units}))",
                [like],
            )
            cursor.execute(
                f"DELETE FROM {UnitReview._meta.db_table} WHERE unit_id IN ({units})",  # noqa: S608
                [like],
            )
            cursor.execute(f"DELETE FROM {sub_table} WHERE unit_id IN ({units})", [like])  # noqa: S608
            removed = cursor.rowcount
            cursor.execute(
                f"DELETE FROM {CostCentre._meta.db_table} WHERE unit_id IN ({units})",  # noqa: S608
                [like],
            )
            cursor.execute(
                f"UPDATE {Unit._meta.db_table} SET manager_id = NULL WHERE path LIKE %s",  # noqa: S608
                [like],
            )
            cursor.execute(
                f"DELETE FROM {Person._meta.db_table} WHERE unit_id IN ({units})",  # noqa: S608
                [like],
            )
            cursor.execute(
                f"DELETE FROM {Unit._meta.db_table} WHERE path LIKE %s AND depth = 2",  # noqa: S608
                [like],
            )
            cursor.execute(
                f"DELETE FROM {Unit._meta.db_table} WHERE path LIKE %s AND depth = 1",  # noqa: S608
                [like],
            )
            cursor.execute(f"DELETE FROM {Unit._meta.db_table} WHERE path LIKE %s", [like])  # noqa: S608
        return removed

    @transaction.atomic
    def seed(self, size, rng):
        root, departments, units = bench_unit_tree(
            max(1, size // SUBSCRIPTIONS_PER_UNIT),
            name=BENCH_NAME,
            code=BENCH_CODE,
            per_department=UNITS_PER_DEPARTMENT,
        )
        people = bench_people(units, size, is_active=lambda n: rng.random() > 0.02)
        # Managers: every department, and every other unit (the rest are reviewed by
        # their department's manager).
        managed = departments + units[::2]
        for n, unit in enumerate(managed):
            unit.manager = people[n % len(people)]
        Unit.objects.bulk_update(managed, ["manager"], batch_size=1000)
        cost_centre = CostCentre(
            code=BENCH_CODE, name=BENCH_NAME, unit=root, budget_manager=people[0]
        )
        CostCentre.objects.bulk_create([cost_centre])
        taken = set(
            Subscription.objects.exclude(status=Status.CANCELLED).values_list("number", flat=True)
        )
        numbers = (f"+46739{n:06d}" for n in range(1_000_000))
        old = timezone.localdate() - timedelta(days=400)
        subscriptions = []
        for person in people:
            number = next(numbers)
            while number in taken:
                number = next(numbers)
            # A few holders have moved to another unit: candidates for cancellation.
            unit = units[rng.randrange(len(units))] if rng.random() < 0.02 else person.unit
            subscriptions.append(
                Subscription(
                    kind=Kind.MOBILE,
                    number=number,
                    holder=person,
                    unit=unit,
                    cost_centre=cost_centre,
                    activated_on=old,
                )
            )
        Subscription.objects.bulk_create(subscriptions, batch_size=2000)
        # Last year's signed review covered the units of the first half of the phones.
        signed_at = timezone.now() - timedelta(days=200)
        review_round = ReviewRound.objects.create(
            year=BENCH_YEAR, deadline=timezone.localdate() + timedelta(days=30)
        )
        review_units = {u.pk for u in managed}
        reviews = {
            pk: UnitReview(
                round=review_round,
                unit_id=pk,
                status=ReviewStatus.SIGNED,
                signed_at=signed_at,
                pdf=b"%PDF-bench",
            )
            for pk in sorted(review_units)
        }
        user = User.objects.get_or_create(username=BENCH_USER, defaults={"is_active": False})[0]
        for review in reviews.values():
            review.signed_by = user
        UnitReview.objects.bulk_create(reviews.values(), batch_size=1000)
        by_pk = {u.pk: u for u in departments + units}
        items = []
        for sub in subscriptions[: size // 2]:
            unit = by_pk[sub.unit_id]
            owner = unit.pk if unit.manager_id else unit.parent_id
            items.append(
                ReviewItem(
                    unit_review=reviews[owner],
                    subscription=sub,
                    decision=Decision.KEEP,
                    decided_by=user,
                    decided_at=signed_at,
                )
            )
        ReviewItem.objects.bulk_create(items, batch_size=2000)

    # Timing ------------------------------------------------------------------------------

    def run(self, size, repeat):
        today = timezone.localdate()
        cutoff, since = services.review_cutoff(today)
        params: list[Any] = [Status.CANCELLED, cutoff, ReviewStatus.SIGNED, since]

        def timed(function):
            return best_of(repeat, function)

        orm_ms, orm_rows = timed(
            lambda: sorted(services.rev_1_breaking(today).values_list("pk", "responsible_id"))
        )

        def raw():
            with connection.cursor() as cursor:
                cursor.execute(raw_rule_sql(), params)
                return sorted(cursor.fetchall())

        raw_ms, raw_rows = timed(raw)
        if orm_rows != raw_rows:
            raise CommandError("The ORM rule and the raw SQL disagree; the benchmark is void.")
        # The sweep is the real one: it covers the whole database. E-mails stay in memory.
        quiet = override_settings(
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        )
        # A first night: the benchmark units' REV-1 flags are opened anew.
        root = Unit.objects.get(code=BENCH_CODE)
        discard_flags_under(root, rules=["REV-1"])
        with quiet:
            first_ms, _ = once(lambda: services.sweep_reviews(today, open_round=False))
            steady_ms, steady = timed(lambda: services.sweep_reviews(today, open_round=False))
        due = services.unreviewed_subscriptions(today).count()
        self.stdout.write(
            f"REV-1 sweep on {connection.vendor}: {size} benchmark subscriptions, "
            f"{due} due for review, {len(orm_rows)} units flagged (best of {repeat})"
        )
        self.stdout.write(f"{'':22}{'ms':>10}")
        self.stdout.write(f"{'rule (ORM)':22}{orm_ms:10.1f}")
        self.stdout.write(f"{'rule (raw SQL)':22}{raw_ms:10.1f}")
        self.stdout.write(f"{'sweep, first run':22}{first_ms:10.1f}")
        self.stdout.write(f"{'sweep, steady':22}{steady_ms:10.1f}")
        self.stdout.write(
            f"rule ORM / raw SQL = {orm_ms / raw_ms:.2f}x; steady sweep changed "
            f"{steady.changed} flags (must be 0)"
        )
