# ruff: noqa: S608  (table names come from the models; values are parameters)
"""manage.py bench_voicemail --size 100000: how long does the working-day morning sweep take?

Seeds `--size` voicemail boxes on as many mobiles in a throwaway förvaltning (BENCH_NAME,
code BENCH_CODE): departments with a manager, units below them of which every other one has
a manager, one person per phone. Every box is switched on; about 10 % were not listened to
on the previous working day, 5 % have holders on sick leave (half of them with a deputy),
3 % have a greeting confirmed by a previous holder, 2 % of the mobilsvar holders are
abroad. Then it times, best of `--repeat` runs, each rule of the sweep through the ORM
(voicemail.services.rules(), fully read) beside the same rule as one hand-written SQL
statement (the command stops if their results differ), and the whole sweep: a first
morning that opens the flags (and e-mails them, in memory) and a steady morning that
changes nothing.

The seeded rows stay for the next run (same --size: reused); `--clean` removes them.
Rows are written in bulk without history; refuses to run with DEBUG off, like seed_demo.
"""

from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from absence import workdays
from absence.choices import Reason, Target
from absence.models import Redirect, Trip
from bench.helpers import SeededBench, bench_people, bench_unit_tree, best_of, once
from compliance.services import discard_flags_under
from organisation.models import CostCentre, Person, Unit
from subscriptions.choices import Kind, Status
from subscriptions.models import Subscription
from voicemail import services
from voicemail.choices import MESSAGE_KINDS, BoxKind, Source
from voicemail.models import Listening, VoicemailBox

BENCH_NAME = "Röstbrevlåda benchmark (throwaway)"
BENCH_CODE = "VOICEMAIL-BENCH"
BENCH_USER = "voicemail-bench"
BOXES_PER_UNIT = 100
UNITS_PER_DEPARTMENT = 20


def _tables():
    return {
        "box": VoicemailBox._meta.db_table,
        "sub": Subscription._meta.db_table,
        "unit": Unit._meta.db_table,
        "person": Person._meta.db_table,
        "listening": Listening._meta.db_table,
        "redirect": Redirect._meta.db_table,
        "trip": Trip._meta.db_table,
    }


# The responsible person of a flag: the holder (if active), else the nearest manager at
# or above.
RESPONSIBLE = """COALESCE(CASE WHEN h.is_active THEN s.holder_id END, (
    SELECT r.manager_id FROM {unit} r
    WHERE su.path LIKE r.path || '%%' AND r.manager_id IS NOT NULL
    ORDER BY r.depth DESC LIMIT 1))"""
FROM_IN_USE = """FROM {box} b
    JOIN {sub} s ON s.id = b.subscription_id
    JOIN {unit} su ON su.id = s.unit_id
    LEFT JOIN {person} h ON h.id = s.holder_id
    WHERE b.is_on AND s.status = %(active)s"""


