"""Request and response bodies of the JSON API, as they appear in the OpenAPI document."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Out(BaseModel):
    model_config = ConfigDict(extra="allow")


class ProblemOut(BaseModel):
    code: str = Field(examples=["E010"])
    message: str
    path: str
    line: int = 1
    column: int = 1
    clause: str | None = None
    hint: str | None = None


class Problems(BaseModel):
    """The one error shape (and the answer of ``/api/validate``)."""

    ok: bool
    errors: list[ProblemOut]


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the error statuses a route may answer."""
    text = {400: "Bad request", 401: "No token, or a token that is not valid",
            403: "The token's role may not do this", 404: "No such agreement, version or clause",
            409: "Conflict", 413: "Request body over the size limit",
            422: "Bad input: every problem, positioned"}
    return {status: {"model": Problems, "description": text[status]} for status in statuses}


class AgreementOut(Out):
    agreement: str
    title: str
    versions: int
    first: str
    latest: str
    parties: dict[str, str]


class VersionLink(Out):
    version: str
    title: str
    effective: str
    until: str | None
    amends: str | None
    clauses: int
    gist: str


class HistoryOut(AgreementOut):
    history: list[VersionLink]


class ClauseOut(Out):
    id: str
    kind: str
    heading: str
    prose: str
    summary: dict[str, str]
    terms: dict[str, Any]
    sources: list[str]
    assumed: dict[str, str]
    span: dict[str, Any] | None


class ClauseInVersion(ClauseOut):
    agreement: str
    version: str
    versions: list[str]


class VersionOut(Out):
    agreement: str
    version: str
    title: str
    effective: str
    until: str | None
    amends: str | None
    previous: str | None
    next: str | None
    currency: str
    parties: dict[str, Any]
    channels: dict[str, Any]
    products: dict[str, Any]
    events: dict[str, str]
    conditions: dict[str, str]
    sources: dict[str, Any]
    preamble: str
    clauses: list[ClauseOut]


class TimelineRow(Out):
    clause: str
    kind: str
    heading: str
    start: str
    end: str | None
    versions: list[str]
    changed_in: list[str]
    segments: list[dict[str, Any]]


class TimelineOut(Out):
    agreement: str
    start: str
    versions: list[VersionLink]
    events: dict[str, str]
    rows: list[TimelineRow]


class DocumentIn(BaseModel):
    """An agreement document, as text (Markdown with front matter and terms blocks)."""

    model_config = ConfigDict(extra="forbid")
    text: str = Field(max_length=1_000_000, examples=["---\nagreement: demo\n...\n---\n"])
    path: str = Field("<upload>", max_length=200, description="A name used in problem positions")


class JobOut(Out):
    id: str
    kind: str
    status: str
    progress: dict[str, Any]
    params: dict[str, Any]
    errors: list[ProblemOut]
    result: Any = None
