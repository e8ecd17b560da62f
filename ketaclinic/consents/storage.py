"""Signed consent PDFs: stored under the data directory by content hash, never served as
static or media files (only ``views.consent_pdf`` reads them, after its access check)."""

from __future__ import annotations

import hashlib
import re

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

PDF_DIR = "consent-pdfs"
STORED_NAME = re.compile(rf"^{PDF_DIR}/[0-9a-f]{{64}}\.pdf$")


def store_pdf(pdf: bytes) -> tuple[str, str]:
    """Save ``pdf`` as ``consent-pdfs/<sha256>.pdf``; return (name, sha256)."""
    digest = hashlib.sha256(pdf).hexdigest()
    name = f"{PDF_DIR}/{digest}.pdf"
    if not default_storage.exists(name):
        saved = default_storage.save(name, ContentFile(pdf))
        if saved != name:  # the same bytes saved in between: keep one copy
            default_storage.delete(saved)
    return name, digest


def read_pdf(name: str) -> bytes | None:
    if not STORED_NAME.match(name or "") or not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as handle:
        return bytes(handle.read())
