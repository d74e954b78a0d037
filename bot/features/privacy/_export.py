"""`/rounds my-data`: one JSON file with everything Rounds stores about the member, assembled
from the core's tables (their member row and profile, the audit entries about them, the
deliveries still in the outbox for them) and each programme's own `MemberData` export hook."""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from dataclasses import asdict, is_dataclass
from datetime import datetime, time
from typing import Any

from bot.context import Context
from bot.domain import Member
from bot.memberdata import FORMER_MEMBER, MemberRequest
from bot.messages import unescape
from bot.ports import SUBJECT, AuditEntry


def jsonable(value: Any) -> Any:
    """Datetimes as ISO 8601, enums as their values, dataclasses and tuples as JSON shapes."""
    if isinstance(value, datetime | time):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if is_dataclass(value) and not isinstance(value, type):
        return jsonable(asdict(value))
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return value


def member_part(member: Member) -> dict[str, Any]:
    p = member.profile
    return {
        "user_id": member.user_id,
        "display_name": member.display_name,
        "joined_at": member.joined_at,
        "welcomed_at": member.welcomed_at,
        "community_manager": member.is_manager,
        "profile": {
            "name": p.name,
            "role": p.profession,
            "stage": p.stage,
            "specialty": p.specialty,
            "institution": p.institution,
            "region": p.region,
            "timezone": p.timezone,
            "interests": list(p.interests),
            "goals": list(p.goals),
            "open_to_mentoring": p.open_to_mentor,
            "looking_for_a_mentor": p.seeking_mentor,
            "quiet_hours": str(p.quiet_hours) if p.quiet_hours else None,
        },
    }


async def audit_part(ctx: Context) -> list[dict[str, Any]]:
    entries = await ctx.tx.audit.about(ctx.space.id, ctx.member.id)
    others = {e.actor_id for e in entries} | {e.subject_id for e in entries}
    others.discard(None)
    others.discard(ctx.member.id)
    known = await ctx.tx.members.by_ids(ctx.space.id, sorted(o for o in others if o))

    def who(member_id: int | None, by_member: bool = True) -> str:
        if member_id == ctx.member.id:
            return "you"
        if member_id is None:
            return FORMER_MEMBER if by_member else "Rounds"
        found = known.get(member_id)
        return found.label if found else FORMER_MEMBER

    def shown(entry: AuditEntry) -> dict[str, Any]:
        detail = unescape(entry.detail).replace(SUBJECT, who(entry.subject_id))
        return {
            "at": entry.at,
            "by": who(entry.actor_id, entry.by_member),
            "what": detail,
            "action": entry.action,
        }

    return [shown(entry) for entry in entries]


async def export(ctx: Context) -> bytes:
    request = MemberRequest(ctx.tx, ctx.space, ctx.member, ctx.now)
    data: dict[str, Any] = {
        "about": (
            "Everything Rounds stores about you in this community, as of exported_at. "
            "Times are UTC."
        ),
        "community": ctx.space.name or ctx.space.key.external_id,
        "exported_at": ctx.now,
        "member": member_part(ctx.member),
    }
    for hook in ctx.router.member_data_hooks:
        data[hook.name] = await hook.export(request)
    data["audit"] = await audit_part(ctx)
    data["outbox"] = await ctx.tx.outbox.addressed_to(ctx.space.id, ctx.member.user_id)
    text = json.dumps(jsonable(data), indent=2, ensure_ascii=False, sort_keys=False)
    return (text + "\n").encode("utf-8")