def raw_rules():
    """{rule id: SQL} of the same three rules, written by hand."""
    t = _tables()
    head = f"SELECT b.id, {RESPONSIBLE} {FROM_IN_USE}".format(**t)
    message_kinds = "b.kind IN (%(rostbrevlada)s, %(mobilsvar)s)"
    absent = """a.kind = %(hanvisning)s AND a.status = %(active)s
                  AND a.reason IN (%(sick)s, %(leave)s, %(trip)s, %(training)s)
                  AND a.starts_at <= %(now)s AND (a.ends_at IS NULL OR a.ends_at > %(now)s)"""
    vm_4 = f"""{head} AND {message_kinds} AND (
        (b.switched_on_at < %(day_starts)s AND NOT EXISTS (
            SELECT 1 FROM {t["listening"]} l
            WHERE l.box_id = b.id AND l.listened_on >= %(previous)s))
        OR ((b.deputy_id IS NULL OR NOT EXISTS (
                SELECT 1 FROM {t["person"]} d WHERE d.id = b.deputy_id AND d.is_active))
            AND (EXISTS (
                SELECT 1 FROM {t["redirect"]} a
                WHERE a.subscription_id = b.subscription_id AND {absent})
              OR EXISTS (
                SELECT 1 FROM {t["redirect"]} a JOIN {t["sub"]} asub ON asub.id = a.subscription_id
                WHERE asub.holder_id = s.holder_id AND {absent}))))
    """
    vm_2 = f"""{head} AND (b.greeting_confirmed_at IS NULL OR (s.holder_id IS NOT NULL AND (
        b.greeting_confirmed_by_id IS NULL OR b.greeting_confirmed_by_id <> s.holder_id)))
    """
    abs_6 = f"""{head} AND b.kind = %(mobilsvar)s AND EXISTS (
        SELECT 1 FROM {t["trip"]} tr WHERE tr.person_id = s.holder_id
          AND tr.starts_on <= %(today)s AND tr.ends_on >= %(today)s)
    """
    return {"VM-4": vm_4, "VM-2": vm_2, "ABS-6": abs_6}


def raw_params(now):
    ops = connection.ops
    today = timezone.localdate(now)
    previous = workdays.previous_working_day(today)
    day_starts = timezone.make_aware(
        datetime.combine(previous, datetime.min.time()), timezone.get_current_timezone()
    )
    return {
        "active": Status.ACTIVE,
        "rostbrevlada": BoxKind.ROSTBREVLADA,
        "mobilsvar": BoxKind.MOBILSVAR,
        "hanvisning": "hanvisning",
        "sick": Reason.SICK,
        "leave": Reason.LEAVE,
        "trip": Reason.BUSINESS_TRIP,
        "training": Reason.TRAINING,
        "now": ops.adapt_datetimefield_value(now),
        "day_starts": ops.adapt_datetimefield_value(day_starts),
        "previous": ops.adapt_datefield_value(previous),
        "today": ops.adapt_datefield_value(today),
    }


