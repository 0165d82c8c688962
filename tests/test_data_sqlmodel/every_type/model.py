# Every annotation form strata reads, nullable and not.
import datetime
import uuid
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Optional, Union

from sqlmodel import Field, SQLModel


class Sample(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    count: int
    maybe_count: int | None = None
    name: str
    nickname: Optional[str] = None
    ratio: float = 0.5
    maybe_ratio: Union[float, None] = None
    active: bool = True
    maybe_active: None | bool = None
    created: datetime.datetime
    day: date
    at: Optional[time] = None
    span: timedelta | None = None
    token: uuid.UUID
    payload: bytes | None = None
    price: Decimal
    # A default of None on a non-Optional type does not make the column nullable.
    label: str = None
