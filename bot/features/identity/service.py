"""The rules of one person across platforms: link codes, unlinking, export and forget.

Linking merges two persons into one (the older keeps its id); everything a feature
stored about either — kudos, profile, questions, activity — then belongs to the one
person, so it is counted once. Export and forget walk every table the schema
declares personal, plus what each feature's own hooks add or anonymize first.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.context import Context, UserError
from bot.features.identity.store import DataRequests, EmailHashes, LinkCodes
from bot.i18n import _
from bot.model import MemberRecord, Ref
from bot.ports import PersonData

log = logging.getLogger(__name__)

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: codes are typed by hand
CODE_LENGTH = 6
EXPORT_FORMAT = "agora-export/1"


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def email_hash(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def platform_name(platform: str) -> str:
    return {"discord": "Discord", "slack": "Slack", "console": _("the console")}.get(
        platform, platform
    )


async def issue_code(ctx: Context) -> tuple[str, int]:
    """A fresh one-time code for the actor's person; returns (code, minutes valid)."""
    actor = ctx.member()
    minutes = ctx.runtime.config.privacy.link_code_minutes
    now = ctx.now()
    code = new_code()
    await ctx.repo(LinkCodes).issue(  # type: ignore[type-abstract]
        code, actor.person_id, actor.ref.platform, now, now + timedelta(minutes=minutes)
    )
    return code, minutes


async def redeem(ctx: Context, typed: str) -> list[MemberRecord]:
    """Link the actor's account with the person who issued `typed`; returns the accounts."""
    actor = ctx.member()
    codes: LinkCodes = ctx.repo(LinkCodes)  # type: ignore[type-abstract]
    found = await codes.find(typed.strip().upper())
    now = ctx.now()
    if found is None or found.used_at is not None:
        raise UserError(
            _(
                "That code is not valid (or was used already). "
                "Run /link on the other platform for a new one."
            )
        )
    if found.expires_at <= now:
        raise UserError(_("That code has expired. Run /link on the other platform for a new one."))
    if found.person_id == actor.person_id:
        if found.platform == actor.ref.platform:
            raise UserError(_("Enter this code on the other platform, not where you got it."))
        raise UserError(_("These accounts are already linked."))
    directory = ctx.directory
    mine = await directory.accounts_of(actor.person_id)
    theirs = await directory.accounts_of(found.person_id)
    clash = {(a.ref.platform, a.ref.workspace) for a in mine} & {
        (a.ref.platform, a.ref.workspace) for a in theirs
    }
    if clash:
        platform = platform_name(next(iter(clash))[0])
        raise UserError(
            _(
                "Both sides already have an account on {platform}; a member has one account per "
                "platform. Use /unlink on the extra account first.",
                platform=platform,
            )
        )
    if not await codes.use(found.id, now):
        raise UserError(
            _("That code was used already. Run /link on the other platform for a new one.")
        )
    keep, gone = sorted((actor.person_id, found.person_id))
    await ctx.repo(PersonData).merge(keep, gone)  # type: ignore[type-abstract]
    return list(await directory.accounts_of(keep))


async def unlink(ctx: Context) -> MemberRecord:
    """Give the actor's account a person of its own; history stays with the old person."""
    actor = ctx.member()
    accounts = await ctx.directory.accounts_of(actor.person_id)
    if len(accounts) < 2:
        raise UserError(_("This account is not linked to any other."))
    await ctx.repo(PersonData).detach(actor.ref, ctx.now())  # type: ignore[type-abstract]
    found = await ctx.directory.get(actor.ref)
    assert found is not None
    return found


async def suggest_by_email(ctx: Context, member: MemberRecord, email: str) -> list[Ref]:
    """Other persons' accounts with the same verified email, not suggested before."""
    hashes: EmailHashes = ctx.repo(EmailHashes)  # type: ignore[type-abstract]
    digest = email_hash(email)
    if not await hashes.remember(member.ref, member.person_id, digest):
        return []
    matches = [
        m
        for m in await hashes.others(digest, member.person_id)
        if m.platform != member.ref.platform
    ]
    for match in matches:
        await hashes.mark_suggested(match, ctx.now())
    return matches


# --- data export and forget ------------------------------------------------------------


async def _accounts(ctx: Context, person_id: int) -> list[MemberRecord]:
    return list(await ctx.directory.accounts_of(person_id))


async def export_person(ctx: Context, person_id: int) -> dict[str, Any]:
    """Everything about the person (documented in the README: "Data export format")."""
    accounts = await _accounts(ctx, person_id)
    locale, timezone = await ctx.directory.person_prefs(person_id)
    tables = await ctx.repo(PersonData).dump(person_id, [a.ref for a in accounts])  # type: ignore[type-abstract]
    features: dict[str, Any] = {}
    for feature in ctx.runtime.registry.features.values():
        for hook in feature.export_hooks:
            hook_ctx = Context(ctx.work, feature, None)
            features[feature.name] = await hook(hook_ctx, person_id)
    rows = sum(len(r) for r in tables.values())
    await ctx.repo(DataRequests).record("export", ctx.now(), rows)  # type: ignore[type-abstract]
    # Which server or workspace each account is on, by name where the platform said it.
    places = {(w.platform, w.external_id): w.name for w in await ctx.directory.workspaces()}
    return {
        "format": EXPORT_FORMAT,
        "exported_at": ctx.now().isoformat(),
        "community": ctx.community,
        "person": {"id": person_id, "locale": locale, "timezone": timezone},
        "accounts": [
            {
                "ref": str(a.ref),
                "platform": a.ref.platform,
                "workspace": a.ref.workspace,
                "workspace_name": places.get((a.ref.platform, a.ref.workspace)),
                "name": a.name,
                "display_name": a.display_name,
                "joined_at": a.joined_at.isoformat() if a.joined_at else None,
                "left_at": a.left_at.isoformat() if a.left_at else None,
                "roles": sorted(a.roles),
            }
            for a in accounts
        ],
        "features": features,
        "tables": tables,
    }


@dataclass(frozen=True, slots=True)
class ForgetReport:
    person_id: int
    accounts: int
    erased: dict[str, int]
    failed_hooks: tuple[str, ...]

    @property
    def rows(self) -> int:
        return sum(self.erased.values())


async def forget_person(ctx: Context, person_id: int) -> ForgetReport:
    """Erase the person everywhere: features anonymize what aggregates need, then the rest goes."""
    accounts = await _accounts(ctx, person_id)
    refs = [a.ref for a in accounts]
    failed: list[str] = []
    for feature in ctx.runtime.registry.features.values():
        for hook in feature.forget_hooks:
            hook_ctx = Context(ctx.work, feature, None)
            try:
                async with ctx.work.uow.savepoint():
                    await hook(hook_ctx, person_id)
            except Exception:
                # The sweep below still erases this feature's rows; aggregates may lose them.
                log.exception("forget hook of %s failed", feature.name)
                failed.append(feature.name)
    erased = await ctx.repo(PersonData).erase(person_id, refs)  # type: ignore[type-abstract]
    ctx.work.forgotten.add(person_id)
    report = ForgetReport(person_id, len(accounts), erased, tuple(failed))
    await ctx.repo(DataRequests).record("forget", ctx.now(), report.rows)  # type: ignore[type-abstract]
    return report
