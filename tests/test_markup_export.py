"""User text stays text in every file the app makes: the brief (SVG, PDF, PNG), the
layer exports (GeoJSON, CSV), the scenario export and share link, and the Markdown
the pages render.

Payloads are scripts, event handlers, ``javascript:`` and external-image links,
Markdown, template syntax, matplotlib mathtext, a very long name and bidi/zero-width
characters.  Each check reads the output back with an independent parser (XML, JSON,
csv, pypdf) and finds the payload there as literal text, so a test cannot pass
because nothing was written.

CSV decision: the app offers CSV downloads (Explore's Export tab, the incident
table), so a text cell that a spreadsheet would run as a formula (``=``, ``+``,
``-``, ``@``, tab, CR, LF first) gets a leading apostrophe
(:func:`dashboard.render.export.spreadsheet_safe`); numbers are never touched.
"""
from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, box

from dashboard.io.csvsafe import FORMULA_STARTS
from dashboard.render.brief import build_figure, render_brief
from dashboard.render.export import spreadsheet_safe
from dashboard.scene.compose import build_scene
from dashboard.scene.names import shown_name
from dashboard.scene.request import Marker, SceneRequest
from dashboard.state import incidents as incidentfilter
from dashboard.state import session as appstate
from dashboard.store import Scenario, Zone, from_url_param, to_url_param
from dashboard.store.geojson import from_geojson, to_geojson
from dashboard.ui.widgets import inert_table, md, md_html

#: Markup that must stay text wherever user text goes.
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
SVG_ONLOAD = '"><svg onload=alert(3)>'
JS_LINK = '<a href="javascript:alert(4)">x</a>'
MD_IMAGE = "![p](http://127.0.0.9/leak.png)"
MD_JS = "[x](javascript:alert(5))"
TEMPLATE = "{{7*7}}"
MATH = r"$\alpha$"
BIDI = "\u202eevil\u200b\u200dname\u2066"
LONG = "Z" * 300 + " end"
PAYLOADS: tuple[str, ...] = (SCRIPT, IMG, SVG_ONLOAD, JS_LINK, MD_IMAGE, MD_JS, TEMPLATE, MATH,
                             BIDI, LONG)
FORMULAS: tuple[str, ...] = ('=HYPERLINK("http://127.0.0.9/x","click")', "+1+2", "-3+4",
                             "@SUM(A1:A2)", "\t=1", "=cmd|' /C calc'!A0")
GENERATED = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


# ------------------------------------------------------------------ the brief
def _user_layer() -> gpd.GeoDataFrame:
    """An uploaded layer whose names and properties are payloads: a polygon and points."""
    rows = [{"name": MD_IMAGE, "note": SCRIPT, "geometry": box(23.0, 50.9, 24.4, 51.3)}]
    rows += [{"name": p, "note": IMG, "geometry": Point(22.6 + 0.45 * i, 49.4 + 0.12 * (i % 3))}
             for i, p in enumerate(PAYLOADS)]
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


@pytest.fixture(scope="module")
def payload_scene():
    """A real scene (compose.build_scene) with payloads as the title, a drawn zone's
    name, an uploaded layer's file name and feature names, and the marker's name."""
    req = SceneRequest(
        incident_id="2022-11-15-przewodow", title=f"{MATH} {SVG_ONLOAD} {JS_LINK}",
        extra_zones=((f"{IMG} zone", box(24.3, 49.6, 25.6, 50.4)), (MATH, box(25.8, 49.6, 26.6, 50.2))),
        user_layers=((f"{SCRIPT}{MD_IMAGE}.geojson", _user_layer()),),
        marker=Marker(f"{MD_JS} {TEMPLATE}", 24.5, 50.1), as_of=date(2022, 11, 15))
    return build_scene(req)


@pytest.fixture(scope="module")
def brief_svg(payload_scene) -> bytes:
    buf = io.BytesIO()
    render_brief(payload_scene, buf, "svg", "slide", marking=f"{SCRIPT} {MATH}", generated_at=GENERATED)
    return buf.getvalue()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def test_brief_svg_is_xml_without_script_handlers_or_links(brief_svg):
    root = ET.fromstring(brief_svg)  # well-formed XML, or this raises
    assert _local(root.tag) == "svg"
    tags = {_local(e.tag) for e in root.iter()}
    assert not tags & {"script", "foreignObject", "iframe", "object", "embed", "a", "image"}, tags
    for e in root.iter():
        for name, value in e.attrib.items():
            assert not _local(name).lower().startswith("on"), (e.tag, name, value)
            if _local(name) == "href":  # only references inside the file (#glyph, #clip)
                assert value.startswith("#"), value
            assert "javascript:" not in value.lower(), (e.tag, name, value)
    raw = brief_svg.decode("utf-8")  # the payloads' tags are escaped text, never markup
    assert not re.search(r"<(script|img|a|iframe)\b", raw, re.I)
    assert len(re.findall(r"<svg\b", raw)) == 1  # the root only: `"><svg onload` stayed text


