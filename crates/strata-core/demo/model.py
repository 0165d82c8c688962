# The demo's schema as SQLModel classes, the way an application's models.py reads.
# Switch the model editor to this tab, change a field, and Autogenerate.
from datetime import datetime
from typing import Optional

from sqlalchemy import Index, Text, UniqueConstraint, func
from sqlmodel import Field, Relationship, SQLModel


class User(SQLModel, table=True):
    __tablename__ = "users"

    # nullable=True keeps SQLite's plain `id INTEGER PRIMARY KEY`, which the SQL tab has;
    # SQLModel's default would add NOT NULL, and Autogenerate would rebuild the table for it.
    id: Optional[int] = Field(default=None, primary_key=True, nullable=True)
    email: str = Field(sa_type=Text, unique=True)
    display_name: str = Field(sa_type=Text)
    created_at: str = Field(
        sa_type=Text, sa_column_kwargs={"server_default": func.current_timestamp()}
    )

    identities: list["Identity"] = Relationship(back_populates="user")


class Identity(SQLModel, table=True):
    __tablename__ = "identities"
    # A person signs in with each provider once; the index is named as the SQL tab names it.
    __table_args__ = (
        UniqueConstraint("provider", "subject"),
        Index("identities_user_id", "user_id"),
    )

    id: Optional[int] = Field(default=None, primary_key=True, nullable=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    provider: str = Field(sa_type=Text)
    subject: str = Field(sa_type=Text)

    user: Optional[User] = Relationship(back_populates="identities")
