"""The shape of ``/api/v1/changes`` (contract section 6), for the OpenAPI document
and the browsable docs; the answer itself is built by ``web.presenters.changes``."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from web.schemas import CommitmentLinks, Event


class Side(BaseModel):
    """Where a commitment stood on one side of the window."""

    status: str
    due: str | None = Field(description="the current deadline, at its precision")
    due_precision: Literal["year", "month", "day"] | None
    due_on: str | None = Field(description="the day the current deadline falls due")
    overdue: bool
    days_overdue: int


class Change(BaseModel):
    plan: str
    slug: str
    title: str
    changed: list[Literal["announced", "status", "due", "overdue"]] = Field(
        description="what differs; 'announced' for one announced inside the window"
    )
    before: Side | None = Field(description="as of before_as_of; null if not yet announced")
    after: Side = Field(description="as of after_as_of (until)")
    events: list[Event] = Field(
        description="the counted events that start to count inside the window and move a"
        " status, a deadline or whether it is overdue, in date order"
    )
    links: CommitmentLinks


class ChangeLinks(BaseModel):
    html: str


class Changes(BaseModel):
    since: str = Field(description="the window's first day")
    until: str = Field(description="the window's last day")
    before_as_of: str = Field(description="the day before since: the 'before' side's as_of")
    after_as_of: str = Field(description="until: the 'after' side's as_of")
    plan: str | None
    total: int
    changes: list[Change]
    links: ChangeLinks
