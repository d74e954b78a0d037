"""Peer Q&A's tables: questions (with their per-space numbers), tags, answers, votes, followers
and the audit of anonymous-author look-ups. Each has a non-null `space_id`."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage import qa_search
from storage.models import Base, Id


class QaCounterRow(Base):
    __tablename__ = "qa_counters"

    space_id: Mapped[int] = mapped_column(
        ForeignKey("spaces.id", ondelete="CASCADE"), primary_key=True
    )
    questions: Mapped[int] = mapped_column(Integer, default=0)
    answers: Mapped[int] = mapped_column(Integer, default=0)


class QaQuestionRow(Base):
    __tablename__ = "qa_questions"
    __table_args__ = (
        UniqueConstraint("space_id", "number"),
        Index("ix_qa_questions_space_status", "space_id", "status", "posted_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    number: Mapped[int | None] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    """None once the author was erased and chose to keep their posts (anonymised)."""
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(10))
    channel_id: Mapped[str | None] = mapped_column(String(64))
    asked_at: Mapped[datetime]
    posted_at: Mapped[datetime | None]
    answers: Mapped[int] = mapped_column(Integer, default=0)
    first_answer_at: Mapped[datetime | None]
    accepted_answer_id: Mapped[int | None] = mapped_column(Id)
    card_version: Mapped[int] = mapped_column(Integer, default=1)
    peers_at: Mapped[datetime | None]
    managers_at: Mapped[datetime | None]
    helped_at: Mapped[datetime | None]


qa_search.attach(cast(Table, QaQuestionRow.__table__))


class QaQuestionTagRow(Base):
    __tablename__ = "qa_question_tags"
    __table_args__ = (Index("ix_qa_question_tags_lookup", "space_id", "tag"),)

    question_id: Mapped[int] = mapped_column(
        ForeignKey("qa_questions.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(40), primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))


class QaAnswerRow(Base):
    __tablename__ = "qa_answers"
    __table_args__ = (UniqueConstraint("space_id", "number"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("qa_questions.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    """None once the author was erased and chose to keep their posts (anonymised)."""
    body: Mapped[str] = mapped_column(Text)
    votes: Mapped[int] = mapped_column(Integer, default=0)
    answered_at: Mapped[datetime]
    post_version: Mapped[int] = mapped_column(Integer, default=1)


class QaVoteRow(Base):
    __tablename__ = "qa_votes"

    answer_id: Mapped[int] = mapped_column(
        ForeignKey("qa_answers.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]


class QaFollowerRow(Base):
    __tablename__ = "qa_followers"

    question_id: Mapped[int] = mapped_column(
        ForeignKey("qa_questions.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"), index=True)


class QaRevealRow(Base):
    """The audit of `/rounds qa author`: which manager looked up an anonymous author, when."""

    __tablename__ = "qa_author_reveals"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("qa_questions.id", ondelete="CASCADE"), index=True
    )
    manager_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime]
