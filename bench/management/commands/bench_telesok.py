"""manage.py bench_telesok --size 100000: how fast is telesök (DIR-2) on this database?

Seeds `--size` subscriptions, with their people and units, in a throwaway förvaltning
(BENCH_NAME, code BENCH_CODE), then times a fixed mix of 200 queries (full and partial
names, numbers written in several ways, extensions, unit words) three ways in one run:

  selector   directory.selectors.search(query), the hits fully built
  raw SQL    the very statements the selector sent, replayed with cursor.execute and
             fetchall (recorded with connection.execute_wrapper): the database's share
  HTTP view  GET /telesok/?q=... through Django's test Client, signed in (force_login)

and prints p50, p95 and max of each. Goal on PostgreSQL: selector p95 under 20 ms and
within 2x of raw SQL. The seeded rows stay for the next run (same --size: reused);
`--clean` removes them. Rows are written in bulk without history (they are not real);
refuses to run with DEBUG off, like seed_demo.
"""

import gc
import random
import secrets
import statistics
import time
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import User
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import reverse

from bench import http as web
from bench.helpers import SeededBench
from directory.selectors import search
from organisation.models import CostCentre, Person, Unit, name_key
from organisation.numbers import format_number
from subscriptions.choices import Kind, Status, VoiceMessage
from subscriptions.models import Subscription

BENCH_NAME = "Telesök benchmark (throwaway)"
BENCH_CODE = "TELESOK-BENCH"
BENCH_USER = "telesok-bench"
QUERY_COUNT = 200
GOAL_P95_MS = 20.0
GOAL_RATIO = 2.0
# --http (issue 19): the page under gunicorn, 2 workers, against a trivial signed-in page.
CLIENTS = 8
LOAD_REQUESTS = 800
GOAL_THROUGHPUT = 0.5  # telesök's requests/s at least half the trivial page's
GOAL_PAGE_RATIO = 2.0  # the page's p95 (one client) within 2x of the selector's
GOAL_SELECTOR_RATIO = 1.5  # the selector's p95 within 1.5x of raw SQL's (issue 15)


def _words(text):
    return tuple(text.split())


FIRST_NAMES = _words(
    "Anna Eva Maria Karin Sara Lena Emma Kerstin Ingrid Marie Malin Elin Johanna Linnéa "
    "Åsa Ebba Märta Agneta Birgitta Helena Ida Sofia Ulla Louise Lars Anders Johan Karl Per "
    "Erik Mikael Peter Jan Hans Nils Olof Björn Göran Stefan Jonas Mattias Håkan Örjan Åke "
    "Fredrik Daniel Magnus Gustav Oskar Ali Fatima Mohammed Leila Hassan Amina Yusuf Zeynep"
)
LAST_NAMES = _words(
    "Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson Gustafsson "
    "Pettersson Jonsson Jansson Hansson Bengtsson Jönsson Lindberg Jakobsson Magnusson "
    "Lindström Olofsson Lindqvist Lindgren Berg Axelsson Bergström Lundberg Lind Lundgren "
    "Lundqvist Mattsson Berglund Fredriksson Sandberg Henriksson Forsberg Sjöberg Wallin "
    "Engström Eklund Danielsson Lundin Håkansson Björk Bergman Gunnarsson Holm Wikström "
    "Samuelsson Isaksson Fransson Bergqvist Nyström Holmberg Arvidsson Löfgren Söderberg "
    "Nyberg Blomqvist Claesson Nordström Mårtensson Lundström Viklund Björklund Eliasson "
    "Pålsson Berggren Sandström Lund Nordin Ström Åberg Hermansson Ekström Falk Holmgren "
    "Östlund Öberg Ågren Åström Dahlberg Hellström Sundberg Ali Hassan Mohammed Yilmaz"
)
TITLES = (
    "Undersköterska",
    "Sjuksköterska",
    "Förskollärare",
    "Barnskötare",
    "Lärare",
    "Fritidsledare",
    "Socialsekreterare",
    "Handläggare",
    "Enhetschef",
    "Administratör",
    "Ekonom",
    "Bibliotekarie",
    "Kock",
    "Lokalvårdare",
    "Vaktmästare",
    "Personlig assistent",
    "Stödassistent",
    "Arbetsterapeut",
    "Fysioterapeut",
    "Kurator",
    "Skolsköterska",
    "Rektor",
    "Utvecklingsledare",
    "Nämndsekreterare",
    "Bygglovshandläggare",
    "Miljöinspektör",
)
UNIT_KINDS = (
    "Hemtjänst",
    "Förskola",
    "Skola",
    "Äldreboende",
    "Gruppbostad",
    "Socialtjänst",
    "Fritidsgård",
    "Bibliotek",
    "Kök",
    "Lokalvård",
    "Öppenvård",
    "Ekonomi",
)
AREAS = (
    "Norr",
    "Söder",
    "Öster",
    "Väster",
    "Centrum",
    "Adolfsberg",
    "Brickebacken",
    "Vivalla",
    "Varberga",
    "Örnsro",
    "Ånsta",
    "Lillån",
)
FUNCTIONS = ("Receptionen", "Växeln", "Expeditionen", "Jourtelefon", "Personalrum", "Köket")
DEPARTMENTS = 20


