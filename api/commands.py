"""The service's commands: ``mentor-match serve``, ``worker``, ``users add`` and ``users revoke``.

All read ``DATABASE_URL`` (default: ``mentor-match.db`` in the working directory) and bring
the database to the newest schema first, so any may be the first thing run on a new host.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import uvicorn

from api.access import ROLES_NEEDING_INSTITUTION, Role, hash_token, new_token
from api.app import create_app
from api.config import Settings
from api.jobs import Jobs
from api.queue import run_worker
from api.storage import repository
from api.storage.db import make_engine, make_sessions, migrate
from matcher.taxonomy import load_taxonomy

EXIT_USAGE = 2


def _log_to_stderr() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
    )


def serve(*, host: str, port: int, workers: int = 1) -> int:
    """Run the API until interrupted; requests are logged without query strings or names.

    With ``workers`` above one, uvicorn starts that many web processes, each building its app
    from the environment (``create_app`` as a factory); with SQLite each computes the runs it
    was asked for, with PostgreSQL the runs go to the shared queue.
    """
    _log_to_stderr()
    if workers > 1:
        os.environ["MENTOR_MATCH_WEB_PROCESSES"] = str(workers)  # each process throttles its share
        uvicorn.run(
            "api.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            access_log=False,
            log_config=None,
        )
    else:
        uvicorn.run(create_app(Settings()), host=host, port=port, access_log=False, log_config=None)
    return 0


def work(*, concurrency: int) -> int:
    """``mentor-match worker``: compute the runs queued in PostgreSQL until interrupted."""
    settings = Settings()
    if not settings.database_url.startswith("postgresql"):
        print(
            "Отдельные обработчики запусков работают только с PostgreSQL (DATABASE_URL); "
            "с SQLite запуски считает сама служба (mentor-match serve)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    _log_to_stderr()
    if settings.worker_niceness and hasattr(os, "nice"):
        os.nice(settings.worker_niceness)  # its forked re-solving processes inherit it
    engine = make_engine(settings.database_url)
    try:
        migrate(engine)
        sessions = make_sessions(engine)
        jobs = Jobs(sessions, load_taxonomy(settings.taxonomy_extension), concurrency)
        run_worker(settings, sessions, jobs, concurrency)
    finally:
        engine.dispose()
    return 0


def _expiry(expires: str | None) -> datetime | None:
    """``2027-06-30`` (00:00 UTC of that day) or an ISO time; ``ValueError`` if unreadable or past."""
    if expires is None:
        return None
    moment = datetime.fromisoformat(expires)
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    if moment <= datetime.now(UTC):
        raise ValueError(expires)
    return moment


def add_user(*, name: str, role: str, institution: str | None, expires: str | None = None) -> int:
    """Create a user and print its token alone on the last line; only the token's hash is kept.
    With ``expires`` the token stops working at that time."""
    if role not in set(Role):
        print(f"Неизвестная роль «{role}»; допустимы: {', '.join(Role)}", file=sys.stderr)
        return EXIT_USAGE
    if Role(role) in ROLES_NEEDING_INSTITUTION and not institution:
        print(f"Для роли «{role}» укажите организацию: --institution КОД", file=sys.stderr)
        return EXIT_USAGE
    if Role(role) is Role.MUNICIPAL and institution:
        print("Муниципальный куратор видит все организации: --institution не указывают", file=sys.stderr)
        return EXIT_USAGE
    if not name.strip():
        print("Укажите имя пользователя: --name", file=sys.stderr)
        return EXIT_USAGE
    try:
        expires_at = _expiry(expires)
    except ValueError:
        print(
            f"Срок действия «{expires}» не понят или уже прошёл: укажите будущую дату, например 2027-06-30",
            file=sys.stderr,
        )
        return EXIT_USAGE
    engine = make_engine(Settings().database_url)
    try:
        migrate(engine)
        token = new_token()
        with make_sessions(engine)() as session:
            user = repository.create_user(
                session,
                name=name.strip(),
                role=role,
                institution=institution or None,
                token_hash=hash_token(token),
                expires_at=expires_at,
            )
    finally:
        engine.dispose()
    scope = f"организация {institution}" if institution else "все организации"
    until = f"до {expires_at:%Y-%m-%d %H:%M} UTC" if expires_at else "до отзыва"
    print(f"Пользователь № {user.id} «{user.name}» создан: роль {role}, {scope}; токен действует {until}.")
    print("Токен показан один раз; сохраните его — на сервере хранится только его хеш.")
    print(token)
    return 0


def revoke_user(*, user_id: int) -> int:
    """Revoke every token of a user at once (``mentor-match users revoke --id N``)."""
    engine = make_engine(Settings().database_url)
    try:
        migrate(engine)
        with make_sessions(engine)() as session:
            revoked = repository.revoke_tokens(session, user_id)
    finally:
        engine.dispose()
    if revoked is None:
        print(f"Пользователя № {user_id} нет", file=sys.stderr)
        return EXIT_USAGE
    print(f"Пользователь № {user_id}: отозвано токенов — {revoked}; его запросы получат 401.")
    return 0


def cycle(
    *, year: str, out: str | None, heavy_years: int | None = None, heavy_year_mentees: int | None = None
) -> int:
    """``mentor-match cycle --year 2026/27``: the yearly cycle on ``DATABASE_URL``; the report is
    printed in Russian and written as JSON to ``out`` when given. ``heavy_years`` (and
    ``heavy_year_mentees``) set the limit on consecutive heavy years, else the settings do."""
    from api.access import Caller
    from api.config import heavy_years_rule
    from api.cycle import report_ru, run_cycle
    from api.jobs import Jobs
    from matcher.programs import ProgramTransitionError, year_bounds
    from matcher.taxonomy import load_taxonomy

    try:
        year_bounds(year)
    except ProgramTransitionError as error:
        print(error.message_ru, file=sys.stderr)
        return EXIT_USAGE
    if (heavy_years is not None and not 1 <= heavy_years <= 10) or (
        heavy_year_mentees is not None and not 1 <= heavy_year_mentees <= 100
    ):
        print("--heavy-years — от 1 до 10, --heavy-year-mentees — от 1 до 100", file=sys.stderr)
        return EXIT_USAGE
    settings = Settings()
    rule = heavy_years_rule(heavy_years, heavy_year_mentees, settings)
    engine = make_engine(settings.database_url)
    try:
        migrate(engine)
        sessions = make_sessions(engine)
        with sessions() as session:
            user = repository.cycle_user(session)
            caller = Caller(user_id=user.id, name=user.name, role=Role.MUNICIPAL, institution=None)
        taxonomy = load_taxonomy(settings.taxonomy_extension)
        jobs = Jobs(sessions, taxonomy, 1)
        try:
            report = run_cycle(sessions, jobs, year=year, caller=caller, taxonomy=taxonomy, heavy_years=rule)
        finally:
            jobs.shutdown()
    finally:
        engine.dispose()
    print(report_ru(report))
    if out is not None:
        Path(out).write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


def monitoring(*, year: str, out: str, institution: str | None) -> int:
    """``mentor-match monitoring --year 2026/27 --out DIR``: the monitoring report of ``DATABASE_URL``
    for the whole municipality (or one ``institution``), as a workbook and a page with charts."""
    from api.access import Caller
    from api.errors import NotFound
    from api.monitoring import monitoring_report
    from api.monitoring_page import monitoring_html
    from api.monitoring_workbook import monitoring_xlsx
    from matcher.monitoring import INDICATORS
    from matcher.programs import ProgramTransitionError, year_bounds

    try:
        year_bounds(year)
    except ProgramTransitionError as error:
        print(error.message_ru, file=sys.stderr)
        return EXIT_USAGE
    settings = Settings()
    engine = make_engine(settings.database_url)
    try:
        migrate(engine)
        with make_sessions(engine)() as session:
            user = repository.cycle_user(session)
            caller = Caller(user_id=user.id, name=user.name, role=Role.MUNICIPAL, institution=None)
            try:
                report = monitoring_report(session, year=year, institution=institution, caller=caller)
            except NotFound:
                print(f"Организация «{institution}» не найдена", file=sys.stderr)
                return EXIT_USAGE
    finally:
        engine.dispose()
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"monitoring-{year.replace('/', '-')}"
    (folder / f"{stem}.xlsx").write_bytes(monitoring_xlsx(report))
    (folder / f"{stem}.html").write_text(monitoring_html(report, made=datetime.now(UTC)), encoding="utf-8")
    total = report.monitoring.municipality or next(iter(report.monitoring.institutions), None)
    print(f"Мониторинг за {year} учебный год: организаций — {len(report.monitoring.institutions)}.")
    if total is not None:
        for key, label in INDICATORS.items():
            share = total.share(key)
            value = "нет данных" if share.percent is None else f"{share.percent:.1f} %"
            goal = "" if share.target is None else f" (цель {share.target:.0f} %)"
            print(f"  {label}: {value}{goal}")
    print(f"Записаны {folder / (stem + '.xlsx')} и {folder / (stem + '.html')}")
    return 0
