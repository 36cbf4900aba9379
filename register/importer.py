"""Today's register in one go (issue 17.4): cost centres, subscriptions, devices and SIM
cards from one set of files.

The whole file set is checked first (check_register): every problem is listed with its
sheet, row, column, value and Swedish reason, and nothing is written unless all of it
passes. The checks repeat the models' constraints and the services' rules (holder xor
function, extension given unless mobile, BAR-1 defaults, the number quarantine, IMEI and
ICCID check digits) so a file fails with a message rather than at the database. Every
lookup is one query per kind over all the file's keys; no query runs per row.

Then one transaction writes what differs, kind by kind (cost centres, subscriptions,
devices, SIM cards, so a row may name one created by another sheet of the same import):
new rows with bulk_create_with_history, changed rows with bulk_update_with_history (one
history row each, naming the actor and the reason), unchanged rows not at all. A second
run of the same files changes nothing and writes no history row.

PIN and PUK are stored in SimCard's columns as the SIM card pages store them (kept out of
its history), and never appear in a report or a log: a problem with one names the column
and shows "••••".
"""

import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from common.history import REASON_MAX_LENGTH
from common.users import Actor
from devices.choices import ItemKind
from devices.models import CatalogueItem, Device, SimCard
from devices.validators import validate_iccid, validate_imei
from organisation.guideline import guideline
from organisation.models import CostCentre, Person, Unit
from organisation.numbers import parse_number
from subscriptions.choices import FUNCTION_KINDS, Barring, Kind, Status, Unanswered, VoiceMessage
from subscriptions.models import EXTENSION, Subscription
from subscriptions.services import barring_defaults

from .reader import COST_CENTRES, DEVICES, ORDER, SIM_CARDS, SUBSCRIPTIONS, Row, Sheet

log = logging.getLogger(__name__)

MAX_REPORTED_ERRORS = 200
CHUNK = 5000  # keys per IN (...) lookup
BATCH = 2000  # rows per INSERT or UPDATE
SECRET_COLUMNS = frozenset({"PIN", "PUK"})
MASK = "••••"
PIN_PATTERN = re.compile(r"^[0-9]{4,8}$")
PUK_PATTERN = re.compile(r"^[0-9]{8,16}$")
EXTENSION_PATTERN = re.compile(EXTENSION)

# The barring columns of the subscriptions sheet -> Subscription's flags (BAR-1).
BARRING_COLUMNS = {
    "Öppet inrikes": f"open_{Barring.DOMESTIC}",
    "Öppet mobil": f"open_{Barring.MOBILE}",
    "Öppet utland": f"open_{Barring.INTERNATIONAL}",
    "Öppet betalsamtal": f"open_{Barring.PREMIUM}",
    "Öppet nummerupplysning": f"open_{Barring.DIRECTORY_ENQUIRY}",
}
YES = frozenset({"ja", "j", "x", "1", "true", "yes"})
NO = frozenset({"nej", "n", "0", "false", "no"})
KIND_WORDS = {
    "fast": Kind.FIXED,
    "fast telefon": Kind.FIXED,
    "mex": Kind.MEX,
    "mex-telefon": Kind.MEX,
    "mobil": Kind.MOBILE,
    "mobiltelefon": Kind.MOBILE,
    "funktion": Kind.FUNCTION,
    "funktionstelefon": Kind.FUNCTION,
    "grupp": Kind.GROUP,
    "grupptelefon": Kind.GROUP,
}
UNANSWERED_WORDS = {
    "kundtjänst": Unanswered.KUNDTJANST,
    "kundtjanst": Unanswered.KUNDTJANST,
    "röstbrevlåda": Unanswered.VOICEMAIL,
    "rostbrevlada": Unanswered.VOICEMAIL,
    "voicemail": Unanswered.VOICEMAIL,
}


class RegisterRejected(Exception):
    """The files are refused; `errors` are dicts sheet/line/column/value/reason (at most
    MAX_REPORTED_ERRORS of them), `error_count` how many problems there are in all."""

    def __init__(self, message, errors=(), error_count=0):
        super().__init__(message)
        self.message = message
        self.errors = list(errors)
        self.error_count = error_count or len(self.errors)


