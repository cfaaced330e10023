"""``incidents add | edit | retire | restore | history``: one incident's versions, for scripts.

::

    incidents add --date D --place TEXT --country CC --position LAT,LON --precision-m M
                  --object-type T --source URL [--publisher P] [--grade B2] [--accessed D]
                  [--FIELD VALUE ...] [--id ID] --reason TEXT [--who NAME] [--json]
    incidents edit ID --FIELD VALUE ... --reason TEXT [--based-on N] [--who NAME] [--json]
    incidents retire ID --reason TEXT [--based-on N] [--who NAME] [--json]
    incidents restore ID VERSION --reason TEXT [--based-on N] [--who NAME] [--json]
    incidents history ID [--json]

A thin shell over the incident store
(:func:`~dashboard.analysis.incident_catalogue.incident_store`): the record is
checked by :func:`~dashboard.data.incidents.check.incident_problems` and every
problem is printed as one line ``error: ...`` (exit 2, nothing stored).
``--position`` is typed latitude first (``50.471,23.934``; DMS and MGRS too);
``--source`` may repeat, each ``URL`` or ``URL|publisher|grade|accessed``, and
``--publisher``, ``--grade`` and ``--accessed`` repeat in the same order.  An
edit is made on the version read just before it (or ``--based-on N``): if
another change landed since, it is refused naming the newer version.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from dashboard.analysis.incident_catalogue import forget_token, incident_store
from dashboard.cli.common import position, text_arg
from dashboard.data.incidents.check import check_reason, incident_problems
from dashboard.data.incidents.record import new_incident_id
from dashboard.data.incidents.version import LOCAL_WHO, IncidentVersion
from dashboard.geo.errors import InputError

#: ``--option`` -> record field, for the fields given as plain text.
FIELD_OPTIONS: dict[str, str] = {
    "--date": "date", "--time": "time_utc", "--place": "place", "--country": "country",
    "--object-type": "object_type", "--munition": "munition", "--killed": "killed",
    "--injured": "injured", "--attributed-to": "attributed_to",
    "--attribution": "attribution", "--precision-m": "precision_m",
    "--position-kind": "position_kind", "--position-method": "position_method",
    "--status": "status", "--group": "group", "--notes": "notes"}
#: Options that are required to add an incident.
ADD_REQUIRED: tuple[str, ...] = ("--date", "--place", "--country", "--object-type")
#: What ``--position`` takes to remove a position (edit).
NO_POSITION: tuple[str, ...] = ("", "none")
_SOURCE_PARTS: tuple[str, ...] = ("url", "publisher", "grade", "accessed")
_METAVARS: dict[str, str] = {
    "date": "YYYY-MM-DD", "time_utc": "HH:MM", "country": "CC", "killed": "N", "injured": "N",
    "precision_m": "M", "object_type": "TYPE", "attributed_to": "WHO", "status": "STATUS",
    "position_kind": "KIND"}


# ----------------------------------------------------------------- options
def _field_options(p: argparse.ArgumentParser, *, adding: bool) -> None:
    for opt, field in FIELD_OPTIONS.items():
        p.add_argument(opt, dest=f"f_{field}", type=text_arg, metavar=_METAVARS.get(field, "TEXT"),
                       required=adding and opt in ADD_REQUIRED, help=field)
    p.add_argument("--position", type=text_arg, metavar="LAT,LON",
                   help="latitude first (decimal, DMS or MGRS)"
                        + ("; 'none' removes the position" if not adding else ""))
    p.add_argument("--source", action="append", default=[], type=text_arg, required=adding,
                   metavar="URL", help="an http(s) URL, or URL|publisher|grade|accessed; repeat "
                                       "for more sources" + ("" if adding else
                                                             " (replaces the sources)"))
    for part, meta in (("publisher", "P"), ("grade", "B2"), ("accessed", "YYYY-MM-DD")):
        p.add_argument(f"--{part}", action="append", default=[], type=text_arg, metavar=meta,
                       help=f"the {part} of each source, in the order of the sources")


def _change_options(p: argparse.ArgumentParser, json_help: str) -> None:
    p.add_argument("--reason", required=True, type=text_arg, metavar="TEXT",
                   help="why (required; kept with the version)")
    p.add_argument("--who", default=LOCAL_WHO, type=text_arg, metavar="NAME",
                   help=f"who makes the change (default {LOCAL_WHO!r})")
    p.add_argument("--json", action="store_true", help=json_help)


def _based_on(p: argparse.ArgumentParser) -> None:
    p.add_argument("--based-on", type=int, metavar="N",
                   help="the version the change is made on (default: the current one)")


def register(actions: argparse._SubParsersAction) -> None:
    """The ``add``, ``edit``, ``retire``, ``restore`` and ``history`` actions."""
    a = actions.add_parser("add", help="add an incident (version 1)")
    _field_options(a, adding=True)
    a.add_argument("--id", type=text_arg, metavar="ID",
                   help="its id (default: made from the date and place)")
    _change_options(a, 'print {"id": ..., "version": 1}')
    a.set_defaults(action_func=run_add)
    a = actions.add_parser("edit", help="change fields of an incident (a new version)")
    a.add_argument("incident_id", metavar="ID", type=text_arg)
    _field_options(a, adding=False)
    _based_on(a)
    _change_options(a, 'print {"id": ..., "version": N}')
    a.set_defaults(action_func=run_edit)
    a = actions.add_parser("retire", help="retire an incident (kept with its history, hidden)")
    a.add_argument("incident_id", metavar="ID", type=text_arg)
    _based_on(a)
    _change_options(a, 'print {"id": ..., "version": N}')
    a.set_defaults(action_func=run_retire)
    a = actions.add_parser("restore", help="make an earlier version the current one again")
    a.add_argument("incident_id", metavar="ID", type=text_arg)
    a.add_argument("version", metavar="VERSION", type=int)
    _based_on(a)
    _change_options(a, 'print {"id": ..., "version": N}')
    a.set_defaults(action_func=run_restore)
    a = actions.add_parser("history", help="every version of an incident, oldest first")
    a.add_argument("incident_id", metavar="ID", type=text_arg)
    a.add_argument("--json", action="store_true",
                   help="print a JSON list of {id, version, at, who, action, reason, retired, "
                        "changes, record}")
    a.set_defaults(action_func=run_history)


# ----------------------------------------------------------------- values -> record
def _given(args: argparse.Namespace) -> dict[str, Any]:
    """The plain fields the command line gives (``""`` clears time and group)."""
    out: dict[str, Any] = {}
    for field in FIELD_OPTIONS.values():
        v = getattr(args, f"f_{field}")
        if v is not None:
            out[field] = None if field in ("time_utc", "group", "precision_m") and not v.strip() \
                else v
    return out


def sources_from(base: list[dict[str, Any]], specs: list[str], parts: dict[str, list[str]],
                 problems: list[str]) -> list[dict[str, Any]]:
    """Sources from ``--source`` specs (``URL|publisher|grade|accessed``), else ``base``,
    with ``--publisher``/``--grade``/``--accessed`` applied in order.

    >>> sources_from([], ["https://a.example/x|PAP|b2"], {"accessed": ["2026-12-01"]}, [])
    [{'url': 'https://a.example/x', 'publisher': 'PAP', 'grade': 'b2', 'accessed': '2026-12-01'}]
    """
    out = [dict(s) for s in base]
    if specs:
        out = []
        for spec in specs:
            cells = [c.strip() for c in spec.split("|")]
            if len(cells) > len(_SOURCE_PARTS):
                problems.append(f"--source: at most {len(_SOURCE_PARTS)} parts "
                                f"URL|publisher|grade|accessed, got {len(cells)}")
            out.append({k: (cells[i] if i < len(cells) else "") or None
                        for i, k in enumerate(_SOURCE_PARTS)})
    for part, values in parts.items():
        if len(values) > len(out):
            problems.append(f"--{part}: given {len(values)} times for {len(out)} source(s)")
        for src, value in zip(out, values):
            src[part] = value.strip() or None
    for src in out:
        src["publisher"] = src.get("publisher") or ""
    return out


def _parts(args: argparse.Namespace) -> dict[str, list[str]]:
    return {k: getattr(args, k) for k in _SOURCE_PARTS[1:] if getattr(args, k)}


def _geometry(text: str, problems: list[str]) -> dict[str, Any] | None:
    """A GeoJSON Point of a typed position (latitude first), or None with a problem."""
    try:
        lon, lat = position(text)
    except InputError as exc:
        problems.append(f"position: {exc}")
        return None
    return {"type": "Point", "coordinates": [lon, lat]}


def _record_for_add(args: argparse.Namespace, taken: set[str],
                    problems: list[str]) -> dict[str, Any]:
    d: dict[str, Any] = _given(args)
    d["sources"] = sources_from([], args.source, _parts(args), problems)
    kind = d.get("position_kind")
    if args.position is not None and args.position.strip():
        d["geometry"] = _geometry(args.position, problems)
        d.setdefault("position_kind", "source")
    else:
        d["geometry"] = None
        if kind != "not sourced":
            problems.append("position: required (--position LAT,LON), or --position-kind "
                            "'not sourced' for an incident no source positions")
    d["id"] = args.id if args.id else new_incident_id(str(d.get("date") or ""),
                                                      str(d.get("place") or ""), taken)
    return d


def _record_for_edit(args: argparse.Namespace, current: dict[str, Any],
                     problems: list[str]) -> dict[str, Any]:
    given = _given(args)
    d = {**current, **given}
    if args.source or _parts(args):
        d["sources"] = sources_from(current["sources"], args.source, _parts(args), problems)
    if args.position is not None:
        if args.position.strip().lower() in NO_POSITION:
            d["geometry"] = None
            if "position_kind" not in given:
                d["position_kind"] = "not sourced"
            if "precision_m" not in given:
                d["precision_m"] = None
        else:
            d["geometry"] = _geometry(args.position, problems)
            if "position_kind" not in given and current["position_kind"] == "not sourced":
                d["position_kind"] = "source"
    if not given and args.position is None and not (args.source or _parts(args)):
        problems.append("nothing to change: give at least one --FIELD VALUE")
    return d


def _refuse(problems: list[str]) -> int:
    """Each problem as one line ``error: ...`` on stderr; exit status 2."""
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    return 2


def _reason_problems(reason: str, problems: list[str]) -> str:
    try:
        return check_reason(reason)
    except InputError as exc:
        problems.append(f"reason: {exc}")
        return reason


def _report(args: argparse.Namespace, verb: str, v: IncidentVersion, where: str) -> int:
    forget_token()  # this process's views see the change at once
    if args.json:
        print(json.dumps({"id": v.incident_id, "version": v.version}, ensure_ascii=False))
    else:
        print(v.incident_id)
    print(f"{verb} incident {v.incident_id}: version {v.version} in {where}", file=sys.stderr)
    return 0


# ----------------------------------------------------------------- actions
def run_add(args: argparse.Namespace) -> int:
    store = incident_store()
    problems: list[str] = []
    taken = {v.incident_id for v in store.current(include_retired=True)}
    d = _record_for_add(args, taken, problems)
    found = incident_problems(d)
    if not args.id:  # a made id: its problems are the date's and the place's
        found = [p for p in found if not p.startswith("id:")]
    problems += found
    reason = _reason_problems(args.reason, problems)
    if problems:
        return _refuse(problems)
    return _report(args, "added", store.add(d, who=args.who, reason=reason), store.where)


def _current(incident_id: str) -> tuple[Any, IncidentVersion]:
    store = incident_store()
    return store, store.get(incident_id)


def run_edit(args: argparse.Namespace) -> int:
    store, cur = _current(args.incident_id)
    problems: list[str] = []
    d = _record_for_edit(args, cur.record.to_dict(), problems)
    problems += [p for p in incident_problems(d) if p not in problems]
    reason = _reason_problems(args.reason, problems)
    if problems:
        return _refuse(problems)
    based_on = cur.version if args.based_on is None else args.based_on
    v = store.edit(cur.incident_id, d, based_on=based_on, who=args.who, reason=reason)
    return _report(args, "edited", v, store.where)


def _simple_change(args: argparse.Namespace, verb: str,
                   write: Callable[[Any, int, str], IncidentVersion]) -> int:
    store, cur = _current(args.incident_id)
    problems: list[str] = []
    reason = _reason_problems(args.reason, problems)
    if problems:
        return _refuse(problems)
    based_on = cur.version if args.based_on is None else args.based_on
    return _report(args, verb, write(store, based_on, reason), store.where)


def run_retire(args: argparse.Namespace) -> int:
    return _simple_change(args, "retired", lambda store, based_on, reason: store.retire(
        args.incident_id, based_on=based_on, who=args.who, reason=reason))


def run_restore(args: argparse.Namespace) -> int:
    return _simple_change(args, f"restored version {args.version} of",
                          lambda store, based_on, reason: store.restore(
                              args.incident_id, args.version, based_on=based_on, who=args.who,
                              reason=reason))


def _shown(value: Any, limit: int = 100) -> str:
    """A value for the terminal: text as it is (never interpreted), others as JSON."""
    if value is None:
        return "null"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def history_text(versions: list[IncidentVersion]) -> str:
    """One block per version, oldest first: the version line, then ``field: old -> new``."""
    lines = []
    for v in versions:
        state = " (retired)" if v.retired else ""
        lines.append(f"version {v.version}  {v.at}  {v.who}  {v.action}{state}  "
                     f"reason: {v.reason}")
        lines += [f"    {c.field}: {_shown(c.old)} -> {_shown(c.new)}" for c in v.changes]
    return "\n".join(lines) + "\n"


def run_history(args: argparse.Namespace) -> int:
    versions = incident_store().history(args.incident_id)
    if args.json:
        sys.stdout.write(json.dumps([v.to_dict() for v in versions], indent=2,
                                    ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(history_text(versions))
    return 0
