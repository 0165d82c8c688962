"""Shared bases, __tablename__, relationships and everything a model file holds that is not a
table."""
from __future__ import annotations

from typing import ClassVar, List, Optional

from sqlmodel import Field, Relationship, SQLModel, create_engine

DATABASE_URL = "sqlite:///app.db"


def helper(x: int) -> int:
    return x + 1


class TeamBase(SQLModel):
    name: str = Field(index=True)
    headquarters: str


class Team(TeamBase, table=True):
    """A team of heroes."""

    id: Optional[int] = Field(default=None, primary_key=True)
    heroes: List["Hero"] = Relationship(back_populates="team")
    kind: ClassVar[str] = "team"

    def describe(self) -> str:
        return f"{self.name} ({self.headquarters})"


class TeamCreate(TeamBase):
    pass


class HeroBase(SQLModel):
    name: str = Field(index=True)
    secret_name: str
    age: Optional[int] = Field(default=None, index=True)


class Hero(HeroBase, table=True):
    __tablename__ = "heroes"
    model_config = {"validate_assignment": True}

    id: Optional[int] = Field(default=None, primary_key=True)
    # Redefined here: the subclass's definition wins.
    secret_name: Optional[str] = None
    team_id: Optional[int] = Field(default=None, foreign_key="team.id")
    team: Optional[Team] = Relationship(back_populates="heroes")

    @property
    def label(self) -> str:
        return self.name


class HeroRead(HeroBase):
    id: int


if __name__ == "__main__":
    engine = create_engine(DATABASE_URL)
    SQLModel.metadata.create_all(engine)
