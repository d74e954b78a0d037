"""A small mentoring community for the mentorship tests, and look-ups into what it stored.

Monday 2 March 2026, 09:00 UTC. Amara manages (managers channel #organisers). Mentors: Dr Okafor
(senior, emergency medicine, Korle Bu, Accra; offered operations and quality improvement, two
places), Dr Lee (mid-career paediatrician at LUTH, London; `mentor=yes` in her profile) and
Dr Singh (senior, emergency medicine, AIIMS, Kolkata; offered policy and education, one place).
Carol (trainee in emergency medicine at LUTH, Lagos) will look for a mentor.
"""

from __future__ import annotations

from bot.features.mentorship.model import MENTORSHIP, Checkin, Pair, PairStatus, Request
from storage.store import SqlStore
from tests.helpers import stored_member

COMMUNITY = """
clock 2026-03-02 09:00 UTC
join amara
amara: /rounds config channel managers #organisers
join okafor
okafor: /rounds profile set name="Dr Okafor" stage=senior specialty="emergency medicine" institution="Korle Bu" timezone=Africa/Accra
okafor: /rounds mentor offer capacity=2 areas="operations, quality improvement"
join lee
lee: /rounds profile set name="Dr Lee" stage=mid-career specialty=paediatrics institution=LUTH timezone=Europe/London mentor=yes interests="research, operations"
join singh
singh: /rounds profile set name="Dr Singh" stage=senior specialty="emergency medicine" institution=AIIMS timezone=Asia/Kolkata
singh: /rounds mentor offer capacity=1 areas="policy, education"
join carol
carol: /rounds profile set name="Carol Diaz" stage=trainee specialty="emergency medicine" institution=LUTH timezone=Africa/Lagos
"""

ASK = 'carol: /rounds mentor request goals="operations, running a service"\n'
PAIRED = COMMUNITY + ASK + 'as carol\nclick "Ask Dr Okafor"\nas okafor\nclick "Accept"\n'
"""Carol asked Dr Okafor, who accepted on Monday 2 March: their first check-in is due 16 March."""


async def member_id(store: SqlStore, user_id: str) -> int:
    member = await stored_member(store, user_id)
    assert member is not None, user_id
    return member.id


async def pairs(store: SqlStore, user_id: str, *statuses: PairStatus) -> list[Pair]:
    wanted = statuses or tuple(PairStatus)
    member = await stored_member(store, user_id)
    assert member is not None
    async with store.transaction() as tx:
        return await tx.repo(MENTORSHIP).pairs_of(member.space_id, member.id, wanted)


async def the_pair(store: SqlStore, user_id: str = "carol") -> Pair:
    found = await pairs(store, user_id, PairStatus.ACTIVE, PairStatus.PAUSED)
    assert len(found) == 1, found
    return found[0]


async def waiting_request(store: SqlStore, user_id: str = "carol") -> Request | None:
    member = await stored_member(store, user_id)
    assert member is not None
    async with store.transaction() as tx:
        return await tx.repo(MENTORSHIP).waiting_request(member.space_id, member.id)


async def checkins(store: SqlStore, user_id: str) -> list[Checkin]:
    member = await stored_member(store, user_id)
    assert member is not None
    async with store.transaction() as tx:
        found = await tx.repo(MENTORSHIP).checkins(member.space_id, member.id)
    return [checkin for checkin, _ in found]


DIGEST = "📊 **Weekly digest**"


def without_digests(out: str) -> str:
    """The output without the managers' weekly digests (each a block of its own)."""
    kept = [
        "[" + block
        for block in ("\n" + out).split("\n[")[1:]
        if not block.partition("\n")[2].startswith("  " + DIGEST)
    ]
    return "\n".join(kept)


def blocks(out: str, header: str) -> list[str]:
    """Every output block under `header` (e.g. "[dm @carol]"), body lines unindented. The
    managers' weekly digest is left out: these tests are about mentorship's own messages."""
    found = []
    for block in ("\n" + out).split("\n[")[1:]:
        head, _, body = ("[" + block).partition("\n")
        if head == header:
            text = "\n".join(line[2:] for line in body.rstrip("\n").split("\n"))
            if not text.startswith(DIGEST):
                found.append(text)
    return found
