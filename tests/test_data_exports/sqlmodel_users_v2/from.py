# The two tables of the migration guide, as SQLModel classes with UUID keys.
import uuid
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Field, SQLModel


class UserTable(SQLModel, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    email: str | None = Field(default=None, max_length=255, index=True)
    created_at: datetime = Field(sa_column_kwargs={"server_default": text("CURRENT_TIMESTAMP")})
    updated_at: datetime = Field(sa_column_kwargs={"server_default": text("CURRENT_TIMESTAMP")})


class UserIdentityTable(SQLModel, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="usertable.id", ondelete="CASCADE", index=True)
    provider: str = Field(max_length=50)
    provider_user_id: str = Field(max_length=255)
