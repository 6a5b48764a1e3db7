from __future__ import annotations

from typing import Any

from django import template

from diaodu.compiler.access import can_compile

register = template.Library()


@register.filter(name="can_compile")
def can_compile_filter(user: Any) -> bool:
    """``{% if user|can_compile %}``: show the entry point to users who may compile somewhere."""
    return can_compile(user)
