"""The session's state as typed fields: one accessor instead of string keys.

Streamlit keeps a session's values in ``st.session_state``, a mapping whose
keys are also the widgets' keys.  :class:`Session` is a typed view of such a
mapping (``st.session_state`` in the app, a plain ``dict`` in tests): every
value the pages keep is a :class:`Field` with its type and default, read and
written as an attribute (``state.units``, ``state.drawn_zones``), so a typo is
an ``AttributeError`` and a type checker knows what each holds.  A Session is
still a mapping (Streamlit's widgets read their keys through it), so widget
values whose keys are built at run time (a zone's name box) go through
:func:`widget_key`, the one place such keys are made.

No Streamlit here.

>>> s = Session({})
>>> s.units, s.rings_km, "units" in s, "rings_km" in s
('km', [], False, True)
>>> s.units = "nm"
>>> s.units, s["units"]
('nm', 'nm')
>>> Session.of(s) is s
True
>>> widget_key("zone_name", "z3", 2)
'zone_name_z3_2'
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from datetime import date
from typing import Any, Generic, TypeAlias, TypeVar, overload

from dashboard.analysis.origin import OriginSpec

__all__ = ["Field", "Session", "StateLike", "widget_key"]

T = TypeVar("T")


_NO_DEFAULT: Any = object()


class Field(Generic[T]):
    """One typed value of the session: its key is the attribute's name.

    Reading a field that is not set yet returns its default; a fresh container
    from ``factory`` (lists, dicts, sets) is also stored, so that changes to it
    last, while a plain default is not (a widget's key stays unset until the
    widget sets it).  A field without a default must be set first
    (:func:`dashboard.state.session.init` does) and raises ``KeyError`` naming
    it otherwise.
    """

    def __init__(self, default: T = _NO_DEFAULT, *,
                 factory: Callable[[], T] | None = None, doc: str = "") -> None:
        self.default, self.factory, self.__doc__ = default, factory, doc
        self.key = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.key = name

    def has_default(self) -> bool:
        return self.factory is not None or self.default is not _NO_DEFAULT

    def make_default(self) -> T:
        return self.factory() if self.factory is not None else self.default

    @overload
    def __get__(self, obj: None, owner: type) -> Field[T]: ...
    @overload
    def __get__(self, obj: Session, owner: type) -> T: ...

    def __get__(self, obj: Session | None, owner: type) -> Field[T] | T:
        if obj is None:
            return self
        data = obj.data
        if self.key in data:
            return data[self.key]
        if self.factory is not None:  # a fresh container, kept so that changes to it last
            return data.setdefault(self.key, self.factory())
        if self.default is _NO_DEFAULT:
            raise KeyError(f"session field {self.key!r} is not set yet")
        return self.default  # not stored: a widget's key stays unset until the widget sets it

    def __set__(self, obj: Session, value: T) -> None:
        obj.data[self.key] = value

    def __delete__(self, obj: Session) -> None:
        obj.data.pop(self.key, None)


def widget_key(kind: str, *parts: object) -> str:
    """The session key of a widget made per item (a zone's name box, a unit's radius box).

    >>> widget_key("rings_text", "nm")
    'rings_text_nm'
    """
    return "_".join([kind, *(str(p) for p in parts)])


class Session(MutableMapping[str, Any]):
    """Typed fields over a session's mapping (see the module's docstring)."""

    data: MutableMapping[str, Any]

    # -- what the map shows (the sidebar; both pages)
    incident: Field[str] = Field(doc="id of the selected incident")
    as_of: Field[date] = Field(doc="date of the NATO border drawn and measured")
    units: Field[str] = Field("km", doc="'km', 'mi' or 'nm': how distances are shown")
    layers_on: Field[list[str]] = Field(doc="built-in layers switched on")
    zone_ids: Field[list[str]] = Field(doc="candidate zones shown")
    rings_km: Field[list[float]] = Field(factory=list, doc="range-ring radii, km")
    rings_error: Field[str | None] = Field(None)
    band_km: Field[float] = Field(0.0, doc="depth of the border band inside Ukraine, km")
    user_layers: Field[dict[str, Any]] = Field(factory=dict, doc="uploaded layers by name")
    upload_refused: Field[Any] = Field(None)
    # -- the Explore map
    picked: Field[dict[str, Any] | None] = Field(None, doc="what was clicked")
    map_view: Field[dict[str, Any] | None] = Field(None, doc="the map's last reported view")
    view_request: Field[dict[str, Any] | None] = Field(None, doc="where the map should fly")
    view_request_seq: Field[int] = Field(0)
    measure_a: Field[str] = Field("")
    measure_b: Field[str] = Field("")
    search_text: Field[str] = Field("")
    search_error: Field[str | None] = Field(None)
    search_failed: Field[str | None] = Field(None, doc="the search text that failed")
    brief_file: Field[tuple[Any, ...] | None] = Field(None, doc="(view signature, file) last made")
    # -- the incident timeline and origin analysis
    inc_from: Field[date] = Field()
    inc_to: Field[date] = Field()
    inc_countries: Field[list[str]] = Field()
    inc_objects: Field[list[str]] = Field()
    inc_attribution: Field[list[str]] = Field()
    inc_status: Field[list[str]] = Field()
    inc_grades: Field[list[str]] = Field()
    inc_groups: Field[list[str]] = Field()
    inc_seen: Field[dict[str, list[str]] | None] = Field(None)
    inc_as_of_user: Field[bool] = Field(False)
    inc_as_of_last: Field[date | None] = Field(None)
    inc_incident_last: Field[str | None] = Field(None)
    origin: Field[OriginSpec | None] = Field(None)  # (id, min_km, max_km[, bearing, countries])
    origin_error: Field[str | None] = Field(None)
    origin_range_km: Field[tuple[float, float]] = Field()
    origin_incident: Field[str | None] = Field(None)
    origin_mode: Field[str] = Field("preset")
    origin_preset: Field[str | None] = Field(None)
    # -- the no-fly-zones page
    drawn_zones: Field[list[Any]] = Field(factory=list, doc="the page's zones (store.Zone)")
    zones_editable: Field[set[str]] = Field(factory=set)
    zones_notes: Field[list[tuple[str, str]]] = Field(factory=list)
    zones_gen: Field[int] = Field(0)
    zones_snapshot: Field[list[Any]] = Field(factory=list)
    zones_seen: Field[Any] = Field(None)
    zones_view: Field[dict[str, float]] = Field()
    zones_map_view: Field[dict[str, float]] = Field()
    zones_dirty: Field[bool] = Field(False)
    zone_sel: Field[str | None] = Field(None)
    zone_sel_next: Field[str | None] = Field(None)
    zone_paste: Field[str] = Field("")
    build_ring_center: Field[str] = Field("")
    build_regions: Field[list[str]] = Field(factory=list)
    build_regions_name: Field[str] = Field("")
    build_preset: Field[str | None] = Field(None)
    build_coords_text: Field[str] = Field("")
    build_coords_name: Field[str] = Field("")
    build_clip: Field[bool] = Field(False)
    build_band_segments: Field[list[str]] = Field(factory=list)
    # -- scenarios
    scn_pick: Field[str | None] = Field(None)
    scn_name: Field[str] = Field("")
    scn_opened_name: Field[str | None] = Field(
        None, doc="name of the scenario last opened, kept until the name box has shown it")
    scn_new_name: Field[str] = Field("")
    scn_link: Field[str | None] = Field(None)
    scn_shared_done: Field[str | None] = Field(None)
    scn_list_cache: Field[tuple[Any, ...] | None] = Field(None)
    scn_delete_confirm: Field[bool] = Field(False)
    scn_overwrite: Field[bool] = Field(False)
    scn_msgs: Field[list[tuple[str, str]]] = Field(factory=list)
    notes_shown: Field[dict[str, int]] = Field(
        factory=dict, doc="per message queue, how many of its messages this run has shown")
    notes_sent: Field[dict[str, int]] = Field(
        factory=dict, doc="per message queue, how many of its messages a finished run sent")
    clicks: Field[dict[str, str]] = Field(
        factory=dict, doc="buttons clicked whose run has not yet reached them: key -> target")
    scn_import_file: Field[Any] = Field(None)

    def __init__(self, data: MutableMapping[str, Any]) -> None:
        object.__setattr__(self, "data", data)

    def __setattr__(self, name: str, value: Any) -> None:
        if not isinstance(getattr(type(self), name, None), Field):
            raise AttributeError(f"the session has no field {name!r}")
        object.__setattr__(self, name, value)

    @classmethod
    def of(cls, state: Session | MutableMapping[str, Any]) -> Session:
        """``state`` as a Session (itself if it is one already)."""
        return state if isinstance(state, Session) else cls(state)

    def set_default(self, field: Field[T], value: T) -> T:
        """Set ``field`` to ``value`` unless it is set already; its value either way.

        >>> s = Session({})
        >>> s.set_default(Session.incident, "a"), s.set_default(Session.incident, "b")
        ('a', 'a')
        """
        return self.data.setdefault(field.key, value)

    def peek(self, field: Field[T]) -> T | None:
        """``field``'s value, or None when it is not set (its default is not stored).

        >>> Session({}).peek(Session.as_of) is None
        True
        """
        return self.data.get(field.key)

    @classmethod
    def fields(cls) -> dict[str, Field[Any]]:
        """Every field by its key."""
        return {k: v for k, v in vars(cls).items() if isinstance(v, Field)}

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.data[key] = value

    def __delitem__(self, key: str) -> None:
        del self.data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


#: What the state functions accept: a :class:`Session`, or the mapping it views.
StateLike: TypeAlias = Session | MutableMapping[str, Any]
