"""Every Field() option strata reads, and options that only drive validation."""
import decimal
from typing import Optional

import sqlalchemy as sa
from sqlalchemy import func, text
from sqlmodel import Field, SQLModel


class Account(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, index=True, max_length=255)
    handle: str = Field(unique=True)
    city: Optional[str] = Field(default=None, index=True, max_length=80)
    forced_null: str = Field(nullable=True)
    forced_not_null: Optional[str] = Field(default=None, nullable=False)
    balance: decimal.Decimal = Field(default=0, max_digits=12, decimal_places=2)
    digits_only: decimal.Decimal = Field(max_digits=8)
    age: int = Field(default=0, ge=0, le=150, description="years")
    code: str = Field(min_length=2, max_length=8, regex="^[A-Z]+$", title="Code")
    status: str = Field(default="new", sa_column_kwargs={"server_default": "new"})
    quoted: str = Field(sa_column_kwargs={"server_default": "it's"})
    score: int = Field(sa_column_kwargs={"server_default": text("0")})
    below: int = Field(sa_column_kwargs={"server_default": text("-1")})
    weight: float = Field(sa_column_kwargs={"server_default": sa.text("1.5")})
    created: Optional[str] = Field(default=None, sa_column_kwargs={"server_default": func.now(), "comment": "set by the database"})
    stamped: str = Field(sa_column_kwargs={"server_default": text("CURRENT_TIMESTAMP")})
    stamped2: str = Field(sa_column_kwargs={"server_default": func.current_timestamp()})
    today: str = Field(sa_column_kwargs={"server_default": sa.func.current_date()})
    clock: str = Field(sa_column_kwargs={"server_default": func.current_time()})
    note: str = Field(default="", sa_column_kwargs={"server_default": "", "comment": "free text"})


class Post(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    author_id: int = Field(foreign_key="account.id", index=True)
    editor_id: int | None = Field(default=None, foreign_key="account.id", ondelete="SET NULL")
    owner_id: int | None = Field(default=None, foreign_key="account.id", ondelete="CASCADE")
    keeper_id: int | None = Field(default=None, foreign_key="account.id", ondelete="RESTRICT")
