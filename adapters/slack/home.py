"""The App Home tab: what a member sees when they open Agora in Slack.

The plumbing is real, the content minimal until features bring theirs: the member's
name, language and time zone, the commands they may use (from the registry, like
`/help`), then whatever each feature's `@feature.home` hook returns (kudos received,
open questions, upcoming check-ins…). Hooks run in one unit of work, each in its own
savepoint, so a failing feature leaves the rest of the tab standing.
"""

from __future__ import annotations

import logging

from bot.context import Context, Work
from bot.features.core.handlers import LANGUAGE_NAMES
from bot.i18n import _, using_locale
from bot.model import Block, Fields, Member, Section
from bot.ports import Directory
from bot.runtime import Runtime

log = logging.getLogger(__name__)


async def home_blocks(runtime: Runtime, member: Member) -> tuple[Block, ...]:
    level = runtime.permissions.level_of(member)
    async with runtime.storage.unit_of_work() as uow:
        directory: Directory = uow.get(Directory)  # type: ignore[type-abstract]
        record = await directory.upsert_member(member, runtime.clock.now())
        locale = runtime.config.bot.language_for(
            record.locale, member.locale or record.platform_locale
        )
        with using_locale(locale):
            usable = [
                c for c in runtime.registry.commands if level.allows(c.level) and not c.hidden
            ]
            blocks: list[Block] = [
                Section(_("*{community}*", community=runtime.config.bot.name)),
                Fields(
                    (
                        (_("Member"), record.label),
                        (_("Language"), LANGUAGE_NAMES.get(locale, locale)),
                        (_("Time zone"), record.timezone or runtime.config.bot.timezone),
                    )
                ),
                Section(
                    _("Commands you can use ({count}):", count=len(usable))
                    + "\n"
                    + "\n".join(f"`/{c.name}` — {_(c.help)}" for c in usable)
                ),
            ]
            work = Work(runtime, uow)
            for feature in runtime.registry.features.values():
                for hook in getattr(feature, "home_hooks", ()):
                    ctx = Context(work, feature, None, record, level)
                    try:
                        async with uow.savepoint():
                            blocks.extend(await hook(ctx))
                    except Exception:
                        log.exception("home hook of %s failed for %s", feature.name, member.ref)
    return tuple(blocks)
