"""What the insight feature says: the weekly digest, `/rounds stats` and `/rounds audit`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from bot.digest import DigestSection
from bot.domain import Member
from bot.features.insight._chart import Weekly
from bot.memberdata import FORMER_MEMBER
from bot.messages import mention, moment
from bot.ports import SUBJECT, AuditEntry


def render_digest(sections: Sequence[DigestSection], since: datetime, until: datetime) -> str:
    lines = [f"📊 **Weekly digest** ({moment(since, 'D')} to {moment(until, 'D')})"]
    for section in sections:
        lines += ["", f"**{section.title}**", *(f"- {line}" for line in section.lines)]
    if not sections:
        lines += ["", "A quiet week: nothing needs your attention."]
    lines += [
        "",
        "The chart shows the last 8 weeks; `/rounds stats weeks=12` shows more. "
        "Recent configuration changes: `/rounds audit`.",
    ]
    return "\n".join(lines)


def render_members(new: int, total: int) -> DigestSection | None:
    if not new:
        return None
    joined = f"{new} new member{'s' if new != 1 else ''} joined ({total} in all)."
    return DigestSection("Members", (f"{joined} Find them with `/rounds find` and say hello.",))


def render_stats(weekly: Weekly, weeks: int, managers_channel: str | None) -> str:
    lines = [f"**Community activity, the last {weeks} week{'s' if weeks != 1 else ''}**"]
    for series in weekly.series:
        total, latest = sum(series.counts), series.counts[-1] if series.counts else 0
        lines.append(f"- {series.label}: {total} (this week {latest})")
    if not weekly.series:
        lines.append("- Nothing to count yet.")
    where = (
        f"comes to <#{managers_channel}>"
        if managers_channel
        else "comes to each manager by DM (or to a channel: "
        "`/rounds config channel managers #rounds-managers`)"
    )
    lines.append(f"\nThe chart has each week. The weekly digest {where}.")
    return "\n".join(lines)


def who(member_id: int | None, by_member: bool, members: Mapping[int, Member]) -> str:
    if member_id is None:
        return FORMER_MEMBER if by_member else "Rounds"
    found = members.get(member_id)
    return mention(found.user_id) if found else FORMER_MEMBER


def render_audit(entries: Sequence[AuditEntry], members: Mapping[int, Member]) -> str:
    if not entries:
        return (
            "No changes recorded yet. Changes made with `/rounds config …`, anonymous-author "
            "look-ups and moderation steps are listed here."
        )
    count = len(entries)
    lines = ["**The last change**" if count == 1 else f"**The last {count} changes**, newest first"]
    for entry in entries:
        subject = who(entry.subject_id, True, members)
        detail = entry.detail.replace(SUBJECT, subject)
        by = who(entry.actor_id, entry.by_member, members)
        lines.append(f"- {moment(entry.at, 'f')} {by}: {detail}")
    return "\n".join(lines)
