"""Text normalisation before extraction (文本规范化).

Every ``quote`` the extractor returns is an exact substring of :func:`normalise`'s output, so this is the
text a reviewer sees. The rules, in order:

1. Line endings to ``\\n``; full-width ASCII letters and digits (``０-９``, ``Ａ-Ｚ``) and ``％``, ``．`` to
   half-width; the ideographic space and no-break spaces to ordinary spaces.
2. Half-width sentence punctuation written next to Chinese text becomes the Chinese form: ``,`` → ``，``,
   ``;`` → ``；``, ``:`` → ``：``, ``!`` → ``！``, ``?`` → ``？``, ``(`` ``)`` → ``（`` ``）``; straight double quotes
   become “ ” pairs. A comma between digits followed by exactly three digits is a thousands separator and
   is dropped (``1,000亩`` → ``1000亩``); ``10:30`` keeps its colon.
3. Page-break artifacts: a line that does not end a sentence and is followed (after blank lines, if any)
   by more text is joined to it, so ``企\\n\\n业经营`` becomes ``企业经营``. Headings (``二、…``, ``（三）…``,
   short lines, titles with spaces between words) are never joined.
4. Spaces next to Chinese characters or punctuation are removed; other runs of spaces become one.
5. Paragraphs are separated by a single ``\\n``; blank lines disappear.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["is_heading", "normalise", "read_document"]

_FULLWIDTH = {chr(c): chr(c - 0xFEE0) for c in range(0xFF10, 0xFF1A)}  # ０-９
_FULLWIDTH.update({chr(c): chr(c - 0xFEE0) for c in range(0xFF21, 0xFF3B)})  # Ａ-Ｚ
_FULLWIDTH.update({chr(c): chr(c - 0xFEE0) for c in range(0xFF41, 0xFF5B)})  # ａ-ｚ
_FULLWIDTH.update({"％": "%", "﹪": "%", "．": ".", "／": "/", "＋": "+", "－": "-", "～": "~"})
_SPACES = {
    "\u3000": " ",
    "\u00a0": " ",
    "\u2002": " ",
    "\u2003": " ",
    "\u2009": " ",
    "\u202f": " ",
    "\t": " ",
}
_TABLE = str.maketrans({**_FULLWIDTH, **_SPACES, "\u200b": "", "\ufeff": ""})

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_PUNCT = "，。、；：！？“”‘’（）《》〈〉【】…—·「」『』"
_CJK_OR_PUNCT = f"[{CJK}{CJK_PUNCT}]"

_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_HALF_PUNCT = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？", "(": "（", ")": "）"}
_SENTENCE_END = tuple("。！？；：”’）」』…")
_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\([一二三四五六七八九十]+\)|第[一二三四五六七八九十]+[章节部分]|\d+[.、．])"
)
_SPACE_NEAR_CJK = re.compile(rf"(?<={_CJK_OR_PUNCT}) +| +(?={_CJK_OR_PUNCT})")
_MULTISPACE = re.compile(r" {2,}")
_CJK_SPACE_CJK = re.compile(rf"[{CJK}] +[{CJK}]")


def _curly_quotes(line: str) -> str:
    parts = line.split('"')
    return "".join(part + ("“" if i % 2 == 0 else "”") for i, part in enumerate(parts[:-1])) + parts[-1]


def _punctuation(line: str) -> str:
    """Chinese punctuation next to Chinese text, repeated until stable: a mark turned full-width makes its
    half-width neighbour "next to Chinese" too ("0:!" → "0:！" → "0：！"), so one pass is not idempotent."""
    # Quotes first, so that a comma next to a quote sees the “ ” it will end up beside.
    line = _curly_quotes(_THOUSANDS.sub("", line))
    while (converted := _punctuation_pass(line)) != line:
        line = converted
    return line


def _punctuation_pass(line: str) -> str:
    out = []
    n = len(line)
    for i, ch in enumerate(line):
        if ch in _HALF_PUNCT:
            before = line[i - 1] if i else ""
            after = line[i + 1] if i + 1 < n else ""
            near_before = line[:i].rstrip()[-1:]  # nearest non-space neighbours decide ", " after 以上
            near_after = line[i + 1 :].lstrip()[:1]
            if ch in ":," and before.isdigit() and after.isdigit():
                out.append(ch)  # 10:30, 1,5 (not a thousands group)
                continue
            if (
                ch in "()"
                or _is_cjk(near_before)
                or _is_cjk(near_after)
                or not near_before  # at either end of the (stripped) line
                or not near_after
                or ch in ";"
            ):
                out.append(_HALF_PUNCT[ch])
                continue
        out.append(ch)
    return "".join(out)


def _is_cjk(ch: str) -> bool:
    return bool(ch) and bool(re.match(_CJK_OR_PUNCT, ch))


def is_heading(line: str) -> bool:
    """A section heading: numbered (``二、``, ``（三）``, ``第一部分``) or a short line without punctuation."""
    line = line.strip()
    if not line:
        return False
    if _HEADING.match(line) and len(line) <= 40 and not line.endswith(("。", "；")):
        return True
    return False


def _joinable(line: str, following: str) -> bool:
    """True if ``line`` was cut by a page or line break and continues in ``following``."""
    if not line or not following:
        return False
    if line.endswith(_SENTENCE_END) or is_heading(line) or is_heading(following):
        return False
    if len(line) < 20 or _CJK_SPACE_CJK.search(line):  # short lines and spaced titles are headings
        return False
    return not following.startswith(("（", "(", "——", "【", "第"))


def normalise(text: str) -> str:
    """The canonical form of ``text`` in which quotes are taken (see the module docstring)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_TABLE)
    lines = [_punctuation(line).strip() for line in text.split("\n")]
    paragraphs: list[str] = []
    current = ""
    for line in lines:
        if not line:
            continue
        line = _MULTISPACE.sub(" ", line)
        if current and _joinable(current, line):
            current += line
            continue
        if current:
            paragraphs.append(current)
        current = line
    if current:
        paragraphs.append(current)
    # Spaces next to CJK are dropped after joining; titles keep theirs until here (they mark headings).
    return "\n".join(_SPACE_NEAR_CJK.sub("", p) for p in paragraphs)


def read_document(path: str | Path) -> str:
    """The raw text of a ``.txt`` (UTF-8, GB18030 fallback) or ``.docx`` file, not yet normalised."""
    path = Path(path)
    if path.suffix.lower() == ".docx":
        import docx  # python-docx

        document = docx.Document(str(path))
        return "\n".join(paragraph.text for paragraph in document.paragraphs)
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")