class Command(SeededBench):
    help = "Seed throwaway voicemail boxes and time the morning sweep against its raw SQL."
    bench_code = BENCH_CODE
    seeded = "voicemail boxes"

    def prepare(self):
        self.now = self.morning()

    def seeded_count(self, root):
        return VoicemailBox.objects.filter(subscription__unit__path__startswith=root.path).count()

    def measure(self, *, size, seed, **options):
        self.analyze()
        self.run(size, max(1, options["repeat"]), self.now)

    def morning(self):
        """07:00 of today, or of the next working day if today is not one."""
        today = timezone.localdate()
        if not workdays.is_working_day(today):
            today = workdays.next_working_day(today)
        return timezone.make_aware(
            datetime.combine(today, datetime.min.time().replace(hour=7)),
            timezone.get_current_timezone(),
        )

    # Data -------------------------------------------------------------------------------

    def analyze(self):
        if connection.vendor != "postgresql":
            return
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        with connection.cursor() as cursor:
            for model in (Unit, Person, Subscription, VoicemailBox, Listening, Redirect, Trip):
                cursor.execute(f"{command} {model._meta.db_table}")

    @transaction.atomic
    def clean(self):
        """Delete the benchmark rows with plain SQL: no signals, no history rows."""
        root = Unit.objects.filter(code=BENCH_CODE).first()
        removed = 0
        if root is not None:
            t = _tables()
            like = root.path + "%"
            units = f"SELECT id FROM {t['unit']} WHERE path LIKE %s"
            subs = f"SELECT id FROM {t['sub']} WHERE unit_id IN ({units})"
            boxes = f"SELECT id FROM {t['box']} WHERE subscription_id IN ({subs})"
            discard_flags_under(root)
            with connection.cursor() as cursor:
                for sql in (
                    f"DELETE FROM {t['listening']} WHERE box_id IN ({boxes})",
                    f"DELETE FROM {VoicemailBox.history.model._meta.db_table} "
                    f"WHERE subscription_id IN ({subs})",
                    f"DELETE FROM {t['box']} WHERE subscription_id IN ({subs})",
                    f"DELETE FROM {t['redirect']} WHERE subscription_id IN ({subs})",
                    f"DELETE FROM {t['trip']} WHERE subscription_id IN ({subs})",
                ):
                    cursor.execute(sql, [like])
                    if sql.startswith(f"DELETE FROM {t['box']}"):
                        removed = cursor.rowcount
                cursor.execute(f"DELETE FROM {t['sub']} WHERE unit_id IN ({units})", [like])
                cursor.execute(
                    f"DELETE FROM {CostCentre._meta.db_table} WHERE unit_id IN ({units})",
                    [like],
                )
                cursor.execute(
                    f"UPDATE {t['unit']} SET manager_id = NULL WHERE path LIKE %s",
                    [like],
                )
                cursor.execute(f"DELETE FROM {t['person']} WHERE unit_id IN ({units})", [like])
                for depth in (2, 1, 0):
                    cursor.execute(
                        f"DELETE FROM {t['unit']} WHERE path LIKE %s AND depth = %s",
                        [like, depth],
                    )
        User.objects.filter(username=BENCH_USER).delete()
        return removed

    @transaction.atomic
    def seed(self, size, rng):
        now = self.now
        root, departments, units = bench_unit_tree(
            max(1, size // BOXES_PER_UNIT),
            name=BENCH_NAME,
            code=BENCH_CODE,
            per_department=UNITS_PER_DEPARTMENT,
        )
        people = bench_people(units, size, email=lambda n: f"bench{n}@bench.example")
        managed = departments + units[::2]
        for n, unit in enumerate(managed):
            unit.manager = people[n % len(people)]
        Unit.objects.bulk_update(managed, ["manager"], batch_size=1000)
        centre = CostCentre(code=BENCH_CODE, name=BENCH_NAME, unit=root, budget_manager=people[0])
        CostCentre.objects.bulk_create([centre])
        taken = set(
            Subscription.objects.exclude(status=Status.CANCELLED).values_list("number", flat=True)
        )
        numbers = (f"+46738{n:06d}" for n in range(1_000_000))
        subscriptions = []
        for person in people:
            number = next(numbers)
            while number in taken:
                number = next(numbers)
            subscriptions.append(
                Subscription(
                    kind=Kind.MOBILE,
                    number=number,
                    holder=person,
                    unit=person.unit,
                    cost_centre=centre,
                )
            )
        Subscription.objects.bulk_create(subscriptions, batch_size=2000)
        user = User.objects.create(username=BENCH_USER, is_active=False)
        long_ago = now - timedelta(days=60)
        previous = workdays.previous_working_day(timezone.localdate(now))
        listened = timezone.make_aware(
            datetime.combine(previous, datetime.min.time().replace(hour=10)),
            timezone.get_current_timezone(),
        )
        boxes, listenings, redirects, trips = [], [], [], []
        for n, (person, sub) in enumerate(zip(people, subscriptions, strict=True)):
            kind = BoxKind.MOBILSVAR if n % 2 else BoxKind.ROSTBREVLADA
            confirmer = people[n - 1] if rng.random() < 0.03 else person
            sick = rng.random() < 0.05
            boxes.append(
                VoicemailBox(
                    subscription=sub,
                    kind=kind,
                    is_on=True,
                    switched_on_at=long_ago,
                    approved_by=user,
                    approved_at=long_ago,
                    greeting_confirmed_at=long_ago,
                    greeting_confirmed_by=confirmer,
                    deputy=people[n - 1] if sick and rng.random() < 0.5 else None,
                )
            )
            if sick:
                redirects.append(
                    Redirect(
                        subscription=sub,
                        reason=Reason.SICK,
                        starts_at=long_ago,
                        ends_at=now + timedelta(days=3),
                        target=Target.KUNDTJANST,
                        set_by=user,
                        created_at=long_ago,
                    )
                )
            if kind == BoxKind.MOBILSVAR and rng.random() < 0.02:
                trips.append(
                    Trip(
                        person=person,
                        subscription=sub,
                        destination="Berlin",
                        starts_on=previous,
                        ends_on=previous + timedelta(days=5),
                        registered_by=user,
                    )
                )
        VoicemailBox.objects.bulk_create(boxes, batch_size=2000)
        for box in boxes:
            # About one box in ten was not listened to on the previous working day.
            if rng.random() > 0.1:
                listenings.append(
                    Listening(
                        box=box,
                        listened_at=listened,
                        listened_on=previous,
                        source=Source.START_PAGE,
                    )
                )
            # And a week of listening before it.
            for back in range(1, 6):
                day = previous - timedelta(days=back)
                listenings.append(
                    Listening(
                        box=box,
                        listened_at=listened - timedelta(days=back),
                        listened_on=day,
                        source=Source.SWITCHBOARD,
                    )
                )
        Listening.objects.bulk_create(listenings, batch_size=5000)
        Redirect.objects.bulk_create(redirects, batch_size=2000)
        Trip.objects.bulk_create(trips, batch_size=2000)

    # Timing ------------------------------------------------------------------------------

    def run(self, size, repeat, now):
        def timed(function):
            return best_of(repeat, function)

        params = raw_params(now)
        raw = raw_rules()
        lines = []
        orm_total = raw_total = 0.0
        for rule_id, breaking in services.rules(now=now):
            orm_ms, orm_rows = timed(
                lambda b=breaking: sorted(b.values_list("pk", "flag_responsible_id"))
            )

            def run_raw(sql=raw[rule_id]):
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)
                    return sorted(cursor.fetchall())

            raw_ms, raw_rows = timed(run_raw)
            if orm_rows != raw_rows:
                raise CommandError(
                    f"{rule_id}: the ORM rule ({len(orm_rows)} rows) and the raw SQL "
                    f"({len(raw_rows)} rows) disagree; the benchmark is void."
                )
            orm_total += orm_ms
            raw_total += raw_ms
            lines.append((rule_id, len(orm_rows), orm_ms, raw_ms))
        quiet = override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
        root = Unit.objects.get(code=BENCH_CODE)
        discard_flags_under(root, rules=[rule_id for rule_id, *_ in lines])
        with quiet:
            first_ms, first = once(lambda: services.sweep_voicemail(now=now))
            steady_ms, steady = timed(lambda: services.sweep_voicemail(now=now))
        boxes_in_use = VoicemailBox.objects.filter(is_on=True, kind__in=MESSAGE_KINDS).count()
        self.stdout.write(
            f"voicemail sweep on {connection.vendor}: {size} benchmark boxes "
            f"({boxes_in_use} in use taking messages, all of the database), best of {repeat}, "
            f"morning of {timezone.localdate(now)}"
        )
        self.stdout.write(f"{'rule':8}{'flagged':>9}{'ORM ms':>10}{'raw SQL ms':>12}{'ratio':>8}")
        for rule_id, count, orm_ms, raw_ms in lines:
            self.stdout.write(
                f"{rule_id:8}{count:9d}{orm_ms:10.1f}{raw_ms:12.1f}{orm_ms / raw_ms:7.2f}x"
            )
        self.stdout.write(
            f"{'rules':8}{'':9}{orm_total:10.1f}{raw_total:12.1f}{orm_total / raw_total:7.2f}x"
        )
        self.stdout.write(
            f"sweep, first morning (opens {first.opened} flags, e-mails): {first_ms:.1f} ms"
        )
        self.stdout.write(
            f"sweep, steady morning: {steady_ms:.1f} ms; changed {steady.changed} flags (must be 0)"
        )
