"""``mentor-match``: argument parsing and exit codes only; the work is in the library (``run``)
and in the service (``serve``, ``users``).

Each subcommand is a ``Command``: how it adds its options and what handles it. A new one is a
new entry in ``COMMANDS``. Handlers import what they need themselves, so ``--help`` and option
errors answer without loading the scientific stack or the web framework.

Exit codes: 0 success, 2 bad input files or options (every problem printed, nothing
written), 3 bad configuration or an output folder that cannot be replaced.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from matcher.argparse_ru import RussianArgumentParser
from matcher.errors import ConfigurationError, InputError, OutputFolderError

if TYPE_CHECKING:
    from matcher.side_process import Side

EXIT_INPUT = 2
EXIT_CONFIG = 3
WEIGHT_NAMES = ("coverage", "subject", "level", "text", "experience", "institution", "preference")
"""The scoring components (``matcher.options.COMPONENTS``, kept equal by a test): named here so
that ``--help`` does not load the options' models."""
DESCRIPTION = (
    "Подбор наставнических пар для педагогов: наставляемые из «Базы наставляемых», "
    "наставники из «Базы наставников»; результаты — для совета и для программ."
)


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    help: str
    configure: Callable[[RussianArgumentParser], None]
    handle: Callable[[argparse.Namespace], int]


def _weight(text: str) -> tuple[str, float]:
    name, _, value = text.partition("=")
    if name not in WEIGHT_NAMES:
        raise argparse.ArgumentTypeError(f"неизвестный вес «{name}»; допустимы: {', '.join(WEIGHT_NAMES)}")
    try:
        return name, float(value.replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(f"для веса {name} нужно число, а указано «{value}»") from None


def _configure_run(run: RussianArgumentParser) -> None:
    required = run.required_group()
    required.add_argument(
        "--mentors", type=Path, required=True, metavar="ФАЙЛ", help="база наставников (.csv или .xlsx)"
    )
    required.add_argument(
        "--mentees", type=Path, required=True, metavar="ФАЙЛ", help="база наставляемых (.csv или .xlsx)"
    )
    required.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="ПАПКА",
        help="папка результатов: results.xlsx (для совета), pairs.csv, unmatched.csv, "
        "alternatives.csv, summary.json; заменяется целиком",
    )
    run.add_argument(
        "--decisions",
        type=Path,
        metavar="ФАЙЛ",
        help="решения совета: файл решений (.csv, .xlsx) или results.xlsx с заполненным столбцом «Решение»",
    )
    run.add_argument(
        "--institutions",
        type=Path,
        metavar="ФАЙЛ",
        help="реестр организаций: полные наименования, руководители, типы (.csv или .xlsx)",
    )
    run.add_argument(
        "--documents",
        action="store_true",
        help="записать и документы (папка «документы»): проекты приказов, а для каждой пары и группы — "
        "программу наставничества, согласия и анкеты",
    )
    run.add_argument(
        "--templates",
        type=Path,
        metavar="ПАПКА",
        help="свои шаблоны документов организации (.docx) вместо встроенных (включает --documents)",
    )
    run.add_argument(
        "--fairness",
        choices=("total", "maxmin"),
        help="цель после наибольшего числа пар: total — наибольшее суммарное соответствие, "
        "maxmin — сначала поднять худшую пару",
    )
    run.add_argument(
        "--config", type=Path, metavar="ФАЙЛ", help="настройки в JSON или TOML (matcher/options.py)"
    )
    run.add_argument(
        "--taxonomy", type=Path, metavar="ФАЙЛ", help="CSV, дополняющий перечень затруднений и компетенций"
    )
    run.add_argument("--solver", metavar="МЕТОД", help="метод решения: auto, flow, mip или cpsat")
    run.add_argument("--time-limit", type=float, metavar="СЕКУНДЫ", help="сколько секунд дать решателю")
    run.add_argument(
        "--weight",
        type=_weight,
        action="append",
        default=[],
        metavar="ИМЯ=ЧИСЛО",
        help=f"изменить вес составляющей оценки; имена: {', '.join(WEIGHT_NAMES)}",
    )
    run.add_argument("--quiet", action="store_true", help="без индикатора хода работы")


