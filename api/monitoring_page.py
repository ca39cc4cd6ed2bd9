"""The monitoring report as a Russian HTML page with charts drawn by matplotlib (inline SVG).

Charts: each indicator by institution as horizontal bars with the year's target as a dashed
line (the municipality's bar darker), and the satisfaction answers 1–10 of mentees and mentors.
matplotlib is imported when a report is drawn, never by the service's start or the CLI's help;
figures are made with ``matplotlib.figure.Figure`` (no pyplot state, safe in threads).
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import resources

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from api.monitoring import MonitoringReport
from matcher.monitoring import INDICATORS, SATISFIED, YOUNG_YEARS, Indicators

BAR = "#4472c4"
TOTAL = "#1f3864"
TARGET = "#c00000"
MENTEE, MENTOR = "#4472c4", "#ed7d31"
LABEL_WIDTH = 34
"""Characters per line of an institution's name beside its bar."""
SHORT_TITLES = {
    "young_specialists": "Молодые специалисты\nв программах, %",
    "mentee_satisfaction": "Удовлетворённость\nнаставляемых, %",
    "mentor_satisfaction": "Удовлетворённость\nнаставников, %",
    "completed": "Программы, завершённые\nв полном объёме, %",
}

_environment = Environment(
    loader=FileSystemLoader(str(resources.files("api") / "templates")),
    autoescape=select_autoescape(["html"]),
)


def _svg(figure: object, salt: str) -> Markup:
    """The figure as an inline ``<svg>``; ``salt`` keeps its element ids apart from other charts'."""
    from matplotlib import rc_context

    out = io.StringIO()
    with rc_context({"svg.hashsalt": salt, "svg.fonttype": "path"}):
        figure.savefig(out, format="svg", bbox_inches="tight")  # type: ignore[attr-defined]
    text = out.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1 class="chart"', text, count=1)
    return Markup(text)  # matplotlib's own SVG: its labels are drawn as paths, no text of ours inside


def indicators_chart(report: MonitoringReport) -> Markup:
    from matplotlib.figure import Figure

    monitoring = report.monitoring
    rows: list[tuple[str, Indicators]] = [(report.short_name(i.code), i) for i in monitoring.institutions]
    if monitoring.municipality is not None:
        rows.append((report.short_name(None), monitoring.municipality))
    rows.reverse()  # matplotlib draws the first bar at the bottom
    labels = ["\n".join(textwrap.wrap(name, LABEL_WIDTH)) or name for name, _ in rows]
    lines = sum(label.count("\n") + 1 for label in labels)
    height = 1.6 + 0.22 * lines + 0.12 * len(rows)
    figure = Figure(figsize=(12.5, height), layout="constrained")
    axes = figure.subplots(1, len(INDICATORS), sharey=True)
    positions = list(range(len(rows)))
    for ax, indicator in zip(axes, INDICATORS, strict=True):
        shares = [item.share(indicator) for _, item in rows]
        values = [share.percent or 0.0 for share in shares]
        colours = [TOTAL if item.code is None else BAR for _, item in rows]
        ax.barh(positions, values, color=colours, height=0.7)
        for position, share in zip(positions, shares, strict=True):
            text = "нет данных" if share.percent is None else f"{share.percent:.0f}"
            ax.text(
                (share.percent or 0) + 2, position, text, va="center", fontsize=8, zorder=4,
                color="#7f7f7f" if share.percent is None else "black",
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6},
            )  # fmt: skip
        target = monitoring.targets.of(indicator)
        if target is not None:
            ax.axvline(target, color=TARGET, linestyle="--", linewidth=1.5, zorder=3)
        goal = "цель не установлена" if target is None else f"цель {target:.0f} %"
        ax.set_xlim(0, 118)
        ax.set_xticks([0, 25, 50, 75, 100])
        ax.set_title(f"{SHORT_TITLES[indicator]}\n({goal})", fontsize=10)
        ax.grid(axis="x", color="#d9d9d9", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.spines[["top", "right"]].set_visible(False)
    axes[0].set_yticks(positions, labels, fontsize=8)
    axes[0].set_ylim(-0.6, len(rows) - 0.4)
    return _svg(figure, "indicators")


def satisfaction_chart(item: Indicators, title: str) -> Markup:
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(8, 3.4), layout="constrained")
    ax = figure.subplots()
    scores = range(1, 11)
    width = 0.4
    ax.bar(
        [s - width / 2 for s in scores], item.mentee_satisfaction.histogram(), width, color=MENTEE,
        label=f"наставляемые ({item.mentee_satisfaction.count})",
    )  # fmt: skip
    ax.bar(
        [s + width / 2 for s in scores], item.mentor_satisfaction.histogram(), width, color=MENTOR,
        label=f"наставники ({item.mentor_satisfaction.count})",
    )  # fmt: skip
    ax.axvspan(SATISFIED - 0.5, 10.5, color="#e2efda", zorder=0, label=f"удовлетворены ({SATISFIED}–10)")
    ax.set_xticks(list(scores))
    ax.set_xlim(0.4, 10.6)
    ax.set_xlabel("Ответ на вопрос 1 анкеты: удовлетворённость участием (1 — совсем нет, 10 — полностью)")
    ax.set_ylabel("Анкет")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="upper left")
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(figure, "satisfaction")


@dataclass(frozen=True, slots=True)
class _Line:
    name: str
    item: Indicators
    total: bool


def _lines(report: MonitoringReport) -> Sequence[_Line]:
    monitoring = report.monitoring
    lines = [_Line(report.name(item.code), item, False) for item in monitoring.institutions]
    if monitoring.municipality is not None:
        lines.append(_Line(report.name(None), monitoring.municipality, True))
    return lines


def monitoring_html(report: MonitoringReport, *, made: datetime) -> str:
    monitoring = report.monitoring
    overall = monitoring.municipality or (monitoring.institutions[0] if monitoring.institutions else None)
    overall_name = (
        "муниципалитет"
        if monitoring.municipality is not None or overall is None
        else report.short_name(overall.code)
    )
    template = _environment.get_template("monitoring_report.html")
    return template.render(
        year=monitoring.year,
        made=made.strftime("%d.%m.%Y %H:%M"),
        lines=_lines(report),
        indicators=INDICATORS,
        targets=monitoring.targets,
        satisfied=SATISFIED,
        young_years=YOUNG_YEARS,
        summary=overall,
        summary_title="Нет данных" if overall is None else f"Итоги: {overall_name}",
        indicators_chart=indicators_chart(report) if monitoring.institutions else None,
        satisfaction_chart=(
            satisfaction_chart(overall, f"Ответы на вопрос 1 анкет: {overall_name}")
            if overall is not None
            else None
        ),
    )
