"""The taxonomy of professional difficulties and competences.

Both banks speak the same vocabulary: a mentee's difficulty and a mentor's competence are the
same taxonomy item. The regulations' lists all end in «и т.д.», so the taxonomy shipped with the
package (``matcher/data/taxonomy.csv``) can be extended or amended by a CSV of the same columns
(``Options.taxonomy_extension``): a new code is appended, a known code gets its labels replaced
and its synonyms extended.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import snowballstemmer

from matcher.errors import ConfigurationError

COLUMNS = ("code", "label_ru", "label_en", "short_ru", "synonyms", "source")
_SPACES = re.compile(r"\s+")
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
_WORD = re.compile(r"[0-9a-zа-яё]+", re.IGNORECASE)
_STEMMER = snowballstemmer.stemmer("russian")
_IRREGULAR_STEMS = {"детьм": "дет"}
"""Forms the stemmer leaves apart from the rest of their word («детьми» besides «дети», «детей»)."""
_LINKING_WORDS = frozenset(
    _STEMMER.stemWords(
        _WORD.findall(
            "с со в во по для и на к ко о об при у из от за над а также "
            "работа затруднения трудности вопросы проблемы помощь навыки "
            "организация проведение ведение подготовка использование применение освоение "
            "обучение преподавание образовательный процесс результаты современные "
            "обучающиеся учащиеся школьники ученики дети воспитанники ребенок семьи "
            "законные представители "
            # the subjects a teacher teaches: «методика преподавания математики» is methods
            "математика алгебра геометрия русский родной иностранный английский немецкий "
            "французский язык литература чтение физика химия биология история обществознание "
            "география информатика астрономия музыка изобразительное искусство изо физическая "
            "культура физкультура обж обзр окружающий мир начальные классы"
        )
    )
)
"""Words a phrase may hold around an item's label or synonym without naming anything else
(«Работа с детьми с ОВЗ», «затруднения в организации урока», «использование ИКТ», «работа с
родителями обучающихся», «(законными представителями)», «методика обучения», «методика
преподавания математики»): prepositions, the pupils a school's papers name, the subjects taught,
conjunctions and words framing an activity. Any other word left over makes the phrase unknown."""
_MATCH_CACHE_SIZE = 65_536


def _words(text: str) -> list[tuple[str, str]]:
    """Each word of ``text`` as written and its stem (case, ё/е and inflection aside)."""
    written = _WORD.findall(text)
    stems = _STEMMER.stemWords([word.casefold().replace("ё", "е") for word in written])
    return [(word, _IRREGULAR_STEMS.get(stem, stem)) for word, stem in zip(written, stems, strict=True)]


def _stems(text: str) -> tuple[str, ...]:
    return tuple(stem for _, stem in _words(text))


def word_stems(text: str) -> tuple[str, ...]:
    """The stems of the words of ``text``, as the taxonomy compares phrases."""
    return _stems(text)


@lru_cache(maxsize=65_536)
def normalise_term(text: str) -> str:
    """What a person may type differently: case, ё/е, extra spaces, quotes, a final dot
    (cached: the same subjects, levels and codes recur down every column)."""
    text = text.casefold().replace("ё", "е").replace("«", "").replace("»", "").replace('"', "")
    return _SPACES.sub(" ", text).strip(" .")


@dataclass(frozen=True, slots=True)
class TermMatch:
    """What a term names: the codes whose code, label or synonym it is or holds (taxonomy order),
    and the runs of its words, as written, that none of them used («урок, выгорание»: ``lesson``,
    ``("выгорание",)``). Prepositions and framing words (``_LINKING_WORDS``) count as used."""

    codes: tuple[str, ...]
    unused: tuple[str, ...] = ()

    @property
    def code(self) -> str | None:
        """The one code the whole term names, or None (unknown, words left over, several items)."""
        return self.codes[0] if len(self.codes) == 1 and not self.unused else None


@dataclass(frozen=True, slots=True)
class TaxonomyItem:
    code: str
    label_ru: str
    label_en: str
    short_ru: str
    synonyms: tuple[str, ...]
    source: str


class Taxonomy:
    """An ordered set of items; ``index`` gives each code its column in the profile vectors."""

    def __init__(self, items: Iterable[TaxonomyItem]) -> None:
        self.items: tuple[TaxonomyItem, ...] = tuple(items)
        self.codes: tuple[str, ...] = tuple(item.code for item in self.items)
        self.index: dict[str, int] = {code: i for i, code in enumerate(self.codes)}
        self._by_code: dict[str, TaxonomyItem] = {item.code: item for item in self.items}
        self._lookup: dict[str, str] = {}
        phrases: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for item in self.items:
            for term in (item.code, item.label_ru, item.label_en, item.short_ru, *item.synonyms):
                if term:
                    self._lookup.setdefault(normalise_term(term), item.code)
                    if stems := _stems(term):
                        phrases[stems].add(item.code)
        self._phrases: dict[tuple[str, ...], frozenset[str]] = {
            stems: frozenset(codes) for stems, codes in phrases.items()
        }
        self._by_first_stem: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for stems in self._phrases:
            self._by_first_stem[stems[0]].append(stems)
        self._matches: dict[str, TermMatch] = {}

    def __getstate__(self) -> dict[str, object]:
        """Pickled (to a helper process) without the cache of matched terms."""
        return {**self.__dict__, "_matches": {}}

    def __len__(self) -> int:
        return len(self.items)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __getitem__(self, code: str) -> TaxonomyItem:
        return self._by_code[code]

    def resolve(self, text: str) -> str | None:
        """The code for a code, a label or a synonym as a person typed it, or for a phrase whose
        every word belongs to one item's label or synonym or links them («Работа с детьми с ОВЗ»);
        None if unknown, if words are left over («ОВЗ и функциональная грамотность») or if the
        phrase names several items (``match`` tells which and what was left over)."""
        return self.match(text).code

    def candidates(self, text: str) -> list[str]:
        """Codes whose label or synonym occurs, word by word (stemmed), inside ``text``."""
        return list(self.match(text).codes)

    def match(self, text: str) -> TermMatch:
        """What ``text`` names, word by word: see ``TermMatch`` (cached: cells recur)."""
        found = self._matches.get(text)
        if found is None:
            if len(self._matches) >= _MATCH_CACHE_SIZE:
                self._matches.clear()
            found = self._matches[text] = self._match(text)
        return found

    def _match(self, text: str) -> TermMatch:
        exact = self._lookup.get(normalise_term(text))
        if exact is not None:
            return TermMatch((exact,))
        words = _words(text)
        stems = tuple(stem for _, stem in words)
        spans: list[tuple[int, int, frozenset[str]]] = []
        for start, stem in enumerate(stems):
            for phrase in self._by_first_stem.get(stem, ()):
                end = start + len(phrase)
                if stems[start:end] == phrase:
                    spans.append((start, end, self._phrases[phrase]))
        # A phrase inside a longer one of another item is part of that one, not a second item.
        kept = [
            (start, end, codes)
            for start, end, codes in spans
            if not any(s <= start and end <= e and (s, e) != (start, end) for s, e, _ in spans)
        ]
        used = {position for start, end, _ in kept for position in range(start, end)}
        found_codes: set[str] = set().union(*(codes for _, _, codes in kept))
        return TermMatch(tuple(code for code in self.codes if code in found_codes), _unused_runs(words, used))

    def short(self, code: str) -> str:
        return self._by_code[code].short_ru

    @classmethod
    def default(cls) -> Taxonomy:
        return load_taxonomy()


def _unused_runs(words: list[tuple[str, str]], used: set[int]) -> tuple[str, ...]:
    """The runs of words, as written, that no item used, trimmed of linking words; a run of
    linking words only is no run («работа с» of «Работа с детьми с ОВЗ»)."""
    runs: list[list[tuple[str, str]]] = [[]]
    for position, word in enumerate(words):
        if position in used:
            runs.append([])
        else:
            runs[-1].append(word)
    shown = []
    for run in runs:
        content = [i for i, (_, stem) in enumerate(run) if stem not in _LINKING_WORDS]
        if content:
            shown.append(" ".join(word for word, _ in run[content[0] : content[-1] + 1]))
    return tuple(shown)


def _read_rows(text: str, source: str) -> list[dict[str, str]]:
    reader = csv.DictReader(text.splitlines())
    missing = {"code", "label_ru"} - set(reader.fieldnames or ())
    if missing:
        raise ConfigurationError(f"{source}: в таксономии нет столбцов {', '.join(sorted(missing))}")
    rows = []
    for line, row in enumerate(reader, start=2):
        code = (row.get("code") or "").strip()
        if not _CODE.match(code):
            raise ConfigurationError(
                f"{source}, строка {line}: код «{code}» должен состоять из латинских строчных букв, "
                "цифр и «_»"
            )
        rows.append({key: (row.get(key) or "").strip() for key in COLUMNS})
    return rows


def _item(row: Mapping[str, str]) -> TaxonomyItem:
    synonyms = tuple(s.strip() for s in row["synonyms"].split(";") if s.strip())
    return TaxonomyItem(
        code=row["code"],
        label_ru=row["label_ru"],
        label_en=row["label_en"],
        short_ru=row["short_ru"] or row["label_ru"],
        synonyms=synonyms,
        source=row["source"],
    )


def load_taxonomy(extension: Path | None = None) -> Taxonomy:
    """The packaged taxonomy, extended by ``extension`` (a CSV with the same columns) if given."""
    packaged = resources.files("matcher").joinpath("data/taxonomy.csv").read_text(encoding="utf-8")
    items = {row["code"]: _item(row) for row in _read_rows(packaged, "taxonomy.csv")}
    if extension is not None:
        try:
            text = extension.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise ConfigurationError(f"{extension}: не удалось прочитать таксономию ({exc})") from None
        for row in _read_rows(text, str(extension)):
            new = _item(row)
            old = items.get(new.code)
            if old is not None:
                new = TaxonomyItem(
                    code=old.code,
                    label_ru=row["label_ru"] or old.label_ru,
                    label_en=row["label_en"] or old.label_en,
                    short_ru=row["short_ru"] or old.short_ru,
                    synonyms=old.synonyms + new.synonyms,
                    source=row["source"] or old.source,
                )
            items[new.code] = new
    return Taxonomy(items.values())
