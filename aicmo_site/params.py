"""Reading ids from query strings and forms: anything that cannot be a database id is None."""

from __future__ import annotations

MAX_ID = 2**63 - 1  # the largest value a database integer key holds


def positive_id(value) -> int | None:
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None
