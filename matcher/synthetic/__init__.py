"""Synthetic banks of mentors and mentees: realistic Russian data for samples, tests, benchmarks.

``generate_banks`` returns (mentors, mentees) DataFrames whose columns and cells are what a
curator's file holds under the interchange contract: canonical English headers, lists joined
with «;», competences and difficulties as ``ict:3;methods`` (a bare code means level 2),
formats «очно» / «дистанционно» / «смешанный» or empty, consent «да» / «нет».
``write_banks`` writes them as CSV (UTF-8, comma) or XLSX, with English or Russian headers.

Institutions are coded as a person reads them: ``ДС-12`` (kindergarten), ``ДСК-68``
(compensating kindergarten), ``СОШ-5``, ``ГИМ-2``, ``ЛИЦ-1`` (schools), ``ДО-3`` (additional
education). A code alone determines the full name: ``institution_names(codes)`` turns any code
made here into «МБДОУ «Детский сад №12 «Солнышко»»» and the like.

``institution_registry(codes)`` gives the institutions' registry for those codes (full and
short names, kind, head, address) with the registry's Russian headers.

Ids are ``T`` and six digits. A young teacher who mentors elders in digital tools (reverse
mentoring) is in both banks under the same id. All draws come from one generator seeded by
``seed``: the same arguments give the same banks.

Modules: ``vocabulary`` (Russian names, positions, texts), ``tables`` (the vocabulary as
arrays), ``people`` (drawing institutions and people), ``preferences`` (preferred and excluded
mentors), ``banks`` (the public calls and the cells).
"""

from matcher.synthetic.banks import (
    DEFAULT_MUNICIPALITY,
    MENTEE_COLUMNS,
    MENTOR_COLUMNS,
    RUSSIAN_HEADERS,
    generate_banks,
    institution_names,
    write_banks,
)
from matcher.synthetic.registry import institution_registry
from matcher.synthetic.vocabulary import Kind

__all__ = [
    "DEFAULT_MUNICIPALITY",
    "MENTEE_COLUMNS",
    "MENTOR_COLUMNS",
    "RUSSIAN_HEADERS",
    "Kind",
    "generate_banks",
    "institution_names",
    "institution_registry",
    "write_banks",
]
