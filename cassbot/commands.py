"""Chat commands: parsing (`/cmd@bot args`, `!cmd args`), a registry, and permissions by role.

Every channel shares the same commands. Names are Spanish with English aliases; matching
ignores case and accents, so `/Advertencias` and `/advertencias` are the same command.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from cassbot.pipeline import Context

_COMMAND = re.compile(
    r"^[/!]([A-Za-zÁÉÍÓÚÜÑáéíóúüñ_]{2,32})(?:@([A-Za-z0-9_]{3,64}))?(?:\s+|$)(.*)$", re.S
)

Where = Literal["group", "private", "any"]


@dataclass(frozen=True, slots=True)
class ParsedCommand:
    name: str  # folded, as typed (aliases not resolved)
    args: str  # the rest of the message, stripped
    addressed_to: str | None = None  # `/cmd@botname`

    @property
    def argv(self) -> list[str]:
        return self.args.split()


CommandHandler = Callable[["Context", ParsedCommand], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class CommandSpec:
    name: str
    handler: CommandHandler
    summary: str  # Spanish, one line, for /ayuda
    usage: str = ""  # Spanish argument hint, e.g. "@vecino [motivo]"
    aliases: tuple[str, ...] = ()
    # Roles that may use it (None: everybody).
    roles: frozenset[str] | None = None
    where: Where = "any"
    # Whether the message still goes through screening after the command ran (e.g. /reporte).
    screen_after: bool = False
    names: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", frozenset(fold(n) for n in (self.name, *self.aliases)))


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def parse_command(text: str) -> ParsedCommand | None:
    match = _COMMAND.match(text.strip())
    if match is None:
        return None
    name, bot, rest = match.groups()
    return ParsedCommand(name=fold(name), args=rest.strip(), addressed_to=bot)


class CommandRegistry:
    def __init__(self) -> None:
        self._specs: list[CommandSpec] = []
        self._by_name: dict[str, CommandSpec] = {}

    def register(self, spec: CommandSpec) -> None:
        clash = spec.names & self._by_name.keys()
        if clash:
            raise ValueError(f"command name already registered: {', '.join(sorted(clash))}")
        self._specs.append(spec)
        for name in spec.names:
            self._by_name[name] = spec

    def get(self, name: str) -> CommandSpec | None:
        return self._by_name.get(fold(name))

    def __iter__(self) -> Iterator[CommandSpec]:
        return iter(self._specs)

    def available(self, role: str, *, private: bool) -> list[CommandSpec]:
        """The commands a role can use where it is (for /ayuda)."""
        where_ok = {"any", "private" if private else "group"}
        return [
            s for s in self._specs if s.where in where_ok and (s.roles is None or role in s.roles)
        ]
