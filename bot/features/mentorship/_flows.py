"""The steps commands, buttons and the check-in job share: find and suggest mentors, propose a
pair, move to the next choice, start, log a check-in, end, and tell the managers.

A `Scope` is what each step needs, whether a member's command or the job started it: the
transaction, the space, the time, the settings and a way to plan a delivery.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from bot.context import Context
from bot.domain import Member
from bot.features.mentorship._render import (
    NO_FIT,
    render_moved_on,
    render_no_match_card,
    render_proposal,
    render_suggestions,
    render_welcome_mentee,
)
from bot.features.mentorship._schedule import (
    ANSWER_WINDOW,
    SNOOZE,
    every_of,
    managers_key,
    nudge_key,
    nudge_moment,
    pair_note_key,
    picks_key,
    proposal_key,
    waiting,
)
from bot.features.mentorship._scoring import Match, ceiling_elsewhere, explain, query, rank
from bot.features.mentorship.model import (
    CURRENT,
    DEFAULT_CAPACITY,
    MENTORSHIP,
    Candidate,
    Ladder,
    MatchQuery,
    MentorshipRepo,
    Outcome,
    Pair,
    PairStatus,
    Request,
    RequestStatus,
    Step,
    Suggestion,
)
from bot.localtime import COMMUNITY_ZONE, DEFAULT_ZONE
from bot.managers import manager_alerts
from bot.messages import DirectMessage, Message, mention
from bot.ports import NewDelivery, Tx


@dataclass
class Scope:
    tx: Tx
    space_id: int
    now: datetime
    settings: Mapping[str, str]
    send: Callable[[NewDelivery], Awaitable[bool]]

    @property
    def repo(self) -> MentorshipRepo:
        return self.tx.repo(MENTORSHIP)

    @property
    def zone(self) -> str:
        """The community's time zone, for members who set none."""
        return self.settings.get(COMMUNITY_ZONE) or DEFAULT_ZONE

    async def members(self, *ids: int) -> dict[int, Member]:
        return await self.tx.members.by_ids(self.space_id, list(ids))

    async def dm(
        self,
        key: str,
        purpose: str,
        member: Member,
        message: Message | str,
        *,
        due_at: datetime | None = None,
        expires_at: datetime | None = None,
    ) -> bool:
        """A DM about the member's mentorship. It waits out their quiet hours at send time:
        news can wait for the morning (none of it is a reply to what they just did)."""
        body = Message(message) if isinstance(message, str) else message
        return await self.send(
            NewDelivery(
                dedupe_key=key,
                purpose=purpose,
                target=DirectMessage(member.user_id),
                message=body,
                due_at=due_at or self.now,
                expires_at=expires_at,
                quiet=True,
            )
        )

    async def tell_managers(self, key: str, purpose: str, message: Message) -> None:
        """The managers channel; without one, a DM to each manager (never nowhere)."""
        for delivery in await manager_alerts(
            self.tx, self.space_id, key, purpose, message, self.now
        ):
            await self.send(delivery)


async def scope_of(ctx: Context) -> Scope:
    return Scope(ctx.tx, ctx.space.id, ctx.now, await ctx.settings(), ctx.deliver)


def matching_goals(goals: str, mentee: Member) -> str:
    """What a mentor's areas are matched against: the request, and the profile's goals."""
    return ", ".join(part for part in (goals, *mentee.profile.goals) if part)


async def find(scope: Scope, mentee: Member, request: Request) -> list[Match]:
    """The best three mentors for a request: never one it was put to, nor a current one.

    Shared areas are the costly part to count, so they are counted for as few mentors as can
    be. A first pass ranks only the mentee's own specialty (without one: mentors sharing two
    areas, found through the areas' index). When its third best scores more than anyone else
    could, that is the answer; else the rest are ranked too, counting areas only for mentors
    whose other points could still reach that third. Always the same three as ranking everyone
    (a test holds it to that), from far fewer rows.
    """
    goals = matching_goals(request.goals, mentee)
    wanted = query(mentee, goals, scope.now, outside=request.outside, request_id=request.id)
    points = wanted.area_points if wanted.areas else (0,)
    if wanted.specialty:  # the rest: other specialties, any number of areas
        first = await explained(scope, mentee, goals, replace(wanted, specialty_only=True))
        elsewhere, their_areas = ceiling_elsewhere(wanted), points[-1]
    elif wanted.areas:  # the rest: sharing fewer areas
        most = len(points) - 1
        first = await explained(scope, mentee, goals, replace(wanted, sharing=most))
        elsewhere, their_areas = ceiling_elsewhere(wanted, areas=most - 1), points[most - 1]
    else:
        return await explained(scope, mentee, goals, wanted)
    if len(first) < 3:
        rest = await explained(scope, mentee, goals, wanted)
    elif first[-1].score > elsewhere:
        return first
    else:
        floor = first[-1].score - their_areas
        rest = await explained(scope, mentee, goals, replace(wanted, floor=floor))
    return rank(list({m.member.id: m for m in (*first, *rest)}.values()))


