# Heroes join teams: a new parent table, a foreign key on a new column, a renamed field, and a
# field that becomes required with a server default.
from typing import Optional

from sqlalchemy import text
from sqlmodel import Field, Relationship, SQLModel


class Team(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True)
    headquarters: str


class Hero(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    alias: str  # @renamed from=secret_name
    age: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    power: float | None = None
    team_id: Optional[int] = Field(default=None, foreign_key="team.id", ondelete="SET NULL")
    team: Optional[Team] = Relationship()
