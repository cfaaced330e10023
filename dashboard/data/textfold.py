"""Place names made comparable: folded (no case, accents or punctuation) and latinized.

Pure text functions (no I/O).  :func:`fold` is how every name search of the
dashboard compares a typed text with a name; :func:`latinize` writes Ukrainian,
Russian, Belarusian and Bulgarian Cyrillic in Latin letters so that a name typed
in one script finds a name written in the other (``fold(latinize(text))``).

>>> fold("Przewodów"), fold("Czosnówka"), fold("Łódź"), fold("L'viv")
('przewodow', 'czosnowka', 'lodz', 'lviv')
>>> fold(latinize("Львів")), fold(latinize("Київ")), fold(latinize("Харків"))
('lviv', 'kyiv', 'kharkiv')
"""
from __future__ import annotations

import re
import unicodedata

#: Letters that Unicode does not decompose into a base letter and a mark.
_SPECIAL: dict[str, str] = {
    "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "ß": "ss", "ẞ": "ss", "đ": "d", "Đ": "d",
    "ð": "d", "Ð": "d", "þ": "th", "Þ": "th", "ı": "i", "æ": "ae", "Æ": "ae", "œ": "oe",
    "Œ": "oe", "ħ": "h", "Ħ": "h", "ŀ": "l", "Ŀ": "l", "ŧ": "t", "Ŧ": "t", "ƒ": "f",
    "ĸ": "k", "ŉ": "n", "ŋ": "ng", "Ŋ": "ng",
}
_SPECIAL_TABLE = str.maketrans(_SPECIAL)
#: Apostrophes and marks written inside names (removed: "L'viv" is "Lviv").
_APOSTROPHES = "'’‘ʼʻʹ`´ʺ\"ˮ"
_APOSTROPHE_RE = re.compile(f"[{re.escape(_APOSTROPHES)}]")
#: Everything that is neither a letter nor a digit separates words (hyphens, dashes,
#: dots, commas, brackets, slashes): "Bistrița-Năsăud" is "bistrita nasaud".
_SEPARATORS_RE = re.compile(r"[\W_]+")


def _combining_class() -> re.Pattern[str]:
    """One character class of every combining mark of the Basic Multilingual Plane."""
    runs: list[str] = []
    start = prev = -2
    for cp in range(0x300, 0x10000):
        if unicodedata.combining(chr(cp)):
            if cp != prev + 1:
                if start >= 0:
                    runs.append(f"{re.escape(chr(start))}-{re.escape(chr(prev))}")
                start = cp
            prev = cp
    runs.append(f"{re.escape(chr(start))}-{re.escape(chr(prev))}")
    return re.compile(f"[{''.join(runs)}]+")


_COMBINING_RE = _combining_class()
_CYRILLIC_RE = re.compile("[\u0400-\u04ff]")


def fold(text: str) -> str:
    """``text`` as search compares it: lower case (casefold), no accents or other
    combining marks, special letters spelt in ASCII (ł l, ø o, ß ss, đ d, ı i,
    æ ae), apostrophes removed, any run of other non-letters one space, no space
    at either end.  Cyrillic stays Cyrillic (folded the same way).

    >>> fold("  Bistrița-Năsăud ")
    'bistrita nasaud'
    >>> fold("STRAßE"), fold("Øresund"), fold("Đakovo"), fold("Kıyıköy"), fold("Ærø")
    ('strasse', 'oresund', 'dakovo', 'kiyikoy', 'aero')
    >>> fold("Kam’ianets’-Podil’s’kyi"), fold("Sankt-Peterburg"), fold("St. Petersburg")
    ('kamianets podilskyi', 'sankt peterburg', 'st petersburg')
    >>> fold("ЛЬВІВ") == fold("львів"), fold("")
    (True, '')
    """
    text = str(text)
    if text.isascii():
        bare = text.lower()
    else:
        nfkd = unicodedata.normalize("NFKD", text.translate(_SPECIAL_TABLE))
        bare = _COMBINING_RE.sub("", nfkd).casefold().translate(_SPECIAL_TABLE)
    bare = _APOSTROPHE_RE.sub("", bare)
    return _SEPARATORS_RE.sub(" ", bare).strip()


