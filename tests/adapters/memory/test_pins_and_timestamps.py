"""The memory/console port: pins where allowed, moments written in the reader's zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.console.transcript import render
from adapters.memory.community import Community
from adapters.memory.port import MemoryPort
from bot.clock import FakeClock
from bot.i18n import using_locale
from bot.model import Capability, Outgoing, TimeStyle
from bot.ports import CapabilityMissing

AT = datetime(2026, 12, 5, 17, 0, tzinfo=UTC)


def community() -> Community:
    made = Community(FakeClock(datetime(2026, 12, 3, 17, 0, tzinfo=UTC)))
    made.add_channel("general")
    return made


async def test_pin_marks_the_message_and_the_console_shows_it() -> None:
    c = community()
    port = MemoryPort(c)
    ref = await port.send(Outgoing("Storm warning", channel=c.channel("general").ref))
    await port.pin(ref)
    posted = c.post_by_ref(ref)
    assert posted is not None and posted.pinned
    assert render(c, posted)[0].startswith("[1 📌] #general Agora: Storm warning")


async def test_pin_without_the_capability_is_refused_like_a_platform_would() -> None:
    c = community()
    port = MemoryPort(c, frozenset(Capability) - {Capability.PIN})
    ref = await port.send(Outgoing("x", channel=c.channel("general").ref))
    with pytest.raises(CapabilityMissing):
        await port.pin(ref)
    posted = c.post_by_ref(ref)
    assert posted is not None and not posted.pinned


@pytest.mark.parametrize(
    ("zone", "locale", "expected"),
    [
        ("Europe/Oslo", "en", "Sat, December 5, 2026 18:00 CET"),
        ("Europe/Oslo", "nb", "lør. 5. desember 2026 18:00 CET"),
        ("Europe/Riga", "lv", "sestd., 2026. gada 5. decembris 19:00 EET"),
        ("Europe/Helsinki", "fi", "lauantai 5. joulukuuta 2026 19.00 EET"),
        ("America/New_York", "en", "Sat, December 5, 2026 12:00 EST"),
    ],
)
def test_timestamps_are_written_in_the_readers_zone_and_language(
    zone: str, locale: str, expected: str
) -> None:
    port = MemoryPort(community())
    with using_locale(locale):
        assert port.timestamp(AT, TimeStyle.FULL, zone) == expected


def test_other_styles_and_relative_time_from_the_virtual_clock() -> None:
    port = MemoryPort(community())
    assert port.timestamp(AT, TimeStyle.TIME, "Europe/Kyiv") == "19:00 EET"
    assert port.timestamp(AT, TimeStyle.DATE, "Europe/Kyiv") == "December 5, 2026"
    assert port.timestamp(AT, TimeStyle.RELATIVE, "UTC") == "in 2 days"
    with using_locale("uk"):
        assert port.timestamp(AT, TimeStyle.RELATIVE, "UTC") == "через 2 дні"
