"""Checking an uploaded file before anything reads it: size and type (extension *and* content).

    from diaodu.core.security_uploads import UploadKind, validate_upload

    validate_upload(request.FILES["file"], kinds=(UploadKind.XLSX,))   # raises ValidationError (Chinese)

Use it in every form field or API endpoint that takes a file; the content check stops a renamed executable
or HTML page posing as a workbook. Request bodies over DIAODU_UPLOAD_MAX_BYTES never get this far (413).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class UploadKind(enum.Enum):
    XLSX = (".xlsx",)
    DOCX = (".docx",)
    CSV = (".csv",)
    YAML = (".yaml", ".yml")
    PDF = (".pdf",)

    @property
    def extensions(self) -> tuple[str, ...]:
        return self.value


ZIP_MAGIC = b"PK\x03\x04"


def _head(file: Any, n: int = 2048) -> bytes:
    stream: IO[bytes] = file
    position = stream.tell() if hasattr(stream, "tell") else 0
    try:
        if hasattr(stream, "seek"):
            stream.seek(0)
        return stream.read(n) or b""
    finally:
        if hasattr(stream, "seek"):
            stream.seek(position)


def _content_matches(kind: UploadKind, head: bytes) -> bool:
    if kind in (UploadKind.XLSX, UploadKind.DOCX):
        return head.startswith(ZIP_MAGIC)
    if kind is UploadKind.PDF:
        return head.startswith(b"%PDF-")
    # Text kinds: UTF-8 (with or without BOM), no NUL bytes. Cut at a character boundary first.
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3  # only the last, cut-off character is incomplete
    return True


def validate_upload(file: Any, *, kinds: Iterable[UploadKind], max_bytes: int | None = None) -> UploadKind:
    """Return the kind of ``file`` (an UploadedFile) or raise ValidationError with a Chinese message."""
    kinds = tuple(kinds)
    limit = max_bytes if max_bytes is not None else settings.DIAODU_UPLOAD_MAX_BYTES
    size = getattr(file, "size", None)
    if size is None or size > limit:
        raise ValidationError(
            _("文件过大（上限 %(mb)s MB）。") % {"mb": round(limit / 1024 / 1024, 1)}, code="upload_too_large"
        )
    if size == 0:
        raise ValidationError(_("文件为空。"), code="upload_empty")
    suffix = PurePath(getattr(file, "name", "") or "").suffix.lower()
    kind = next((k for k in kinds if suffix in k.extensions), None)
    if kind is None:
        allowed = "、".join(ext for k in kinds for ext in k.extensions)
        raise ValidationError(
            _("不支持的文件类型，请上传 %(allowed)s 文件。") % {"allowed": allowed}, code="upload_type"
        )
    if not _content_matches(kind, _head(file)):
        raise ValidationError(_("文件内容与扩展名 %(ext)s 不符。") % {"ext": suffix}, code="upload_content")
    return kind
