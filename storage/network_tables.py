"""Networking rounds' tables: participants, exclusions, rounds, pairs and their members."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, Id


class NetworkMemberRow(Base):
    __tablename__ = "network_members"
    __table_args__ = (Index("ix_network_members_space_status", "space_id", "status"),)

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10))
    snoozed_until: Mapped[datetime | None]
    ignored_streak: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime]
    told_alone_after: Mapped[int | None] = mapped_column(Integer)


class NetworkExclusionRow(Base):
    __tablename__ = "network_exclusions"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    excluded_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"), index=True)


class NetworkRoundRow(Base):
    __tablename__ = "network_rounds"
    __table_args__ = (UniqueConstraint("space_id", "number"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    paired_at: Mapped[datetime]
    planned_at: Mapped[datetime | None]
    """When every message of the round was planned (None while that is under way)."""


class NetworkPairRow(Base):
    __tablename__ = "network_pairs"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("network_rounds.id", ondelete="CASCADE"), index=True
    )
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"), index=True)


class NetworkPairMemberRow(Base):
    __tablename__ = "network_pair_members"

    pair_id: Mapped[int] = mapped_column(
        ForeignKey("network_pairs.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"), index=True)
    answer: Mapped[str | None] = mapped_column(String(10))
    answered_at: Mapped[datetime | None]
