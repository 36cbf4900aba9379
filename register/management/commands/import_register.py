"""manage.py import_register FILE [FILE ...] [--dry-run]: today's register in one go.

Reads the files (one XLSX workbook with a sheet per kind, or one CSV per kind), checks all
of them and, unless --dry-run, writes them in one transaction (register.importer). Every
problem is printed (sheet, row, column, value, reason; PIN and PUK values never) and
nothing is written unless all of it passes; the summary says created, updated and
unchanged per kind. The history rows name no user (the system) and the files' names."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from costs.importer import ImportRejected
from register.importer import RegisterRejected, load_register
from register.reader import KIND_NAMES, ORDER


class Command(BaseCommand):
    help = "Import today's register (cost centres, subscriptions, devices, SIM cards)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="CSV files (one per kind) or an XLSX file")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")

    def handle(self, *args, files, dry_run, **options):
        with translation.override(settings.LANGUAGE_CODE):
            contents = []
            for name in files:
                path = Path(name)
                if not path.is_file():
                    raise CommandError(f"No such file: {name}")
                contents.append((path.name, path.read_bytes()))
            try:
                result = load_register(contents, actor=None, dry_run=dry_run)
            except RegisterRejected as rejected:
                for error in rejected.errors:
                    self.stderr.write(
                        _("%(sheet)s, row %(line)s, %(column)s: “%(value)s”: %(reason)s")
                        % {**error, "column": error["column"] or "-"}
                    )
                raise CommandError(f"{rejected.message} ({rejected.error_count})") from None
            except ImportRejected as rejected:
                raise CommandError(rejected.message) from None
            self.stdout.write(_("Dry run, nothing was written:") if dry_run else _("Imported:"))
            for kind in ORDER:
                if kind in result.counts:
                    counts = result.counts[kind]
                    self.stdout.write(
                        "  "
                        + _(
                            "%(kind)s: %(created)s created, %(updated)s updated, "
                            "%(unchanged)s unchanged"
                        )
                        % {"kind": KIND_NAMES[kind], **counts}
                    )
