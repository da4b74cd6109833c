"""What changed between two versions of a creative, word by word."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from django.utils import timezone

from campaigns.models import CreativeVersion

TOKEN = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Piece:
    op: str  # "same", "added" or "removed"
    text: str


def word_diff(old: str, new: str) -> list[Piece]:
    """Word-level diff; whitespace travels with the words so the text reads naturally."""
    before, after = TOKEN.findall(old or ""), TOKEN.findall(new or "")
    pieces: list[Piece] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(Piece("same", "".join(before[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            pieces.append(Piece("removed", "".join(before[i1:i2])))
        if tag in ("insert", "replace"):
            pieces.append(Piece("added", "".join(after[j1:j2])))
    return [piece for piece in pieces if piece.text]


@dataclass(frozen=True)
class FieldChange:
    field: str
    pieces: list[Piece]


def _schedule(version: CreativeVersion) -> str:
    return f"{timezone.localtime(version.scheduled_at):%a %d %b %Y %H:%M}"


def version_changes(previous: CreativeVersion, current: CreativeVersion) -> list[FieldChange]:
    """The fields that changed from one version to the next, each as a word diff."""
    pairs = [
        ("Caption", previous.caption, current.caption),
        ("Hashtags", " ".join(f"#{t}" for t in previous.hashtags),
         " ".join(f"#{t}" for t in current.hashtags)),
        ("Link", previous.link, current.link),
        ("Schedule", _schedule(previous), _schedule(current)),
    ]
    return [
        FieldChange(field, word_diff(old, new)) for field, old, new in pairs if (old or "") != (new or "")
    ]


@dataclass(frozen=True)
class Round:
    """One review round: a version, what changed since the one before, and its decisions."""

    version: CreativeVersion
    changes: list[FieldChange]
    reviews: list


def creative_rounds(creative) -> list[Round]:
    """Needs `versions` and `reviews` prefetched to stay at a fixed number of queries."""
    versions = sorted(creative.versions.all(), key=lambda version: version.version)
    reviews = list(creative.reviews.all())
    rounds = []
    for index, version in enumerate(versions):
        changes = version_changes(versions[index - 1], version) if index else []
        rounds.append(Round(version, changes, [r for r in reviews if r.version == version.version]))
    return rounds