def _overrides(args: argparse.Namespace) -> dict[str, object]:
    overrides: dict[str, object] = {"progress": not args.quiet}
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


def written_ru(out: Path, counts: dict[str, int], *, documents: bool) -> str:
    """The closing line: what was found and which files were written where."""
    forms = "документы/ — проекты приказов и формы; " if documents else ""
    return (
        f"Готово. Предложено пар: {counts.get('proposals', 0)}, из них в группах: "
        f"{counts.get('mentees_in_groups', 0)} (групп: {counts.get('groups', 0)}); наставник подобран "
        f"для {counts.get('matched_mentees', 0)} из {counts.get('mentees', 0)} наставляемых, без пары: "
        f"{counts.get('unmatched_mentees', 0)}. Записано в {out}: results.xlsx — для совета "
        f"(со спросом и предложением по направлениям); {forms}pairs.csv, unmatched.csv, alternatives.csv, "
        "supply_demand.csv, summary.json — для программ."
    )


def _run(args: argparse.Namespace) -> int:
    from matcher.side_process import SideProcess

    with SideProcess() as side:  # imports scikit-learn while the rest is imported and read
        return _run_with(args, side)


def _run_with(args: argparse.Namespace, side: Side) -> int:
    from tqdm import tqdm

    from matcher.options import load_options
    from matcher.pipeline import run_files
    from matcher.summary import side_by_side_ru
    from matcher.summary_ru import LEFT_ASIDE_RU

    options = load_options(args.config, _overrides(args))
    documents = args.documents or args.templates is not None
    templates = None
    if args.templates is not None:  # the documents' stack (docxtpl, lxml, jinja2) only when asked
        from matcher.documents.templates import TemplateSet

        templates = TemplateSet.from_folder(args.templates)
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
            documents=documents,
            templates=templates,
            progress=progress,
            side=side,
        )
    print(written_ru(args.out, result.summary.counts, documents=documents))
    for file, headers in result.summary.left_aside.items():
        print(LEFT_ASIDE_RU.format(file=file) + ": " + ", ".join(f"«{h}»" for h in headers))
    for notice in result.summary.notices:
        print(f"Обратите внимание: {notice}.")
    print(side_by_side_ru(result.summary))
    return 0