# ---------------------------------------------------------------------- Cyrillic
#: Ukrainian national system (Cabinet of Ministers resolution 55, 2010): the
#: primary table; letters first in a word take the second form where it differs.
_UK: dict[str, str | tuple[str, str]] = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e",
    "є": ("ye", "ie"), "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": ("yi", "i"),
    "й": ("y", "i"), "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": ("yu", "iu"), "я": ("ya", "ia"),
    # letters of the other languages, when they turn up in a Ukrainian-looking word
    "ё": "yo", "ы": "y", "э": "e", "ъ": "", "ў": "u",
}
#: Russian (BGN/PCGN, without diacritics).
_RU: dict[str, str | tuple[str, str]] = {
    **_UK, "г": "g", "е": "e", "ё": "yo", "и": "i", "й": "y", "ъ": "", "ы": "y",
    "э": "e", "ю": "yu", "я": "ya",
}
#: Belarusian (BGN/PCGN, without diacritics).
_BE: dict[str, str | tuple[str, str]] = {
    **_UK, "г": "h", "е": "e", "ё": "yo", "і": "i", "й": "y", "ў": "u", "ы": "y",
    "э": "e", "ю": "yu", "я": "ya",
}
#: Bulgarian (the Transliteration Act, 2009).
_BG: dict[str, str | tuple[str, str]] = {
    **_UK, "г": "g", "и": "i", "й": "y", "х": "h", "щ": "sht", "ъ": "a", "ь": "y",
    "ю": "yu", "я": "ya",
}
TABLES: dict[str, dict[str, str | tuple[str, str]]] = {"uk": _UK, "ru": _RU, "be": _BE, "bg": _BG}
_WORD_RE = re.compile(r"[^\W\d_]+|[\W\d_]+")


def cyrillic_language(word: str) -> str:
    """Which table :func:`latinize` reads ``word`` with: ``"be"`` (ў, or і with ы/э/ё),
    ``"uk"`` (і, ї, є, ґ, or no letter telling), ``"ru"`` (ы, э, ё), ``"bg"`` (ъ).

    >>> [cyrillic_language(w) for w in ("Магілёў", "Київ", "Москва", "Сыктывкар", "Търговище")]
    ['be', 'uk', 'uk', 'ru', 'bg']
    """
    w = set(word.casefold())
    if "ў" in w or ("і" in w and w & set("ыэё")):
        return "be"
    if w & set("іїєґ"):
        return "uk"
    if w & set("ыэё"):
        return "ru"
    if "ъ" in w:
        return "bg"
    return "uk"


def latinize(text: str, language: str | None = None) -> str:
    """``text`` with its Cyrillic letters in Latin ones, case kept; other characters
    unchanged.  Each word is read with the Ukrainian national system (2010) unless
    ``language`` (``"uk"``, ``"ru"``, ``"be"``, ``"bg"``) says otherwise or its
    letters show another language (:func:`cyrillic_language`).  The Ukrainian
    ``зг`` is ``zgh``.

    >>> latinize("Львів"), latinize("Київ"), latinize("Харків"), latinize("Ямпіль")
    ('Lviv', 'Kyiv', 'Kharkiv', 'Yampil')
    >>> latinize("Згурівка"), latinize("Яготин"), latinize("Костянтинівка")
    ('Zghurivka', 'Yahotyn', 'Kostiantynivka')
    >>> latinize("Киев", "ru"), latinize("Львов", "ru"), latinize("Брэст"), latinize("Търговище")
    ('Kiev', 'Lvov', 'Brest', 'Targovishte')
    >>> latinize("Przewodów"), latinize("Біла Церква")
    ('Przewodów', 'Bila Tserkva')
    """
    text = unicodedata.normalize("NFC", str(text))
    if not _CYRILLIC_RE.search(text):
        return text
    if language is not None and language not in TABLES:
        raise ValueError(f"unknown language {language!r}; one of {sorted(TABLES)}")
    return "".join(_latin_word(w, language or cyrillic_language(w)) for w in _WORD_RE.findall(text))


def _latin_word(word: str, language: str) -> str:
    table = TABLES[language]
    out: list[str] = []
    lower = word.casefold()
    for i, (c, low) in enumerate(zip(word, lower)):
        latin = table.get(low)
        if latin is None:
            out.append(c)
            continue
        if isinstance(latin, tuple):
            latin = latin[0] if i == 0 else latin[1]
        if language == "uk" and low == "г" and i > 0 and lower[i - 1] == "з":
            latin = "gh"
        if c != low and latin:
            upper_word = len(word) > 1 and word.isupper()
            latin = latin.upper() if upper_word else latin[0].upper() + latin[1:]
        out.append(latin)
    return "".join(out)
