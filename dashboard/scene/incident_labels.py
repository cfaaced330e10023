"""An incident's short label: its village and date ("Przewodów · 2022-11-15").

The ``place`` of an incident is a sentence for people ("house in Wyryki-Wola, gmina
Wyryki, Włodawa county, Lublin voivodeship"; "Territorial Defence Forces unit, Nowe
Miasto nad Pilicą, ..."): the map and the brief label an incident by the settlement
it is named after instead, found by one rule.

**The rule.** An incident id is ``YYYY-MM-DD-<slug>`` and its slug names the
settlement (:func:`dashboard.data.incidents.record.new_incident_id`).  The slug's
words (split at ``-``; a trailing ``-2``, ``-3``... of a repeated id dropped) are
looked for in ``place``'s words, both compared folded
(:func:`dashboard.data.textfold.fold`: no case, diacritics or punctuation):

1. the first run of consecutive words of ``place`` equal to the slug's words is the
   village, printed as ``place`` writes it, from its first word's first letter to
   its last word's last ("nowe-miasto-nad-pilica" -> "Nowe Miasto nad Pilicą",
   "ceadir-lunga" -> "Ceadîr-Lunga", "wyryki" -> the "Wyryki" of "Wyryki-Wola");
2. otherwise, when the slug splits into two or more such runs in order (an
   incident between two villages, "rabiany-sewerynow"), those runs joined by an
   en dash ("Rabiany–Sewerynów");
3. otherwise the longest run of the slug's consecutive words that ``place`` spells
   ("plaja-vadu" in "Vadu beach between Edighiol and Periboina" -> "Vadu");
4. otherwise (a slug typed by hand that ``place`` does not spell) the first
   part of ``place`` as the map cuts it (:func:`label_part`, up to its first comma).

The label is the village, `` · `` and the date (``YYYY-MM-DD``), or the village
alone when the incident has no date.

>>> incident_label("2022-11-15-przewodow", "2022-11-15",
...                "Przewodów, gmina Dołhobyczów, Hrubieszów county, Lublin voivodeship")
'Przewodów · 2022-11-15'
>>> incident_village("2025-09-10-wyryki", "house in Wyryki-Wola, gmina Wyryki, Włodawa county")
'Wyryki'
>>> incident_village("2025-09-10-rabiany-sewerynow", "between Rabiany and Sewerynów, gmina Korytnica")
'Rabiany–Sewerynów'
>>> incident_village("2025-01-01-somewhere", "a field, gmina X")
'a field'
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from dashboard.data.textfold import fold

#: Between the village and the date of a label.
SEPARATOR: str = " · "
#: Between the villages of an incident named after two ("Rabiany–Sewerynów").
BETWEEN: str = "–"
_ID_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})-(.+)$")
_REPEAT_RE = re.compile(r"-\d+$")
_WORD_RE = re.compile(r"[^\W_]+(?:['’ʼ][^\W_]+)*")
_CUT_RE = re.compile(r",(?!\d)")


def label_part(place: str) -> str:
    """``place`` up to its first comma not followed by a digit (the map's cut).

    >>> label_part("Jarun, Zagreb"), label_part("PL 79,432 km²")
    ('Jarun', 'PL 79,432 km²')
    """
    return _CUT_RE.split(str(place), maxsplit=1)[0].strip()


def _words(text: str) -> list[tuple[str, int, int]]:
    """(folded word, start, end) of every word of ``text`` (``fold`` may split one in two)."""
    out = []
    for m in _WORD_RE.finditer(text):
        for part in fold(m.group()).split():
            out.append((part, m.start(), m.end()))
    return out


def _find(words: Sequence[tuple[str, int, int]], want: Sequence[str], start: int) -> int:
    """Index of the first run of ``words`` from ``start`` equal to ``want``, or -1."""
    n = len(want)
    for i in range(start, len(words) - n + 1):
        if all(words[i + k][0] == want[k] for k in range(n)):
            return i
    return -1


def _split_runs(words: Sequence[tuple[str, int, int]], want: Sequence[str],
                ) -> list[tuple[int, int]] | None:
    """``want`` as two or more runs of ``words`` in order, each as long as possible:
    [(first word, word count), ...] or None."""
    runs: list[tuple[int, int]] = []
    k, at = 0, 0
    while k < len(want):
        for n in range(len(want) - k, 0, -1):
            i = _find(words, want[k:k + n], at)
            if i >= 0:
                runs.append((i, n))
                k, at = k + n, i + n
                break
        else:
            return None
    return runs if len(runs) >= 2 else None


def _text(place: str, words: Sequence[tuple[str, int, int]], i: int, n: int) -> str:
    return place[words[i][1]:words[i + n - 1][2]]


def slug_words(incident_id: str) -> list[str]:
    """The folded words of an incident id's slug (its repeat number dropped).

    >>> slug_words("2025-09-10-nowe-miasto-nad-pilica"), slug_words("2023-02-16-larga-2")
    (['nowe', 'miasto', 'nad', 'pilica'], ['larga'])
    """
    m = _ID_RE.match(str(incident_id))
    slug = m.group(2) if m else str(incident_id)
    return fold(_REPEAT_RE.sub("", slug)).split()


def incident_village(incident_id: str, place: str | None) -> str:
    """The settlement an incident is named after, as ``place`` writes it (the module's rule)."""
    text = "" if place is None else str(place)
    words = _words(text)
    want = slug_words(incident_id)
    if want and words:
        i = _find(words, want, 0)
        if i >= 0:
            return _text(text, words, i, len(want))
        runs = _split_runs(words, want)
        if runs:
            return BETWEEN.join(_text(text, words, i, n) for i, n in runs)
        for n in range(len(want) - 1, 0, -1):
            for k in range(len(want) - n + 1):
                i = _find(words, want[k:k + n], 0)
                if i >= 0:
                    return _text(text, words, i, n)
    return label_part(text)


def incident_label(incident_id: str, date: str | None, place: str | None) -> str:
    """``"<village> · <YYYY-MM-DD>"`` (the village alone without a date)."""
    village = incident_village(incident_id, place)
    day = "" if date is None else str(date)[:10]
    if not _ID_RE.match(day + "-x"):
        day = ""
    return f"{village}{SEPARATOR}{day}" if village and day else (village or day)
