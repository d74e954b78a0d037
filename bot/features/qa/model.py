"""Peer Q&A's domain types and the repository they are kept in.

What this programme stores about a member: the questions they asked (title, body, tags,
whether anonymous: the author is kept even then, and shown only through the audited
`/rounds qa author`), their answers, their upvotes, the questions they follow, and managers'
look-ups of anonymous authors.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain import Member
from bot.ports import RepoKey


def known(*member_ids: int | None) -> list[int]:
    """The ids of authors still known (an erased author who kept their posts is None)."""
    return [member_id for member_id in member_ids if member_id is not None]


def author_of(members: Mapping[int, Member], member_id: int | None) -> Member | None:
    return members.get(member_id) if member_id is not None else None


class QuestionStatus(enum.StrEnum):
    DRAFT = "draft"  # shown similar questions; waits for "Post my question"
    REVIEW = "review"  # anonymous, waiting for a manager's approval
    POSTED = "posted"
    DECLINED = "declined"


class Stage(enum.StrEnum):
    """The follow-up ladder's steps, each done once per question."""

    PEERS = "peers"  # unanswered after `qa.followup`: up to 3 members who answered before
    MANAGERS = "managers"  # unanswered after three times that: the managers channel
    HELPED = "helped"  # answered, nothing accepted after 7 days: "Did this help?"


@dataclass(frozen=True)
class Question:
    id: int
    space_id: int
    number: int | None
    """The short id members type (None until it is posted)."""
    author_id: int | None
    """None once its author was erased and chose to keep their posts, anonymised."""
    anonymous: bool
    title: str
    body: str
    tags: tuple[str, ...]
    status: QuestionStatus
    channel_id: str | None
    asked_at: datetime
    posted_at: datetime | None
    answers: int
    first_answer_at: datetime | None
    accepted_answer_id: int | None
    card_version: int


@dataclass(frozen=True)
class Answer:
    id: int
    space_id: int
    number: int
    question_id: int
    author_id: int | None
    """None once its author was erased and chose to keep their posts, anonymised."""
    body: str
    votes: int
    answered_at: datetime
    post_version: int


@dataclass(frozen=True)
class SearchHit:
    question: Question
    accepted: Answer | None


@dataclass(frozen=True)
class SearchQuery:
    words: tuple[str, ...]
    """Lowercased words to match, stop words already removed."""
    tag: str | None = None
    any_word: bool = False
    """Match questions with any of the words (similar questions) rather than all of them."""
    limit: int = 10


@dataclass(frozen=True)
class MemberQa:
    """Everything Q&A keeps about one member (their data export)."""

    questions: list[Question]
    answers: list[Answer]
    votes: list[tuple[int, datetime]]
    """The numbers of the answers they upvoted, and when."""
    following: list[int]
    """The ids of the questions they follow."""
    looked_up: list[tuple[int, datetime]]
    """Anonymous questions whose asker they looked up as a manager (question id, when)."""


@dataclass(frozen=True)
class ErasedPosts:
    """What an erasure did to a member's posts, so their posts in the channel can be edited."""

    removed_questions: list[Question]
    removed_answers: list[Answer]
    kept_questions: list[Question]
    """Still there, without their author."""
    kept_answers: list[Answer]


