"""``argparse`` speaking Russian: usage, section titles, the help option and every error message.

``argparse`` marks its messages for gettext but ships no Russian catalogue, and installing
one would change the process-wide default domain. Instead ``RussianArgumentParser`` names
its own sections and help option, its formatter writes «Использование:», and ``error``
translates argparse's messages through ``MESSAGES``: the same msgids a gettext catalogue
would hold, matched with their ``%`` placeholders filled in. A message not in the table is
shown as it is (still after «ошибка:»).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from typing import Any, NoReturn

USAGE = "Использование: "
MESSAGES: dict[str, str] = {
    "the following arguments are required: %s": "не указаны обязательные аргументы: %s",
    "unrecognized arguments: %s": "неизвестные аргументы: %s",
    "argument %(argument_name)s: %(message)s": "аргумент %(argument_name)s: %(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "недопустимое значение %(value)s (допустимы: %(choices)s)"
    ),
    "invalid %(type)s value: %(value)r": "недопустимое значение %(value)s: нужно %(type)s",
    "expected one argument": "не указано значение",
    "expected at most one argument": "можно указать не больше одного значения",
    "expected at least one argument": "нужно указать хотя бы одно значение",
    "one of the arguments %s is required": "нужен один из аргументов: %s",
    "not allowed with argument %s": "нельзя указывать вместе с аргументом %s",
    "ambiguous option: %(option)s could match %(matches)s": (
        "неоднозначный параметр %(option)s: подходят %(matches)s"
    ),
    "ignored explicit argument %r": "лишнее значение %s",
}
"""argparse's msgid (Python 3.11–3.13) → its Russian translation."""
TYPES_RU = {"float": "число", "int": "целое число"}
_PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[sr]")


def _pattern(msgid: str) -> re.Pattern[str]:
    parts: list[str] = []
    position = 0
    anonymous = 0
    for found in _PLACEHOLDER.finditer(msgid):
        parts.append(re.escape(msgid[position : found.start()]))
        name = found.group(1)
        if name is None:
            name = f"arg{anonymous}"
            anonymous += 1
        parts.append(f"(?P<{name}>.+?)")
        position = found.end()
    parts.append(re.escape(msgid[position:]))
    return re.compile("".join(parts), re.DOTALL)


_PATTERNS = [(_pattern(msgid), msgid, russian) for msgid, russian in MESSAGES.items()]


def translate(message: str) -> str:
    """argparse's English ``message`` in Russian (nested messages too); else as it is."""
    for pattern, msgid, russian in _PATTERNS:
        found = pattern.fullmatch(message)
        if found is None:
            continue
        values: dict[str, str] = dict(found.groupdict())
        if "message" in values:
            values["message"] = translate(values["message"])
        if "type" in values:
            values["type"] = TYPES_RU.get(values["type"], values["type"])
        if "%(" in msgid:
            return russian % values
        return russian % tuple(values[f"arg{i}"] for i in range(len(values)))
    return message


class RussianHelpFormatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup],
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, USAGE if prefix is None else prefix)


class RussianArgumentParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose help and errors are in Russian; its subparsers are too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", RussianHelpFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "позиционные аргументы"
        self._optionals.title = "параметры"
        self.add_argument(
            "-h", "--help", action="help", default=argparse.SUPPRESS, help="показать эту справку и выйти"
        )

    def required_group(self) -> argparse._ArgumentGroup:
        """The section «обязательные аргументы», for options that must be given; shown first."""
        group = self.add_argument_group("обязательные аргументы")
        self._action_groups.insert(0, self._action_groups.pop())
        return group

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: ошибка: {translate(message)}\n")
