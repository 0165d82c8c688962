"""Columns spelled with SQLAlchemy: sa_column=Column(...) takes the column as it stands (nullable
unless a primary key, whatever the annotation says) and sa_type= replaces only the type."""
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy import JSON, Column, DateTime, ForeignKey, Integer, String, func, text
from sqlmodel import Field, SQLModel


class Parent(SQLModel, table=True):
    id: int = Field(primary_key=True)


class Event(SQLModel, table=True):
    id: Optional[int] = Field(default=None, sa_column=Column(Integer, primary_key=True))
    created: datetime = Field(sa_column=Column(DateTime(timezone=True), server_default=func.now()))
    data: dict = Field(default={}, sa_column=Column(JSON))
    big: int = Field(sa_type=sa.BigInteger)
    when: datetime = Field(sa_type=DateTime(timezone=True), nullable=False)
    maybe_big: int | None = Field(default=None, sa_type=sa.BigInteger())
    label: str = Field(sa_column=Column("title", String(30), nullable=False, unique=True, index=True))
    parent_id: int = Field(sa_column=Column(Integer, ForeignKey("parent.id", ondelete="CASCADE"), index=True))
    body: str = Field(sa_column=Column(sa.Text))
    ratio: float = Field(sa_column=Column(sa.Double))
    short: str = Field(sa_column=Column(sa.Unicode(5)))
    long: str = Field(sa_column=Column(sa.UnicodeText))
    flag: bool = Field(sa_column=Column(sa.Boolean, nullable=False, server_default=text("1")))
    small: int = Field(sa_column=Column(sa.SmallInteger))
    blob: bytes = Field(sa_column=Column(sa.LargeBinary))
    amount: float = Field(sa_column=Column(sa.Numeric(10, 3)))
    uid: str = Field(sa_column=Column(sa.Uuid))
    approx: float = Field(sa_column=Column(sa.Float(precision=53), default=0.0, comment="python-side default"))
