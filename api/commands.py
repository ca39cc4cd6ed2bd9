"""The service's two commands, called by ``mentor-match serve`` and ``mentor-match users add``.

Both read ``DATABASE_URL`` (default: ``mentor-match.db`` in the working directory) and bring
the database to the newest schema first, so either may be the first thing run on a new host.
"""

from __future__ import annotations

import logging
import sys

import uvicorn

from api.access import ROLES_NEEDING_INSTITUTION, Role, hash_token, new_token
from api.app import create_app
from api.config import Settings
from api.storage import repository
from api.storage.db import make_engine, make_sessions, migrate

EXIT_USAGE = 2


def serve(*, host: str, port: int) -> int:
    """Run the API until interrupted; requests are logged without query strings or names."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
    )
    uvicorn.run(create_app(Settings()), host=host, port=port, access_log=False, log_config=None)
    return 0


def add_user(*, name: str, role: str, institution: str | None) -> int:
    """Create a user and print its token alone on the last line; only the token's hash is kept."""
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
            )
    finally:
        engine.dispose()
    scope = f"организация {institution}" if institution else "все организации"
    print(f"Пользователь № {user.id} «{user.name}» создан: роль {role}, {scope}.")
    print("Токен показан один раз; сохраните его — на сервере хранится только его хеш.")
    print(token)
    return 0
