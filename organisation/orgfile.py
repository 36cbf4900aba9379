"""ORG-1: the HR system's organisation file, read and planned as a change set.

The file (CSV or XLSX, read by common.uploads) has a header row and one row per unit:
Organisationskod; Namn; Överordnad kod; Chefens anställningsnummer; Kostnadsställe;
Är förvaltning (ja/nej). `read_rows` turns it into row dicts (or row errors), `plan`
compares the rows with the units as they are now and says what applying them would do:

- changes: new units, renamed units, moved units (a new parent), new managers, cost
  centres that now belong to another unit, and units the file no longer has (closed);
- conflicts: what is listed and not applied: ORG-1 name clashes among siblings (names
  compared as the unit name rules do: whitespace-normalised and case-folded), a parent
  code nobody has, a move under the unit's own subtree, an unknown employee number or cost
  centre, a closing unit that still holds people or phones (with counts and links);
- outside: for a förvaltningschef, the changes outside their own förvaltning.

Only units with an organisation code are the file's; units without one are left alone.
The plan is a pure function of the rows and the database: applying plans again and
compares, so a change set whose world moved on since its preview is refused.
"""

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from common.exports import FORMULA_START
from common.uploads import UploadRejected, read_table

from .models import CostCentre, Person, Unit, name_key, normalise_name, still_on_unit

# (row key, the Swedish header in the HR system's export)
COLUMNS = (
    ("code", "Organisationskod"),
    ("name", "Namn"),
    ("parent_code", "Överordnad kod"),
    ("manager_number", "Chefens anställningsnummer"),
    ("cost_centre_code", "Kostnadsställe"),
    ("is_forvaltning", "Är förvaltning"),
)
FIELDS = tuple(key for key, _header in COLUMNS)
YES = {"ja", "j", "yes", "y", "1", "true", "sant", "x"}
NO = {"nej", "n", "no", "0", "false", "falskt", ""}

Row = dict[str, Any]
Change = dict[str, Any]


def _header_keys(cells: list[str]) -> list[str]:
    """The row keys of the header's columns, or UploadRejected naming what was expected."""
    by_header = {header.casefold(): key for key, header in COLUMNS}
    by_header.update({key: key for key in FIELDS})
    names = [normalise_name(cell).casefold() for cell in cells]
    while names and not names[-1]:
        names.pop()
    keys = [by_header.get(name, "") for name in names]
    if sorted(k for k in keys if k) != sorted(FIELDS) or len(keys) != len(FIELDS):
        raise UploadRejected(
            _(
                "The file does not have the expected column layout. Expected the columns: "
                "%(expected)s. Found: %(found)s."
            )
            % {
                "expected": "; ".join(header for _key, header in COLUMNS),
                "found": "; ".join(cells) or _("nothing"),
            }
        )
    return keys


def read_rows(content: bytes) -> tuple[list[Row], str]:
    """Bytes of an upload -> ([row dict per data row], how the file was read). Each row
    dict has `line` (the file's line, the header is 1), the FIELDS as text (the name
    whitespace-normalised, `raw_name` as written), `is_forvaltning` as a bool and `error`
    (a Swedish message, or "")."""
    table = read_table(content)
    keys = _header_keys(table.rows[0])
    if len(table.rows) == 1:
        rejected = UploadRejected(_("The file has a header but no rows."))
        rejected.encoding = table.encoding
        raise rejected
    rows: list[Row] = []
    seen: dict[str, int] = {}
    for line, cells in enumerate(table.rows[1:], start=2):
        values = {key: (cells[i].strip() if i < len(cells) else "") for i, key in enumerate(keys)}
        raw_name = values["name"]
        row: Row = {
            "line": line,
            "code": values["code"],
            "name": normalise_name(raw_name),
            "raw_name": raw_name,
            "parent_code": values["parent_code"],
            "manager_number": values["manager_number"],
            "cost_centre_code": values["cost_centre_code"],
            "is_forvaltning": values["is_forvaltning"].casefold() in YES,
            "error": _row_error(values, seen),
        }
        if row["code"] and row["code"] not in seen:
            seen[row["code"]] = line
        rows.append(row)
    return rows, table.encoding