async def explained(scope: Scope, mentee: Member, goals: str, wanted: MatchQuery) -> list[Match]:
    candidates = await scope.repo.find_mentors(scope.space_id, wanted)
    return rank(await scored(scope, mentee, goals, candidates))


async def scored(
    scope: Scope, mentee: Member, goals: str, candidates: list[Candidate]
) -> list[Match]:
    members = await scope.members(*(c.member_id for c in candidates))
    return [
        explain(mentee, goals, members[c.member_id], c, scope.now)
        for c in candidates
        if c.member_id in members
    ]


async def suggest(
    scope: Scope, request: Request, mentee: Member, *, alert: bool = True
) -> tuple[Request, list[Match]]:
    """Fresh suggestions for a request; with none, the request goes to the managers
    (`alert=False`: they already have it)."""
    matches = await find(scope, mentee, request)
    ranked = [Suggestion(n, m.member.id, m.score, m.reason) for n, m in enumerate(matches, 1)]
    request = await scope.repo.suggest(scope.space_id, request.id, ranked)
    if not matches and alert:
        await no_match(scope, request, mentee, f"v{request.version}", "no mentor with room fits")
    return request, matches


async def no_match(scope: Scope, request: Request, mentee: Member, cause: str, why: str) -> None:
    await scope.repo.update_request(scope.space_id, request.id, status=RequestStatus.UNMATCHED)
    await scope.tell_managers(
        managers_key(request.id, cause),
        "mentorship-no-match",
        render_no_match_card(request.id, mentee, request.goals, why),
    )


async def reopen(scope: Scope, request: Request, mentee: Member, intro: str) -> None:
    """Suggest again, by DM: after a re-match, or when a mentor left."""
    request, matches = await suggest(scope, request, mentee)
    key = picks_key(request.id, request.version)
    if matches:
        message = render_suggestions(
            request.id, request.version, request.goals, matches, intro=intro
        )
        await scope.dm(key, "mentorship-suggestions", mentee, message)
    else:
        await scope.dm(key, "mentorship-suggestions", mentee, f"{intro} {NO_FIT}")


async def available(scope: Scope, mentor: Member) -> bool:
    """Still a mentor, not paused, not gone, with a place free."""
    if not mentor.profile.open_to_mentor:
        return False
    found = await scope.repo.mentor(scope.space_id, mentor.id)
    if found is not None and (found.left_at is not None or found.paused(scope.now)):
        return False
    capacity = found.capacity if found else DEFAULT_CAPACITY
    return await scope.repo.commitments(scope.space_id, mentor.id) < capacity


async def propose(
    scope: Scope, request: Request, mentor: Member, mentee: Member, reason: str, *, by_hand: bool
) -> Pair:
    respond_by = scope.now + ANSWER_WINDOW
    pair = await scope.repo.propose(
        scope.space_id, request.id, mentor.id, mentee.id, scope.now, respond_by, by_hand=by_hand
    )
    await scope.repo.mark_suggestion(scope.space_id, request.id, mentor.id, Outcome.ASKED)
    await scope.repo.update_request(scope.space_id, request.id, status=RequestStatus.ASKING)
    message = render_proposal(pair.id, mentee, request.goals, reason, respond_by, by_hand=by_hand)
    await scope.dm(
        proposal_key(pair.id), "mentorship-proposal", mentor, message, expires_at=respond_by
    )
    return pair


