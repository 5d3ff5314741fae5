"""What every wire model shares: immutability, the page of a list, the timestamp format."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Annotated, Any, Generic, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema

T = TypeVar("T")
R_co = TypeVar("R_co", covariant=True)


class PageLike(Protocol[R_co]):
    """A page of records as the store returns it."""

    @property
    def items(self) -> Sequence[R_co]: ...
    @property
    def total(self) -> int: ...
    @property
    def offset(self) -> int: ...
    @property
    def limit(self) -> int: ...
    @property
    def next(self) -> int | None: ...


class Wire(BaseModel):
    """A body the service sends: frozen, and tolerant of fields a newer service adds."""

    model_config = ConfigDict(frozen=True)


class WireIn(BaseModel):
    """A body the service receives (mutable, validated by FastAPI)."""


class StrictIn(WireIn):
    """A body whose unknown fields are refused (422), not ignored: settings and subjects."""

    model_config = ConfigDict(extra="forbid")


Timestamp = Annotated[
    datetime,
    PlainSerializer(lambda value: value.isoformat(), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
"""An instant as `datetime.isoformat()` writes it (`+00:00`, never `Z`): the jobs, plans and
pushes have always been sent so, and the CLI's JSON prints them as they come."""


class Page(Wire, Generic[T]):
    """One page of a list: `next` is the offset of the following page, null on the last."""

    items: tuple[T, ...]
    total: int = Field(description="items matching the filters, all pages together")
    offset: int
    limit: int
    next: int | None = Field(description="`offset` of the next page; null on the last page")

    @classmethod
    def of(cls, page: PageLike[Any], convert: Callable[[Any], T]) -> Page[T]:
        """The store's page with each record converted to its wire model."""
        return cls(
            items=tuple(convert(item) for item in page.items), total=page.total,
            offset=page.offset, limit=page.limit, next=page.next,
        )

    @classmethod
    def slice(cls, items: list[T] | tuple[T, ...], offset: int, limit: int) -> Page[T]:
        """The page at `offset` of a list held whole (plan steps, account lists)."""
        chunk = tuple(items[offset:offset + limit])
        after = offset + len(chunk)
        return cls(
            items=chunk, total=len(items), offset=offset, limit=limit,
            next=after if chunk and after < len(items) else None,
        )
