import re
import unicodedata
from datetime import time
from decimal import Decimal
from typing import Any, ClassVar, Protocol, TypeVar, cast

from django.apps import apps
from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.collation import SWEDISH
from common.fields import optional_fk

from .choices import ChangeSetStatus, PersonKind
from .indexes import TrigramIndex

_SPACES = re.compile(r"\s+")


def normalise_name(name):
    """Collapse runs of whitespace and strip: 'Vård  och omsorg ' -> 'Vård och omsorg'."""
    return _SPACES.sub(" ", name or "").strip()


def name_key(name):
    """Comparison key for unit names: whitespace-normalised and case-folded (Ö == ö)."""
    return normalise_name(name).casefold()


def search_fold(text):
    """Telesök's matching key (DIR-2): whitespace-normalised, case-folded and without
    accents, so that "ostlund", "ÖSTLUND" and "Östlund" all give "ostlund"."""
    decomposed = unicodedata.normalize("NFKD", normalise_name(text).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Between the parts of a row's search_text. A search word never holds a space, so no
# word can match across two parts.
SEARCH_TEXT_SEPARATOR = " | "


def search_text(*parts):
    """What telesök matches each word against: a row's own keys and its unit's, one text
    (one trigram index; PostgreSQL intersects the words inside it)."""
    return SEARCH_TEXT_SEPARATOR.join(parts)


def unit_search_key(row):
    """The search_key of row.unit: from the cached unit, else one query."""
    if row.unit_id is None:
        return ""
    cached = row._state.fields_cache.get("unit")
    if cached is not None and cached.pk == row.unit_id:
        return search_fold(cached.name)
    return Unit.objects.filter(pk=row.unit_id).values_list("search_key", flat=True).first() or ""


def unit_search_keys(rows):
    """{unit id: search_key} of the rows' units, for fill_search_keys in bulk (one query)."""
    ids = {row.unit_id for row in rows if row.unit_id is not None}
    return dict(Unit.objects.filter(pk__in=ids).values_list("pk", "search_key"))


def spread_unit_search_keys(unit_pks):
    """After units were renamed: every model that copies a unit's search_key into its own
    rows (a classmethod spread_unit_search_keys(unit_pks)) updates them."""
    for model in apps.get_models():
        spread = getattr(model, "spread_unit_search_keys", None)
        if spread is not None:
            spread(unit_pks)


def still_on_unit(unit):
    """ORG-1: what keeps `unit` from closing, from every installed model with a classmethod
    still_on_unit(unit) -> (label, count, url): [(model, label, count, url), ...] of the
    models that still have rows on it (people, phones, devices, sub-units, cost centres)."""
    found = []
    for model in apps.get_models():
        check = getattr(model, "still_on_unit", None)
        if check is not None:
            label, count, url = check(unit)
            if count:
                found.append((model, label, count, url))
    return found


def unit_key_subquery():
    """The search_key of the row's unit, as an expression for update()."""
    return models.Subquery(Unit.objects.filter(pk=models.OuterRef("unit_id")).values("search_key"))


class SearchKeyed(Protocol):
    """What a model whose manager is a SearchKeyQuerySet has (Unit, Person, Subscription)."""

    SEARCH_SOURCES: ClassVar[frozenset[str]]
    SEARCH_FIELDS: ClassVar[tuple[str, ...]]

    def fill_search_keys(self, units: dict[int, str] | None = None) -> None: ...


_M = TypeVar("_M", bound=models.Model)


class SearchKeyQuerySet(models.QuerySet[_M]):
    """Keeps a model's derived search keys right where save() is skipped: bulk_create,
    bulk_update and update(). The model names its SEARCH_SOURCES (fields the keys are
    computed from), its SEARCH_FIELDS (the keys) and fill_search_keys(units=None) (sets
    them; `units` is {unit id: search_key} from unit_search_keys, for the bulk paths)."""

    @property
    def _keyed(self) -> type[SearchKeyed]:
        return cast(type[SearchKeyed], self.model)

    def _fill(self, objs):
        units = unit_search_keys(objs) if hasattr(self.model, "unit_id") else None
        for obj in objs:
            obj.fill_search_keys(units)

    def _spread(self, objs):
        if self.model is Unit:
            spread_unit_search_keys([obj.pk for obj in objs])

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        self._fill(objs)
        return super().bulk_create(objs, *args, **kwargs)

    bulk_create.alters_data = True  # type: ignore[attr-defined]  # Django's flag on a method

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs, fields = list(objs), list(fields)
        if not self._keyed.SEARCH_SOURCES.intersection(fields):
            return super().bulk_update(objs, fields, *args, **kwargs)
        self._fill(objs)
        fields += [name for name in self._keyed.SEARCH_FIELDS if name not in fields]
        with transaction.atomic(using=self.db, savepoint=False):
            rows = super().bulk_update(objs, fields, *args, **kwargs)
            self._spread(objs)
        return rows

    bulk_update.alters_data = True  # type: ignore[attr-defined]  # Django's flag on a method

    def update(self, **kwargs):
        if not self._keyed.SEARCH_SOURCES.intersection(kwargs):
            return super().update(**kwargs)
        with transaction.atomic(using=self.db, savepoint=False):
            pks = list(self.values_list("pk", flat=True))
            rows = super().update(**kwargs)
            plain = self.model._base_manager.using(self.db)
            objs = list(plain.filter(pk__in=pks))
            self._fill(objs)
            plain.bulk_update(objs, list(self._keyed.SEARCH_FIELDS), batch_size=1000)
            self._spread(objs)
        return rows

    update.alters_data = True  # type: ignore[attr-defined]  # Django's flag on a method


def search_update_fields(model, update_fields):
    """save(update_fields=...) that names a search source also writes the search keys."""
    if update_fields is None or not model.SEARCH_SOURCES.intersection(update_fields):
        return update_fields
    return [*update_fields, *(f for f in model.SEARCH_FIELDS if f not in update_fields)]


class Unit(models.Model):
    """A förvaltning (no parent) or an organisationsenhet below one, at any depth (ORG-1)."""

    name = models.CharField(_("name"), max_length=200, db_collation=SWEDISH)
    # Derived from name in save(): the database compares names through it, because
    # SQLite's lower() folds ASCII only and "Östra" must clash with "östra".
    name_key = models.CharField(max_length=200, editable=False)
    # Derived from name in save(): telesök matches units without case or accents (DIR-2).
    search_key = models.TextField(editable=False, default="")
    parent = optional_fk("self", _("parent unit"), related_name="children")
    # Derived in save(): the root förvaltning and the materialised path "/1/5/9/", so that
    # "this unit and everything below" is one indexed prefix match. A move rewrites the
    # subtree's paths in one statement (organisation.services.unit_move).
    forvaltning = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    code = models.CharField(
        _("organisation code"),
        max_length=32,
        unique=True,
        null=True,
        blank=True,
        help_text=_("The unit's code in the HR system; LDAP sign-in places people by it."),
    )
    manager = models.ForeignKey(
        "organisation.Person",
        verbose_name=_("manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_units",
        help_text=_("Enhetschef; for a förvaltning, the förvaltningschef."),
    )
    telesamordnare = models.ManyToManyField(
        "organisation.Person",
        verbose_name=_("telephony coordinators"),
        blank=True,
        related_name="coordinated_units",
    )
    reserve_plan = models.TextField(
        _("reserve plan for power outages"),
        blank=True,
        help_text=_("How the unit communicates when power or the phone system is down."),
    )
    reserve_plan_updated_on = models.DateField(_("reserve plan updated"), null=True, blank=True)
    staff_trained_on = models.DateField(
        _("staff trained on their phones"),
        null=True,
        blank=True,
        help_text=_("Date of the latest training of the staff in their phones and services."),
    )
    # ABS-1: "åter i morgon 08:00" is the next working day's start; a unit without hours
    # uses the nearest unit above with them, else the guideline's working day.
    workday_starts = models.TimeField(_("working day starts"), null=True, blank=True)
    workday_ends = models.TimeField(_("working day ends"), null=True, blank=True)
    # SRV-1: special phone hours (telefontid), shown in telesök on the unit and its phones.
    phone_hours = models.CharField(
        _("phone hours"),
        max_length=200,
        blank=True,
        help_text=_("Telefontid, when it differs from the working day, e.g. “Mon–Fri 8–10”."),
    )
    # ORG-1: a unit the HR system no longer has is closed, not deleted (its history and
    # old phones keep pointing at it); a closed unit holds no active people or phones.
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    history = HistoricalRecords(
        excluded_fields=["name_key", "search_key", "path", "depth", "forvaltning"],
        m2m_fields=[telesamordnare],
    )

    SEARCH_SOURCES = frozenset({"name"})
    SEARCH_FIELDS = ("search_key",)
    objects = SearchKeyQuerySet.as_manager()
    # The search_key as read from the database (from_db), to tell a rename in save().
    _saved_search_key: str | None

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint("parent", "name_key", name="unit_name_unique_among_siblings"),
            models.UniqueConstraint(
                "name_key",
                condition=Q(parent__isnull=True),
                name="forvaltning_name_unique",
            ),
            models.CheckConstraint(
                condition=~Q(name="")
                & ~Q(name__startswith=" ")
                & ~Q(name__endswith=" ")
                & ~Q(name__contains="  "),
                name="unit_name_normalised",
            ),
            models.CheckConstraint(condition=~Q(name_key=""), name="unit_name_key_set"),
            models.CheckConstraint(
                condition=Q(workday_starts__isnull=True, workday_ends__isnull=True)
                | Q(workday_starts__lt=F("workday_ends")),
                name="unit_working_day_both_or_neither",
                violation_error_message=_(
                    "Give both the start and the end of the working day, the end after the start."
                ),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = normalise_name(self.name)
        self.name_key = name_key(self.name)
        self.fill_search_keys()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = search_update_fields(Unit, kwargs["update_fields"])
        if self.pk is None:
            super().save(*args, **kwargs)
            self._set_tree_fields()
            Unit.objects.filter(pk=self.pk).update(
                path=self.path, depth=self.depth, forvaltning=self.forvaltning_id
            )
            return
        self._set_tree_fields()
        renamed = self.search_key != getattr(self, "_saved_search_key", None)
        with transaction.atomic():
            super().save(*args, **kwargs)
            if renamed:
                spread_unit_search_keys([self.pk])
        self._saved_search_key = self.search_key

    def get_absolute_url(self):
        return reverse("organisation:unit_detail", args=[self.pk])

    def fill_search_keys(self, units=None):
        self.search_key = search_fold(self.name)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # To tell a rename in save(), which must reach the rows that copy the key.
        instance._saved_search_key = instance.__dict__.get("search_key")
        return instance

    @classmethod
    def still_on_unit(cls, unit):
        count = cls.objects.filter(parent=unit, closed_on__isnull=True).count()
        return (_("open sub-units"), count, unit.get_absolute_url() + "#children-heading")

    @property
    def is_closed(self):
        return self.closed_on is not None

    def _set_tree_fields(self):
        parent = self.parent  # None without a query when there is no parent
        if parent is None:
            self.path, self.depth, self.forvaltning_id = f"/{self.pk}/", 0, self.pk
        else:
            self.path = f"{parent.path}{self.pk}/"
            self.depth = parent.depth + 1
            self.forvaltning_id = parent.forvaltning_id

    @property
    def is_forvaltning(self):
        return self.parent_id is None

    def ancestor_ids(self):
        """Ids from the förvaltning down to this unit, read from the path (no query)."""
        return [int(part) for part in self.path.strip("/").split("/") if part]


class Person(models.Model):
    """An employee or elected official (ORG-4), placed in one unit."""

    external_id = models.CharField(
        _("employee number"),
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Identifier in the HR system or the directory (LDAP)."),
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=PersonKind.choices, default=PersonKind.EMPLOYEE
    )
    first_name = models.CharField(_("first name"), max_length=100, db_collation=SWEDISH)
    last_name = models.CharField(_("last name"), max_length=100, db_collation=SWEDISH)
    title = models.CharField(_("title"), max_length=200)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="people"
    )
    email = models.EmailField(_("e-mail"), blank=True)
    room = models.CharField(_("room"), max_length=100, blank=True)
    secondary_number = models.CharField(
        _("secondary number"),
        max_length=16,
        blank=True,
        help_text=_("Another number to reach the person on, in E.164."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )
    protected_identity = models.BooleanField(
        _("protected identity"),
        default=False,
        help_text=_("Skyddad identitet: never shown in telesök, exports or the API."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Derived in save() (and by SearchKeyQuerySet's bulk paths) for telesök (DIR-2):
    # search_fold of "last first" and of the title. Code that writes people with raw SQL
    # calls person_search_keys() itself.
    search_name = models.TextField(editable=False, default="")
    search_title = models.TextField(editable=False, default="")
    # search_text of the name, the title and the unit's search_key (kept when the unit is
    # renamed: spread_unit_search_keys).
    search_text = models.TextField(editable=False, default="")
    history = HistoricalRecords(excluded_fields=["search_name", "search_title", "search_text"])

    SEARCH_SOURCES = frozenset({"first_name", "last_name", "title", "unit"})
    SEARCH_FIELDS = ("search_name", "search_title", "search_text")
    objects = SearchKeyQuerySet.as_manager()
    # The unit as read from the database (from_db), to tell a move (organisation.signals).
    _saved_unit_id: int | None
    # Attached by telesök's unit page (directory.views): the current hänvisning, an
    # absence.models.Redirect or None (organisation does not import absence).
    redirect: Any

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["last_name", "first_name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(first_name="") & ~Q(last_name="") & ~Q(title=""),
                name="person_name_and_title_given",
            ),
        ]
        indexes = [
            TrigramIndex(fields=["search_name"], name="person_search_name_trgm"),
            TrigramIndex(fields=["search_text"], name="person_search_text_trgm"),
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        self.fill_search_keys()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = search_update_fields(Person, kwargs["update_fields"])
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        # The person page is telesök's (directory), which lists everything about them.
        return reverse("directory:person", args=[self.pk])

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # The unit as read from the database: a save that changes it is a move
        # (organisation.signals sends person_moved).
        instance._saved_unit_id = instance.__dict__.get("unit_id")
        return instance

    def fill_search_keys(self, units=None):
        self.search_name, self.search_title = person_search_keys(self)
        unit_key = units[self.unit_id] if units is not None else unit_search_key(self)
        self.search_text = search_text(self.search_name, self.search_title, unit_key)

    @classmethod
    def spread_unit_search_keys(cls, unit_pks):
        cls.objects.filter(unit__in=unit_pks).update(
            search_text=Concat(
                "search_name",
                models.Value(SEARCH_TEXT_SEPARATOR),
                "search_title",
                models.Value(SEARCH_TEXT_SEPARATOR),
                unit_key_subquery(),
                output_field=models.TextField(),
            )
        )

    @classmethod
    def still_on_unit(cls, unit):
        count = cls.objects.filter(unit=unit, is_active=True).count()
        return (_("active people"), count, unit.get_absolute_url() + "#people-heading")

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"


def person_search_keys(person):
    """(search_name, search_title) of a person as telesök stores them."""
    return search_fold(f"{person.last_name} {person.first_name}"), search_fold(person.title)


class CostCentre(models.Model):
    """A kostnadsställe: every subscription is tied to one (SUB-1, DIR-1)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200, db_collation=SWEDISH)
    unit = models.ForeignKey(
        "Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="cost_centres",
    )
    budget_manager = models.ForeignKey(
        "Person",
        verbose_name=_("budget-responsible manager"),
        on_delete=models.PROTECT,
        related_name="budget_cost_centres",
    )
    is_active = models.BooleanField(_("active"), default=True)
    # The table keeps its name from when the model lived in costs/ (decision 0004).
    history = HistoricalRecords(table_name="costs_historicalcostcentre")

    class Meta:
        verbose_name = _("cost centre")
        verbose_name_plural = _("cost centres")
        db_table = "costs_costcentre"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(code="") & ~Q(name=""), name="cost_centre_code_and_name_given"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("costs:cost_centre_detail", args=[self.pk])

    @classmethod
    def still_on_unit(cls, unit):
        count = cls.objects.filter(unit=unit, is_active=True).count()
        return (_("active cost centres"), count, unit.get_absolute_url() + "#cc-heading")


class OrgChangeSet(models.Model):
    """ORG-1: the HR system's organisation file, parsed once, as the changes it proposes.

    `rows` are the file's rows as read; `changes` what applying would do (new, renamed,
    moved and closed units, new managers, cost centres that change unit), `conflicts`
    what is listed but not applied (ORG-1 name clashes, unknown codes, a unit that still
    holds people), `outside` the changes outside a förvaltningschef's förvaltning
    (`scope`). Applying plans the rows again and refuses when the plan differs."""

    file_name = models.CharField(_("file"), max_length=255)
    encoding = models.CharField(_("read as"), max_length=32)
    rows = models.JSONField(default=list)
    changes = models.JSONField(default=list)
    conflicts = models.JSONField(default=list)
    outside = models.JSONField(default=list)
    scope = models.ForeignKey(
        Unit,
        verbose_name=_("förvaltning"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: the whole municipality (Tele kundtjänst)."),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ChangeSetStatus.choices,
        default=ChangeSetStatus.PREVIEW,
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation change set")
        verbose_name_plural = _("organisation change sets")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("organisation:change_set_detail", args=[self.pk])

    @property
    def is_preview(self):
        return self.status == ChangeSetStatus.PREVIEW


class Guideline(models.Model):
    """The numbers and defaults the rules use (X-1), in one row that Tele kundtjänst edits in
    the admin. The defaults are the guideline's own values, so another municipality with
    near-identical rules changes values here, not code. Read it with
    `organisation.guideline.guideline()`."""

    # ORG-2
    large_unit_min_staff = models.PositiveIntegerField(
        _("staff of a larger unit"),
        default=40,
        help_text=_(
            "ORG-2: a unit with at least this many people (itself and below) needs its own "
            "telesamordnare; förvaltningar always do."
        ),
    )
    # BAR-1: what a new subscription may call.
    barring_domestic_open = models.BooleanField(_("calls within Sweden open"), default=True)
    barring_mobile_open = models.BooleanField(_("calls to Swedish mobiles open"), default=True)
    barring_international_open = models.BooleanField(_("international calls open"), default=False)
    barring_premium_open = models.BooleanField(_("premium-rate calls open"), default=False)
    barring_directory_enquiry_open = models.BooleanField(_("directory enquiry open"), default=False)
    # SUB-5
    number_quarantine_days = models.PositiveIntegerField(
        _("number quarantine (days)"),
        default=180,
        help_text=_("SUB-5: days a cancelled number rests before it is given out again."),
    )
    unused_months = models.PositiveSmallIntegerField(
        _("months without traffic"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_(
            "SUB-5: months with no traffic before a subscription is a cancellation candidate."
        ),
    )
    # REV-1, REV-2
    review_opens = models.CharField(
        _("annual review opens (MM-DD)"),
        max_length=5,
        blank=True,
        default="02-01",
        validators=[RegexValidator(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")],
        help_text=_("REV-1: the day each year's review opens by itself; empty: opened by hand."),
    )
    review_deadline_days = models.PositiveIntegerField(
        _("review deadline (days)"), default=60, validators=[MinValueValidator(1)]
    )
    review_max_age_days = models.PositiveIntegerField(
        _("review interval (days)"),
        default=365,
        validators=[MinValueValidator(1)],
        help_text=_("REV-2: how old a subscription's last review may be."),
    )
    review_reminder_days = models.PositiveIntegerField(
        _("review reminder after (days)"), default=30
    )
    review_escalation_days = models.PositiveIntegerField(
        _("review escalation after the deadline (days)"), default=7
    )
    # ABS-1
    workday_starts = models.TimeField(_("working day starts"), default=time(8, 0))
    workday_ends = models.TimeField(_("working day ends"), default=time(16, 30))
    lunch_ends = models.TimeField(_("lunch ends"), default=time(13, 0))
    # SRV-2, DIR-5
    callback_deadline_workdays = models.PositiveSmallIntegerField(
        _("callback deadline (working days)"),
        default=2,
        validators=[MinValueValidator(1)],
        help_text=_("SRV-2: the tillgänglighetsgaranti's deadline."),
    )
    callback_erase_days = models.PositiveIntegerField(
        _("caller details kept (days)"),
        default=30,
        help_text=_(
            "DIR-5: days after a callback is done when the caller's number and e-mail are erased."
        ),
    )
    # COST-2
    cost_deviation_factor = models.DecimalField(
        _("cost deviation factor"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("3"),
        validators=[MinValueValidator(Decimal("1"))],
        help_text=_("COST-2: a month above this factor times the median of the last 12 months."),
    )
    cost_deviation_min_sek = models.PositiveIntegerField(
        _("cost deviation minimum (kronor)"), default=500
    )
    # COST-3
    statement_visible_days = models.PositiveIntegerField(
        _("itemised statement visible (days)"),
        default=30,
        validators=[MinValueValidator(1)],
        help_text=_("COST-3: how long an approved statement stays visible to the requester."),
    )
    call_detail_retention_days = models.PositiveIntegerField(
        _("call detail rows kept (days)"),
        default=90,
        validators=[MinValueValidator(1)],
        help_text=_("COST-3: days after import when call detail rows are deleted."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("guideline settings")
        verbose_name_plural = _("guideline settings")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="guideline_single_row"),
            models.CheckConstraint(
                condition=Q(workday_ends__gt=F("workday_starts")),
                name="guideline_working_day_ends_after_start",
            ),
        ]

    def __str__(self):
        return str(_("Guideline settings"))

    @property
    def barring_open(self):
        """BAR-1's open categories, as the subscription register names them."""
        flags = {
            "domestic": self.barring_domestic_open,
            "mobile": self.barring_mobile_open,
            "international": self.barring_international_open,
            "premium": self.barring_premium_open,
            "directory_enquiry": self.barring_directory_enquiry_open,
        }
        return [category for category, is_open in flags.items() if is_open]


class DirectorySyncRun(models.Model):
    """One run of the directory sync (organisation.directory_sync): when, what it changed
    and its Swedish report. The record is itself the log of the run, so it keeps no
    history of its own; the people it changed keep theirs (actor katalogsynk)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        REFUSED = "refused", _("Refused: nothing changed")
        UNAVAILABLE = "unavailable", _("The directory did not answer")
        FAILED = "failed", _("Failed")
        OFF = "off", _("Off")

    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    # What the run is doing now (reading, comparing, writing), while it runs.
    phase = models.CharField(_("phase"), max_length=100, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    queued_at = models.DateTimeField(_("queued"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    entries = models.PositiveIntegerField(_("directory entries"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    moved = models.PositiveIntegerField(_("moved"), default=0)
    left = models.PositiveIntegerField(_("left"), default=0)
    returned = models.PositiveIntegerField(_("returned"), default=0)
    refused = models.PositiveIntegerField(_("entries refused"), default=0)
    report = models.JSONField(_("report"), default=list, blank=True)

    class Meta:
        verbose_name = _("directory sync run")
        verbose_name_plural = _("directory sync runs")
        ordering = ["-queued_at", "-pk"]

    def __str__(self):
        return f"{self.queued_at:%Y-%m-%d %H:%M} {self.get_status_display()}"

    @property
    def is_pending(self):
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