def _percentile(samples, pct):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


class Command(SeededBench):
    help = (
        "Seed SIZE subscriptions in a throwaway förvaltning and print p50/p95 of telesök "
        "through the selector, as raw SQL and through the HTTP view."
    )
    bench_code = BENCH_CODE
    default_seed = 2026
    repeats = False

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--queries", type=int, default=QUERY_COUNT, help="size of the query mix (tests)"
        )
        parser.add_argument(
            "--http",
            action="store_true",
            help="also time the page under gunicorn with the production settings",
        )
        parser.add_argument(
            "--clients", type=int, default=CLIENTS, help="concurrent clients (--http)"
        )
        parser.add_argument(
            "--requests",
            type=int,
            default=LOAD_REQUESTS,
            help="requests of each page under load, all clients together (--http)",
        )

    def seeded_count(self, root):
        return Subscription.objects.filter(unit__path__startswith=root.path).count()

    def measure(self, *, size, seed, **options):
        self.vacuum()
        load = {"clients": options["clients"], "requests": options["requests"]}
        self.run(
            random.Random(seed), size, options["queries"], served=load if options["http"] else None
        )

    def vacuum(self):
        """Fresh planner statistics, as autovacuum would keep them (VACUUM needs to be
        outside a transaction: under a test, ANALYZE only)."""
        if connection.vendor != "postgresql":
            return
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        with connection.cursor() as cursor:
            for model in (Unit, Person, Subscription):
                cursor.execute(f"{command} {model._meta.db_table}")

    # Data ---------------------------------------------------------------------------

    def _bench_path(self):
        root = Unit.objects.filter(code=BENCH_CODE).first()
        return root.path if root else None

    @transaction.atomic
    def clean(self):
        """Delete the benchmark rows with plain SQL: no signals, no history rows."""
        User.objects.filter(username=BENCH_USER).delete()
        # The sign-ins of --http, as django-axes logged them.
        apps.get_model("axes", "AccessLog").objects.filter(username=BENCH_USER).delete()
        path = self._bench_path()
        if path is None:
            return 0
        units = f"SELECT id FROM {Unit._meta.db_table} WHERE path LIKE %s"  # noqa: S608
        like = path + "%"
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {Subscription._meta.db_table} WHERE unit_id IN ({units})",  # noqa: S608
                [like],
            )
            removed = cursor.rowcount
            for model in (CostCentre, Person):
                cursor.execute(
                    f"DELETE FROM {model._meta.db_table} WHERE unit_id IN ({units})",  # noqa: S608
                    [like],
                )
            cursor.execute(f"DELETE FROM {Unit._meta.db_table} WHERE path LIKE %s", [like])  # noqa: S608
        return removed

    def _units(self, count):
        """The throwaway förvaltning, DEPARTMENTS departments and `count` units below
        them, created in bulk (paths set once the ids are known)."""
        root = Unit(name=BENCH_NAME, name_key=name_key(BENCH_NAME), code=BENCH_CODE)
        Unit.objects.bulk_create([root])
        root.path, root.forvaltning_id = f"/{root.pk}/", root.pk
        Unit.objects.bulk_update([root], ["path", "forvaltning"])
        departments = [
            Unit(name=f"Avdelning {n + 1}", parent=root, forvaltning=root, depth=1)
            for n in range(DEPARTMENTS)
        ]
        names = [f"{kind} {area}" for kind in UNIT_KINDS for area in AREAS]
        units = []
        for n in range(count):
            name = f"{names[n % len(names)]} {n // len(names) + 1}"
            parent = departments[n % DEPARTMENTS]
            units.append(Unit(name=name, parent=parent, forvaltning=root, depth=2))
        for unit in departments + units:
            unit.name_key = name_key(unit.name)
        Unit.objects.bulk_create(departments, batch_size=1000)
        for unit in departments:
            unit.path = f"{root.path}{unit.pk}/"
        Unit.objects.bulk_update(departments, ["path"], batch_size=1000)
        Unit.objects.bulk_create(units, batch_size=1000)
        for unit in units:
            assert unit.parent is not None  # every unit here is below the root
            unit.path = f"{unit.parent.path}{unit.pk}/"
        Unit.objects.bulk_update(units, ["path"], batch_size=1000)
        return root, units

    @transaction.atomic
    def seed(self, size, rng):
        functions = max(1, size // 20)
        mobiles = size * 3 // 10
        fixed = size - functions - mobiles  # fixed and MEX phones, one per person
        root, units = self._units(max(1, fixed // 26))
        people = []
        for n in range(fixed):
            people.append(
                Person(
                    first_name=rng.choice(FIRST_NAMES),
                    last_name=rng.choice(LAST_NAMES),
                    title=rng.choice(TITLES),
                    unit=units[n % len(units)],
                    protected_identity=rng.random() < 0.005,
                    is_active=rng.random() > 0.01,
                )
            )
        Person.objects.bulk_create(people, batch_size=2000)
        cost_centre = CostCentre(
            code=BENCH_CODE, name=BENCH_NAME, unit=root, budget_manager=people[0]
        )
        CostCentre.objects.bulk_create([cost_centre])

        taken: set[str | None] = set(
            Subscription.objects.exclude(status=Status.CANCELLED).values_list("number", flat=True)
        )
        taken |= set(
            Subscription.objects.exclude(status=Status.CANCELLED)
            .exclude(extension=None)
            .values_list("extension", flat=True)
        )

        def free(candidates):
            for value in candidates:
                if value not in taken:
                    yield value

        # 019-6x xx xx with the extension 6xxxxx; mobiles 070-9xx xx xx.
        local = free(f"{600000 + n:06d}" for n in range(400_000))
        mobile = free(f"+46709{n:06d}" for n in range(1_000_000))
        subscriptions = []

        def fixed_line(**fields):
            digits = next(local)
            while f"+4619{digits}" in taken:
                digits = next(local)
            return Subscription(number=f"+4619{digits}", extension=digits, **fields)

        for n, person in enumerate(people):
            kind = Kind.MEX if n % 12 == 0 else Kind.FIXED
            subscriptions.append(fixed_line(kind=kind, holder=person, unit=person.unit))
            if n < mobiles:
                subscriptions.append(
                    Subscription(
                        kind=Kind.MOBILE, number=next(mobile), holder=person, unit=person.unit
                    )
                )
        for n in range(functions):
            unit = units[n % len(units)]
            subscriptions.append(
                fixed_line(
                    kind=Kind.GROUP if n % 4 == 0 else Kind.FUNCTION,
                    # ABS-4: a group phone's voice message must point somewhere.
                    voice_message_to=VoiceMessage.KUNDTJANST if n % 4 == 0 else "",
                    function_name=f"{FUNCTIONS[n % len(FUNCTIONS)]} {unit.name}",
                    unit=unit,
                )
            )
        for sub in subscriptions:
            sub.cost_centre = cost_centre
            roll = rng.random()
            if roll < 0.02:
                sub.status, sub.cancelled_on = Status.CANCELLED, date(2026, 1, 1)
            elif roll < 0.03:
                sub.status = Status.BLOCKED
        Subscription.objects.bulk_create(subscriptions, batch_size=2000)

    # Timing -------------------------------------------------------------------------

    def queries(self, rng, count=QUERY_COUNT):
        """A fixed mix of `count` queries over the seeded data."""
        path = self._bench_path()
        people = list(
            Person.objects.filter(unit__path__startswith=path, is_active=True)
            .order_by("pk")
            .values_list("first_name", "last_name")[:5000]
        )
        subs = list(
            Subscription.objects.filter(unit__path__startswith=path, status=Status.ACTIVE)
            .exclude(extension=None)
            .order_by("pk")
            .values_list("number", "extension")[:5000]
        )
        mobiles = list(
            Subscription.objects.filter(unit__path__startswith=path, kind=Kind.MOBILE)
            .order_by("pk")
            .values_list("number", flat=True)[:2000]
        )
        unit_names = list(
            Unit.objects.filter(path__startswith=path, depth=2)
            .order_by("pk")
            .values_list("name", flat=True)
        )

        def full_name():
            first, last = rng.choice(people)
            return f"{first} {last}"

        def partial_name():
            first, last = rng.choice(people)
            word = rng.choice([first, last])
            part = word[: rng.randint(3, max(3, len(word) - 1))]
            return rng.choice([part, part.upper(), part.casefold(), f"{first} {last[:3]}"])

        def accentless_name():
            _first, last = rng.choice(people)
            return last.translate(str.maketrans("åäöÅÄÖé", "aaoAAOe")).casefold()

        def number():
            e164, _extension = rng.choice(subs)
            national = format_number(e164)
            return rng.choice(
                [national, e164, national.replace("-", "").replace(" ", ""), national[4:]]
            )

        def mobile_number():
            return format_number(rng.choice(mobiles)) if mobiles else number()

        def extension():
            return rng.choice(subs)[1]

        def unit():
            name = rng.choice(unit_names)
            words = name.split()
            return rng.choice([name, " ".join(words[:2]), f"{rng.choice(FIRST_NAMES)} {words[0]}"])

        kinds = [
            full_name,
            partial_name,
            accentless_name,
            number,
            mobile_number,
            extension,
            unit,
        ]
        weights = [3, 4, 2, 3, 1, 4, 3]
        return [rng.choices(kinds, weights)[0]() for _ in range(count)]

    def run(self, rng, size, count, served=None):
        queries = self.queries(rng, count)
        statements: list[list[tuple[str, Any]]] = [[] for _ in queries]

        def recorder(recorded):
            def record(execute, sql, params, many, context):
                recorded.append((sql, params))
                return execute(sql, params, many, context)

            return record

        hits = []
        for n, query in enumerate(queries):  # warm-up, and the statements to replay raw
            with connection.execute_wrapper(recorder(statements[n])):
                hits.append(len(search(query)))

        def timed(function):
            samples = []
            for n, query in enumerate(queries):
                started = time.perf_counter()
                function(n, query)
                samples.append((time.perf_counter() - started) * 1000)
            return samples

        def selector(n, query):
            search(query)

        def raw(n, query):
            with connection.cursor() as cursor:
                for sql, params in statements[n]:
                    cursor.execute(sql, params)
                    cursor.fetchall()

        user, _ = User.objects.get_or_create(username=BENCH_USER)
        # A password for the sign-in over HTTP (--http), hashed with production's hasher
        # whatever the settings of this process (the tests' is MD5).
        password = secrets.token_urlsafe(24)
        hasher = PBKDF2PasswordHasher()
        user.password = hasher.encode(password, hasher.salt())
        user.save()
        hosts = [*settings.ALLOWED_HOSTS, "testserver"]
        # Timed as in production: DEBUG off (with it on, which seeding needs, Django wraps
        # every cursor to record each statement), and what is loaded so far frozen out of
        # garbage collection, as telefoni/wsgi.py does.
        gc.freeze()
        with override_settings(ALLOWED_HOSTS=hosts, DEBUG=False):
            client = Client()
            client.force_login(user)
            url = reverse("directory:search")

            def http(n, query):
                response = client.get(url, {"q": query}, secure=True)
                if response.status_code != 200:
                    raise CommandError(f"GET {url}?q={query} answered {response.status_code}")

            http(0, queries[0])
            results = {
                "selector": timed(selector),
                "raw SQL": timed(raw),
                "HTTP view": timed(http),
            }
            client.logout()
        gc.unfreeze()
        load = self.over_http(queries, password, **served) if served else None

        people = Person.objects.filter(unit__path__startswith=self._bench_path()).count()
        statements_per_query = statistics.mean(len(s) for s in statements)
        self.stdout.write(
            f"telesök benchmark on {connection.vendor}: {size} subscriptions, {people} people, "
            f"{count} queries ({statistics.mean(hits):.1f} hits and "
            f"{statements_per_query:.1f} SQL statements per query on average)"
        )
        self.stdout.write(f"{'':12}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
        for name, samples in results.items():
            self.stdout.write(
                f"{name:12}{statistics.median(samples):9.2f}{_percentile(samples, 95):9.2f}"
                f"{max(samples):9.2f}"
            )
        if load:
            for name in ("telesök page", "trivial page"):
                samples = load[name]
                self.stdout.write(
                    f"{name:12}{statistics.median(samples):9.2f}"
                    f"{_percentile(samples, 95):9.2f}{max(samples):9.2f}"
                )
        p95 = _percentile(results["selector"], 95)
        raw_p95 = _percentile(results["raw SQL"], 95)
        ratio = p95 / max(raw_p95, 1e-9)
        met = p95 < GOAL_P95_MS and ratio <= GOAL_RATIO
        self.stdout.write(
            f"selector p95 / raw SQL p95 = {ratio:.2f}x; goal (p95 < {GOAL_P95_MS:.0f} ms and "
            f"<= {GOAL_RATIO:.0f}x raw): {'met' if met else 'NOT met'}"
        )
        if load:
            self.goals(load, p95, raw_p95)

    def over_http(self, queries, password, *, clients, requests):
        """The page under gunicorn (production settings, 2 workers): p50/p95 of the
        query mix from one signed-in client, then requests/s of telesök and of the
        trivial page with `clients` clients at once."""
        url = reverse("directory:search")
        paths = [f"{url}?{urlencode({'q': query})}" for query in queries]
        trivial = "/bench/trivial/"
        with web.Server(workers=2) as server:
            browser = web.Client(server.port)
            browser.sign_in(BENCH_USER, password)
            cookies = dict(browser.cookies)
            # Warm-up: every worker has loaded the templates and the code of both pages.
            web.throughput(server.port, cookies, paths, clients=2, requests=min(len(paths), 40))
            web.throughput(server.port, cookies, [trivial], clients=2, requests=20)
            single = {
                "telesök page": [web.timed_get(browser, path) for path in paths],
                "trivial page": [web.timed_get(browser, trivial) for _ in paths],
            }
            per_second = {
                "trivial page": web.throughput(
                    server.port, cookies, [trivial], clients=clients, requests=requests
                ),
                "telesök": web.throughput(
                    server.port, cookies, paths, clients=clients, requests=requests
                ),
            }
            browser.sign_out()
        return {**single, "per second": per_second, "clients": clients}

    def goals(self, load, selector_p95, raw_p95):
        """The three ratios of issue 19, each with its goal."""

        def verdict(met):
            return "met" if met else "NOT met"

        rates = load["per second"]
        share = rates["telesök"] / rates["trivial page"]
        page_p95 = _percentile(load["telesök page"], 95)
        page_ratio = page_p95 / max(selector_p95, 1e-9)
        selector_ratio = selector_p95 / max(raw_p95, 1e-9)
        self.stdout.write(
            f"throughput, {load['clients']} clients: telesök {rates['telesök']:.1f} req/s, "
            f"trivial page {rates['trivial page']:.1f} req/s: {share:.0%} "
            f"(goal >= {GOAL_THROUGHPUT:.0%}): {verdict(share >= GOAL_THROUGHPUT)}"
        )
        self.stdout.write(
            f"page p95 {page_p95:.2f} ms / selector p95 {selector_p95:.2f} ms = "
            f"{page_ratio:.2f}x (goal <= {GOAL_PAGE_RATIO:.0f}x): "
            f"{verdict(page_ratio <= GOAL_PAGE_RATIO)}"
        )
        self.stdout.write(
            f"selector p95 {selector_p95:.2f} ms / raw SQL p95 {raw_p95:.2f} ms = "
            f"{selector_ratio:.2f}x (goal <= {GOAL_SELECTOR_RATIO}x): "
            f"{verdict(selector_ratio <= GOAL_SELECTOR_RATIO)}"
        )
