# The demo's schema as SQLModel classes, the way an application's models.py reads.
# Switch the model editor to this tab, change a field, and Autogenerate.
from datetime import datetime
from typing import Optional

from sqlalchemy import Text, func
from sqlmodel import Field, Relationship, SQLModel


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(sa_type=Text, unique=True)
    display_name: str = Field(sa_type=Text)
    created_at: str = Field(
        sa_type=Text, sa_column_kwargs={"server_default": func.current_timestamp()}
    )

    identities: list["Identity"] = Relationship(back_populates="user")


class Identity(SQLModel, table=True):
    __tablename__ = "identities"

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    provider: str = Field(sa_type=Text)
    subject: str = Field(sa_type=Text)

    user: Optional[User] = Relationship(back_populates="identities")