def _row_error(values: dict[str, str], seen: dict[str, int]) -> str:
    flag = values["is_forvaltning"].casefold()
    if not values["code"]:
        return _("The organisation code is missing.")
    if values["code"] in seen:
        return _("The organisation code is also on line %(line)s.") % {"line": seen[values["code"]]}
    if len(values["code"]) > 32:
        return _("The organisation code is longer than 32 characters.")
    name = normalise_name(values["name"])
    if not name:
        return _("The name is missing.")
    if len(name) > 200:
        return _("The name is longer than 200 characters.")
    if name.startswith(FORMULA_START):
        # The formula guard of common.exports: such a name would be a formula in Excel.
        return _("The name begins with %(char)s, which a spreadsheet reads as a formula.") % {
            "char": name[0]
        }
    if flag not in YES and flag not in NO:
        return _("“Är förvaltning” must be ja or nej, not “%(value)s”.") % {
            "value": values["is_forvaltning"]
        }
    if flag in YES and values["parent_code"]:
        return _("A förvaltning has no parent unit; leave “Överordnad kod” empty.")
    if flag not in YES and not values["parent_code"]:
        return _("A unit that is not a förvaltning needs a parent code.")
    if values["parent_code"] == values["code"]:
        return _("A unit cannot be its own parent.")
    return ""


# --- The plan --------------------------------------------------------------------------


class _Node:
    """A unit as it would be after the change set: an existing unit or a new row."""

    def __init__(self, *, key: str, name: str, parent: "str | None", unit: Unit | None):
        self.key, self.name, self.parent, self.unit = key, name, parent, unit


def _unit_key(unit_id: int) -> str:
    return f"#{unit_id}"


def plan(rows: Iterable[Row], *, scope: Unit | None = None) -> dict[str, list[Any]]:
    """{"changes": [...], "conflicts": [...], "outside": [...]} for the file's rows,
    against the database now. `scope` is a förvaltningschef's förvaltning: changes
    outside it go to "outside". Every entry is JSON (ids, codes and texts)."""
    all_rows = list(rows)
    rows = [row for row in all_rows if not row["error"]]
    units = {u.pk: u for u in Unit.objects.select_related("parent", "manager")}
    by_code = {u.code: u for u in units.values() if u.code}
    conflicts: list[dict[str, Any]] = []

    def conflict(row: Row | None, message: str, links: list[Any] | None = None) -> None:
        conflicts.append(
            {
                "line": row["line"] if row else None,
                "code": row["code"] if row else "",
                "message": message,
                "links": links or [],
            }
        )

    # The tree after the change set: every unit, parents as keys ("#<id>" or a new code).
    nodes: dict[str, _Node] = {}
    for unit in units.values():
        if unit.closed_on is None:
            parent = _unit_key(unit.parent_id) if unit.parent_id else None
            nodes[_unit_key(unit.pk)] = _Node(
                key=_unit_key(unit.pk), name=unit.name, parent=parent, unit=unit
            )

    def key_of_code(code: str) -> str | None:
        unit = by_code.get(code)
        if unit is not None:
            return _unit_key(unit.pk) if unit.closed_on is None else None
        return f"new:{code}" if code in file_codes else None

    file_codes = {row["code"] for row in rows if row["code"] not in by_code}
    planned: list[Row] = []
    for row in rows:
        found = by_code.get(row["code"])
        if found is not None and found.closed_on is not None:
            closed = _("The unit “%(name)s” is closed; it is not reopened.")
            conflict(row, closed % {"name": found.name})
            continue
        parent = None
        if not row["is_forvaltning"]:
            parent = key_of_code(row["parent_code"])
            if parent is None:
                conflict(
                    row,
                    _("No open unit and no row of the file has the parent code “%(code)s”.")
                    % {"code": row["parent_code"]},
                )
                continue
        key = _unit_key(found.pk) if found is not None else f"new:{row['code']}"
        node = nodes.get(key)
        if node is None:
            node = nodes[key] = _Node(key=key, name=row["name"], parent=parent, unit=None)
        row = {**row, "key": key, "parent": parent}
        planned.append(row)

    # A move under its own subtree makes a circle: refused, the unit stays where it is.
    def circular(key: str, parent: str | None) -> bool:
        seen = set()
        while parent is not None and parent not in seen:
            if parent == key:
                return True
            seen.add(parent)
            parent = nodes[parent].parent if parent in nodes else None
        return False

    for row in planned:
        node = nodes[row["key"]]
        moves = node.unit is not None and row["parent"] != node.parent
        if moves and circular(row["key"], row["parent"]):
            conflict(
                row,
                _("“%(name)s” cannot move under its own sub-unit; it stays where it is.")
                % {"name": node.name},
            )
            row["parent"] = node.parent
            continue
        node.parent = row["parent"]
        node.name = row["name"]

    # ORG-1: names are unique among siblings (compared ignoring case and spaces).
    siblings: dict[tuple[str | None, str], list[_Node]] = {}
    for node in nodes.values():
        siblings.setdefault((node.parent, name_key(node.name)), []).append(node)
    clashing = {node.key for group in siblings.values() if len(group) > 1 for node in group}
    kept: list[Row] = []
    for row in planned:
        node = nodes[row["key"]]
        old_parent = _unit_key(node.unit.parent_id) if node.unit and node.unit.parent_id else None
        touches_name = node.unit is None or name_key(row["name"]) != node.unit.name_key
        touches_place = node.unit is not None and row["parent"] != old_parent
        if node.key in clashing and (touches_name or touches_place):
            conflict(
                row,
                _(
                    "ORG-1: another unit under the same parent is already called “%(name)s” "
                    "(names are compared ignoring case and spaces); not applied."
                )
                % {"name": row["name"]},
            )
            continue
        kept.append(row)

    changes: list[Change] = []
    creating = {row["key"] for row in kept if nodes[row["key"]].unit is None}
    # A unit whose new parent is not created (a conflict) is neither created nor moved.
    changed = True
    while changed:
        changed = False
        for row in list(kept):
            parent = row["parent"]
            if parent and parent.startswith("new:") and parent not in creating:
                creating.discard(row["key"])
                kept.remove(row)
                conflict(
                    row,
                    _("Its new parent “%(code)s” is not created, so this row is not applied.")
                    % {"code": row["parent_code"]},
                )
                changed = True
    for row in _parents_first(kept, creating):
        changes.extend(_row_changes(row, nodes, units, conflict))

    # Units the file no longer has are closed, unless something still hangs on them.
    in_file = {row["code"] for row in all_rows}
    closing = [
        u for u in units.values() if u.code and u.closed_on is None and u.code not in in_file
    ]
    closing_keys = {_unit_key(u.pk) for u in closing}
    moving_cost_centres = {c["cost_centre_id"] for c in changes if c["kind"] == "cost_centre"}
    for unit in sorted(closing, key=lambda u: -u.depth):
        hanging = _still_hanging(unit, nodes, closing_keys, moving_cost_centres)
        if hanging:
            closing_keys.discard(_unit_key(unit.pk))  # its parent cannot close either
            conflict(
                {"line": None, "code": unit.code},
                _("“%(name)s” is not in the file but cannot close: it still has %(what)s.")
                % {
                    "name": unit.name,
                    "what": ", ".join(f"{count} {label}" for label, count, _url in hanging),
                },
                [{"label": str(lbl), "count": n, "url": url} for lbl, n, url in hanging],
            )
            continue
        changes.append({"kind": "close", "unit_id": unit.pk, "code": unit.code, "name": unit.name})

    inside, outside = _split_by_scope(changes, scope, nodes, units)
    return {"changes": inside, "conflicts": conflicts, "outside": outside}


