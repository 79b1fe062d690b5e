"""Test a feature like a member would use it: the Harness.

It runs the real core (dispatcher, scheduler, storage on in-memory SQLite) with the
memory adapter and a `FakeClock`, and offers verbs a person uses: say, command,
react, click, submit, join, leave, tick. Plugin authors use it too.

    async with Harness() as h:
        await h.command("alice", "/kudos @bob thanks for the review")
        assert "bob" in h.last().text
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any

from bot.args import parse_duration
from bot.clock import FakeClock
from bot.config import AgoraConfig, FeatureConfig
from bot.model import Capability, Event, MemberRecord, Ref
from bot.registry import Feature

if TYPE_CHECKING:
    from adapters.memory.community import Community, Posted
    from bot.app import App

DEFAULT_MEMBERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("alice", ("admin",)),
    ("bob", ("moderator",)),
    ("carol", ()),
)
DEFAULT_CHANNELS = ("general", "help", "mod-queue")


class Harness:
    def __init__(
        self,
        config: AgoraConfig | Mapping[str, Any] | None = None,
        *,
        features: Sequence[Feature] | None = None,
        start: datetime | None = None,
        members: Sequence[tuple[str, tuple[str, ...]]] = DEFAULT_MEMBERS,
        channels: Sequence[str] = DEFAULT_CHANNELS,
        storage_url: str = "sqlite+aiosqlite:///:memory:",
        capabilities: frozenset[Capability] | None = None,
    ) -> None:
        """`capabilities` limits what the simulated platform can do (default: everything)."""
        self._config_input = config
        self._features = features
        self.clock = FakeClock(start)
        self._members = members
        self._channels = channels
        self._storage_url = storage_url
        self._capabilities = capabilities
        self.app: App | None = None
        self._seen = 0

    # --- lifecycle -------------------------------------------------------------------

    async def __aenter__(self) -> Harness:
        from adapters.memory.community import Community
        from adapters.memory.port import MemoryPort
        from adapters.memory.seeding import register_directory
        from bot.app import build_app, open_storage
        from bot.features import feature_models

        config = self._config_input
        if not isinstance(config, AgoraConfig):
            data = dict(config or {})
            # Virtual time stands still between test steps; limits only where a test asks.
            data.setdefault("limits", {"commands_per_minute": 0, "clicks_per_minute": 0})
            config = load_config_dict(data, feature_models())
        config = config.model_copy(
            update={"storage": config.storage.model_copy(update={"url": self._storage_url})}
        )
        storage = await open_storage(config, create_schema=True)
        self.app = await build_app(
            config, clock=self.clock, storage=storage, features=self._features
        )
        self.community = Community(self.clock, "memory", "test")
        self.port = MemoryPort(self.community, self._capabilities)
        self.app.runtime.ports[self.port.platform] = self.port
        for name in self._channels:
            self.community.add_channel(name)
        for name, roles in self._members:
            self.community.add_member(name, roles)
        await register_directory(
            self.app.runtime.storage, self.community, self.clock.now(), config.bot.name
        )
        await self.app.scheduler.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.app is not None:
            await self.app.stop()

    @property
    def runtime(self) -> Any:
        assert self.app is not None
        return self.app.runtime

    # --- what members do -------------------------------------------------------------

    async def dispatch(self, event: Event) -> bool:
        assert self.app is not None
        handled = await self.app.dispatcher.handle(event)
        await self.app.scheduler.run_due()
        return handled

    async def say(
        self, name: str, text: str, *, channel: str = "general", thread_of: int | None = None
    ) -> Posted:
        event = self.community.say(name, channel, text, thread_of=thread_of)
        await self.dispatch(event)
        return self.community.post_by_ref(event.message.ref)  # type: ignore[return-value]

    async def command(self, name: str, line: str, *, channel: str = "general") -> list[Posted]:
        return await self._run(self.community.command(name, channel, line))

    async def react(
        self, name: str, number: int, emoji: str, *, added: bool = True
    ) -> list[Posted]:
        return await self._run(self.community.react(name, number, emoji, added=added))

    async def click(self, name: str, button: str, number: int | None = None) -> list[Posted]:
        return await self._run(self.community.click(name, button, number))

    async def select(
        self, name: str, options: list[str], number: int | None = None
    ) -> list[Posted]:
        return await self._run(self.community.select(name, options, number))

    async def submit(self, name: str, **values: str) -> list[Posted]:
        return await self._run(self.community.submit(name, values))

    async def join(self, name: str, *roles: str, locale: str | None = None) -> list[Posted]:
        return await self._run(self.community.join(name, tuple(roles), locale))

    async def leave(self, name: str) -> list[Posted]:
        return await self._run(self.community.leave(name))

    async def set_role(self, name: str, role: str, added: bool = True) -> list[Posted]:
        return await self._run(self.community.set_role(name, role, added))

    async def tick(self, duration: str | timedelta) -> list[Posted]:
        """Advance virtual time, firing due jobs in order; returns what the bot posted."""
        assert self.app is not None
        delta = parse_duration(duration) if isinstance(duration, str) else duration
        before = len(self.community.posts)
        await self.app.scheduler.advance(delta)
        return self.community.posts[before:]

    async def add_platform(
        self,
        platform: str,
        *,
        workspace: str = "test",
        members: Sequence[tuple[str, tuple[str, ...]]] = DEFAULT_MEMBERS,
        channels: Sequence[str] = DEFAULT_CHANNELS,
        capabilities: frozenset[Capability] | None = None,
    ) -> Community:
        """A second simulated platform (e.g. "slack") sharing this core and database.

        `capabilities` limits what it can do (default: everything), e.g. to play Slack.
        """
        from adapters.memory.community import Community
        from adapters.memory.port import MemoryPort
        from adapters.memory.seeding import register_directory

        assert self.app is not None
        community = Community(self.clock, platform, workspace)
        self.app.runtime.ports[platform] = MemoryPort(community, capabilities)
        for name in channels:
            community.add_channel(name)
        for name, roles in members:
            community.add_member(name, roles)
        await register_directory(self.app.runtime.storage, community, self.clock.now())
        return community

    async def on(self, community: Community, event: Event) -> list[Posted]:
        """Dispatch an event made by another platform's `community`; returns what it got."""
        before = len(community.posts)
        await self.dispatch(event)
        return community.posts[before:]

    async def _run(self, event: Event) -> list[Posted]:
        before = len(self.community.posts)
        await self.dispatch(event)
        return self.community.posts[before:]

    # --- what the bot said -----------------------------------------------------------

    @classmethod
    def of_feature(
        cls, name: str, section: Mapping[str, Any], *, top: Mapping[str, Any] | None = None
    ) -> Harness:
        """A harness whose `[features.NAME]` section is `section`.

        `top` holds other Harness arguments and, under "config", other sections.
        """
        options = dict(top or {})
        config = dict(options.pop("config", {}))
        config["features"] = {**config.get("features", {}), name: dict(section)}
        return cls(config=config, **options)

    async def record(self, name: str) -> MemberRecord:
        """The stored record of member `name` (person id, locale, time zone, roles)."""
        from bot.ports import Directory

        async with self.runtime.storage.unit_of_work() as uow:
            found: MemberRecord | None = await uow.get(Directory).get(self.ref(name))
        if found is None:
            raise AssertionError(f"{name} is not in the directory")
        return found

    @property
    def sent(self) -> list[Posted]:
        return [p for p in self.community.posts if p.by_bot]

    def last(self, to: str | None = None) -> Posted:
        """The bot's latest message (optionally: the latest one `to` can see)."""
        for posted in reversed(self.sent):
            if to is None or posted.visible_to(self.ref(to)):
                return posted
        raise AssertionError(f"the bot sent nothing{' to ' + to if to else ''}")

    def answer(self, posted: Sequence[Posted], name: str) -> Posted:
        """Of what one step made the bot post, the last message `name` can see.

        Their reply, not the DMs the same step queued for others (those are delivered
        after the commit, so they come last).
        """
        ref = self.ref(name)
        for item in reversed(posted):
            if item.visible_to(ref):
                return item
        raise AssertionError(f"the bot said nothing {name} can see")

    def texts(self, to: str | None = None) -> list[str]:
        return [p.text for p in self.sent if to is None or p.visible_to(self.ref(to))]

    def dms(self, name: str) -> list[Posted]:
        ref = self.ref(name)
        return [p for p in self.sent if p.dm_to == ref]

    def in_channel(self, channel: str) -> list[Posted]:
        ref = self.community.channel(channel).ref
        return [p for p in self.sent if p.channel is not None and p.channel.ref == ref]

    def ref(self, name: str) -> Ref:
        member = self.community.members.get(name.lower()) or self.community.departed.get(
            name.lower()
        )
        if member is None:
            raise AssertionError(f"no member {name!r}")
        return member.ref


def load_config_dict(
    data: dict[str, Any], feature_models: Mapping[str, type[FeatureConfig]]
) -> AgoraConfig:
    """Validate a config given as a dict (tests) the same way a TOML file is."""
    from bot.config import config_from_dict

    return config_from_dict(data, feature_models)


__all__ = ["DEFAULT_CHANNELS", "DEFAULT_MEMBERS", "FakeClock", "Harness", "load_config_dict"]
