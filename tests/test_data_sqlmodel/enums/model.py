# Enum fields: SQLAlchemy stores the member names in a VARCHAR as long as the longest name, with
# no CHECK constraint.
import enum
from enum import Enum, IntEnum
from typing import Optional

from sqlmodel import Field, SQLModel


class Status(str, enum.Enum):
    """Where an account stands."""

    active = "active"
    suspended_for_review = "s"

    def describe(self) -> str:
        return self.value


class Priority(IntEnum):
    LOW = 1
    HIGH = 2


class Tier(Enum):
    gold = "g"
    platinum = "p"


class Account(SQLModel, table=True):
    id: int = Field(primary_key=True)
    status: Status = Status.active
    previous: Optional[Status] = None
    priority: Priority | None = Field(default=None, index=True)
    tier: Tier = Tier.gold