@dataclass
class Problems:
    items: list[dict[str, Any]] = field(default_factory=list)
    count: int = 0

    def add(self, sheet: Sheet, row: Row, column: str, reason: str) -> None:
        self.count += 1
        if len(self.items) < MAX_REPORTED_ERRORS:
            value = row.values.get(column, row.extra if not column else "")
            if column in SECRET_COLUMNS and value:
                value = MASK
            self.items.append(
                {
                    "sheet": sheet.name,
                    "line": row.line,
                    "column": column,
                    "value": value,
                    "reason": str(reason),
                }
            )


@dataclass
class Planned:
    """One row's wanted state: `values` are model attnames with ids, and `refs` the
    references to rows this import may itself create, by their keys in the file
    (cost centre code, subscription number, device IMEI); `existing` the stored object."""

    values: dict[str, Any]
    refs: dict[str, str | None] = field(default_factory=dict)
    existing: Any = None


@dataclass
class RegisterResult:
    """What the import did (or, with dry_run, would do): per kind created/updated/unchanged."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    dry_run: bool = False


def _chunks(values: Iterable[Any]) -> Iterable[list[Any]]:
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _by(queryset_for: Callable[[list[Any]], Iterable[Any]], keys: Iterable[Any]) -> list[Any]:
    """Everything queryset_for(chunk) yields, over `keys` in chunks (one query per chunk)."""
    found: list[Any] = []
    for chunk in _chunks({key for key in keys if key}):
        found.extend(queryset_for(chunk))
    return found


def _message(error: ValidationError) -> str:
    return " ".join(error.messages)


class _Lookups:
    """The stored rows the files name, each kind read in one query per chunk of keys."""

    def __init__(self, sheets: dict[str, Sheet]):
        def column(kind, *names):
            sheet = sheets.get(kind)
            return [row.values[name] for row in sheet.rows for name in names] if sheet else []

        unit_codes = column(COST_CENTRES, "Enhetskod") + column(SUBSCRIPTIONS, "Enhetskod")
        unit_codes += column(DEVICES, "Enhetskod")
        self.units = {
            unit.code: unit
            for unit in _by(lambda chunk: Unit.objects.filter(code__in=chunk), unit_codes)
        }
        people_keys = column(COST_CENTRES, "Budgetansvarig") + column(SUBSCRIPTIONS, "Innehavare")
        people_keys += column(DEVICES, "Innehavare")
        self.by_employee_number = {
            person.external_id: person
            for person in _by(
                lambda chunk: Person.objects.filter(external_id__in=chunk).only(
                    "pk", "external_id", "email", "is_active"
                ),
                people_keys,
            )
        }
        emails = [key.casefold() for key in people_keys if "@" in key]
        self.by_email: dict[str, list[Person]] = defaultdict(list)
        for person in _by(
            lambda chunk: (
                Person.objects.annotate(email_key=Lower("email"))
                .filter(email_key__in=chunk)
                .only("pk", "external_id", "email", "is_active")
            ),
            emails,
        ):
            self.by_email[person.email.casefold()].append(person)
        cc_codes = column(COST_CENTRES, "Kod") + column(SUBSCRIPTIONS, "Kostnadsställe")
        cc_codes += column(DEVICES, "Kostnadsställe")
        self.cost_centres = {
            centre.code: centre
            for centre in _by(lambda chunk: CostCentre.objects.filter(code__in=chunk), cc_codes)
        }
        self.numbers: dict[
            str, str | None
        ] = {}  # written number -> E.164, or None when it is not a number
        for text in column(SUBSCRIPTIONS, "Nummer") + column(DEVICES, "Abonnemang"):
            self.numbers.setdefault(text, None)
        for text in column(SIM_CARDS, "Abonnemang"):
            self.numbers.setdefault(text, None)
        for text in self.numbers:
            try:
                self.numbers[text] = parse_number(text) if text else None
            except ValidationError:
                self.numbers[text] = None
        e164 = [number for number in self.numbers.values() if number]
        live = Subscription.objects.exclude(status=Status.CANCELLED)
        self.subscriptions = {
            sub.number: sub for sub in _by(lambda chunk: live.filter(number__in=chunk), e164)
        }
        extensions = column(SUBSCRIPTIONS, "Anknytning")
        self.extensions = {
            sub.extension: sub.number
            for sub in _by(
                lambda chunk: live.filter(extension__in=chunk).only("extension", "number"),
                extensions,
            )
        }
        days = guideline().number_quarantine_days
        since = timezone.localdate() - timedelta(days=days)
        self.quarantined = {
            number: cancelled_on + timedelta(days=days)
            for number, cancelled_on in _by(
                lambda chunk: Subscription.objects.filter(
                    number__in=chunk, status=Status.CANCELLED, cancelled_on__gt=since
                ).values_list("number", "cancelled_on"),
                e164,
            )
        }
        self.models = {
            item.name.casefold(): item
            for item in CatalogueItem.objects.filter(kind=ItemKind.PHONE).only("pk", "name")
        }
        imeis = column(DEVICES, "IMEI") + column(SIM_CARDS, "Utrustning")
        self.devices_by_imei = {
            device.imei: device
            for device in _by(lambda chunk: Device.objects.filter(imei__in=chunk), imeis)
        }
        serials = [row.values["Serienummer"] for row in self._rows(sheets, DEVICES)]
        self.devices_by_serial = {
            device.serial_number: device
            for device in _by(
                lambda chunk: Device.objects.filter(imei=None, serial_number__in=chunk), serials
            )
        }
        self.sim_cards = {
            sim.iccid: sim
            for sim in _by(
                lambda chunk: SimCard.objects.filter(iccid__in=chunk), column(SIM_CARDS, "ICCID")
            )
        }
        # The codes and numbers of stored rows an existing row points at, for comparing.
        self.cost_centre_codes = {centre.pk: code for code, centre in self.cost_centres.items()}
        sub_ids = {
            device.subscription_id
            for device in [*self.devices_by_imei.values(), *self.devices_by_serial.values()]
        } | {sim.subscription_id for sim in self.sim_cards.values()}
        self.numbers_by_id = dict(
            Subscription.objects.filter(pk__in=[pk for pk in sub_ids if pk]).values_list(
                "pk", "number"
            )
        )
        device_ids = [sim.device_id for sim in self.sim_cards.values() if sim.device_id]
        self.imeis_by_id = dict(Device.objects.filter(pk__in=device_ids).values_list("pk", "imei"))
        centre_ids = {sub.cost_centre_id for sub in self.subscriptions.values()} | {
            device.cost_centre_id
            for device in [*self.devices_by_imei.values(), *self.devices_by_serial.values()]
        }
        self.cost_centre_codes |= dict(
            CostCentre.objects.filter(pk__in=centre_ids).values_list("pk", "code")
        )

    @staticmethod
    def _rows(sheets, kind):
        sheet = sheets.get(kind)
        return sheet.rows if sheet else []

    def person(self, text: str) -> tuple[Person | None, str | None]:
        """A holder written as an employee number or an e-mail address -> (person, None),
        (None, reason) when it is meant as one and none or several match, or (None, None)
        when the text names no person (a function's name)."""
        if text in self.by_employee_number:
            found = [self.by_employee_number[text]]
        elif "@" in text:
            found = self.by_email.get(text.casefold(), [])
            if not found:
                return None, _("No person has this e-mail address.")
        else:
            return None, None
        if len(found) > 1:
            return None, _("More than one person has this e-mail address: use the employee number.")
        if not found[0].is_active:
            return None, _("The person has left and cannot hold a phone.")
        return found[0], None


class _Keep:
    """A value the row leaves as it is stored (an empty optional column)."""


_KEEP = _Keep()


def _flag(text: str, column: str, sheet: Sheet, row: Row, problems: Problems) -> Any:
    """ja/nej -> True/False; empty -> _KEEP (the default, or the stored value); anything
    else -> None, with a problem."""
    word = text.casefold()
    if not word:
        return _KEEP
    if word in YES:
        return True
    if word in NO:
        return False
    problems.add(sheet, row, column, _("Write ja or nej (or leave it empty)."))
    return None


class _Checker:
    """Checks every row of every sheet and plans what each row wants; `problems` lists
    everything wrong. The plans are compared with the stored rows by write()."""

    def __init__(self, sheets: dict[str, Sheet]):
        self.sheets = sheets
        self.problems = Problems()
        self.look = _Lookups(sheets)
        self.plans: dict[str, list[Planned]] = {kind: [] for kind in ORDER if kind in sheets}
        # Keys of the rows this import brings (for the other sheets' references).
        self.file_centres: set[str] = set()
        self.file_subscriptions: dict[str, Planned] = {}
        self.file_devices: set[str] = set()
        # BAR-1 (guideline(): one query per import, not per row).
        self.new_defaults = {**barring_defaults(), "power_secured": False}

    def run(self) -> None:
        for kind, check in (
            (COST_CENTRES, self._cost_centre),
            (SUBSCRIPTIONS, self._subscription),
            (DEVICES, self._device),
            (SIM_CARDS, self._sim_card),
        ):
            sheet = self.sheets.get(kind)
            if sheet is None:
                continue
            first: dict[str, int] = {}
            for row in sheet.rows:
                if row.extra:
                    self.problems.add(
                        sheet, row, "", _("The row has more cells than the first line names.")
                    )
                    continue
                planned = check(sheet, row, first)
                if planned is not None:
                    self.plans[kind].append(planned)

    def _once(self, sheet, row, column, key, first) -> bool:
        """False (and a problem) when `key` came on an earlier row of the sheet."""
        seen = first.setdefault(f"{column}\x00{key}", row.line)
        if seen != row.line:
            self.problems.add(
                sheet,
                row,
                column,
                _("The value appears more than once in the sheet (also on row %(line)s).")
                % {"line": seen},
            )
            return False
        return True

    def _unit(self, sheet, row, column="Enhetskod") -> Unit | None:
        code = row.values[column]
        if not code:
            self.problems.add(sheet, row, column, _("Give the unit's organisation code."))
            return None
        unit = self.look.units.get(code)
        if unit is None:
            self.problems.add(sheet, row, column, _("No unit has this organisation code."))
        return unit

    def _centre_code(self, sheet, row, column="Kostnadsställe") -> str | None:
        code = row.values[column]
        if not code:
            self.problems.add(sheet, row, column, _("Give the cost centre's code."))
            return None
        if code not in self.file_centres and code not in self.look.cost_centres:
            self.problems.add(
                sheet,
                row,
                column,
                _("No cost centre has this code (in the files or the register)."),
            )
            return None
        return code

    def _number(self, sheet, row, column) -> str | None:
        text = row.values[column]
        number = self.look.numbers.get(text)
        if number is None:
            self.problems.add(sheet, row, column, _("Not a valid phone number."))
        return number

    # --- The kinds ------------------------------------------------------------------

    def _cost_centre(self, sheet, row, first) -> Planned | None:
        values = row.values
        code, name = values["Kod"], values["Namn"]
        ok = True
        if not code:
            self.problems.add(sheet, row, "Kod", _("Give the cost centre's code."))
            ok = False
        elif not self._once(sheet, row, "Kod", code, first):
            ok = False
        if not name:
            self.problems.add(sheet, row, "Namn", _("Give the cost centre's name."))
            ok = False
        unit = self._unit(sheet, row)
        manager, reason = self.look.person(values["Budgetansvarig"])
        if manager is None:
            self.problems.add(
                sheet,
                row,
                "Budgetansvarig",
                reason or _("No person has this employee number or e-mail address."),
            )
        if not (ok and unit and manager):
            return None
        self.file_centres.add(code)
        return Planned(
            values={
                "code": code,
                "name": name,
                "unit_id": unit.pk,
                "budget_manager_id": manager.pk,
                "is_active": True,
            },
            existing=self.look.cost_centres.get(code),
        )

    def _subscription(self, sheet, row, first) -> Planned | None:
        values = row.values
        ok = True
        number = self._number(sheet, row, "Nummer")
        if number and not self._once(sheet, row, "Nummer", number, first):
            number = None
        kind = KIND_WORDS.get(values["Typ"].casefold())
        if kind is None:
            self.problems.add(
                sheet, row, "Typ", _("Write the kind as fast, mex, mobil, funktion or grupp.")
            )
        extension = values["Anknytning"] or None
        if extension is not None:
            if not EXTENSION_PATTERN.match(extension):
                self.problems.add(sheet, row, "Anknytning", _("An extension is 2 to 8 digits."))
                ok = False
            elif not self._once(sheet, row, "Anknytning", extension, first):
                ok = False
            elif self.look.extensions.get(extension, number) != number:
                self.problems.add(
                    sheet,
                    row,
                    "Anknytning",
                    _("The extension is in use by the active subscription %(number)s.")
                    % {"number": self.look.extensions[extension]},
                )
                ok = False
        elif kind is not None and kind != Kind.MOBILE:
            self.problems.add(
                sheet, row, "Anknytning", _("Every phone but a mobile needs an extension.")
            )
            ok = False
        holder_text = values["Innehavare"]
        holder, reason = self.look.person(holder_text)
        function_name = ""
        if kind in FUNCTION_KINDS:
            if holder is not None or reason:
                self.problems.add(
                    sheet,
                    row,
                    "Innehavare",
                    _("A function or group phone has no holder: write the function's name."),
                )
                ok = False
            elif not holder_text:
                self.problems.add(sheet, row, "Innehavare", _("Write the function's name."))
                ok = False
            function_name = holder_text
        elif kind is not None and holder is None:
            self.problems.add(
                sheet,
                row,
                "Innehavare",
                reason or _("No person has this employee number or e-mail address."),
            )
            ok = False
        unit = self._unit(sheet, row)
        centre = self._centre_code(sheet, row)
        flags = {
            name: _flag(values[column], column, sheet, row, self.problems)
            for column, name in BARRING_COLUMNS.items()
        }
        flags["power_secured"] = _flag(
            values["Reservkraft"], "Reservkraft", sheet, row, self.problems
        )
        unanswered = None
        if values["Obesvarade samtal"]:
            unanswered = UNANSWERED_WORDS.get(values["Obesvarade samtal"].casefold())
            if unanswered is None:
                self.problems.add(
                    sheet,
                    row,
                    "Obesvarade samtal",
                    _("Write where unanswered calls go: kundtjänst or röstbrevlåda."),
                )
                ok = False
        existing = self.look.subscriptions.get(number) if number else None
        if number and existing is None and number in self.look.quarantined:
            self.problems.add(
                sheet,
                row,
                "Nummer",
                _("The number was cancelled recently and is quarantined until %(free)s.")
                % {"free": self.look.quarantined[number].isoformat()},
            )
            ok = False
        if not (ok and number and kind and unit and centre) or None in flags.values():
            return None
        wanted: dict[str, Any] = {
            "number": number,
            "kind": kind,
            "extension": extension,
            "holder_id": holder.pk if holder else None,
            "function_name": function_name,
            "unit_id": unit.pk,
        }
        # Empty: BAR-1's default for a new subscription, the stored value for one in the
        # register (so a file without these columns filled never resets them).
        defaults = self.new_defaults if existing is None else {}
        for name, value in flags.items():
            wanted[name] = defaults.get(name, _KEEP) if value is _KEEP else value
        wanted["unanswered_to"] = unanswered or (Unanswered.KUNDTJANST if not existing else _KEEP)
        if kind == Kind.GROUP and not (existing and existing.voice_message_to):
            wanted["voice_message_to"] = VoiceMessage.KUNDTJANST  # ABS-4
        planned = Planned(
            values={key: value for key, value in wanted.items() if value is not _KEEP},
            refs={"cost_centre": centre},
            existing=existing,
        )
        self.file_subscriptions[number] = planned
        return planned

    def _subscription_ref(self, sheet, row, column, *, required) -> tuple[bool, str | None]:
        """(ok, E.164) of a subscription named by number, in the files or the register."""
        if not row.values[column]:
            if required:
                self.problems.add(sheet, row, column, _("Give the subscription's number."))
            return not required, None
        number = self._number(sheet, row, column)
        if number is None:
            return False, None
        if number not in self.file_subscriptions and number not in self.look.subscriptions:
            self.problems.add(
                sheet,
                row,
                column,
                _("No active subscription has this number (in the files or the register)."),
            )
            return False, None
        return True, number

    def _device(self, sheet, row, first) -> Planned | None:
        values = row.values
        ok = True
        model = self.look.models.get(values["Modell"].casefold())
        if model is None:
            self.problems.add(sheet, row, "Modell", _("No phone in the catalogue has this name."))
            ok = False
        imei = values["IMEI"] or None
        serial = values["Serienummer"]
        if imei:
            try:
                validate_imei(imei)
            except ValidationError as error:
                self.problems.add(sheet, row, "IMEI", _message(error))
                ok = False
            else:
                ok = self._once(sheet, row, "IMEI", imei, first) and ok
        elif not serial:
            self.problems.add(sheet, row, "IMEI", _("Give the IMEI or the serial number."))
            ok = False
        else:
            ok = self._once(sheet, row, "Serienummer", serial, first) and ok
        holder, reason = self.look.person(values["Innehavare"])
        if reason:
            self.problems.add(sheet, row, "Innehavare", reason)
            ok = False
        sub_ok, number = self._subscription_ref(sheet, row, "Abonnemang", required=False)
        unit_id, centre = None, None
        if values["Enhetskod"] or values["Kostnadsställe"] or not values["Abonnemang"]:
            unit = self._unit(sheet, row)
            centre = self._centre_code(sheet, row)
            unit_id = unit.pk if unit else None
        elif number is None:  # the subscription's problem is listed: no unit to take
            pass
        elif number in self.file_subscriptions:
            unit_id = self.file_subscriptions[number].values["unit_id"]
            centre = self.file_subscriptions[number].refs["cost_centre"]
        else:
            stored = self.look.subscriptions[number]
            unit_id = stored.unit_id
            centre = self.look.cost_centre_codes.get(stored.cost_centre_id)
        if not (ok and sub_ok and model and unit_id and centre):
            return None
        existing = (
            self.look.devices_by_imei.get(imei) if imei else self.look.devices_by_serial.get(serial)
        )
        if imei:
            self.file_devices.add(imei)
        return Planned(
            values={
                "model_id": model.pk,
                "imei": imei,
                "serial_number": serial,
                "theft_mark": values["Stöldmärkning"],
                "holder_id": holder.pk if holder else None,
                "function_name": "" if holder else values["Innehavare"],
                "unit_id": unit_id,
            },
            refs={"cost_centre": centre, "subscription": number},
            existing=existing,
        )

    def _sim_card(self, sheet, row, first) -> Planned | None:
        values = row.values
        ok = True
        iccid = values["ICCID"]
        try:
            validate_iccid(iccid)
        except ValidationError as error:
            self.problems.add(sheet, row, "ICCID", _message(error))
            ok = False
        else:
            ok = self._once(sheet, row, "ICCID", iccid, first) and ok
        sub_ok, number = self._subscription_ref(sheet, row, "Abonnemang", required=True)
        imei = values["Utrustning"] or None
        if imei and imei not in self.file_devices and imei not in self.look.devices_by_imei:
            self.problems.add(
                sheet,
                row,
                "Utrustning",
                _("No device has this IMEI (in the files or the register)."),
            )
            ok = False
        if not PIN_PATTERN.match(values["PIN"]):
            self.problems.add(sheet, row, "PIN", _("A PIN is 4 to 8 digits."))
            ok = False
        if not PUK_PATTERN.match(values["PUK"]):
            self.problems.add(sheet, row, "PUK", _("A PUK is 8 to 16 digits."))
            ok = False
        if not (ok and sub_ok):
            return None
        return Planned(
            values={"iccid": iccid, "pin": values["PIN"], "puk": values["PUK"]},
            refs={"subscription": number, "device": imei},
            existing=self.look.sim_cards.get(iccid),
        )


def check_register(sheets: dict[str, Sheet]) -> _Checker:
    """Check every row; raises RegisterRejected listing every problem, else returns the
    checker with its plans."""
    checker = _Checker(sheets)
    checker.run()
    if checker.problems.count:
        raise RegisterRejected(
            _("Nothing was imported: correct the rows listed and import the files again."),
            errors=checker.problems.items,
            error_count=checker.problems.count,
        )
    return checker


# --- Writing ----------------------------------------------------------------------------


def _changed(obj: Any, values: dict[str, Any]) -> list[str]:
    return [name for name, value in values.items() if getattr(obj, name) != value]


def _ref_changes(planned: Planned, current: dict[str, Any]) -> list[str]:
    """The reference fields whose file key differs from the stored row's."""
    return [name for name, key in planned.refs.items() if current.get(name) != key]


def _stored_refs(kind: str, obj: Any, look: _Lookups) -> dict[str, Any]:
    if kind == SUBSCRIPTIONS:
        return {"cost_centre": look.cost_centre_codes.get(obj.cost_centre_id)}
    if kind == DEVICES:
        return {
            "cost_centre": look.cost_centre_codes.get(obj.cost_centre_id),
            "subscription": look.numbers_by_id.get(obj.subscription_id),
        }
    if kind == SIM_CARDS:
        return {
            "subscription": look.numbers_by_id.get(obj.subscription_id),
            "device": look.imeis_by_id.get(obj.device_id),
        }
    return {}


MODELS = {
    COST_CENTRES: CostCentre,
    SUBSCRIPTIONS: Subscription,
    DEVICES: Device,
    SIM_CARDS: SimCard,
}


def _count(checker: _Checker) -> dict[str, dict[str, int]]:
    counts = {}
    for kind, plans in checker.plans.items():
        created = updated = 0
        for planned in plans:
            if planned.existing is None:
                created += 1
            elif _changed(planned.existing, planned.values) or _ref_changes(
                planned, _stored_refs(kind, planned.existing, checker.look)
            ):
                updated += 1
        counts[kind] = {
            "created": created,
            "updated": updated,
            "unchanged": len(plans) - created - updated,
        }
    return counts


def _resolve(kind: str, planned: Planned, ids: dict[str, dict[str, int]]) -> dict[str, Any]:
    """The plan's references as ids (after the kinds before it are written)."""
    resolved: dict[str, Any] = {}
    for name, key in planned.refs.items():
        table = {"cost_centre": "centres", "subscription": "subscriptions", "device": "devices"}
        resolved[f"{name}_id"] = ids[table[name]][key] if key else None
    return resolved


def _ids(checker: _Checker) -> dict[str, dict[str, int]]:
    """The ids of every cost centre, subscription and device the plans refer to."""
    centres, numbers, imeis = set(), set(), set()
    for plans in checker.plans.values():
        for planned in plans:
            centres.add(planned.refs.get("cost_centre"))
            numbers.add(planned.refs.get("subscription"))
            imeis.add(planned.refs.get("device"))
    live = Subscription.objects.exclude(status=Status.CANCELLED)
    return {
        "centres": dict(
            _by(
                lambda chunk: CostCentre.objects.filter(code__in=chunk).values_list("code", "pk"),
                centres,
            )
        ),
        "subscriptions": dict(
            _by(lambda chunk: live.filter(number__in=chunk).values_list("number", "pk"), numbers)
        ),
        "devices": dict(
            _by(
                lambda chunk: Device.objects.filter(imei__in=chunk).values_list("imei", "pk"), imeis
            )
        ),
    }


def _write_kind(
    kind: str, checker: _Checker, ids: dict[str, dict[str, int]], *, actor: Actor, reason: str
) -> None:
    model = MODELS[kind]
    new, changed, fields = [], [], set()
    for planned in checker.plans[kind]:
        values = {**planned.values, **_resolve(kind, planned, ids)}
        if planned.existing is None:
            if kind == SUBSCRIPTIONS:
                values["status"] = Status.ACTIVE
            new.append(model(**values))
            continue
        differs = _changed(planned.existing, values)
        if differs:
            for name in differs:
                setattr(planned.existing, name, values[name])
            changed.append(planned.existing)
            fields.update(differs)
    if new:
        bulk_create_with_history(
            new, model, batch_size=BATCH, default_user=actor, default_change_reason=reason
        )
    if changed:
        bulk_update_with_history(
            changed,
            model,
            sorted(name.removesuffix("_id") for name in fields),
            batch_size=BATCH,
            default_user=actor,
            default_change_reason=reason,
        )


def load_register(
    files: list[tuple[str, bytes]],
    *,
    actor: Actor,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> RegisterResult:
    """Read, check and (unless dry_run) write the register files in one transaction.
    Raises ImportRejected (common.uploads: a file that cannot be read) or RegisterRejected
    (the rows' problems); either way nothing is written."""
    from .reader import read_files  # noqa: PLC0415 -- beside the checks, for the module's docstring

    note = progress or (lambda percent: None)
    sheets = read_files(files)
    note(20)
    with transaction.atomic():
        checker = check_register(sheets)
        note(50)
        result = RegisterResult(counts=_count(checker), dry_run=dry_run)
        if dry_run:
            return result
        names = ", ".join(name for name, _content in files)
        reason = (_("Register import: %(files)s") % {"files": names})[:REASON_MAX_LENGTH]
        ids: dict[str, dict[str, int]] = {}
        for step, kind in enumerate(ORDER):
            if kind not in checker.plans:
                continue
            ids = _ids(checker)
            _write_kind(kind, checker, ids, actor=actor, reason=reason)
            note(50 + 12 * (step + 1))
    log.info("Register import: %s", result.counts)
    return result
