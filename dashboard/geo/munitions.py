"""Munition range presets for the origin analysis, each with its stated range and sources.

Only ranges a public source states are listed (``shared/NFZ_AND_ORIGIN_FACTS.md``,
gathered December 2026; ``shared/DATA_SOURCES.md`` for the 5V55).  Every figure is
contested, so a preset carries the lowest and the highest figure its sources give
(``min_km``–``max_km``: Gerbera 300 km per Interia, 600 km per the Moldovan police)
and the URLs.  A source that gives one figure ("up to 2,500 km") has min = max.

How a preset becomes a candidate launch area (:attr:`MunitionRange.area_km`): a
munition could have been fired anywhere within its range, so the area is the disc
of the highest stated figure (``0``–``max_km``) — except where the range is how far
the munition flies before it falls (``full_flight``: the S-300's 5V55 interceptor,
which self-destructs or falls at the end of its flight), where it is the annulus
``min_km``–``max_km``.  The area's radius stops at :data:`MAX_AREA_KM`, the most the
tool measures (the Kh-101's 4,500–5,500 km reach every point of the map's coverage
from anywhere in it).

For any other munition, type the range in km; Tu-141, Kh-55, Gripen and the like
are left out for lack of a source in the facts file.

>>> r = munition_range("5v55")
>>> r.id, r.min_km, r.max_km, r.area_km
('s-300-5v55', 75.0, 90.0, (75.0, 90.0))
>>> munition_range("gerbera").label
'Gerbera decoy drone: 300–600 km (contested)'
>>> munition_range("kh-101").area_km
(0.0, 5000.0)
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass

from dashboard.geo.buffer import MAX_BUFFER_KM
from dashboard.geo.errors import InputError

#: Largest radius of a preset's launch area, km (the tool's most, :data:`MAX_BUFFER_KM`).
MAX_AREA_KM: float = MAX_BUFFER_KM


@dataclass(frozen=True)
class MunitionRange:
    """A munition's stated range.

    Attributes
    ----------
    id : str
        Short key (``"shahed-136"``).
    name : str
        What it is, for labels.
    min_km, max_km : float
        The lowest and highest range its sources state, km (equal when one figure is given).
    source : str
        Who states which figure.
    url : str
        The first source's URL (the page the range is read from).
    note : str
        How to read the range.
    urls : tuple of str
        Every source's URL (``url`` first).
    full_flight : bool
        The range is how far the munition flies before it falls, so the launch lay
        ``min_km``–``max_km`` away; otherwise anywhere within ``max_km``.
    user : str or None
        Who is reported to fire it, in the incident record's ``attributed_to``
        vocabulary (``"russian"``), when only one side does; None when both do.
    """

    id: str
    name: str
    min_km: float
    max_km: float
    source: str
    url: str
    note: str
    urls: tuple[str, ...] = ()
    full_flight: bool = False
    user: str | None = None

    @property
    def range_text(self) -> str:
        """``"300–600 km (contested)"``, or ``"up to 2,500 km"`` for one stated figure."""
        if self.min_km == self.max_km:
            return f"up to {self.max_km:,.0f} km"
        return f"{self.min_km:,.0f}–{self.max_km:,.0f} km (contested)"

    @property
    def label(self) -> str:
        """``"S-300 5V55-series surface-to-air missile: 75–90 km (contested)"``."""
        return f"{self.name}: {self.range_text}"

    @property
    def area_km(self) -> tuple[float, float]:
        """``(inner, outer)`` radii of the candidate launch area, km: ``(min_km, max_km)``
        when :attr:`full_flight`, else ``(0, max_km)``; the outer one at most
        :data:`MAX_AREA_KM`."""
        inner = self.min_km if self.full_flight else 0.0
        return min(inner, MAX_AREA_KM), min(self.max_km, MAX_AREA_KM)


_WITHIN = ("The area is everywhere within the highest stated range (the munition need not "
           "have flown its full range).")

PRESETS: dict[str, MunitionRange] = {
    p.id: p
    for p in (
        MunitionRange(
            "s-300-5v55", "S-300 5V55-series surface-to-air missile", 75.0, 90.0,
            source="babel.ua, citing Rzeczpospolita on the Polish investigation of the "
                   "2022-11-15 Przewodów strike: 75–90 km (by variant)",
            url="https://babel.ua/en/news/98862-rzeczpospolita-polish-law-enforcement-officers-"
                "claim-that-a-ukrainian-missile-fell-in-poland-last-year",
            urls=("https://babel.ua/en/news/98862-rzeczpospolita-polish-law-enforcement-officers-"
                  "claim-that-a-ukrainian-missile-fell-in-poland-last-year",
                  "https://en.wikipedia.org/wiki/2022_missile_explosion_in_Poland"),
            note="75–90 km is the stated range of the 5V55 missiles (by variant). As an annulus it "
                 "assumes the missile flew its full range before it came down; set the minimum "
                 "to 0 km for 'anywhere within range'.",
            full_flight=True, user=None),
        MunitionRange(
            "shahed-136", "Shahed-136 / Geran-2 one-way attack drone", 2500.0, 2500.0,
            source="NDTV: 'up to 2,500 km'",
            url="https://www.ndtv.com/world-news/iran-sends-its-cheap-and-best-shahed-drones-at-"
                "expensive-targets-11151219",
            note=_WITHIN, user="russian"),
        MunitionRange(
            "gerbera", "Gerbera decoy drone", 300.0, 600.0,
            source="Interia: about 300 km; Moldovan police (Timpul): up to 600 km",
            url="https://wydarzenia.interia.pl/kraj/news-co-wiemy-o-dronach-gerbera-to-tani-i-"
                "skuteczny-wabik-rosjan,nId,22418128",
            urls=("https://wydarzenia.interia.pl/kraj/news-co-wiemy-o-dronach-gerbera-to-tani-i-"
                  "skuteczny-wabik-rosjan,nId,22418128",
                  "https://timpul.md/articol/detalii-despre-drona-care-a-cazut-in-raionul-"
                  "floresti-nu-avea-exploziv.html"),
            note=_WITHIN, user="russian"),
        MunitionRange(
            "kh-101", "Kh-101 air-launched cruise missile", 4500.0, 5500.0,
            source="Ukrinform: 4,500 km (Putin) to 5,500 km (Ukrainian Air Force)",
            url="https://ukrinform.de/amp/rubric-ato/3515431-russland-feuerte-auf-kyjiw-"
                "marschflugkorper-ch101-von-flugzeugen-tu95-und-tu160-ab-luftwaffe.html",
            note=_WITHIN + " Drawn to 5,000 km, the most this tool measures: every point of "
                 "the map's coverage is nearer than that to any point in it.",
            user="russian"),
        MunitionRange(
            "kalibr", "Kalibr 3M14 cruise missile", 1400.0, 2500.0,
            source="Nuclear Security Working Group: 1,400 km (Putin) to 2,500 km (NASIC)",
            url="http://nuclearsecurityworkinggroup.org/the-nuclear-posture-review-and-the-"
                "future-of-the-inf-treaty/",
            note=_WITHIN + " Launched from ships and submarines: the launch area is mostly sea, "
                 "so do not limit it to countries' territory.",
            user="russian"),
        MunitionRange(
            "iskander-m", "Iskander-M ballistic missile", 500.0, 500.0,
            source="CSIS Missile Threat: about 500 km",
            url="https://missilethreat.csis.org/russia-sends-iskander-missiles-tajikstan/",
            note=_WITHIN, user="russian"),
        MunitionRange(
            "tochka-u", "Tochka-U ballistic missile", 120.0, 120.0,
            source="news.kitchen0.com: up to 120 km",
            url="https://news.kitchen0.com/ukrainian-ballistic-missile-plant-destroyed-russia",
            note=_WITHIN + " Low-confidence source (an aggregator).", user=None),
    )
}
for _p in PRESETS.values():  # every preset lists its sources, its url first
    if not _p.urls:
        object.__setattr__(_p, "urls", (_p.url,))

#: Former keys that still name a preset.
ALIASES: dict[str, str] = {"5v55": "s-300-5v55", "geran-2": "shahed-136", "iskander": "iskander-m",
                           "tochka": "tochka-u"}


def munition_range(preset_id: str) -> MunitionRange:
    """The preset named ``preset_id`` (case-insensitive; :data:`ALIASES` accepted).

    Raises
    ------
    InputError
        Unknown preset, with the known ones.
    """
    key = str(preset_id).strip().lower()
    key = ALIASES.get(key, key)
    if key in PRESETS:
        return PRESETS[key]
    close = difflib.get_close_matches(key, list(PRESETS), n=3, cutoff=0.6)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    raise InputError(f"unknown munition preset {preset_id!r}; {hint}presets: {', '.join(PRESETS)}")


__all__ = ["ALIASES", "MAX_AREA_KM", "PRESETS", "MunitionRange", "munition_range"]