async def next_choice(scope: Scope, pair: Pair, *, lapsed: bool, gone: bool = False) -> None:
    """After a decline or a lapse: ask the mentee's next-ranked mentor still free, or, with
    none left, the managers. The mentee is told either way (`gone`: the mentor asked is being
    erased, so nobody is told their name)."""
    if pair.request_id is None:
        return
    request = await scope.repo.request(scope.space_id, pair.request_id)
    people = await scope.members(pair.mentor_id, pair.mentee_id)
    if request is None or pair.mentee_id not in people or pair.mentor_id not in people:
        return
    mentor, mentee = people[pair.mentor_id], people[pair.mentee_id]
    named = None if gone else mentor
    outcome = Outcome.LAPSED if lapsed else Outcome.DECLINED
    await scope.repo.mark_suggestion(scope.space_id, request.id, mentor.id, outcome)
    if request.status is not RequestStatus.ASKING:
        return  # the mentee left, or a manager already matched them another way
    note = pair_note_key(pair.id, "moved", mentee.id)
    suggestions = await scope.repo.suggestions(scope.space_id, request.id)
    for suggestion in suggestions:
        if suggestion.outcome is not None:
            continue
        found = await scope.members(suggestion.mentor_id)
        candidate = found.get(suggestion.mentor_id)
        if candidate is None or not await available(scope, candidate):
            await scope.repo.mark_suggestion(
                scope.space_id, request.id, suggestion.mentor_id, Outcome.UNAVAILABLE
            )
            continue
        asked = await propose(scope, request, candidate, mentee, suggestion.reason, by_hand=False)
        text = render_moved_on(named, lapsed, candidate, asked.respond_by or scope.now)
        await scope.dm(note, "mentorship-next-choice", mentee, text)
        return
    others = not pair.by_hand and len(suggestions) > 1
    moved = render_moved_on(named, lapsed, None, scope.now, others=others)
    await scope.dm(note, "mentorship-next-choice", mentee, moved)
    if gone:
        why = "the mentor asked is no longer taking part"
    elif pair.by_hand:
        why = f"{mention(mentor.user_id)} declined the match by hand"
    else:
        why = "every choice declined or let the window pass"
    await no_match(scope, request, mentee, f"p{pair.id}", why)


async def start(scope: Scope, pair: Pair, mentor: Member, mentee: Member) -> bool:
    """The mentor accepted: the pair is on, the first check-in one cadence away."""
    every = every_of(pair, scope.settings)
    if not await scope.repo.activate(
        scope.space_id, pair.id, scope.now, waiting(scope.now + every)
    ):
        return False
    if pair.request_id is not None:
        await scope.repo.update_request(
            scope.space_id, pair.request_id, status=RequestStatus.MATCHED
        )
    await scope.dm(
        pair_note_key(pair.id, "accepted", mentee.id),
        "mentorship-accepted",
        mentee,
        render_welcome_mentee(mentor, every),
    )
    return True


async def cancel_nudges(scope: Scope, pair: Pair) -> None:
    """Nudges for the current due date that have not gone out yet are no longer needed."""
    if pair.due_at is None:
        return
    for step in (Step.NUDGED, Step.NUDGED_AGAIN):
        for member_id in (pair.mentor_id, pair.mentee_id):
            key = nudge_key(pair.id, pair.due_at, step, member_id)
            await scope.tx.outbox.cancel(scope.space_id, key)


async def snooze(scope: Scope, pair: Pair, mentor: Member) -> datetime:
    """The mentor's nudge again a day later (at a good hour); the due date stays, so the
    mentee isn't prompted twice, and the second nudge counts from the snoozed one."""
    again = nudge_moment(scope.now + SNOOZE, mentor.profile, scope.zone)
    await cancel_nudges(scope, pair)
    if pair.due_at is not None:
        await scope.repo.schedule(scope.space_id, pair.id, Ladder(pair.due_at, Step.SNOOZED, again))
    return again


async def reschedule(scope: Scope, pair: Pair, due_at: datetime) -> Ladder:
    ladder = waiting(due_at)
    await cancel_nudges(scope, pair)
    await scope.repo.schedule(scope.space_id, pair.id, ladder)
    return ladder


async def log_checkin(scope: Scope, pair: Pair, member: Member, note: str | None) -> Ladder:
    """Record a check-in; the next one falls due a cadence from today. A paused pair resumes."""
    await scope.repo.add_checkin(scope.space_id, pair.id, member.id, scope.now, note)
    if pair.status is PairStatus.PAUSED:
        await scope.repo.set_status(scope.space_id, pair.id, PairStatus.ACTIVE)
    return await reschedule(scope, pair, scope.now + every_of(pair, scope.settings))


async def end(scope: Scope, pair: Pair) -> bool:
    await cancel_nudges(scope, pair)
    return await scope.repo.close(scope.space_id, pair.id, PairStatus.ENDED, scope.now)


async def current_pair(scope: Scope, member: Member, other: Member) -> Pair | None:
    return await scope.repo.pair_between(scope.space_id, member.id, other.id, CURRENT)


async def request_for(scope: Scope, pair: Pair, mentee: Member) -> Request:
    """The request a pair came from, or a new one from the mentee's profile goals."""
    if pair.request_id is not None:
        found = await scope.repo.request(scope.space_id, pair.request_id)
        if found is not None:
            return found
    goals = ", ".join(mentee.profile.goals)
    return await scope.repo.add_request(scope.space_id, mentee.id, goals, False, scope.now)
