"""Rendered PDF and Word files of issues, cached in Django's default storage per issue version.

A rendition's name is derived from everything printed on it: the issue's content stamp
(``Issue.updated_at``, bumped by every change to its articles, regions or section order), its
status (a proof carries a mark), the masthead, the section names, and the print layout files
themselves. A change to any of them gives a new name, so a stale file is never served; older
files of the issue are deleted when a new one is stored. Names carry a keyed hash: even where
the storage is public, nobody can guess the address of an unpublished issue's proof.

Rendering on request is bounded, since anyone may ask for every archive issue's PDF at once:

- Single flight: a rendition nobody has stored yet is rendered by one request only. It takes a
  lock in the cache (`cache.add`, shared by every process and app server when the cache is Redis;
  within one process with the local-memory cache) and the others wait for its file, up to
  WAIT_SECONDS. A lock left by a worker that died expires after LOCK_SECONDS.
- A cap per process: at most RENDITION_RENDERS_PER_WORKER renders at once in one gunicorn worker;
  beyond it, and when a wait runs out, RenditionBusy — the reader gets a 503 page with Retry-After.
"""

import ctypes
import gc
import hashlib
import logging
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.cache import cache as shared_cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.crypto import salted_hmac
from redis.exceptions import RedisError

from . import docx, pdf
from .models import Issue, IssueSection
from .printing import print_document, render_print_html

logger = logging.getLogger(__name__)

RENDITION_DIR = "renditions"
# Bump when the renderers change in a way the layout files below do not show.
RENDERER_VERSION = "1"
_LAYOUT_FILES = (
    "templates/editorial/print/issue.html",
    "static/editorial/print.css",
    "digest_cms/fonts.conf",
    "editorial/printing.py",
    "editorial/pdf.py",
    "editorial/docx.py",
)


@dataclass(frozen=True)
class Format:
    """A kind of rendition: its file extension, media type and renderer."""

    extension: str
    content_type: str
    label: str


PDF = Format(extension="pdf", content_type="application/pdf", label="PDF")
DOCX = Format(
    extension="docx",
    content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    label="Word",
)
FORMATS = {PDF.extension: PDF, DOCX.extension: DOCX}


# How long a request waits for another's render of the same file, and checks on it meanwhile.
WAIT_SECONDS = 30
POLL_SECONDS = 0.2
# Longer than any render may take (gunicorn kills a worker stuck for GUNICORN_TIMEOUT, 120 s).
LOCK_SECONDS = 180
RETRY_AFTER_SECONDS = 10


class RenditionError(Exception):
    """A rendition could not be made; the message is for readers and editors."""


class RenditionBusy(RenditionError):
    """Not rendered now, because this worker is busy rendering or another's render takes long: try again soon."""

    retry_after = RETRY_AFTER_SECONDS


_render_slots = threading.BoundedSemaphore(settings.RENDITION_RENDERS_PER_WORKER)


@dataclass(frozen=True)
class Rendition:
    """A stored rendition: its name in storage and whether this call had to render it."""

    name: str
    format: Format
    rendered: bool

    def open(self):
        return default_storage.open(self.name, "rb")

    def read(self) -> bytes:
        with self.open() as handle:
            return handle.read()


@cache
def layout_fingerprint() -> str:
    """A digest of the print layout's source files: a deploy that changes the layout renders anew."""
    digest = hashlib.sha256(RENDERER_VERSION.encode())
    for relative in _LAYOUT_FILES:
        digest.update((Path(settings.BASE_DIR) / relative).read_bytes())
    return digest.hexdigest()[:16]


def rendition_name(*, issue: Issue, format: Format) -> str:
    """Where the rendition of the issue's current version lives in storage."""
    publication = issue.publication
    section_names = (
        IssueSection.objects.filter(issue=issue).order_by("position").values_list("section__name", flat=True)
    )
    printed = "\x1f".join(
        [
            str(issue.pk),
            issue.updated_at.isoformat(),
            issue.status,
            publication.title,
            publication.office,
            publication.report_to,
            publication.send_to,
            publication.distribute_to,
            str(publication.print_copies or ""),
            *section_names,
            layout_fingerprint(),
        ]
    )
    key = salted_hmac("editorial.renditions", printed, algorithm="sha256").hexdigest()[:32]
    stamp = issue.updated_at.strftime("%Y%m%dT%H%M%S%f")
    return f"{RENDITION_DIR}/issue-{issue.pk}/{issue.number}-{stamp}-{key}.{format.extension}"


def render(*, issue: Issue, format: Format) -> bytes:
    """Render the rendition afresh (no cache): the PDF or the Word file of the issue as it is now."""
    document = print_document(issue=issue)
    try:
        html = render_print_html(document, for_pdf=True)
        if format is PDF:
            return pdf.html_to_pdf(html).content
        # The Word file's table of contents shows the PDF's page numbers until Word recomputes them.
        return docx.issue_docx(document, page_numbers=pdf.anchor_pages(html))
    except (pdf.PdfRenderError, docx.DocxRenderError) as exc:
        raise RenditionError(str(exc)) from exc
    finally:
        _release_memory()


def article_pages(*, issue: Issue) -> dict[int, int]:
    """The printed page each article of the issue starts on, by article pk (the PDF's layout, not stored)."""
    document = print_document(issue=issue)
    try:
        pages = pdf.anchor_pages(render_print_html(document, for_pdf=True))
    except pdf.PdfRenderError as exc:
        raise RenditionError(str(exc)) from exc
    finally:
        _release_memory()
    return {article.pk: pages[article.anchor] for article in document.articles if article.anchor in pages}


