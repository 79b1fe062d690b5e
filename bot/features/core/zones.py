"""Time zone names for a member who types part of one (`/timezone` suggestions).

Members know their city, rarely its IANA region: typing `riga` should offer
Europe/Riga. Pure and cached, so a platform can ask on every keystroke.
"""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from bot.args import SUGGESTIONS

# Offered before anything is typed: where the languages Agora speaks are at home, and UTC.
FIRST = (
    "UTC",
    "Europe/Oslo",
    "Europe/Riga",
    "Europe/Helsinki",
    "Europe/Kyiv",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Tokyo",
)
_LEGACY = ("Etc/", "SystemV/", "posix/", "right/", "US/", "Canada/", "Brazil/", "Mexico/")


@cache
def zone_names() -> tuple[str, ...]:
    """Region/City names (the legacy aliases left out), and UTC."""
    names = sorted(z for z in available_timezones() if "/" in z and not z.startswith(_LEGACY))
    return ("UTC", *names)


def suggest_zones(typed: str) -> list[str]:
    """Names for what was typed: the city first (`osl` → Europe/Oslo), then the rest."""
    wanted = "_".join(typed.split()).casefold()
    if not wanted:
        return [z for z in FIRST if z in zone_names()][:SUGGESTIONS]
    ranked: list[tuple[int, str]] = []
    for name in zone_names():
        folded = name.casefold()
        city = folded.rsplit("/", 1)[-1]
        if city.startswith(wanted):
            ranked.append((0, name))
        elif folded.startswith(wanted):
            ranked.append((1, name))
        elif wanted in folded:
            ranked.append((2, name))
    return [name for _rank, name in sorted(ranked)][:SUGGESTIONS]
