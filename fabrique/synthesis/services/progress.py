"""Progress of background work, written where the page that polls it reads it."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.db.models import Model

EVERY_SECONDS = 0.5


def progress_writer(
    model: type[Model], pk: int, *, whole: bool = False, **also: object
) -> Callable[[float, str], None]:
    """A ``write(fraction, stage)`` that stores ``progress`` (a percentage; below 100 and
    whole when ``whole``) and ``stage`` on the row, at most every half second (the page polls
    it; the end is always written). ``also``: fields to set on every write, each a value or a
    function giving it."""
    last = [-EVERY_SECONDS]

    def write(fraction: float, stage: str = "") -> None:
        now = time.monotonic()
        if now - last[0] < EVERY_SECONDS and fraction < 1:
            return
        last[0] = now
        share = max(0.0, min(fraction, 1.0))
        progress = min(99, int(share * 100)) if whole else round(share * 100, 1)
        fields = {k: v() if callable(v) else v for k, v in also.items()}
        model._default_manager.filter(pk=pk).update(progress=progress, stage=stage[:200], **fields)

    return write