def _configure_serve(serve: RussianArgumentParser) -> None:
    serve.add_argument("--host", default="127.0.0.1", help="адрес (по умолчанию 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="порт (по умолчанию 8000)")
    serve.add_argument(
        "--workers", type=int, default=1, metavar="N", help="число процессов службы (по умолчанию 1)"
    )


def _serve(args: argparse.Namespace) -> int:
    from api import commands  # the service is an optional layer over the library

    return commands.serve(host=args.host, port=args.port, workers=args.workers)


def _configure_worker(worker: RussianArgumentParser) -> None:
    worker.add_argument(
        "--concurrency", type=int, default=1, metavar="N", help="запусков одновременно (по умолчанию 1)"
    )


def _worker(args: argparse.Namespace) -> int:
    from api import commands

    return commands.work(concurrency=args.concurrency)


def _configure_users(users: RussianArgumentParser) -> None:
    actions = users.add_subparsers(dest="users_command", required=True, title="действия", metavar="ДЕЙСТВИЕ")
    add = actions.add_parser("add", help="создать пользователя; токен печатается один раз, последней строкой")
    required = add.required_group()
    required.add_argument("--name", required=True, metavar="ИМЯ", help="имя пользователя")
    required.add_argument(
        "--role", required=True, metavar="РОЛЬ", help="municipal, curator, council или reader"
    )
    add.add_argument("--institution", metavar="КОД", help="код организации (для всех ролей, кроме municipal)")
    add.add_argument(
        "--expires",
        metavar="ДАТА",
        help="срок действия токена: 2027-06-30 (с 00:00 UTC этого дня не действует) или время ISO",
    )
    revoke = actions.add_parser("revoke", help="отозвать все токены пользователя (его запросы получат 401)")
    revoke.required_group().add_argument(
        "--id", type=int, required=True, dest="user_id", metavar="НОМЕР", help="номер пользователя"
    )


def _configure_cycle(cycle: RussianArgumentParser) -> None:
    cycle.add_argument("--year", required=True, help="учебный год, например 2026/27")
    cycle.add_argument("--out", default=None, help="куда записать отчёт (JSON)")
    cycle.add_argument(
        "--heavy-years",
        type=int,
        default=None,
        metavar="K",
        help="не более K тяжёлых учебных лет подряд у наставника: после них год без новых наставляемых "
        "(по умолчанию MENTOR_MATCH_HEAVY_YEARS, иначе без ограничения)",
    )
    cycle.add_argument(
        "--heavy-year-mentees",
        type=int,
        default=None,
        metavar="N",
        help="тяжёлый год — когда у наставника было не меньше N наставляемых в программах "
        "(по умолчанию MENTOR_MATCH_HEAVY_YEAR_MENTEES, иначе 3)",
    )


def _cycle(args: argparse.Namespace) -> int:
    from api import commands

    return commands.cycle(
        year=args.year, out=args.out, heavy_years=args.heavy_years, heavy_year_mentees=args.heavy_year_mentees
    )


def _configure_monitoring(monitoring: RussianArgumentParser) -> None:
    monitoring.add_argument("--year", required=True, help="учебный год, например 2026/27")
    monitoring.add_argument("--out", required=True, help="папка для отчёта (Excel и страница с графиками)")
    monitoring.add_argument("--institution", default=None, help="только эта организация (код)")


def _monitoring(args: argparse.Namespace) -> int:
    from api import commands

    return commands.monitoring(year=args.year, out=args.out, institution=args.institution)


def _users(args: argparse.Namespace) -> int:
    from api import commands

    if args.users_command == "revoke":
        return commands.revoke_user(user_id=args.user_id)
    return commands.add_user(
        name=args.name, role=args.role, institution=args.institution, expires=args.expires
    )


COMMANDS: tuple[Command, ...] = (
    Command("run", "подобрать пары: базы наставляемых и наставников → результаты", _configure_run, _run),
    Command(
        "serve", "запустить службу (API); база — DATABASE_URL, по умолчанию SQLite", _configure_serve, _serve
    ),
    Command(
        "worker",
        "обработчик запусков подбора из очереди в PostgreSQL (DATABASE_URL), сколько угодно на любых машинах",
        _configure_worker,
        _worker,
    ),
    Command("users", "пользователи службы", _configure_users, _users),
    Command(
        "cycle",
        "годовой цикл: завершить программы, подбор в каждой организации и муниципальный этап",
        _configure_cycle,
        _cycle,
    ),
    Command(
        "monitoring",
        "мониторинг программ наставничества: показатели года и цели (Excel и страница с графиками)",
        _configure_monitoring,
        _monitoring,
    ),
)


def parser() -> RussianArgumentParser:
    top = RussianArgumentParser(prog="mentor-match", description=DESCRIPTION)
    commands = top.add_subparsers(dest="command", required=True, title="команды", metavar="КОМАНДА")
    for command in COMMANDS:
        command.configure(commands.add_parser(command.name, help=command.help, description=command.help))
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    handle = {command.name: command.handle for command in COMMANDS}[args.command]
    try:
        return handle(args)
    except InputError as exc:
        print(exc.render_ru(), file=sys.stderr)
        return EXIT_INPUT
    except OutputFolderError as exc:
        print(f"Папка результатов: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except ConfigurationError as exc:
        print(f"Ошибка настроек: {exc}", file=sys.stderr)
        return EXIT_CONFIG


def entrypoint() -> None:
    sys.exit(main(sys.argv[1:]))
