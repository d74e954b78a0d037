"""The tables. Every row belongs to a space; times are stored as UTC on both backends."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

Id = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, on SQLite (which keeps no zone) and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime()}


class SpaceRow(Base):
    __tablename__ = "spaces"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]
    salt: Mapped[str | None] = mapped_column(String(64))
    """Random, made at the space's first erasure: the key of its erased members' hashes."""


class MemberRow(Base):
    __tablename__ = "members"
    __table_args__ = (
        UniqueConstraint("space_id", "user_id"),
        Index("ix_members_joined", "joined_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    joined_at: Mapped[datetime]
    is_manager: Mapped[bool] = mapped_column(Boolean, default=False)
    platform_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """A platform admin (Slack admin or owner, Discord Manage Server) when last seen: a manager
    Rounds knows to tell, though nobody added them."""
    welcomed_at: Mapped[datetime | None]
    name: Mapped[str | None] = mapped_column(String(80))
    profession: Mapped[str | None] = mapped_column(String(20))
    stage: Mapped[str | None] = mapped_column(String(20))
    specialty: Mapped[str | None] = mapped_column(String(80))
    institution: Mapped[str | None] = mapped_column(String(120))
    region: Mapped[str | None] = mapped_column(String(80))
    timezone: Mapped[str | None] = mapped_column(String(64))
    interests: Mapped[str] = mapped_column(Text, default="[]")
    goals: Mapped[str] = mapped_column(Text, default="[]")
    open_to_mentor: Mapped[bool | None] = mapped_column(Boolean)
    seeking_mentor: Mapped[bool | None] = mapped_column(Boolean)
    quiet_hours: Mapped[str | None] = mapped_column(String(11))
    # The directory's folded forms (bot.text.fold), written as the profile is saved; the
    # search indexes over them are in storage/directory_index.py.
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    """Name, display name, role, stage, specialty, institution, region, interests and goals."""
    specialty_key: Mapped[str] = mapped_column(Text, default="", server_default="")
    region_key: Mapped[str] = mapped_column(Text, default="", server_default="")
    interest_keys: Mapped[str] = mapped_column(Text, default="", server_default="")
    """Interests and goals, one a line, with a line break at both ends."""
    search_terms: Mapped[str] = mapped_column(Text, default="", server_default="")
    """The one- and two-character terms short searches find, space-separated."""


class MemberInterestRow(Base):
    """One row per interest or goal (folded, cut to 40 characters), for look-ups by interest."""

    __tablename__ = "member_interests"
    # with the member: who has an interest is read from the index alone (migration 0013)
    __table_args__ = (Index("ix_member_interests_lookup", "space_id", "interest", "member_id"),)

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    interest: Mapped[str] = mapped_column(String(40), primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))


class SettingRow(Base):
    __tablename__ = "settings"

    space_id: Mapped[int] = mapped_column(
        ForeignKey("spaces.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(500))


class OutboxRow(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("space_id", "dedupe_key"),
        Index("ix_outbox_status_due", "status", "due_at"),
        Index("ix_outbox_replaces", "space_id", "replaces"),
        Index("ix_outbox_finished", "finished_at"),
        Index("ix_outbox_target", "space_id", "target_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    dedupe_key: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(40))
    target_kind: Mapped[str] = mapped_column(String(10))
    target_id: Mapped[str] = mapped_column(String(255))
    thread_ref: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[str | None] = mapped_column(Text)
    """The message as JSON; dropped (NULL) once the delivery is finished."""
    fallback_channel: Mapped[str | None] = mapped_column(String(20))
    replaces: Mapped[str | None] = mapped_column(String(200))
    thread_of: Mapped[str | None] = mapped_column(String(200))
    quiet: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    due_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_ref: Mapped[str | None] = mapped_column(String(255))
    sent_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    """When it was sent, expired, failed or was cancelled (finished rows are purged later)."""
    created_at: Mapped[datetime]


class RateLimitRow(Base):
    """A platform's rate budget per scope, shared by every process on the database
    (bot/delivery/budget.py): the paced schedule's next free moment (epoch seconds) and the
    moment a pause ends."""

    __tablename__ = "rate_limits"

    platform: Mapped[str] = mapped_column(String(20), primary_key=True)
    scope: Mapped[str] = mapped_column(String(200), primary_key=True)
    next_at: Mapped[float] = mapped_column(Float(), default=0.0)
    paused_until: Mapped[datetime | None] = mapped_column(nullable=True)


class InboundEventRow(Base):
    """Platform event ids already handled, so a retried event has exactly one effect."""

    __tablename__ = "inbound_events"

    space_id: Mapped[int] = mapped_column(
        ForeignKey("spaces.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(index=True)


class AuditRow(Base):
    """Configuration and moderation changes (`/rounds audit`). Members are named by id only,
    so an erased member's entries stay, naming nobody (`ON DELETE SET NULL`)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_space_at", "space_id", "at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(String(500))
    by_member: Mapped[bool] = mapped_column(Boolean, default=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    subject_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True
    )


class ErasedMemberRow(Base):
    """People who asked to be forgotten: only a salted hash of their platform user id (keyed
    by the space's `salt`), so imports and mentions don't bring them back by accident."""

    __tablename__ = "erased_members"

    space_id: Mapped[int] = mapped_column(
        ForeignKey("spaces.id", ondelete="CASCADE"), primary_key=True
    )
    user_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    erased_at: Mapped[datetime]
