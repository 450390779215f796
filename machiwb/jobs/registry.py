"""The job kinds each app offers (処理の種類の登録).

An app declares its kinds in ``machiwb/<app>/jobs.py``::

    from machiwb.jobs.registry import JobOutcome, job_kind

    @job_kind("indicators.recompute", label=_("指標の再計算"))
    def recompute(job: Job, params: dict[str, Any]) -> JobOutcome:
        ...
        job_progress(job, done, total)
        ...
        return JobOutcome(message="24 指標を再計算しました。")

A handler may run more than once for the same job (after a worker or server crash the job
library hands the job out again), so it must be safe to repeat: replace, don't append.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

if TYPE_CHECKING:
    from machiwb.jobs.models import Job


@dataclass(frozen=True)
class JobOutcome:
    """What a finished job tells its user: a plain-Japanese message and, optionally, a link."""

    message: str
    result_url: str = ""


class JobError(Exception):
    """A failure whose message is meant for the user (which row, which field, why).

    ``retry_url`` is where the user can put it right and start again (the upload form);
    the job page links to it.
    """

    def __init__(self, message: str, *, retry_url: str = "") -> None:
        super().__init__(message)
        self.retry_url = retry_url


JobHandler = Callable[["Job", dict[str, Any]], JobOutcome]


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str | Promise
    handler: JobHandler


_KINDS: dict[str, JobKind] = {}


def job_kind(name: str, *, label: str | Promise) -> Callable[[JobHandler], JobHandler]:
    """Register ``handler`` as the job kind ``name`` (a dotted name such as ``surveys.export``)."""

    def register(handler: JobHandler) -> JobHandler:
        existing = _KINDS.get(name)
        if existing is not None and existing.handler is not handler:
            raise ValueError(f"Job kind {name!r} is already registered.")
        _KINDS[name] = JobKind(name=name, label=label, handler=handler)
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
