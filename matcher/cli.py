"""``mentor-match``: argument parsing and exit codes only; the work is in the library (``run``)
and in the service (``serve``, ``users add``).

Exit codes: 0 success, 2 bad input files (every problem printed, nothing written),
3 bad options or configuration.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tqdm import tqdm

from matcher.documents.templates import TemplateSet
from matcher.errors import ConfigurationError, InputError
from matcher.options import COMPONENTS, load_options
from matcher.pipeline import run_files
from matcher.writing import DOCUMENTS, FILES

EXIT_INPUT = 2
EXIT_CONFIG = 3


def _weight(text: str) -> tuple[str, float]:
    name, _, value = text.partition("=")
    if name not in COMPONENTS:
        raise argparse.ArgumentTypeError(f"unknown weight {name!r}; known: {', '.join(COMPONENTS)}")
    try:
        return name, float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"weight {name} needs a number, got {value!r}") from None


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="mentor-match", description=__doc__)
    commands = top.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="match the mentees' bank with the mentors' bank")
    run.add_argument("--mentors", type=Path, required=True, help="mentors' bank (.csv or .xlsx)")
    run.add_argument("--mentees", type=Path, required=True, help="mentees' bank (.csv or .xlsx)")
    run.add_argument(
        "--out", type=Path, required=True, help="folder for pairs.csv, unmatched.csv, summary.json"
    )
    run.add_argument("--decisions", type=Path, help="the council's pins and forbids (.csv or .xlsx)")
    run.add_argument(
        "--institutions", type=Path, help="institutions' registry: names, heads, kinds (.csv or .xlsx)"
    )
    run.add_argument(
        "--fairness", choices=("total", "maxmin"), help="objective after matching the most mentees"
    )
    run.add_argument("--config", type=Path, help="options as JSON or TOML (see matcher/options.py)")
    run.add_argument("--taxonomy", type=Path, help="CSV that extends the taxonomy (same columns)")
    run.add_argument(
        "--templates", type=Path, help="folder with the institution's own document templates (.docx)"
    )
    run.add_argument("--solver", help="solver name")
    run.add_argument("--time-limit", type=float, help="seconds for the solver")
    run.add_argument(
        "--weight",
        type=_weight,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help=f"override a scoring weight; names: {', '.join(COMPONENTS)}",
    )
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    serve = commands.add_parser("serve", help="start the service's API (DATABASE_URL, default SQLite)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    users = commands.add_parser("users", help="manage the service's users")
    users_commands = users.add_subparsers(dest="users_command", required=True)
    add = users_commands.add_parser("add", help="create a user; prints the token once, on the last line")
    add.add_argument("--name", required=True)
    add.add_argument("--role", required=True, help="municipal, curator, council or reader")
    add.add_argument("--institution", help="the institution's code (all but municipal)")
    return top


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    overrides: dict[str, Any] = {"progress": not args.quiet}
    if args.weight:
        overrides["weights"] = dict(args.weight)
    for key, value in (
        ("solver", args.solver),
        ("fairness", args.fairness),
        ("time_limit", args.time_limit),
        ("taxonomy_extension", args.taxonomy),
    ):
        if value is not None:
            overrides[key] = value
    return overrides


def _run(args: argparse.Namespace) -> int:
    options = load_options(args.config, _overrides(args))
    with tqdm(total=100, desc="mentor-match", unit="%", disable=not options.progress, file=sys.stderr) as bar:

        def progress(fraction: float) -> None:
            bar.update(round(fraction * 100) - bar.n)

        result = run_files(
            args.mentors,
            args.mentees,
            args.out,
            options=options,
            decisions_path=args.decisions,
            institutions_path=args.institutions,
            templates=None if args.templates is None else TemplateSet.from_folder(args.templates),
            progress=progress,
        )
    summary = result.summary
    print(
        f"Предложено пар: {summary.counts['proposals']}; подобран наставник для "
        f"{summary.counts['matched_mentees']} из {summary.counts['mentees']} наставляемых; "
        f"без пары: {summary.counts['unmatched_mentees']}. Результаты в {args.out}: "
        + ", ".join([*FILES, f"{DOCUMENTS}/ (приказ и формы)"])
    )
    for file, headers in summary.left_aside.items():
        print(
            f"Не прочитаны (не относятся к подбору) столбцы файла {file}: "
            + ", ".join(f"«{h}»" for h in headers)
        )
    print(json.dumps({"status": summary.solver["status"], "total_fit": summary.objective["total_fit"]}))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "run":
            return _run(args)
        if args.command in ("serve", "users"):
            from api import commands  # the service is an optional layer over the library

            if args.command == "serve":
                return commands.serve(host=args.host, port=args.port)
            return commands.add_user(name=args.name, role=args.role, institution=args.institution)
    except InputError as exc:
        print(exc.render_ru(), file=sys.stderr)
        return EXIT_INPUT
    except ConfigurationError as exc:
        print(f"Ошибка настроек: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    raise AssertionError(f"unhandled command {args.command}")


def entrypoint() -> None:
    sys.exit(main(sys.argv[1:]))