def _release_memory() -> None:
    """Hand a render's memory back to the system.

    Laying out an issue leaves reference cycles and a few hundred MB of freed heap behind: without
    this an app server's worker that has rendered a PDF stays at 330–500 MB instead of about 115.
    """
    gc.collect()
    if _malloc_trim is not None:
        _malloc_trim(0)


# glibc's malloc_trim returns freed heap pages to the system; other C libraries have no such call.
_malloc_trim = getattr(ctypes.CDLL(None), "malloc_trim", None)


def issue_rendition(*, issue: Issue, format: Format, name: str | None = None) -> Rendition:
    """The issue's rendition from storage, rendered and stored first when this version has none.

    Rendered once however many ask at the same time (the others wait for the file); raises
    RenditionBusy when this worker already renders all it may, or the wait runs out.
    `name` is ``rendition_name(...)`` when the caller has already computed it.
    """
    name = name or rendition_name(issue=issue, format=format)
    deadline = time.monotonic() + WAIT_SECONDS
    while not default_storage.exists(name):
        with _render_lock(name) as ours:
            if ours:
                return _render_and_store(issue=issue, format=format, name=name)
        _wait_for_render(name, deadline=deadline)
    return Rendition(name=name, format=format, rendered=False)


def _render_and_store(*, issue: Issue, format: Format, name: str) -> Rendition:
    if default_storage.exists(name):
        # Stored by the request that held the lock just before.
        return Rendition(name=name, format=format, rendered=False)
    if not _render_slots.acquire(blocking=False):
        logger.warning("%s of issue %s not rendered: this worker renders all it may", format.label, issue.number)
        raise RenditionBusy("服务器此刻正忙于生成其他文件。")
    try:
        content = render(issue=issue, format=format)
    finally:
        _render_slots.release()
    try:
        _store(name, content)
    except OSError as exc:
        logger.exception("Could not store the %s of issue %s", format.label, issue.number)
        raise RenditionError(f"{format.label} 文件已生成，但无法保存到存储中，请联系管理员。") from exc
    _prune(issue=issue, keep=name)
    return Rendition(name=name, format=format, rendered=True)


def _lock_key(name: str) -> str:
    return f"rendition-lock:{name}"


@contextmanager
def _render_lock(name: str):
    """Yields whether this request may render `name`: it holds the cache lock, or the cache is unreachable."""
    token = uuid.uuid4().hex
    try:
        locked = shared_cache.add(_lock_key(name), token, timeout=LOCK_SECONDS)
    except (RedisError, OSError):
        logger.warning("cache unavailable: rendering %s without the single-flight lock", name, exc_info=True)
        locked = None
    try:
        yield locked is not False
    finally:
        if locked:
            try:
                if shared_cache.get(_lock_key(name)) == token:
                    shared_cache.delete(_lock_key(name))
            except (RedisError, OSError):
                logger.warning("cache unavailable: the lock on %s expires by itself", name, exc_info=True)


def _wait_for_render(name: str, *, deadline: float) -> None:
    """Return once nobody holds the lock on `name` any more; RenditionBusy if that takes past `deadline`."""
    while True:
        try:
            held = shared_cache.get(_lock_key(name)) is not None
        except (RedisError, OSError):
            held = False
        if not held:
            return
        if time.monotonic() >= deadline:
            raise RenditionBusy("这份文件正在生成，所需时间比平时长一些。")
        time.sleep(POLL_SECONDS)


def _store(name: str, content: bytes) -> None:
    # Without a shared cache two processes may render the same version at once; the second keeps the first's file.
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(content))


def _prune(*, issue: Issue, keep: str) -> None:
    """Delete the issue's older renditions of the same format."""
    folder = f"{RENDITION_DIR}/issue-{issue.pk}"
    suffix = Path(keep).suffix
    try:
        _, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for filename in files:
        name = f"{folder}/{filename}"
        if name != keep and filename.endswith(suffix):
            default_storage.delete(name)


def issue_renditions_delete(*, issue: Issue) -> None:
    """Delete every stored rendition of the issue (e.g. when it is withdrawn or deleted)."""
    folder = f"{RENDITION_DIR}/issue-{issue.pk}"
    try:
        _, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for filename in files:
        default_storage.delete(f"{folder}/{filename}")


@dataclass(frozen=True)
class PreparedRenditions:
    """What prepare_issue_renditions did: the stored renditions, and the formats that failed with why."""

    renditions: list[Rendition]
    failures: dict[str, str]

    @property
    def ok(self) -> bool:
        return not self.failures


def prepare_issue_renditions(*, issue: Issue) -> PreparedRenditions:
    """Render the PDF and Word file ahead of the first reader (called when an issue is published).

    Never raises for a rendering failure: publishing must not fail because a file could not be
    made. Failures are logged and returned; readers then get the file rendered on request.
    """
    issue = Issue.objects.select_related("publication").get(pk=issue.pk)
    renditions, failures = [], {}
    for format in FORMATS.values():
        try:
            renditions.append(issue_rendition(issue=issue, format=format))
        except RenditionError as exc:
            logger.error("Pre-rendering the %s of issue %s failed: %s", format.label, issue.number, exc)
            failures[format.extension] = str(exc)
    return PreparedRenditions(renditions=renditions, failures=failures)
