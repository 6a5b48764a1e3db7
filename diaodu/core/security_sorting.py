"""Sorting lists by a user-supplied parameter without letting it reach SQL: only whitelisted keys map to fields.

    ORDERINGS = {"time": ("-created_at", "-id"), "account": ("actor_name", "-id")}
    qs = qs.order_by(*safe_ordering(request.GET.get("sort"), ORDERINGS, default="time"))

An unknown key (a typo, or an injection attempt such as ``"id; DROP TABLE x"``) silently gets the default.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def safe_ordering(key: str | None, allowed: Mapping[str, Sequence[str]], *, default: str) -> tuple[str, ...]:
    return tuple(allowed.get((key or "").strip(), allowed[default]))
