"""Pickers that search (issue 19.3): a form field that chooses one row (or several) of a
large table by typing, instead of a <select> of every row.

One field, two ways of working:

- **With JavaScript** (`static/js/combobox.js`): the text box is a WAI-ARIA 1.2 combobox
  whose listbox is filled, as one types, from the suggestion endpoint (`suggest`, at
  `/val/<source>/?q=`). The chosen row goes into the field's own <select> (or, for several,
  a list of chips with remove buttons), which the form posts.
- **Without**: the text box and a "Sök" button. The button submits the form with
  `_picker=<field>`; `PickerFormMixin` then re-renders the form unsaved, with everything
  typed kept, and the field's <select> (or its check boxes) holds the rows matching the
  text. Choosing one of them and saving posts the id as before.

What may be chosen is the field's queryset, set by the form as always; the server validates
the submitted id against it. The endpoint answers from the same queryset: every source is
registered (`register`) with the function the form's view also uses to build it, and that
function raises PermissionDenied for a user who may not use the form. How rows are searched
and described (what tells namesakes apart) is the picker's `Kind`, given by the app that
owns the model (organisation.pickers, subscriptions.pickers).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, JsonResponse, QueryDict
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from .users import AnyUser

# Suggestions shown at once; a longer list is a sign to type more.
LIMIT = 20
# The text box of field `f` is posted as `f__q`; the no-JS search button is `_picker=f`, a
# chip's remove button `_picker_remove=f:<pk>`.
QUERY_SUFFIX = "__q"
SEARCH = "_picker"
REMOVE = "_picker_remove"


@dataclass(frozen=True)
class Option:
    value: int
    label: str
    detail: str


@dataclass(frozen=True)
class Kind:
    """How one model's rows are searched and shown in a picker.

    `search(queryset, text)` narrows the queryset to the rows matching every word of the
    text, ordered the Swedish way; `describe(obj, reader)` is (label, detail): the name and
    what tells namesakes apart, as `reader` may see them (ORG-4); `prepare(queryset)` adds
    the select_related/prefetch_related that describe needs (a fixed number of queries);
    `visible(queryset, reader)` leaves out what the reader may not be shown (ORG-4)."""

    search: Callable[[QuerySet[Any], str], QuerySet[Any]]
    describe: Callable[[Any, AnyUser | None], tuple[str, str]]
    prepare: Callable[[QuerySet[Any]], QuerySet[Any]] = lambda rows: rows
    visible: Callable[[QuerySet[Any], AnyUser | None], QuerySet[Any]] = lambda rows, _r: rows
    # The prompt in the text box's hint, e.g. "Part of a name, a title or an extension".
    hint: Any = ""

    def options(
        self, rows: QuerySet[Any], reader: AnyUser | None, text: str = "", limit: int = LIMIT
    ) -> tuple[list[Option], bool]:
        """The first `limit` rows matching `text` (all rows when empty) and whether there are
        more."""
        rows = self.visible(rows, reader)
        if text.strip():
            rows = self.search(rows, text)
        found = list(self.prepare(rows)[: limit + 1])
        return [self.option(obj, reader) for obj in found[:limit]], len(found) > limit

    def option(self, obj: Any, reader: AnyUser | None) -> Option:
        label, detail = self.describe(obj, reader)
        return Option(value=obj.pk, label=label, detail=detail)


@dataclass(frozen=True)
class Source:
    """A picker's rows for the user of a request: `rows(request)` is the form's queryset
    (raising PermissionDenied, or Http404, where the form's view would)."""

    kind: Kind
    rows: Callable[[HttpRequest], QuerySet[Any]]
    # Request parameters that rows() reads (e.g. the unit of the telesamordnare form).
    params: Sequence[str] = field(default_factory=tuple)


SOURCES: dict[str, Source] = {}


def register(
    name: str,
    *,
    kind: Kind,
    rows: Callable[[HttpRequest], QuerySet[Any]],
    params: Sequence[str] = (),
) -> None:
    """Make a picker source answerable at /val/<name>/; apps register from their
    pickers.py, imported by AppConfig.ready()."""
    SOURCES[name] = Source(kind=kind, rows=rows, params=tuple(params))


def param_id(request: HttpRequest, name: str) -> int:
    """A numeric request parameter a source needs; a missing or bad one is 404."""
    value = request.GET.get(name, "")
    if not value.isdigit():
        raise Http404
    return int(value)


@require_safe
def suggest(request: HttpRequest, source: str) -> JsonResponse:
    """The suggestions of one picker for the signed-in user: what they may choose in that
    field and match the text `q`, at most LIMIT, as JSON. 404 for an unknown source, 403
    for a user who may not use the form."""
    found = SOURCES.get(source)
    if found is None:
        raise Http404
    rows = found.rows(request)
    text = request.GET.get("q", "")[:200]
    options, more = found.kind.options(rows, request.user, text)
    return JsonResponse(
        {
            "results": [{"value": o.value, "label": o.label, "detail": o.detail} for o in options],
            "more": more,
        }
    )


# --- The fields and their widgets ---------------------------------------------------------


class PickerWidget(forms.Select):
    """A combobox text box, a "Sök" button and a <select> of the few rows that match (see
    the module docstring). Rendered by common/templates/common/widgets/picker.html."""

    template_name = "common/widgets/picker.html"
    multiple = False

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.picker: PickerMixin | None = None

    def id_for_label(self, id_: str, index: str = "0") -> str:
        # The field's <label> names the text box, where one types.
        return f"{id_}{QUERY_SUFFIX}" if id_ else id_

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if self.multiple:
            getter = getattr(data, "getlist", None)
            return getter(name) if getter else data.get(name)
        return data.get(name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False if self.multiple else name not in data

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = forms.Widget.get_context(self, name, value, attrs)
        picker = self.picker
        assert picker is not None, "a PickerWidget belongs to a PickerField"
        widget = context["widget"]
        values = [str(v) for v in (value if isinstance(value, (list, tuple)) else [value])]
        values = [v for v in values if v and v.isdigit()]
        chosen = picker.chosen_options(values)
        typed = (picker.typed or "").strip()
        stands = not self.multiple and chosen and typed == chosen[0].label
        searched = bool(typed) and not stands
        if searched:
            query = picker.typed or ""
            matches, more = picker.matching(typed)
        else:  # the chosen row's name stands in the text box
            query = chosen[0].label if chosen and not self.multiple else ""
            matches, more = [], False
            if not self.multiple:
                # A short list (a small förvaltning's units) is shown whole at once.
                matches, more = picker.matching("")
                if more:
                    matches, more = [], False
        chosen_ids = {o.value for o in chosen}
        extra = [o for o in matches if o.value not in chosen_ids]
        # The single picker's <select>: what is chosen stays selected unless a search found
        # others (then the one match is selected, or none).
        if searched:
            found_ids = {o.value for o in matches}
            listed = matches + [o for o in chosen if o.value not in found_ids]
            pick = matches[0].value if len(matches) == 1 else None
        else:
            listed, pick = chosen + extra, chosen[0].value if chosen else None
        if not picker.required:
            placeholder = _("— None —")
        elif pick is None:
            placeholder = _("— Choose —") if listed else _("— Search first —")
        else:
            placeholder = None
        base_id = widget["attrs"].get("id") or f"id_{name}"
        widget.update(
            {
                "multiple": self.multiple,
                "input_id": f"{base_id}{QUERY_SUFFIX}",
                "query_name": f"{name}{QUERY_SUFFIX}",
                "query": query,
                "searched": searched,
                "chosen": chosen,
                "matches": extra,
                "count": len(matches),
                "more": more,
                "url": picker.suggest_url(),
                "search_name": SEARCH,
                "remove_name": REMOVE,
                "hint": picker.kind.hint,
                "required": picker.required,
                "options": [(o, o.value == pick) for o in listed],
                "placeholder": placeholder,
            }
        )
        return context


class PickerMultipleWidget(PickerWidget):
    multiple = True
    allow_multiple_selected = True


class PickerMixin:
    """What PickerField and PickerMultipleField share: the kind, the source's name (for
    the endpoint's URL) and its parameters, the reader (ORG-4) and the text typed."""

    kind: Kind
    source: str
    reader: AnyUser | None
    params: dict[str, Any]
    typed: str | None
    required: bool
    queryset: Any
    widget: Any

    def _setup(self, kind: Kind, source: str) -> None:
        self.kind, self.source = kind, source
        self.reader, self.params, self.typed = None, {}, None
        self.widget.picker = self

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        # A form copies its fields: the copy's widget must point at the copy.
        result = super().__deepcopy__(memo)  # type: ignore[misc]  # ModelChoiceField's
        result.params = dict(self.params)
        result.widget.picker = result
        return result

    def label_from_instance(self, obj: Model) -> str:
        label, detail = self.kind.describe(obj, self.reader)
        return f"{label} – {detail}" if detail else label

    def chosen_options(self, values: list[str]) -> list[Option]:
        if not values or self.queryset is None:
            return []
        # What is chosen stays chosen, even a protected identity outside the reader's
        # circle (shown as "Skyddad identitet"): only suggestions leave those out.
        rows = self.kind.prepare(self.queryset)
        found = {str(obj.pk): obj for obj in rows.filter(pk__in=values)}
        return [self.kind.option(found[v], self.reader) for v in values if v in found]

    def matching(self, text: str) -> tuple[list[Option], bool]:
        if self.queryset is None:
            return [], False
        return self.kind.options(self.queryset, self.reader, text)

    def suggest_url(self) -> str:
        url = reverse("picker", args=[self.source])
        return f"{url}?{urlencode(self.params)}" if self.params else url


class PickerField(PickerMixin, forms.ModelChoiceField):
    """Chooses one row of `queryset` by searching (see the module docstring)."""

    widget = PickerWidget
    default_error_messages = {
        "invalid_choice": _("Choose one from the list of matches."),
    }

    def __init__(self, *, kind: Kind, source: str, **kwargs: Any) -> None:
        kwargs.setdefault("empty_label", None)
        super().__init__(**kwargs)
        self._setup(kind, source)


class PickerMultipleField(PickerMixin, forms.ModelMultipleChoiceField):
    """Chooses several rows: the chosen ones as a list with remove buttons."""

    widget = PickerMultipleWidget

    def __init__(self, *, kind: Kind, source: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._setup(kind, source)


class PickerFormMixin(forms.BaseForm):
    """For a form with pickers: the no-JS "Sök" button (or a chip's remove button)
    re-renders the form with what was typed and saves nothing. Put it first in the bases.

    Each picker's text (`<field>__q`) is handed to its field, so the widget lists the rows
    matching it whenever the form is shown again; `picker_search` names the field searched
    (None on a real submit). `has_pickers` tells templates/_form.html to put a hidden copy
    of the submit button first, so that Enter saves rather than searches."""

    has_pickers = True

    picker_search: str | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            return
        removed = str(self.data.get(REMOVE, ""))
        if removed.count(":") == 1:
            name, pk = removed.split(":")
            if isinstance(self.fields.get(name), PickerMultipleField):
                data = self.data.copy()  # type: ignore[attr-defined]  # a QueryDict or a dict
                given = self.fields[name].widget.value_from_datadict(data, {}, name)
                kept = [v for v in given if str(v) != pk]
                if isinstance(data, QueryDict):
                    data.setlist(name, kept)
                else:
                    data[name] = kept
                self.data = data
                self.picker_search = name
        searched = str(self.data.get(SEARCH, ""))
        if isinstance(self.fields.get(searched), PickerMixin):
            self.picker_search = searched
        for name, picker in self.fields.items():
            if isinstance(picker, PickerMixin):
                # What was typed is searched when the form is shown again, whatever the
                # button: nothing typed is lost.
                picker.typed = str(self.data.get(self.add_prefix(name) + QUERY_SUFFIX, ""))

    def full_clean(self) -> None:
        if self.picker_search is not None:
            # A search, not a submit: no errors shown, nothing valid.
            self._errors = forms.utils.ErrorDict()
            self.cleaned_data = {}
            return
        super().full_clean()

    def is_valid(self) -> bool:
        return self.picker_search is None and super().is_valid()