def test_brief_svg_shows_the_payloads_as_literal_text(brief_svg):
    root = ET.fromstring(brief_svg)
    text = "\n".join(t for e in root.iter() if _local(e.tag) == "text" for t in e.itertext())
    # the title, the banner (upper-cased), the legend (file name), the zone labels
    assert f"{MATH} {SVG_ONLOAD} {JS_LINK}" in text, text[:2000]
    assert f"{SCRIPT} {MATH}".upper() in text
    assert f"{SCRIPT}{MD_IMAGE}"[:20] in text  # the user layer's legend row (may be ellipsized)
    assert f"{IMG} zone" in text and MATH in text
    raw = brief_svg.decode("utf-8")  # ...escaped as XML in the file itself
    assert "&lt;img src=x onerror=alert(2)&gt; zone" in raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt;".upper() in raw.upper()


def test_brief_draws_dollar_signs_literally_not_as_mathtext(payload_scene):
    layout = build_figure(payload_scene, "slide", marking=MATH, generated_at=GENERATED)
    texts = [t for t in layout.fig.findobj(lambda a: hasattr(a, "get_text") and hasattr(a, "_parse_math"))
             if MATH in t.get_text()]
    assert texts, "no text on the brief holds the payload"
    for t in texts:  # matplotlib's own decision: plain text, not mathtext
        s, ismath = t._preprocess_math(t.get_text())
        assert ismath is False and s == t.get_text(), (t.get_text(), ismath)


def test_brief_pdf_text_holds_the_payloads(payload_scene):
    pypdf = pytest.importorskip("pypdf")
    buf = io.BytesIO()
    render_brief(payload_scene, buf, "pdf", "slide", marking=None, generated_at=GENERATED)
    text = pypdf.PdfReader(io.BytesIO(buf.getvalue())).pages[0].extract_text()
    assert f"{MATH} {SVG_ONLOAD}" in text, text[:1500]
    assert f"{IMG} zone" in text, text[:1500]


# ------------------------------------------------------------------ layer exports
@pytest.fixture(scope="module")
def payload_gdf() -> gpd.GeoDataFrame:
    values = list(PAYLOADS) + list(FORMULAS)
    return gpd.GeoDataFrame(
        {"name": values, MD_IMAGE: values[::-1], "n": [-1.5 - i for i in range(len(values))]},
        geometry=[Point(23 + 0.1 * i, 50) for i in range(len(values))], crs="EPSG:4326")


def test_geojson_export_keeps_every_string_exactly(payload_gdf):
    fc = json.loads(appstate.to_geojson_bytes(payload_gdf))
    props = [f["properties"] for f in fc["features"]]
    assert [p["name"] for p in props] == list(payload_gdf["name"])
    assert [p[MD_IMAGE] for p in props] == list(payload_gdf[MD_IMAGE])
    assert [p["n"] for p in props] == list(payload_gdf["n"])


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


def test_csv_export_neutralises_formulas_and_keeps_other_text(payload_gdf):
    header, *rows = _rows(appstate.to_csv_bytes(spreadsheet_safe(payload_gdf)))
    assert header[:3] == ["name", MD_IMAGE, "n"]
    names = [r[0] for r in rows]
    for shown, original in zip(names, payload_gdf["name"]):
        if original.startswith(FORMULA_STARTS):
            assert shown == "'" + original
        else:
            assert shown == original  # markup is data in a CSV: kept exactly
    assert not any(c.startswith(FORMULA_STARTS) for r in rows for c in r[:2])
    # numbers stay numbers (a negative value is not a formula)
    assert [float(r[2]) for r in rows] == list(payload_gdf["n"])
    assert [float(r[3]) for r in rows] == pytest.approx(list(payload_gdf.geometry.x))


def test_spreadsheet_safe_keeps_geometry_and_the_input():
    gdf = gpd.GeoDataFrame({"=x": ["=1", "ok"], "v": [-1, 2]},
                           geometry=[LineString([(0, 0), (1, 1)]), Point(2, 2)], crs="EPSG:4326")
    out = spreadsheet_safe(gdf)
    assert list(out.columns) == ["'=x", "v", "geometry"] and out.geometry.name == "geometry"
    assert list(out["'=x"]) == ["'=1", "ok"] and list(out["v"]) == [-1, 2]
    assert list(gdf["=x"]) == ["=1", "ok"]  # a copy: the layer itself is unchanged
    assert out.geometry.equals(gdf.geometry)


