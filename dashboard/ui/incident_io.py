"""The Incidents page's import (CSV, GeoJSON: previewed, then confirmed) and export.

Widgets only: the preview's bookkeeping is :mod:`dashboard.state.incident_import`,
reading and sorting the rows :mod:`dashboard.io.incident_import` and
:mod:`dashboard.analysis.incident_import`, the files
:func:`dashboard.io.incident_export.export_incidents`.  Nothing is written
before "Confirm the import", and then the new rows only, in one transaction.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, MutableMapping, Sequence
from typing import Any

import streamlit as st

from dashboard.analysis.incident_catalogue import current_incidents, forget_token, incident_store
from dashboard.analysis.incident_import import MAX_DUPLICATE_KM
from dashboard.data.incidents.record import Incident
from dashboard.data.limits import MAX_PRECISION_M
from dashboard.geo.errors import InputError
from dashboard.io.incident_export import export_incidents
from dashboard.state import incident_import as imp
from dashboard.state.incident_import import KEY, ImportPlan
from dashboard.ui.incident_form import current_who
from dashboard.ui.widgets import md

__all__ = ["import_section", "export_section", "EXPORTS"]

#: The export buttons: format, label, file extension, MIME type.
EXPORTS: tuple[tuple[str, str, str, str], ...] = (
    ("geojson", "GeoJSON", "geojson", "application/geo+json"),
    ("csv", "CSV", "csv", "text/csv"),
    ("kml", "KML (Google Earth)", "kml", "application/vnd.google-earth.kml+xml"),
    ("gpkg", "GeoPackage", "gpkg", "application/geopackage+sqlite3"))


def _existing() -> list[Incident]:
    """Every incident of the store, retired ones too (their ids are taken)."""
    return [v.record for v in incident_store().current(include_retired=True)]


def _defaults(state: MutableMapping[str, Any]) -> dict[str, Any]:
    p = state.get(KEY + "precision")
    return {"precision_m": float(p)} if p else {}


def _plan(state: MutableMapping[str, Any], data: bytes, name: str,
          mapping: dict[str, str], km: float) -> ImportPlan | None:
    """The preview of the uploaded file (kept while the file, choices and store stay)."""
    token = incident_store().token()
    defaults = _defaults(state)
    sig = imp.signature(data, name, mapping, km, token, defaults)
    plan = state.get(KEY + "plan")
    if isinstance(plan, ImportPlan) and plan.signature == sig:
        return plan
    try:
        plan = imp.make_plan(data, name, _existing(), mapping=mapping, duplicate_km=km,
                             store_token=token, defaults=defaults)
    except InputError as exc:
        st.error(md(exc))
        state[KEY + "plan"] = None
        return None
    state[KEY + "plan"] = plan
    return plan


def _mapping(state: MutableMapping[str, Any], columns: Sequence[str], open_: bool
             ) -> dict[str, str]:
    """The column mapping: each of the file's columns and the field it gives."""
    with st.expander("Column mapping", expanded=open_):
        st.caption("Columns named as ours or as ACLED's (event_date, latitude, longitude, "
                   "location, country, notes, source) are read as named; map any other.")
        choices = {}
        for i, col in enumerate(columns):
            choices[col] = st.selectbox(f"{col} (as named: {imp.read_as(col) or 'not read'})",
                                        list(imp.MAP_CHOICES), key=f"{KEY}map_{i}")
    return imp.mapping_from_choices(choices)


def on_confirm(state: MutableMapping[str, Any], data: bytes, name: str,
               mapping: dict[str, str], km: float) -> None:
    plan = state.get(KEY + "plan")
    if not isinstance(plan, ImportPlan):
        return
    try:
        fresh = imp.make_plan(data, name, _existing(), mapping=mapping, duplicate_km=km,
                              store_token=incident_store().token(),
                              defaults=_defaults(state))
        result = imp.confirm_import(incident_store(), plan, fresh,
                                    reason=str(state.get(KEY + "reason") or ""),
                                    who=current_who())
    except InputError as exc:
        state[KEY + "msgs"] = [("error", str(exc))]
        return
    state[KEY + "msgs"] = [("success" if result.ok else "error", " ".join(result.lines))]
    if result.plan is not None:
        state[KEY + "plan"] = result.plan
    if result.ok:
        forget_token()
        state[KEY + "reason"] = ""


