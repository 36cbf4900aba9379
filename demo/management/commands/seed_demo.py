"""manage.py seed_demo: build the fictional municipality of demo/data.py.

The steps live in demo/seed/, one module for each app they fill (see its __init__), and
run here in order in one transaction. Idempotent: a second run writes no row and no
history. It refuses to run with DEBUG off, because it creates accounts whose password is
"demo".
"""

import time
from smtplib import SMTPException

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from compliance.services import sweep_organisation_rules
from demo.seed import (
    absence,
    accounts,
    costs,
    devices,
    organisation,
    review,
    service,
    subscriptions,
    voicemail,
)
from demo.seed.base import Tally
from demo.seed.plan import DemoPlan
from demo.seed.report import report
from organisation.guideline import guideline


class Command(BaseCommand):
    help = (
        "Build the fictional demo municipality (förvaltningar, units, about 600 people, "
        "cost centres, their phones) and one sign-in per role with the password “demo”. "
        "Safe to run again: only what differs from the demo data is changed. Refuses "
        "without DEBUG."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="Run even though DEBUG is off. The demo accounts' password is “demo”: "
            "never on a server that anyone else can reach.",
        )

    def handle(self, *args, allow_without_debug=False, **options):
        if not settings.DEBUG and not allow_without_debug:
            raise CommandError(
                "seed_demo creates accounts whose password is “demo” and refuses to run with "
                "DEBUG off, so that they never reach production. Run it on a development "
                "database with DJANGO_DEBUG=1 (or pass --allow-without-debug if you are sure)."
            )
        started = time.monotonic()
        plan = DemoPlan(large_unit_min_staff=guideline().large_unit_min_staff)
        tally, sweep = Tally(), None
        try:
            with transaction.atomic():
                users = accounts.seed_accounts(plan, tally)
                org = organisation.seed_organisation(plan, users, tally)
                subscriptions.seed_subscriptions(plan, org, tally)
                absence.seed_absence(org)
                review.seed_review(users)
                devices.seed_devices(users)
                costs.seed_costs(users)
                service.seed_service(users)
                voicemail.seed_voicemail(users)
                # The sweep e-mails newly opened flags once this transaction commits.
                sweep = sweep_organisation_rules()
        except (OSError, SMTPException) as exc:
            if sweep is None:
                raise
            self.stderr.write(
                self.style.WARNING(
                    f"The demo is saved, but e-mailing the new flags failed ({exc}); the "
                    "hourly notify_pending_flags job retries. Set EMAIL_BACKEND="
                    "django.core.mail.backends.console.EmailBackend to see them here."
                )
            )
        self.stdout.write(report(plan, users, tally, sweep, time.monotonic() - started))
