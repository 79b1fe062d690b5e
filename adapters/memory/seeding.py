"""Put a simulated community into the directory, so the core knows its members.

The harness and the console both start from a seeded community; registering it
through the real `Directory` keeps them honest about what a platform would report.
"""

from __future__ import annotations

from datetime import datetime

from adapters.memory.community import Community
from bot.ports import Directory, Storage


async def register_directory(
    storage: Storage, community: Community, at: datetime, name: str | None = None
) -> None:
    """The community's workspace (called `name`), channels and members, as if just seen."""
    async with storage.unit_of_work() as uow:
        directory = uow.get(Directory)  # type: ignore[type-abstract]
        await directory.register_workspace(community.platform, community.workspace, at, name)
        for channel in community.channels.values():
            await directory.upsert_channel(channel.ref, channel.name, channel.kind.value)
        for member in community.members.values():
            await directory.member_joined(member, at)


async def register_channel(storage: Storage, community: Community, name: str) -> None:
    channel = community.channel(name)
    async with storage.unit_of_work() as uow:
        directory = uow.get(Directory)  # type: ignore[type-abstract]
        await directory.upsert_channel(channel.ref, channel.name, channel.kind.value)
