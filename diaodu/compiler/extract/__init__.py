"""Rule-based extraction of targets and dated tasks from plan prose (see :mod:`.extract`)."""

from .catalogue import Catalogue, Unit, default_catalogue
from .extract import ITEM_KEYS, Item, extract, extract_normalised, infer_year
from .normalise import normalise, read_document
from .numbers import parse_number, to_chinese

__all__ = [
    "ITEM_KEYS",
    "Catalogue",
    "Item",
    "Unit",
    "default_catalogue",
    "extract",
    "extract_normalised",
    "infer_year",
    "normalise",
    "parse_number",
    "read_document",
    "to_chinese",
]