def _parents_first(rows: list[Row], creating: set[str]) -> list[Row]:
    """Rows of new units after the rows of their new parents; the others as they came."""
    done: set[str] = set()
    ordered: list[Row] = []
    pending = list(rows)
    while pending:
        rest = []
        for row in pending:
            parent = row["parent"]
            if parent in creating and parent not in done:
                rest.append(row)
            else:
                ordered.append(row)
                done.add(row["key"])
        if len(rest) == len(pending):  # a circle of new units: they wait for nothing
            ordered.extend(rest)
            break
        pending = rest
    return ordered


def _row_changes(row: Row, nodes: dict[str, _Node], units: dict[int, Unit], conflict) -> list:
    node = nodes[row["key"]]
    parent = row["parent"]
    parent_ref = _ref(parent, nodes)
    found: list[Change] = []
    unit = node.unit
    if unit is None:
        found.append(
            {
                "kind": "create",
                "line": row["line"],
                "code": row["code"],
                "name": row["name"],
                **parent_ref,
            }
        )
    else:
        if name_key(row["name"]) != unit.name_key:
            found.append(
                {
                    "kind": "rename",
                    "line": row["line"],
                    "unit_id": unit.pk,
                    "code": unit.code,
                    "old": unit.name,
                    "new": row["name"],
                }
            )
        old_parent = _unit_key(unit.parent_id) if unit.parent_id else None
        if parent != old_parent:
            found.append(
                {
                    "kind": "move",
                    "line": row["line"],
                    "unit_id": unit.pk,
                    "code": unit.code,
                    "name": unit.name,
                    "old_parent_id": unit.parent_id,
                    "old_parent_name": unit.parent.name if unit.parent else "",
                    **parent_ref,
                }
            )
    target = {"unit_id": unit.pk} if unit is not None else {"unit_code": row["code"]}
    if row["manager_number"]:
        person = Person.objects.filter(external_id=row["manager_number"]).first()
        if person is None:
            conflict(
                row,
                _("No person has the employee number “%(number)s”; the manager is not set.")
                % {"number": row["manager_number"]},
            )
        elif not person.is_active:
            conflict(
                row,
                _("The person with employee number “%(number)s” has left; not made manager.")
                % {"number": row["manager_number"]},
            )
        elif unit is None or unit.manager_id != person.pk:
            found.append(
                {
                    "kind": "manager",
                    "line": row["line"],
                    **target,
                    "unit_name": row["name"],
                    "old_person_id": unit.manager_id if unit else None,
                    "person_id": person.pk,
                }
            )
    if row["cost_centre_code"]:
        centre = CostCentre.objects.filter(code=row["cost_centre_code"]).first()
        if centre is None:
            conflict(
                row,
                _(
                    "No cost centre has the code “%(code)s”; Tele kundtjänst creates it "
                    "(with its budget-responsible manager) before it can be tied to the unit."
                )
                % {"code": row["cost_centre_code"]},
            )
        elif unit is None or centre.unit_id != unit.pk:
            found.append(
                {
                    "kind": "cost_centre",
                    "line": row["line"],
                    **target,
                    "unit_name": row["name"],
                    "cost_centre_id": centre.pk,
                    "cost_centre": str(centre),
                    "old_unit_id": centre.unit_id,
                    "old_unit_name": units[centre.unit_id].name,
                }
            )
    return found