class QaRepo(Protocol):
    """Every method works inside one space: ids from another space find nothing."""

    async def create_question(
        self,
        space_id: int,
        author_id: int,
        title: str,
        body: str,
        tags: tuple[str, ...],
        anonymous: bool,
        status: QuestionStatus,
        at: datetime,
    ) -> Question: ...

    async def post_question(
        self, space_id: int, question_id: int, channel_id: str, at: datetime
    ) -> Question:
        """Give the question its number and mark it posted in `channel_id`."""
        ...

    async def set_status(self, space_id: int, question_id: int, status: QuestionStatus) -> None: ...

    async def delete_draft(self, space_id: int, question_id: int) -> bool: ...

    async def question(self, space_id: int, question_id: int) -> Question | None: ...

    async def question_by_number(self, space_id: int, number: int) -> Question | None: ...

    async def add_answer(
        self, space_id: int, question_id: int, author_id: int, body: str, at: datetime
    ) -> Answer: ...

    async def answer(self, space_id: int, answer_id: int) -> Answer | None: ...

    async def answer_by_number(self, space_id: int, number: int) -> Answer | None: ...

    async def answers(self, space_id: int, question_id: int) -> list[Answer]:
        """Most votes first, then oldest first."""
        ...

    async def accept(self, space_id: int, question_id: int, answer_id: int) -> None: ...

    async def vote(self, space_id: int, answer_id: int, member_id: int, at: datetime) -> bool:
        """Count a member's upvote once; False when they had voted already."""
        ...

    async def next_card_version(self, space_id: int, question_id: int) -> int: ...

    async def next_post_version(self, space_id: int, answer_id: int) -> int: ...

    async def follow(self, space_id: int, question_id: int, member_id: int) -> bool: ...

    async def unfollow(self, space_id: int, question_id: int, member_id: int) -> bool: ...

    async def followers(self, space_id: int, question_id: int) -> list[int]: ...

    async def search(self, space_id: int, query: SearchQuery) -> list[SearchHit]:
        """Posted questions matching the words (and tag): accepted answers first, then the
        most relevant, then the newest."""
        ...

    async def open_questions(self, space_id: int, limit: int) -> list[Question]:
        """Posted questions without an answer, oldest first."""
        ...

    async def record_reveal(
        self, space_id: int, question_id: int, manager_id: int, at: datetime
    ) -> None: ...

    async def spaces_with_questions(self) -> list[int]:
        """The follow-up job's scan: spaces with posted questions still on the ladder."""
        ...

    async def due(self, space_id: int, stage: Stage, before: datetime) -> list[Question]:
        """Questions whose `stage` is due: posted (PEERS, MANAGERS: unanswered) or first
        answered (HELPED: nothing accepted) before `before`, and that step not yet done."""
        ...

    async def earliest(self, space_id: int, stage: Stage) -> datetime | None:
        """When the first question still waiting for `stage` was posted (PEERS, MANAGERS) or
        first answered (HELPED); None when none waits."""
        ...

    async def mark_done(
        self, space_id: int, question_ids: list[int], stage: Stage, at: datetime
    ) -> None: ...

    async def answerers(self, space_id: int) -> list[int]:
        """Members who have answered a question in this space."""
        ...

    async def purge_drafts(self, space_id: int, before: datetime) -> int: ...

    # -- members' data rights and the managers' digest ---------------------------------------
    async def member_posts(self, space_id: int, member_id: int) -> tuple[int, int]:
        """How many posted questions and answers the member wrote."""
        ...

    async def export_member(self, space_id: int, member_id: int) -> MemberQa: ...

    async def erase_member(self, space_id: int, member_id: int, *, keep_posts: bool) -> ErasedPosts:
        """Forget the member's votes, follows, drafts and look-ups; their posted questions and
        answers lose their author (`keep_posts`) or are deleted (with the question's thread),
        and the search index and answer counts follow."""
        ...

    async def questions_per_week(self, space_id: int, bounds: Sequence[datetime]) -> list[int]:
        """Questions posted in each week (edges as in `bot.digest.WeeklyCount`)."""
        ...

    async def answers_per_week(self, space_id: int, bounds: Sequence[datetime]) -> list[int]: ...

    async def unanswered_before(self, space_id: int, before: datetime) -> int:
        """Posted questions still without an answer that were posted before `before`."""
        ...

    async def board_rates(self, space_id: int) -> tuple[int, int, int]:
        """Posted questions: how many, how many have an answer, how many an accepted one."""
        ...


QA = RepoKey[QaRepo]("qa")
