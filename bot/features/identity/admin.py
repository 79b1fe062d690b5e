"""`agora gdpr export|forget`: data requests run by an admin from the command line."""

from __future__ import annotations

from typing import Any

from bot.config import AgoraConfig
from bot.context import Context, UserError, Work
from bot.features.identity import service
from bot.i18n import _
from bot.model import Ref


async def _person_id(ctx: Context, member: str | None, person: int | None) -> int:
    if person is not None:
        if not await ctx.directory.accounts_of(person):
            raise UserError(_("No person with id {id}.", id=person))
        return person
    if member is None:
        raise UserError(_("Say whom: --member platform:workspace:id or --person ID."))
    try:
        ref = Ref.parse(member)
    except ValueError:
        raise UserError(
            _("{value!r} is not an account (write platform:workspace:id).", value=member)
        ) from None
    found = await ctx.directory.get(ref)
    if found is None:
        raise UserError(_("No account {ref} is known.", ref=member))
    return found.person_id


async def data_request(
    config: AgoraConfig, action: str, *, member: str | None, person: int | None
) -> Any:
    """Run `export` (returns the export dict) or `forget` (returns the ForgetReport)."""
    from bot.app import build_app
    from bot.features.identity.handlers import feature

    app = await build_app(config)
    try:
        async with app.runtime.storage.unit_of_work() as uow:
            ctx = Context(Work(app.runtime, uow), feature, None)
            person_id = await _person_id(ctx, member, person)
            if action == "export":
                return await service.export_person(ctx, person_id)
            return await service.forget_person(ctx, person_id)
    finally:
        await app.stop()