def test_incident_table_csv_neutralises_a_zone_named_like_a_formula():
    zone = box(23.5, 50.2, 24.5, 50.8)  # contains Przewodów
    from dashboard.analysis.incident_table import incident_table

    table = incident_table(zones=[("=HYPERLINK(\"http://127.0.0.9\")", zone), (MD_IMAGE, zone)])
    shown = incidentfilter.display_table(table, "km")
    header, *rows = _rows(incidentfilter.table_csv(spreadsheet_safe(shown)))
    zones = [r[header.index("zones")] for r in rows if r[header.index("id")] == "2022-11-15-przewodow"]
    assert zones and zones[0].startswith("'=HYPERLINK") and MD_IMAGE in zones[0], zones
    assert not any(c.startswith(FORMULA_STARTS) for r in rows for c in r)


# ------------------------------------------------------------------ scenarios
def _scenario() -> Scenario:
    zones = [Zone(f"z{i}", p if len(p) <= 120 else p[:120], box(23 + i * 0.3, 50, 23.2 + i * 0.3, 50.3),
                  description=f"{JS_LINK} {MD_IMAGE} {p}"[:500])
             for i, p in enumerate(PAYLOADS)]
    return Scenario(name=f"{IMG} {MATH} {TEMPLATE}", zones=zones, incident_id="2022-11-15-przewodow",
                    created="2024-05-01T12:00:00Z")


def test_scenario_geojson_and_share_link_keep_names_as_data():
    sc = _scenario()
    text = json.dumps(to_geojson(sc), ensure_ascii=False)
    back = from_geojson(text)
    assert back.name == sc.name
    assert [(z.name, z.description) for z in back.zones] == [(z.name, z.description) for z in sc.zones]
    linked = from_url_param(to_url_param(sc))
    assert linked.name == sc.name and [z.name for z in linked.zones] == [z.name for z in sc.zones]
    assert re.fullmatch(r"[A-Za-z0-9_.~-]+", to_url_param(sc))  # the link carries no markup


# ------------------------------------------------------------------ Markdown on the pages
_ESCAPED = re.compile(r"\\([\\`*_\[\]<>!|~$&:#+\-=.()])")


@pytest.mark.parametrize("text", PAYLOADS + FORMULAS + ("# heading", "1. list", "- item", "> quote", "---",
                                                         ":red[x] :smile:", "a & b &lt;", "6.37 PL-UA"))
def test_md_leaves_no_markdown_syntax_and_loses_nothing_but_bidi_controls(text):
    out = md(text)
    # undoing the escapes gives back the name as shown (bidi controls taken out, issue 18)
    assert _ESCAPED.sub(r"\1", out) == shown_name(text).replace("\n", " ")
    bare = _ESCAPED.sub("", out)  # what is left unescaped has no syntax character
    assert not re.search(r"[\\`*_\[\]<>!|~$&]|:(?=[\w/])", bare), (text, out)
    assert "](" not in out.replace("\\]\\(", "")  # no link or image target
    # no heading, quote, list or thematic break can start it
    assert not re.match(r"\s*(?:[#>]|[+\-=](?:[\s+\-=]|$)|\d+[.)](?:\s|$))", out), (text, out)


@pytest.mark.parametrize("text", PAYLOADS + ("a & b &lt;", "&#60;script&#62;"))
def test_md_html_has_no_tag_or_entity_of_its_own(text):
    """For ``unsafe_allow_html``: no raw ``<``, ``>`` or ``&`` (so no tag and no entity but
    its own), and Markdown's escapes as in :func:`md`."""
    import html

    out = md_html(text)
    assert "<" not in out and ">" not in out and not re.search(r"&(?!#(?:60|62|38);)", out), out
    # an HTML parser sees md's inert text, with <, > and & as characters, not escapes
    plain = md(text).replace("\\<", "<").replace("\\>", ">").replace("\\&", "&")
    assert html.unescape(out) == plain


def test_inert_table_escapes_text_cells_only():
    df = pd.DataFrame({"feature": [MD_IMAGE, "PL-UA"], "distance (km)": ["6.37", "1.00"], "n": [1, 2]},
                      index=pd.Index([SCRIPT, "Ukraine"], name="to"))
    out = inert_table(df)
    assert list(out["feature"]) == [md(MD_IMAGE), "PL-UA"]
    assert list(out["distance (km)"]) == ["6.37", "1.00"] and list(out["n"]) == [1, 2]
    assert list(out.index) == [md(SCRIPT), "Ukraine"] and out.index.name == "to"
    assert list(df["feature"]) == [MD_IMAGE, "PL-UA"]
