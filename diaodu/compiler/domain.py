"""Plain rules of the review page, no ORM: highlighting quotes, the section of a quote, indicator suggestions."""

from __future__ import annotations

import difflib
import hashlib
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from diaodu.compiler.extract.compare import canonical_indicator
from diaodu.compiler.extract.normalise import is_heading

# ----------------------------------------------------------------------------- highlighting


@dataclass(frozen=True)
class Span:
    item_id: int
    start: int
    end: int
    status: str = "pending"


@dataclass(frozen=True)
class Segment:
    """A run of text inside one paragraph, covered by the quotes of ``item_ids`` (none: plain text).
    ``anchors`` are the items whose quote starts here (the page puts their ``id`` on this segment)."""

    text: str
    item_ids: tuple[int, ...] = ()
    anchors: tuple[int, ...] = ()
    statuses: tuple[str, ...] = ()

    @property
    def anchor(self) -> int | None:
        """The item whose quote starts here and whose ``id`` the highlighted run carries (others get empty spans)."""
        return self.anchors[0] if self.anchors else None

    @property
    def accepted(self) -> bool:
        """Every quote covering this run has been accepted (the page shows it in green)."""
        return bool(self.statuses) and all(s == "accepted" for s in self.statuses)


def paragraphs(text: str) -> list[tuple[int, str]]:
    """(offset, paragraph) for each line of a normalised text."""
    out = []
    pos = 0
    for line in text.split("\n"):
        out.append((pos, line))
        pos += len(line) + 1
    return out


def highlight(text: str, spans: Iterable[Span]) -> list[list[Segment]]:
    """The paragraphs of ``text`` cut into segments at every quote boundary (quotes may overlap)."""
    spans = [s for s in spans if 0 <= s.start < s.end <= len(text)]
    out: list[list[Segment]] = []
    for offset, para in paragraphs(text):
        end = offset + len(para)
        inside = [s for s in spans if s.start < end and s.end > offset]
        cuts = sorted(
            {offset, end, *(max(s.start, offset) for s in inside), *(min(s.end, end) for s in inside)}
        )
        segments = []
        for a, b in itertools.pairwise(cuts):
            covering = [s for s in inside if s.start <= a and s.end >= b]
            anchors = tuple(s.item_id for s in inside if s.start == a)
            segments.append(
                Segment(
                    text[a:b], tuple(s.item_id for s in covering), anchors, tuple(s.status for s in covering)
                )
            )
        out.append(segments)
    return out


def in_context(text: str, start: int, end: int, width: int = 30) -> tuple[str, str, str]:
    """(before, quote, after): the quote with up to ``width`` characters around it, inside its paragraph."""
    para_start = text.rfind("\n", 0, start) + 1
    para_end = text.find("\n", end)
    para_end = len(text) if para_end < 0 else para_end
    before = text[max(para_start, start - width) : start]
    after = text[end : min(para_end, end + width)]
    if start - width > para_start:
        before = "…" + before
    if end + width < para_end:
        after += "…"
    return before, text[start:end], after


def section_at(text: str, offset: int, max_length: int = 64) -> str:
    """The heading (``二、…``, ``（三）…``) of the section the offset is in, without its number; "" if none."""
    heading = ""
    for start, para in paragraphs(text):
        if start > offset:
            break
        if is_heading(para):
            heading = para
    for sep in ("、", "）", ")", "."):
        head, found, rest = heading.partition(sep)
        if found and len(head) <= 4:
            heading = rest
            break
    return heading.strip()[:max_length]


# ----------------------------------------------------------------------------- indicator suggestions


@dataclass(frozen=True)
class IndicatorOption:
    pk: int
    name: str
    unit: str
    measure: str


SUGGESTION_THRESHOLD = 0.5


def name_similarity(a: str, b: str) -> float:
    """1.0 for equal canonical names; 0.9 when one contains the other; else the difflib ratio."""
    ca, cb = canonical_indicator(a), canonical_indicator(b)
    if not ca or not cb:
        return 0.0
    if ca == cb:
        return 1.0
    if ca in cb or cb in ca:
        return 0.9 * min(len(ca), len(cb)) / max(len(ca), len(cb)) + 0.1
    return difflib.SequenceMatcher(None, ca, cb).ratio()


def suggest_indicators(
    name: str, unit: str | None, measure: str | None, options: Sequence[IndicatorOption], limit: int = 5
) -> list[tuple[IndicatorOption, float]]:
    """Catalogue indicators for an extracted name, best first: only those in the same unit (a target's value is
    in its indicator's unit), scored by name similarity, with a small bonus for the same measure."""
    scored = []
    for option in options:
        if unit and option.unit != unit:
            continue
        score = name_similarity(name, option.name)
        if measure and option.measure == measure:
            score += 0.05
        if score >= SUGGESTION_THRESHOLD:
            scored.append((option, round(min(score, 1.0), 3)))
    scored.sort(key=lambda pair: (-pair[1], pair[0].name))
    return scored[:limit]


def target_key(document_id: int, item_id: int, indicator_code: str) -> str:
    """A plan-file key for the target an item becomes (slug, ≤80 characters, unique per item)."""
    return f"c{document_id}-{item_id}-{indicator_code}"[:80]


def new_indicator_code(name: str) -> str:
    """A stable slug for an indicator created from prose (Chinese names have no ASCII slug of their own)."""
    return f"x-{hashlib.sha1(name.encode(), usedforsecurity=False).hexdigest()[:10]}"
