"""What to suggest while a member types an argument (Discord's autocomplete).

`Arg.complete` answers from what was typed alone (time zones). `Arg.lookup` reads the
community's data (polls, events, check-ins) through a `Context` of the member typing,
so a member is offered only what the command would show them: nothing for a command
above their level, their own check-ins, not everyone's. The read runs in a unit of
work of its own and writes nothing; a database that cannot be reached suggests
nothing (the member can still type the value).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.args import SUGGESTIONS, Arg, Suggestion
from bot.context import Context, Work
from bot.i18n import using_locale
from bot.model import Level, Member, MemberRecord
from bot.ports import Directory, StorageUnavailable, UnitOfWork
from bot.registry import Feature

if TYPE_CHECKING:
    from bot.runtime import Runtime


async def suggestions(
    runtime: Runtime, actor: Member, command: str, option: str, typed: str
) -> list[Suggestion]:
    """At most `SUGGESTIONS` values for `option` of `command`, as `actor` typed `typed`."""
    spec = runtime.registry.command(command)
    arg: Arg | None = next((a for a in spec.args if a.name == option), None) if spec else None
    if spec is None or arg is None:
        return []
    if arg.complete is not None:
        return [Suggestion(value) for value in arg.complete(typed)[:SUGGESTIONS]]
    level = runtime.permissions.level_of(actor)
    if arg.lookup is None or not level.allows(spec.level):
        return []
    feature = runtime.registry.features[spec.feature]
    try:
        async with runtime.storage.reading() as reader:
            if reader is not None:
                found = await _look_up(runtime, reader, feature, arg, actor, level, typed)
            else:  # one shared connection (SQLite in memory): in turn with the writers
                async with runtime.storage.unit_of_work() as uow:
                    found = await _look_up(runtime, uow, feature, arg, actor, level, typed)
    except StorageUnavailable:
        return []
    return list(found[:SUGGESTIONS])


async def _look_up(
    runtime: Runtime,
    uow: UnitOfWork,
    feature: Feature,
    arg: Arg,
    actor: Member,
    level: Level,
    typed: str,
) -> Sequence[Suggestion]:
    assert arg.lookup is not None
    record = await uow.get(Directory).get(actor.ref) or _unknown(actor)  # type: ignore[type-abstract]
    ctx = Context(Work(runtime, uow), feature, None, record, level)
    with using_locale(runtime.config.bot.language_for(record.locale, actor.locale)):
        return await arg.lookup(ctx, typed)


def _unknown(actor: Member) -> MemberRecord:
    """A member the directory has not met yet (typing before their first event): no
    person (0 matches none), read as the platform shows them now."""
    return MemberRecord(
        actor.ref,
        0,
        actor.name,
        actor.display_name,
        actor.is_bot,
        None,
        None,
        None,
        None,
        actor.roles,
        actor.locale,
    )
