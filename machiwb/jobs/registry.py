"""The job kinds each app offers (処理の種類の登録).

An app declares its kinds in ``machiwb/<app>/jobs.py``::

    @job_kind("indicators.recompute", label=_("指標の再計算"), origin=recompute_origin)
    def recompute(job: Job, params: dict[str, Any]) -> JobOutcome:
        ...
        job_progress(job, done, total)
        ...
        return JobOutcome(message=Text.of(gettext_noop("%(n)d 指標を再計算しました。"), n=24))

Messages are ``jobs.messages`` values, translated when the job page is shown, so each
reader sees them in their own language.

``origin(job)`` names the page the job was started from (the survey page, the operator's
upload screen), as a URL the kind reverses from its own params and a link text; the job
page links back to it in every state.

A handler may run more than once for the same job (after a worker or server crash the job
library hands the job out again), so it must be safe to repeat: replace, don't append.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.urls import NoReverseMatch
from django.utils.functional import Promise

from machiwb.jobs.messages import Piece, lines_of

if TYPE_CHECKING:
    from machiwb.jobs.models import Job

#: What a job tells its user: one piece, or one a line. A bare ``str`` is shown as it is.
Message = Piece | str | Sequence[Piece | str]


@dataclass(frozen=True)
class JobOutcome:
    """What a finished job tells its user: a message and, optionally, a link."""

    message: Message
    result_url: str = ""

    @property
    def lines(self) -> list[Piece]:
        return lines_of(self.message)


class JobError(Exception):
    """A failure whose message is meant for the user (which row, which field, why).

    ``retry_url`` is where the user can put it right and start again (the upload form);
    the job page links to it.
    """

    def __init__(self, message: Message, *, retry_url: str = "") -> None:
        self.lines = lines_of(message)
        super().__init__("\n".join(str(line) for line in self.lines))
        self.retry_url = retry_url


@dataclass(frozen=True)
class JobOrigin:
    """Where a job was started: the page's URL and the text of the link back to it."""

    url: str
    label: str | Promise


JobHandler = Callable[["Job", dict[str, Any]], JobOutcome]
OriginOf = Callable[["Job"], JobOrigin | None]


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str | Promise
    handler: JobHandler
    origin: OriginOf | None = None


_KINDS: dict[str, JobKind] = {}


def job_kind(
    name: str, *, label: str | Promise, origin: OriginOf | None = None
) -> Callable[[JobHandler], JobHandler]:
    """Register ``handler`` as the job kind ``name`` (a dotted name such as ``surveys.export``)."""

    def register(handler: JobHandler) -> JobHandler:
        existing = _KINDS.get(name)
        if existing is not None and existing.handler is not handler:
            raise ValueError(f"Job kind {name!r} is already registered.")
        _KINDS[name] = JobKind(name=name, label=label, handler=handler, origin=origin)
        return handler

    return register


def job_kind_get(name: str) -> JobKind:
    """The registered kind, or LookupError naming the unknown kind."""
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"Unknown job kind {name!r}.") from None


def job_kind_label(name: str) -> str | Promise:
    kind = _KINDS.get(name)
    return kind.label if kind is not None else name


def job_origin(job: Job) -> JobOrigin | None:
    """The page ``job`` was started from, or None (unknown kind, params it cannot link from).

    The URL is always reversed from a URL name of the kind, never taken from stored text.
    """
    kind = _KINDS.get(job.kind)
    if kind is None or kind.origin is None:
        return None
    try:
        return kind.origin(job)
    except (KeyError, ValueError, TypeError, NoReverseMatch):
        return None
