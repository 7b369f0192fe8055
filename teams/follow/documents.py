"""What an uploaded document really is, read from its content, never from its name."""

import zipfile

from django.utils.translation import gettext as _

# kind -> (extensions it may carry, content type to serve it with, label)
KINDS = {
    "pdf": ((".pdf",), "application/pdf", "PDF"),
    "docx": (
        (".docx",),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Word",
    ),
    "pptx": (
        (".pptx",),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "PowerPoint",
    ),
    "odt": ((".odt",), "application/vnd.oasis.opendocument.text", "OpenDocument"),
}
ACCEPT = ",".join(ext for exts, _type, _label in KINDS.values() for ext in exts)
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
# A Word, PowerPoint or OpenDocument file is a zip: what it declares it unpacks to, and its
# number of members, are checked before anyone (a preview, an indexer, the reader's office
# suite) unpacks it. A 306 KB .docx that unpacked to 300 MB was accepted before.
MAX_ZIP_MEMBERS = 2000
MAX_UNPACKED = 200 * 1024 * 1024


class DocumentError(ValueError):
    pass


def _zip_kind(upload):
    try:
        with zipfile.ZipFile(upload) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ZIP_MEMBERS:
                raise DocumentError(
                    _(
                        "This document holds too many parts (%(count)d, at most %(limit)d): "
                        "export it to PDF and send it again."
                    )
                    % {"count": len(infos), "limit": MAX_ZIP_MEMBERS}
                )
            if sum(info.file_size for info in infos) > MAX_UNPACKED:
                raise DocumentError(
                    _(
                        "Once unpacked, this document is too large (over %(limit)s MB): "
                        "export it to PDF and send it again."
                    )
                    % {"limit": MAX_UNPACKED // 1024 // 1024}
                )
            names = {info.filename for info in infos}
            if "mimetype" in names:
                # OpenDocument: an uncompressed "mimetype" member names the format.
                info = archive.getinfo("mimetype")
                if info.file_size <= 100 and archive.read("mimetype").strip() == ODT_MIMETYPE:
                    return "odt"
                return None
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names:
                    return "docx"
                if "ppt/presentation.xml" in names:
                    return "pptx"
    except DocumentError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, EOFError,
            NotImplementedError, RuntimeError, ValueError):  # fmt: skip
        return None
    return None


def sniff(upload):
    """The document's kind ("pdf", "docx", "pptx", "odt") from its bytes, or None."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    kind = None
    if head.startswith(b"%PDF-"):
        kind = "pdf"
    elif head.startswith(b"PK\x03\x04"):
        kind = _zip_kind(upload)
    upload.seek(0)
    return kind


def check(upload, max_bytes):
    """The upload's kind, or DocumentError with a message for the person who sent it."""
    if upload.size == 0:
        raise DocumentError(_("The file is empty."))
    if upload.size > max_bytes:
        raise DocumentError(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {"size": round(upload.size / 1024 / 1024, 1), "limit": max_bytes // 1024 // 1024}
        )
    kind = sniff(upload)
    if kind is None:
        raise DocumentError(
            _(
                "This file is not a PDF, Word (.docx), PowerPoint (.pptx) or OpenDocument "
                "text (.odt) document: its content says otherwise, whatever its name. "
                "Export it to PDF and send it again."
            )
        )
    name = (upload.name or "").lower()
    extensions, _type, label = KINDS[kind]
    if not name.endswith(extensions):
        raise DocumentError(
            _(
                "The file's name does not match its content: it is a %(label)s document, "
                "so its name should end in %(extension)s."
            )
            % {"label": label, "extension": extensions[0]}
        )
    return kind


def content_type(kind):
    return KINDS[kind][1]


def clean_filename(name):
    """A name to show and to offer on download: no folders, no control characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>:|?*')
    return base.strip()[:150] or "document"
