# __table_args__: table-level UNIQUE constraints (one of them named) and named indexes, and a
# primary key left nullable, the way SQLite's own `id INTEGER PRIMARY KEY` is.
from typing import Optional

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel


class Login(SQLModel, table=True):
    __tablename__ = "logins"
    __table_args__ = (
        UniqueConstraint("issuer", "subject"),
        Index("logins_by_account", "account_id"),
    )

    id: Optional[int] = Field(default=None, primary_key=True, nullable=True)
    account_id: int
    issuer: str
    subject: str


class MembershipBase(SQLModel):
    __table_args__ = (
        UniqueConstraint("team", "person", name="uq_membership_team_person"),
        Index("ix_membership_role_since", "role", "since", unique=True),
    )

    team: str
    person: str


class Membership(MembershipBase, table=True):
    id: int = Field(primary_key=True)
    role: str
    since: int
