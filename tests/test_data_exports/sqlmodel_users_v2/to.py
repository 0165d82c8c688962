# The guide's users, one release later: a phone number, unique e-mails, a looser name limit,
# an optional last name, and user preferences.
import uuid
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Field, SQLModel


class UserTable(SQLModel, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    first_name: str = Field(max_length=200)
    last_name: str | None = Field(default=None, max_length=100)
    email: str | None = Field(default=None, max_length=255, index=True, unique=True)
    phone: str | None = Field(default=None, max_length=20)
    created_at: datetime = Field(sa_column_kwargs={"server_default": text("CURRENT_TIMESTAMP")})
    updated_at: datetime = Field(sa_column_kwargs={"server_default": text("CURRENT_TIMESTAMP")})


class UserIdentityTable(SQLModel, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="usertable.id", ondelete="CASCADE", index=True)
    provider: str = Field(max_length=50)
    provider_user_id: str = Field(max_length=255)


class UserPreferences(SQLModel, table=True):
    user_id: uuid.UUID = Field(foreign_key="usertable.id", primary_key=True)
    theme: str = Field(default="light", sa_column_kwargs={"server_default": "light"})
    newsletter: bool = Field(default=False, sa_column_kwargs={"server_default": text("0")})
