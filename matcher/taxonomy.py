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
_WORD = re.compile(r"[0-9a-zа-я]+")
_STEMMER = snowballstemmer.stemmer("russian")


def _stems(text: str) -> tuple[str, ...]:
    return tuple(_STEMMER.stemWords(_WORD.findall(normalise_term(text))))


def _contains(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    size = len(phrase)
    return any(words[start : start + size] == phrase for start in range(len(words) - size + 1))


@lru_cache(maxsize=65_536)
def normalise_term(text: str) -> str:
    """What a person may type differently: case, ё/е, extra spaces, quotes, a final dot
    (cached: the same subjects, levels and codes recur down every column)."""
    text = text.casefold().replace("ё", "е").replace("«", "").replace("»", "").replace('"', "")
    return _SPACES.sub(" ", text).strip(" .")


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

    def __len__(self) -> int:
        return len(self.items)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __getitem__(self, code: str) -> TaxonomyItem:
        return self._by_code[code]

    def resolve(self, text: str) -> str | None:
        """The code for a code, a label or a synonym as a person typed it, or for a phrase that
        holds the words of exactly one item's label or synonym («Работа с детьми с ОВЗ»); None if
        unknown or if the phrase names several items (``candidates`` tells which)."""
        found = self._lookup.get(normalise_term(text))
        if found is not None:
            return found
        codes = self.candidates(text)
        return codes[0] if len(codes) == 1 else None

    def candidates(self, text: str) -> list[str]:
        """Codes whose label or synonym occurs, word by word (stemmed), inside ``text``."""
        words = _stems(text)
        found: set[str] = set()
        for phrase, codes in self._phrases.items():
            if _contains(words, phrase):
                found |= codes
        return [code for code in self.codes if code in found]

    def short(self, code: str) -> str:
        return self._by_code[code].short_ru

    @classmethod
    def default(cls) -> Taxonomy:
        return load_taxonomy()


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
