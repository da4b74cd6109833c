"""Who started the job being enqueued, and what to call it: read by the enqueue signal."""

from __future__ import annotations

import contextlib
import contextvars

_started_by: contextvars.ContextVar = contextvars.ContextVar("job_started_by", default=None)
_label: contextvars.ContextVar[str] = contextvars.ContextVar("job_label", default="")


@contextlib.contextmanager
def enqueue_context(*, started_by=None, label: str = ""):
    tokens = (_started_by.set(started_by), _label.set(label))
    try:
        yield
    finally:
        _started_by.reset(tokens[0])
        _label.reset(tokens[1])


def current():
    user = _started_by.get()
    return (user if user is not None and user.is_authenticated else None), _label.get()