def _ref(key: str | None, nodes: dict[str, _Node]) -> dict[str, Any]:
    """A new parent in a change: an existing unit's id, or a new unit's code."""
    if key is None:
        return {"parent_id": None, "parent_code": "", "parent_name": ""}
    node = nodes[key]
    if node.unit is not None:
        return {"parent_id": node.unit.pk, "parent_code": "", "parent_name": node.name}
    return {"parent_id": None, "parent_code": key.removeprefix("new:"), "parent_name": node.name}


def _still_hanging(
    unit: Unit, nodes: dict[str, _Node], closing: set[str], moving_cost_centres: set[int]
) -> list[tuple[str, int, str]]:
    """What keeps `unit` from closing after the change set: every model's still_on_unit,
    with the sub-units that leave or close too and the cost centres that move not counted."""
    key = _unit_key(unit.pk)
    staying = [n for n in nodes.values() if n.parent == key and n.key not in closing]
    found = []
    for model, label, count, url in still_on_unit(unit):
        if model is Unit or model is CostCentre:
            continue
        found.append((label, count, url))
    if staying:
        found.append((_("open sub-units"), len(staying), unit.get_absolute_url()))
    centres = (
        CostCentre.objects.filter(unit=unit, is_active=True)
        .exclude(pk__in=moving_cost_centres)
        .count()
    )
    if centres:
        found.append((_("active cost centres"), centres, unit.get_absolute_url() + "#cc-heading"))
    return found


def _forvaltning_of(key: str | None, nodes: dict[str, _Node]) -> str | None:
    seen = set()
    while key is not None and key in nodes and nodes[key].parent is not None:
        if key in seen:
            return None
        seen.add(key)
        key = nodes[key].parent
    return key


def _split_by_scope(
    changes: list[Change], scope: Unit | None, nodes: dict[str, _Node], units: dict[int, Unit]
) -> tuple[list[Change], list[Change]]:
    """A förvaltningschef applies only what happens inside their förvaltning: a change
    of a unit in it that leaves it there (a move into or out of it is outside)."""
    if scope is None:
        return changes, []
    own = _unit_key(scope.pk)

    def now_inside(unit_id: int) -> bool:
        return units[unit_id].forvaltning_id == scope.pk

    def after_inside(key: str | None) -> bool:
        return _forvaltning_of(key, nodes) == own

    inside: list[Change] = []
    outside: list[Change] = []
    for change in changes:
        kind = change["kind"]
        if kind == "create":
            parent = (
                _unit_key(change["parent_id"])
                if change["parent_id"]
                else (f"new:{change['parent_code']}" if change["parent_code"] else None)
            )
            ok = parent is not None and after_inside(parent)
        elif kind in ("manager", "cost_centre") and "unit_code" in change:
            ok = after_inside(f"new:{change['unit_code']}")
        else:
            ok = now_inside(change["unit_id"]) and after_inside(_unit_key(change["unit_id"]))
            if kind == "cost_centre":
                ok = ok and now_inside(change["old_unit_id"])
        (inside if ok else outside).append(change)
    return inside, outside
