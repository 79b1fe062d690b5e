"""The App Home tab: what a member sees when they open Agora in Slack.

The member's own things come first: their name, language and time zone, then what
each feature's `@feature.home` hook returns (their profile, kudos, open questions,
events, check-ins…). The commands they may use come last and folded to one line of
names (as Slack members type them, `/help` tells what each does), so the tab shows
the member, not a manual. Hooks run in one unit of work, each in its own savepoint,
so a failing feature leaves the rest of the tab standing.
"""

from __future__ import annotations

import logging

from adapters.slack.reserved import BUILT_IN_COMMANDS
from bot.command_names import offered
from bot.context import Context, Work
from bot.features.core.handlers import LANGUAGE_NAMES
from bot.i18n import _, using_locale
from bot.model import Block, Fields, Member, Section
from bot.model import Context as Note
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
            blocks: list[Block] = [
                Section(_("*{community}*", community=runtime.config.bot.name)),
                Fields(
                    (
                        (_("Member"), record.label),
                        (_("Language"), LANGUAGE_NAMES.get(locale, locale)),
                        (_("Time zone"), record.timezone or runtime.config.bot.timezone),
                    )
                ),
            ]
            work = Work(runtime, uow)
            for feature in runtime.registry.home_order():
                for hook in feature.home_hooks:
                    ctx = Context(work, feature, None, record, level)
                    try:
                        async with uow.savepoint():
                            blocks.extend(await hook(ctx))
                    except Exception:
                        log.exception("home hook of %s failed for %s", feature.name, member.ref)
            roots = sorted(
                {
                    o.root
                    for o in offered(runtime.registry, BUILT_IN_COMMANDS)
                    if level.allows(o.spec.level) and not o.spec.hidden
                }
            )
            blocks += [
                Section(_("Commands you can use ({count}):", count=len(roots))),
                Note(
                    " · ".join(f"/{root}" for root in roots)
                    + "\n"
                    + _("Type /help to see what each one does.")
                ),
            ]
    return tuple(blocks)
