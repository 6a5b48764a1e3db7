"""Indicator names "as written": level, time and scope words, example lists and effort verbs removed."""

from __future__ import annotations

import re

from . import patterns as P
from .catalogue import Catalogue
from .deadlines import real_deadline


def strip_scope(name: str, cat: Catalogue) -> str:
    name = cat.town_list_re.sub("", name)
    name = cat.others_re.sub("", name)
    name = cat.mention_re.sub("", name)
    for county in cat.county_names:
        name = name.replace(county, "")
    name = P.WHOLE_JURISDICTION.sub("", name).lstrip("、和及与")
    return re.sub(r"^(?:每家|每个|各)|(?:每家|每个)", "", name)


def stage1_name(raw: str, cat: Catalogue) -> str:
    """Name without level, time and scope words (verbs of effort kept, for the flow rule)."""
    name = P.LEVEL_WORDS.sub("", raw)
    name = P.DEADLINE.sub(lambda m: "" if real_deadline(m) else m.group(), name)
    name = P.TIME_WORDS.sub("", name)
    name = strip_scope(name, cat)
    return name.strip("、，：；（） ")


def stage2_name(name: str) -> str:
    """Final indicator name: effort verbs, example lists and dangling words removed."""
    m = P.EXAMPLES.search(name)
    if m and (("、" in m.group("examples")) or m.group("verb") or m.start() == 0):
        name = name[: m.start()] + (m.group("verb") or "") + name[m.end() :]
    previous = None
    while previous != name:
        previous = name
        name = P.LEADING_FILLERS.sub("", name)
        name = P.TRAILING_FILLERS.sub("", name)
        name = name.strip("、，：；（） ")
    if name.count("“") != name.count("”"):
        name = name.strip("“”")
    return name


TIER_AT_START = re.compile(
    r"^(?:(?:过|超)[\d.零一二三四五六七八九十百千]*[万亿](?:元|美元)|[\d.零一二三四五六七八九十百千]*[万亿](?:元|美元)以上)"
)


def compose_tier(parent: str, child: str) -> str:
    """A size tier under its parent: parent "签约投资过亿元重点产业项目" + child "过10亿元" →
    "签约投资过10亿元重点产业项目"; "10亿元以上项目" under "签约亿元以上项目" → "签约10亿元以上项目".
    Any other child keeps its own name."""
    m = TIER_AT_START.match(child)
    if not m:
        return child
    rest = child[m.end() :].removeprefix("级")
    threshold = P.THRESHOLD_IN_NAME.search(parent)
    if threshold is None or not parent.endswith(rest):
        return child
    return parent[: threshold.start()] + m.group() + parent[threshold.end() :]


def split_names(name: str, raw: str, force: bool) -> list[str]:
    parts = [p for p in P.NAME_LIST_SPLIT.split(name) if p]
    if len(parts) < 2 or any(len(p) < 2 for p in parts):
        return [name]
    if force or re.search(r"均|分别|都", raw) or all(len(p) >= 4 for p in parts):
        return parts
    return [name]
