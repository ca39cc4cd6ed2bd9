"""The run's figures (``summary.json``) as a council reads them: Russian names, plain values.

``summary_rows`` gives the «Сводка» sheet of ``results.xlsx``; a figure the summary does not
hold (an older run, a run without a proof) is left out rather than shown empty.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

STATUS_RU = {
    "optimal": "оптимальное (доказано)",
    "feasible": "допустимое, оптимальность не доказана",
    "timed_out": "лимит времени: лучшее найденное",
    "infeasible": "решения нет",
}
REASONS_RU = {
    "no_consent": "нет согласия на участие",
    "no_compatible_mentor": "нет наставника с нужными компетенциями",
    "capacity_exhausted": "подходящие наставники заняты",
    "format_mismatch": "не подходит формат встреч",
    "excluded": "подходящие наставники исключены",
}
FIT_RU = {
    "min": "наименьшее",
    "p10": "10 % пар ниже",
    "median": "медиана",
    "mean": "среднее",
    "max": "наибольшее",
}


def _percent(share: object) -> str:
    return f"{float(share) * 100:.1f} %".replace(".", ",") if isinstance(share, int | float) else ""


def _number(value: object) -> str:
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, float):
        return f"{value:.2f}".replace(".", ",")
    return str(value)


def _counts(counts: Mapping[str, Any]) -> Iterator[tuple[str, object]]:
    for key, label in (
        ("mentees", "Наставляемых в базе"),
        ("mentees_with_consent", "из них дали согласие"),
        ("mentors", "Наставников в базе"),
        ("mentors_available", "из них готовы взять наставляемых (согласие, есть места)"),
        ("allowed_pairs", "Допустимых пар (наставник закрывает затруднение, правила соблюдены)"),
        ("proposals", "Предложено пар"),
        ("matched_mentees", "Наставляемых, которым подобран наставник"),
        ("mentees_with_several_mentors", "из них с несколькими наставниками"),
        ("groups", "Групп"),
        ("mentees_in_groups", "Наставляемых в группах"),
        ("unmatched_mentees", "Без пары"),
    ):
        if key in counts:
            yield label, counts[key]
    for reason, label in REASONS_RU.items():
        if counts.get(f"unmatched_{reason}"):
            yield f"без пары: {label}", counts[f"unmatched_{reason}"]
    if "unmatched_with_verified_fix" in counts:
        yield (
            "без пары, но найдено проверенное изменение, которое поможет",
            counts["unmatched_with_verified_fix"],
        )
    if "mentor_load_used" in counts and "mentor_capacity" in counts:
        yield "Занято мест у наставников", f"{counts['mentor_load_used']} из {counts['mentor_capacity']}"
    if counts.get("base_pairs"):
        yield (
            "Пар прежнего подбора сохранено",
            f"{counts.get('base_pairs_kept', 0)} из {counts['base_pairs']}",
        )


def _quality(quality: Mapping[str, Any]) -> Iterator[tuple[str, object]]:
    if "share_matched" in quality:
        yield "Доля наставляемых с наставником", _percent(quality["share_matched"])
    if "share_matched_of_consenting" in quality:
        yield "Доля среди давших согласие", _percent(quality["share_matched_of_consenting"])
    if "severity_weighted_coverage" in quality:
        yield "Закрыто затруднений (с учётом остроты)", _percent(quality["severity_weighted_coverage"])
    fit = quality.get("fit") or {}
    for key, label in FIT_RU.items():
        if key in fit:
            yield f"Соответствие пар: {label}", _percent(fit[key])
    if "blocking_pairs" in quality:
        yield (
            "Неустойчивых сочетаний (наставляемый и наставник, которые подошли бы друг другу лучше)",
            quality["blocking_pairs"],
        )


def _solver(summary: Mapping[str, Any]) -> Iterator[tuple[str, object]]:
    solver = summary.get("solver") or {}
    objective = summary.get("objective") or {}
    if "status" in solver:
        yield "Решение", STATUS_RU.get(str(solver["status"]), str(solver["status"]))
    if "total_fit" in objective:
        yield "Суммарное соответствие всех пар", _number(float(objective["total_fit"]))
    if objective.get("bound") is not None:
        yield "Доказанная верхняя граница суммы", _number(float(objective["bound"]))
    proved = solver.get("pruning_proved_lossless")
    if "pruning_proved_lossless" in solver:
        yield (
            "Отбор лучших кандидатов ничего не потерял",
            "не проверялось" if proved is None else ("доказано" if proved else "не доказано"),
        )
    seconds = summary.get("seconds") or {}
    if seconds:
        yield "Время расчёта, с", _number(float(sum(seconds.values())))


LEFT_ASIDE_RU = "Не использованы при подборе столбцы файла {file}"


def summary_rows(title: str, summary: Mapping[str, Any]) -> Iterator[tuple[object, object]]:
    """(показатель, значение) rows: the title, counts, quality, the solver's proof, then what
    was read otherwise than written and the columns not used."""
    yield title, ""
    yield from _counts(summary.get("counts") or {})
    yield from _quality(summary.get("quality") or {})
    yield from _solver(summary)
    for notice in summary.get("notices") or ():
        yield "Обратите внимание", notice
    for file, headers in (summary.get("left_aside") or {}).items():
        yield LEFT_ASIDE_RU.format(file=file), ", ".join(f"«{header}»" for header in headers)