def import_section(state: MutableMapping[str, Any], units: str) -> None:
    """Upload, map, preview in three tables, confirm (the new rows, one transaction)."""
    st.subheader("Import incidents (CSV or GeoJSON)")
    up = st.file_uploader("Incident file", type=["csv", "tsv", "txt", "geojson", "json"],
                          key="inci_file", help="ACLED-like columns (event_date, latitude, "
                          "longitude, location, country, notes, source) or ours.")
    c1, c2 = st.columns(2)
    c1.number_input("Duplicate distance (km)", min_value=0.1, max_value=MAX_DUPLICATE_KM,
                    value=imp.DEFAULT_DUPLICATE_KM, step=1.0, key="inci_km",
                    help="A row of the same date within this distance of an incident is a "
                         "duplicate (geodesic).")
    c2.number_input("Precision of rows that state none (m, optional)", min_value=1.0,
                    max_value=MAX_PRECISION_M, value=None, step=500.0, key="inci_precision",
                    help="A positioned incident needs its precision; ACLED files give none. "
                         "Left empty, such rows are invalid and say so.")
    for level, text in state.pop(KEY + "msgs", None) or []:
        (st.success if level == "success" else st.error)(md(text))
    if up is None:
        st.caption("Nothing is written until you confirm the preview.")
        return
    data, name = up.getvalue(), up.name
    km = float(state.get(KEY + "km") or imp.DEFAULT_DUPLICATE_KM)
    digest = hashlib.sha256(data).hexdigest()
    cols = state.get(KEY + "cols")
    if not (isinstance(cols, tuple) and cols[0] == digest):  # a new file: its own choices
        for k in [k for k in state if str(k).startswith(KEY + "map_")]:
            del state[k]
        cols = (digest, tuple(imp.file_columns(data, name)))
        state[KEY + "cols"] = cols
    failed = state.get(KEY + "failed") == digest
    mapping = _mapping(state, cols[1], failed)
    plan = _plan(state, data, name, mapping, km)
    state[KEY + "failed"] = digest if plan is None else None
    if plan is None:
        return
    _preview(plan, units)
    st.text_input("Reason for the import (required)", key="inci_reason")
    st.button("Confirm the import", key="inci_confirm", type="primary", on_click=on_confirm,
              args=(state, data, name, mapping, km), disabled=not plan.counts[0])


def _preview(plan: ImportPlan, units: str) -> None:
    new, dups, bad = imp.preview_tables(plan, units)
    st.info(md(imp.summary_line(plan)))
    n, d, i = plan.counts
    st.markdown(f"**New ({n})**")
    st.dataframe(new, hide_index=True, key="inci_new")
    st.markdown(f"**Duplicates ({d})**")
    st.dataframe(dups, hide_index=True, key="inci_dups")
    st.markdown(f"**Invalid ({i})**")
    st.dataframe(bad, hide_index=True, key="inci_bad")


def _exporter(chosen: list[Incident], fmt: str) -> Callable[[], bytes]:
    """The file of ``chosen`` in ``fmt``, made when the button is clicked."""
    return lambda: export_incidents(chosen, fmt)  # type: ignore[arg-type]


def export_section(ids: Sequence[str]) -> None:
    """The incidents the filters leave, as GeoJSON, CSV, KML and GeoPackage."""
    st.subheader("Export the filtered catalogue")
    keep = set(ids)
    chosen = [inc for inc in current_incidents() if inc.id in keep]
    st.caption(f"{len(chosen)} incident(s), as the sidebar's filters leave them.")
    cols = st.columns(len(EXPORTS))
    for col, (fmt, label, ext, mime) in zip(cols, EXPORTS):
        col.download_button(label, _exporter(chosen, fmt),
                            file_name=f"incidents.{ext}", mime=mime, key=f"incx_{fmt}",
                            on_click="ignore", disabled=not chosen)
