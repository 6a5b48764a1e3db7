"""Producing a briefing file: build, write, convert, and leave an audit row (who, which unit, which month)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from diaodu.plans.periods import Period
from diaodu.reports.briefing import Briefing, Insights, build_briefing

AUDIT_ACTION = "export"  # like the workbook exports: stored as text, not (yet) an AuditAction choice
AUDIT_TYPE = "reports.briefing"
REVIEW_AUDIT_TYPE = "reports.review"
FORMATS = ("docx", "pdf")
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CONTENT_TYPES = {"docx": DOCX_TYPE, "pdf": "application/pdf"}
SOFFICE_TIMEOUT = 120


class PdfUnavailable(RuntimeError):
    """LibreOffice (``soffice``) is not installed: only .docx can be written."""


@dataclass(frozen=True)
class BriefingFile:
    briefing: Briefing
    data: bytes
    fmt: str

    @property
    def filename(self) -> str:
        return self.briefing.filename.removesuffix(".docx") + f".{self.fmt}"

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.fmt]


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_available() -> bool:
    return soffice() is not None


def docx_to_pdf(data: bytes) -> bytes:
    """Convert with LibreOffice in a private temporary profile (headless, no network)."""
    exe = soffice()
    if exe is None:
        raise PdfUnavailable("soffice not found")
    with tempfile.TemporaryDirectory(prefix="diaodu-pdf-") as tmp:
        src = Path(tmp) / "briefing.docx"
        src.write_bytes(data)
        subprocess.run(
            [
                exe,
                f"-env:UserInstallation=file://{tmp}/profile",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                tmp,
                str(src),
            ],
            capture_output=True,
            timeout=SOFFICE_TIMEOUT,
            check=True,
        )
        return (Path(tmp) / "briefing.pdf").read_bytes()


def generate_briefing(
    unit: Any,
    period: Period,
    *,
    actor: Any | None,
    user: Any | None,
    fmt: str = "docx",
    insights: Insights | None = None,
    actor_name: str = "",
) -> BriefingFile:
    """Build the briefing of ``unit`` at ``period`` in ``user``'s scope (None: everything), write it as ``fmt``
    and record who generated it. ``actor`` is the person (None for the system: ``actor_name`` says who ran it)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    briefing = build_briefing(unit, period, user=user, insights=insights)
    return _produce(
        briefing,
        fmt,
        actor=actor,
        actor_name=actor_name,
        object_type=AUDIT_TYPE,
        object_id=f"{unit.code}/{period}",
        extra={"unit": unit.code, "month": str(period), "targets": len(briefing.main_sentences)},
    )


def generate_review_document(
    session: Any, *, actor: Any | None, user: Any | None, fmt: str = "docx", actor_name: str = ""
) -> BriefingFile:
    """The quarterly review results document of ``session`` (the caller has checked that ``user`` sees it)."""
    from diaodu.reports.review import build_review_document

    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    doc = build_review_document(session, user=user)
    return _produce(
        doc,
        fmt,
        actor=actor,
        actor_name=actor_name,
        object_type=REVIEW_AUDIT_TYPE,
        object_id=str(session.pk),
        extra={
            "session": session.pk,
            "year": session.year,
            "quarter": session.quarter,
            "published": session.is_published,
        },
    )


def _produce(
    briefing: Briefing,
    fmt: str,
    *,
    actor: Any | None,
    actor_name: str,
    object_type: str,
    object_id: str,
    extra: dict[str, Any],
) -> BriefingFile:
    from diaodu.audit.services import record
    from diaodu.reports.docx import docx_bytes

    data = docx_bytes(briefing)
    if fmt == "pdf":
        data = docx_to_pdf(data)
    result = BriefingFile(briefing, data, fmt)
    record(
        actor=actor,
        action=AUDIT_ACTION,
        object_type=object_type,
        object_id=object_id,
        object_repr=f"生成{briefing.title}"[:200],
        org_unit_id=briefing.unit.pk,
        after={
            **extra,
            "format": fmt,
            "file": result.filename,
            "bytes": len(data),
            "scope": briefing.scope_note,
        },
        actor_name=actor_name,
    )
    return result
