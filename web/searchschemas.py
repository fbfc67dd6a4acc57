"""The search API's answer (``GET /api/v1/search``), as the OpenAPI document shows it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from web.schemas import PageLinks

Matched = Literal["title", "summary", "quote", "note", "source"]


class HitLinks(BaseModel):
    html: str = Field(description="the event's permalink; for a title, the commitment's page")
    api: str = Field(description="the commitment (or, for a plan-wide event, the plan) as JSON")


class SearchHit(BaseModel):
    matched: Matched = Field(
        description="what matched: a commitment's title, an announcement's summary, an"
        " event's quote or note, or the title (publisher, note) of the source it cites"
    )
    text: str = Field(description="an excerpt of what matched, as plain text")
    marks: list[tuple[int, int]] = Field(
        description="where the query matched in ``text``: [start, end) offsets in Unicode"
        " code points (not UTF-16 units), in order"
    )
    plan: str
    plan_title: str
    commitment: str | None = Field(description="null for a plan-wide event")
    commitment_title: str | None
    event: int = Field(description="the event's number in its commitment (or plan); 1 for a title")
    type: str
    date: str = Field(description="YYYY, YYYY-MM or YYYY-MM-DD")
    corrected_by: int | None = Field(description="the correction's event number, if corrected")
    corrects: int | None = Field(description="for a correction: the event it corrects")
    links: HitLinks


class SearchPage(BaseModel):
    q: str
    page: int
    per_page: int
    pages: int
    total: int = Field(description="how many pieces of text match, on every page")
    items: list[SearchHit] = Field(description="best match first")
    links: PageLinks
