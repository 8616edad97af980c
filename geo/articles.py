"""Reading article files: text, HTML and JSON, their encodings, and the metadata they reveal.

Public surface::

    SUPPORTED                       file extensions picked up inside folders
    ArticleError                    one bad input: ``str(e) == f"{path}: {reason}"``
    ArticleList                     the list ``read_articles`` returns, with ``.errors`` for partial reads
    iter_article_files(paths)       files and folders -> article files, sorted, hidden ones skipped
    read_text_file(path)            one file -> its decoded text, after the size, type and encoding checks
    read_articles(path, ...)        one file -> its articles (a JSON list holds several)
    infer_metadata(article)         title, publication date, credited agencies, source label
    find_credited(text)             wire agencies an article credits, in order of first appearance

Inputs are untrusted: nothing in a file is evaluated (JSON via ``json``, front matter parsed as
``key: value`` lines or TOML, HTML through trafilatura, which drops scripts). Files are size-checked
with ``stat`` before any byte is read, binary files are refused by their signature, and text that is
not UTF-8 is decoded after detection with charset-normalizer (Windows-1256 Arabic, Latin-1, ...).

Partial JSON lists: when some objects of a JSON list are unusable, ``read_articles`` returns the good
ones in an :class:`ArticleList` whose ``errors`` holds one :class:`ArticleError` per bad object (path
``"file.json#3"``), for the caller to report (once: nothing is logged above debug level). When no
object is usable it raises instead.
"""
from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import stat
import tomllib
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from geo.dates import infer_published, parse_date
from geo.document import Article
from geo.resources import DATA_DIR

log = logging.getLogger(__name__)

SUPPORTED = (".txt", ".md", ".html", ".htm", ".json", ".pdf")
_SUPPORTED_TEXT = " ".join(SUPPORTED)
DEFAULT_MAX_BYTES = 20_000_000
SOURCES_PATH = DATA_DIR / "lexicons" / "sources.toml"


class ArticleError(Exception):
    """An input that cannot be read as an article, with one line saying why."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class ArticleList(list[Article]):
    """Articles read from one file; ``errors`` lists objects of a JSON list that were skipped."""

    def __init__(self, articles: Iterable[Article] = (), errors: Iterable[ArticleError] = ()) -> None:
        super().__init__(articles)
        self.errors: list[ArticleError] = list(errors)


# --------------------------------------------------------------------------------------------
# Finding files


def _hidden(name: str) -> bool:
    return name.startswith(".")


def iter_article_files(paths: Iterable[str | Path],
                       on_skip: Callable[[Path, str], None] | None = None) -> Iterator[Path]:
    """Article files under ``paths``, each once.

    Folders are walked recursively in sorted order, skipping hidden files and folders and keeping
    only :data:`SUPPORTED` extensions; each file or folder left out goes to ``on_skip(path, why)``
    (a hidden folder once, not its contents), so that nothing disappears without a word. A file named
    explicitly is yielded whatever its extension (the reader then says clearly what is wrong with
    it), and so is a path that does not exist, so that every bad input gets its one line from
    :func:`read_articles`. Symbolic links to folders are not followed (no cycles).
    """
    seen: set[str] = set()

    def fresh(p: Path) -> bool:
        key = os.path.realpath(p)
        if key in seen:
            return False
        seen.add(key)
        return True

    for raw in paths:
        root = Path(raw)
        if not root.is_dir():
            if fresh(root):
                yield root
            continue
        unreadable: list[Path] = []
        found: list[Path] = []
        left_out: list[tuple[Path, str]] = []
        for folder, dirs, files in os.walk(root, onerror=lambda e: unreadable.append(Path(e.filename))):
            for d in dirs:
                if _hidden(d):
                    left_out.append((Path(folder) / d, "hidden folder (name starts with a dot), not searched"))
            dirs[:] = [d for d in dirs if not _hidden(d)]
            for name in files:
                ext = os.path.splitext(name)[1].lower()
                if _hidden(name):
                    left_out.append((Path(folder) / name, "hidden file (name starts with a dot)"))
                elif ext not in SUPPORTED:
                    kind = f"{ext} files" if ext else "files without an extension"
                    left_out.append((Path(folder) / name, f"{kind} are not read; articles are {_SUPPORTED_TEXT}"))
                else:
                    found.append(Path(folder) / name)
        if on_skip is not None:
            for p, why in sorted(left_out, key=lambda item: item[0].relative_to(root).parts):
                on_skip(p, why)
        for p in sorted(found + unreadable, key=lambda p: p.relative_to(root).parts if p != root else ()):
            if fresh(p):
                yield p


# --------------------------------------------------------------------------------------------
# Bytes -> text

# File signatures (magic numbers) of formats people mistake for articles.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"PK\x05\x06", "ZIP archive"),
    (b"\x1f\x8b", "gzip archive"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"\x7fELF", "ELF executable"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy Office document"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"{\\rtf", "RTF document"),
    (b"OggS", "Ogg media"),
    (b"ID3", "MP3 audio"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"wOFF", "web font"),
    (b"\x00asm", "WebAssembly"),
)


def _binary_kind(data: bytes) -> str | None:
    for magic, kind in _SIGNATURES:
        if kind == "PDF":
            continue  # PDF reports are read (see _read_pdf)
        if data.startswith(magic):
            return kind
    if data.startswith(b"RIFF") and data[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return {b"WEBP": "WebP image", b"WAVE": "WAV audio", b"AVI ": "AVI video"}[data[8:12]]
    if data[4:8] == b"ftyp":
        return "MP4/QuickTime media"
    if data.startswith(b"MZ") and b"\x00" in data[:256]:
        return "Windows executable"
    return None


def _utf16_without_bom(sample: bytes) -> str | None:
    # ASCII-heavy UTF-16 has NUL in every other byte; which half tells the byte order.
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = len(sample) // 2
    if odd > 0.4 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.4 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


# Legacy single-byte encodings in order of how often news text arrives in them. When the detector
# finds several equally good, the first of these wins (charset-normalizer alone calls short French
# text Hungarian cp1250).
_PREFERRED = ("cp1252", "latin_1", "iso8859_15", "cp1256", "iso8859_6", "cp1251", "koi8_r", "cp1250",
              "iso8859_2", "cp1253", "cp1254", "cp1255", "cp1257")
_DETECT_SAMPLE = 256_000


def _looks_western(data: bytes) -> bool:
    """Text in a Western European single-byte encoding: a few accented lower-case letters among
    ASCII ones. Statistical detectors often mistake short French or German for Baltic or Turkish
    code pages; Arabic or Cyrillic single-byte text is mostly non-ASCII and fails this test."""
    try:
        text = data[:_DETECT_SAMPLE].decode("cp1252")
    except UnicodeDecodeError:
        return False
    letters = [ch for ch in text if ch.isalpha()]
    accented = [ch for ch in letters if ord(ch) > 127]
    if not letters or not accented or len(accented) > 0.3 * len(letters):
        return False
    return sum(ch in _WESTERN_LOWER for ch in accented) >= 0.8 * len(accented)


_WESTERN_LOWER = set("àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿßœš")


def _detect(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    if _looks_western(data):
        return "cp1252"

    results = list(from_bytes(data[:_DETECT_SAMPLE]))
    if not results:
        return None
    best_chaos = min(r.chaos for r in results)
    tier = [r for r in results if r.chaos <= best_chaos + 0.01]
    best_coherence = max(r.coherence for r in tier)
    tier = [r for r in tier if r.coherence >= best_coherence - 0.01]
    decodings = {str(r) for r in tier}
    # Two encodings that decode the sample identically are the same answer: prefer the common one.
    for enc in _PREFERRED:
        try:
            if data[:_DETECT_SAMPLE].decode(enc) in decodings:
                return enc
        except (UnicodeDecodeError, LookupError):
            continue
    return tier[0].encoding


_HTML_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)


def _decode(data: bytes, path: str | Path, *, html: bool) -> str:
    kind = _binary_kind(data)
    if kind:
        raise ArticleError(path, f"binary file ({kind}) — not an article")
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe\x00\x00", "utf-32-le"),
                     (b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(enc)
            except UnicodeDecodeError as e:
                raise ArticleError(path, f"starts with a {enc.upper()} byte-order mark but is not {enc.upper()} "
                                         f"(bad byte at offset {e.start + len(bom)})") from None
    if b"\x00" in data[:65536]:
        enc = _utf16_without_bom(data[:65536])
        if enc:
            try:
                return data.decode(enc)
            except UnicodeDecodeError:
                pass
        raise ArticleError(path, "binary file (contains NUL bytes) — not an article")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    candidates: list[str] = []
    if html:
        declared = _HTML_CHARSET.search(data[:4096])
        if declared:
            candidates.append(declared.group(1).decode("ascii", "replace"))
    detected = _detect(data)
    if detected:
        candidates.append(detected)
    for enc in candidates:
        try:
            return data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    raise ArticleError(path, "not UTF-8 and no known text encoding fits — not an article")


# C0 and C1 control characters other than tab, newlines and form feed: rare in text, common in binary.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def _control_ratio(text: str) -> float:
    sample = text[:20000]
    return len(_CONTROL.findall(sample)) / len(sample) if sample else 0.0


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    try:
        st = path.stat()
    except FileNotFoundError:
        raise ArticleError(path, "no such file") from None
    except PermissionError:
        raise ArticleError(path, "permission denied") from None
    except OSError as e:
        raise ArticleError(path, f"cannot read: {e.strerror or e}") from None
    if stat.S_ISDIR(st.st_mode):
        try:
            os.listdir(path)
        except OSError as e:
            raise ArticleError(path, f"cannot read folder: {e.strerror or e}") from None
        raise ArticleError(path, "is a folder, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise ArticleError(path, "not a regular file (device, pipe or socket)")
    if st.st_size > max_bytes:
        raise ArticleError(path, f"file too large: {st.st_size:,} bytes, over the limit of {max_bytes:,} bytes")
    try:
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except PermissionError:
        raise ArticleError(path, "permission denied") from None
    except OSError as e:
        raise ArticleError(path, f"cannot read: {e.strerror or e}") from None
    if len(data) > max_bytes:  # the file grew after stat
        raise ArticleError(path, f"file too large: over the limit of {max_bytes:,} bytes")
    return data


# --------------------------------------------------------------------------------------------
# Formats


def _coerce_str(value: Any) -> str | None:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _coerce_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _coerce_str(value)
    return parse_date(text) if text else None


def _coerce_list(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.strip().strip("[]")
        items = re.split(r"\s*(?:,|/|;)\s*", value)
    elif isinstance(value, list):
        items = [v for v in value if isinstance(v, str)]
    else:
        return []
    return [i.strip().strip("\"'") for i in items if i.strip().strip("\"'")]


_FRONT_YAML = re.compile(r"\A---[ \t]*\r?\n(?P<body>.*?)(?:\r?\n)?^---[ \t]*(?:\r?\n|\Z)", re.S | re.M)
_FRONT_TOML = re.compile(r"\A\+\+\+[ \t]*\r?\n(?P<body>.*?)(?:\r?\n)?^\+\+\+[ \t]*(?:\r?\n|\Z)", re.S | re.M)
_FRONT_MAX = 16_000
_KEY_VALUE = re.compile(r"^(?P<key>[A-Za-z_][\w\- ]{0,40}?)\s*:\s*(?P<value>.*?)\s*$")


def _parse_key_values(block: str) -> dict[str, Any] | None:
    """``key: value`` lines (and ``- item`` lists under a bare ``key:``); None if the block is not that."""
    meta: dict[str, Any] = {}
    list_key: str | None = None
    for line in block.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if list_key and stripped.startswith("- "):
            meta[list_key].append(stripped[2:].strip().strip("\"'"))
            continue
        kv = _KEY_VALUE.match(line)
        if kv is None:
            return None  # prose between two rules ("---"), not front matter
        key, value = kv.group("key").strip().lower(), kv.group("value")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        list_key = key if not value else None
        meta[key] = [] if not value else value
    return meta


def _split_front_matter(text: str, path: str | Path) -> tuple[dict[str, Any], str]:
    """Front matter (``---`` YAML-like ``key: value`` lines, or ``+++`` TOML) and the text after it."""
    head = text[:_FRONT_MAX]
    m = _FRONT_YAML.match(head)
    if m:
        meta = _parse_key_values(m.group("body"))
        if meta is not None:
            return meta, text[m.end():]
        return {}, text
    m = _FRONT_TOML.match(head)
    if m:
        try:
            toml_meta = tomllib.loads(m.group("body"))
        except tomllib.TOMLDecodeError as e:
            raise ArticleError(path, f"invalid TOML front matter: {e}") from None
        return {k.lower(): v for k, v in toml_meta.items()}, text[m.end():]
    return {}, text


def _from_fields(fields: dict[str, Any], *, name: str, text: str, path: str) -> Article:
    credited = [_canonical_agency(c) for c in _coerce_list(fields.get("credited") or fields.get("agencies"))]
    return Article(
        article=name,
        text=text,
        title=_coerce_str(fields.get("title") or fields.get("headline")),
        source=_coerce_str(fields.get("source") or fields.get("outlet")),
        published=_coerce_date(fields.get("published") or fields.get("date") or fields.get("published_at")),
        url=_coerce_str(fields.get("url") or fields.get("link")),
        credited=list(dict.fromkeys(credited)),
        path=path,
    )


def _read_text(text: str, path: Path) -> tuple[list[Article], list[ArticleError], str | None]:
    meta, body = _split_front_matter(text, path)
    if not body.strip():
        raise ArticleError(path, "empty file" if not meta else "front matter but no article text")
    return [_from_fields(meta, name=path.name, text=body, path=str(path))], [], None


def _read_html(html: str, path: Path) -> tuple[list[Article], list[ArticleError], str | None]:
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            html,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            # Dates from the page's metadata and header only, never guessed from the body.
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
        text = (doc.text or "") if doc is not None else ""
        if not text.strip():
            # Trafilatura gives up on pages without an article-like block; their plain text may still be news.
            text = trafilatura.html2txt(html) or ""
    except Exception as e:  # a parser crash on hostile markup is this file's problem, not the run's
        raise ArticleError(path, f"could not parse HTML ({type(e).__name__})") from None
    if not text.strip():
        raise ArticleError(path, "no article text found in HTML")
    fields: dict[str, Any] = {}
    sitename = None
    if doc is not None:
        fields = {"title": doc.title, "published": doc.date, "url": doc.url}
        sitename = _coerce_str(doc.sitename)
    return [_from_fields(fields, name=path.name, text=text, path=str(path))], [], sitename


_JSON_TYPES = {"int": "number", "float": "number", "str": "string", "list": "list", "bool": "boolean",
               "NoneType": "null", "dict": "object"}


def _json_type(value: Any) -> str:
    return _JSON_TYPES.get(type(value).__name__, type(value).__name__)


def _json_error(e: json.JSONDecodeError) -> str:
    return f"invalid JSON at line {e.lineno}, column {e.colno}: {e.msg}"


def _html_fragment_text(fragment: str) -> str:
    import trafilatura

    page = f"<html><body>{fragment}</body></html>"
    try:
        extracted = trafilatura.extract(page, include_comments=False, include_tables=False)
        return extracted or trafilatura.html2txt(page) or ""
    except Exception:  # hostile markup: treat as no text, reported as such
        return ""


_HTML_BODY = re.compile(r"\s*<(?:p|div|article|section|span|h[1-6]|br|figure|ul)\b[^>]*>", re.IGNORECASE)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _read_json(text: str, path: Path) -> tuple[list[Article], list[ArticleError], str | None]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ArticleError(path, _json_error(e)) from None
    except RecursionError:
        raise ArticleError(path, "invalid JSON: nested too deeply") from None
    if isinstance(data, dict):
        items, listed = [data], False
    elif isinstance(data, list):
        items, listed = data, True
        if not items:
            raise ArticleError(path, "empty JSON list: no articles")
    else:
        raise ArticleError(path, f"JSON holds a {_json_type(data)}, not an article object or a list of them")
    good: list[Article] = []
    bad: list[ArticleError] = []
    for i, item in enumerate(items, start=1):
        name = f"{path.name}#{i}" if listed else path.name
        where = f"{path}#{i}" if listed else str(path)
        label = f"object #{i}" if listed else "the JSON object"
        if not isinstance(item, dict):
            bad.append(ArticleError(where, f"item #{i} is a {_json_type(item)}, not an article object"))
            continue
        body = item.get("text")
        if body is None:
            body = item.get("body", item.get("content"))
        if not isinstance(body, str):
            if body is None:
                keys = ", ".join(str(k) for k in list(item)[:5]) + (", ..." if len(item) > 5 else "")
                reason = f'{label} has no "text" field' + (f" (it has: {keys})" if keys else "")
            else:
                reason = f'{label} has a "text" that is not a string'
            bad.append(ArticleError(where, reason))
            continue
        # JSON can spell code points no UTF-8 text holds ("\ud800"): keep the article, mark the spot.
        body = _LONE_SURROGATE.sub("\ufffd", body)
        item = {k: _LONE_SURROGATE.sub("\ufffd", v) if isinstance(v, str) else v for k, v in item.items()}
        if _HTML_BODY.match(body):
            # News APIs often deliver the body as HTML; keep its words, not its markup.
            body = _html_fragment_text(body)
        if not body.strip():
            bad.append(ArticleError(where, f'{label} has an empty "text"'))
            continue
        good.append(_from_fields(item, name=name, text=body, path=str(path)))
    if not good:
        if len(bad) == 1:
            raise ArticleError(path, bad[0].reason)
        more = f" (and {len(bad) - 2} more)" if len(bad) > 2 else ""
        raise ArticleError(path, "no usable article: " + "; ".join(e.reason for e in bad[:2]) + more)
    return good, bad, None


def _looks_like_html(text: str) -> bool:
    head = text[:512].lstrip().lower()
    return head.startswith(("<!doctype html", "<html", "<?xml")) and "<html" in text[:4096].lower()


def read_text_file(path: Path | str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """The text of one file, with every check :func:`read_articles` makes before it parses a format:
    a regular file (not a folder, pipe, socket or device: a FIFO would block forever), at most
    ``max_bytes`` (checked with ``stat`` before any byte is read), not empty, not binary (by its
    signature or its control characters), decoded from UTF-8 or a detected legacy encoding.

    Raises :class:`ArticleError` with one line saying why.
    """
    path = Path(path)
    data = _read_bytes(path, max_bytes)
    if not data:
        raise ArticleError(path, "empty file")
    text = _decode(data, path, html=path.suffix.lower() in (".html", ".htm"))
    del data
    if not text.strip():
        raise ArticleError(path, "empty file (whitespace only)")
    if _control_ratio(text) > 0.05:
        raise ArticleError(path, "binary file (control characters) — not an article")
    return text


def read_articles(
    path: Path | str,
    *,
    source: str | None = None,
    published: date | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ArticleList:
    """The articles in one file, with metadata filled by :func:`infer_metadata`.

    ``source`` and ``published``, when given, override what the file says or reveals. Raises
    :class:`ArticleError` (one line: the path and why) for a file that holds no usable article.
    """
    path = Path(path)
    data = _read_bytes(path, max_bytes)
    return _articles_from_bytes(data, path, source=source, published=published)


def _articles_from_bytes(data: bytes, path: Path, *, source: str | None = None, published: date | None = None,
                         url: str | None = None, kind: str | None = None) -> ArticleList:
    """The articles in the bytes of one input (a file, a download, standard input). ``kind`` ("html",
    "text", "json", "pdf") overrides what the name's extension says (a download's content type)."""
    if not data:
        raise ArticleError(path, "empty file")
    suffix = path.suffix.lower()
    if kind == "pdf" or (kind is None and (suffix == ".pdf" or data.startswith(b"%PDF-"))):
        articles, errors, outlet = _read_pdf(data, path)
        return _finish(articles, errors, outlet, source=source, published=published, url=url)
    if kind == "html":
        suffix = ".html"
    elif kind == "json":
        suffix = ".json"
    elif kind == "text" and suffix not in (".txt", ".md"):
        suffix = ".txt"
    text = _decode(data, path, html=suffix in (".html", ".htm"))
    del data
    if not text.strip():
        raise ArticleError(path, "empty file (whitespace only)")
    if _control_ratio(text) > 0.05:
        raise ArticleError(path, "binary file (control characters) — not an article")
    if suffix == ".json" or (suffix not in SUPPORTED and text.lstrip()[:1] in ("{", "[")):
        articles, errors, outlet = _read_json(text, path)
    elif suffix in (".html", ".htm") or _looks_like_html(text):
        articles, errors, outlet = _read_html(text, path)
    else:
        articles, errors, outlet = _read_text(text, path)
    return _finish(articles, errors, outlet, source=source, published=published, url=url)


def _finish(articles: list[Article], errors: list[ArticleError], outlet: str | None, *, source: str | None,
            published: date | None, url: str | None) -> ArticleList:
    for err in errors:  # the caller reports them (ingest: one "failed:" line each); not twice
        log.debug("%s", err)
    out = ArticleList(errors=errors)
    for art in articles:
        if source:
            art.source = source
        if published:
            art.published = published
        if url:
            art.url = url
        art = infer_metadata(art, outlet=outlet)
        warning = language_warning(art.text)
        if warning:
            # Frontline's lexicons are English: say so rather than store an article with no claims silently.
            log.warning("%s: %s", art.path or art.article, warning)
        out.append(art)
    return out


# --------------------------------------------------------------------------------------------
# PDF reports, standard input, the web


def _read_pdf(data: bytes, path: Path) -> tuple[list[Article], list[ArticleError], str | None]:
    """The text layer of a PDF report (UN and NGO situation reports arrive as PDF), page by page.

    A PDF without text (a scan) is refused with a clear reason: Frontline does no OCR.
    """
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    # pypdf logs every malformed object it works around; those are not the user's business.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                reader.decrypt("")  # many reports are "encrypted" only against editing
            except Exception:
                raise ArticleError(path, "encrypted PDF: cannot read its text without the password") from None
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata
    except ArticleError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError) as e:
        raise ArticleError(path, f"not a readable PDF ({type(e).__name__})") from None
    except Exception as e:  # a hostile file must not stop the run
        raise ArticleError(path, f"not a readable PDF ({type(e).__name__})") from None
    # Page breaks are paragraph breaks; a hyphen at a line's end joins a word split across lines.
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    text = re.sub(r"(\w)-\n(\w)", r"\1\2", text)
    if not text.strip():
        raise ArticleError(path, f"PDF with no text layer ({len(pages)} page{'s' if len(pages) != 1 else ''}; "
                                 "a scanned image?) — run OCR first (e.g. ocrmypdf)")
    fields: dict[str, Any] = {}
    if info is not None:
        fields["title"] = info.title if isinstance(info.title, str) else None
        created = getattr(info, "creation_date", None)
        if isinstance(created, datetime):
            fields["published"] = created.date()
    return [_from_fields(fields, name=path.name, text=text, path=str(path))], [], None


def read_stdin(stream: Any = None, *, source: str | None = None, published: date | None = None,
               max_bytes: int = DEFAULT_MAX_BYTES) -> ArticleList:
    """One article (or a JSON list) from standard input (``ingest -``), with the same checks as a file."""
    import sys

    stream = stream if stream is not None else sys.stdin.buffer
    data = stream.read(max_bytes + 1)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > max_bytes:
        raise ArticleError("-", f"standard input too large: over the limit of {max_bytes:,} bytes")
    return _articles_from_bytes(data, Path("stdin"), source=source, published=published)


USER_AGENT = "Frontline/0.1 (+conflict-map; news ingest)"
DEFAULT_TIMEOUT = 20.0
MAX_REDIRECTS = 5


class _Redirects(__import__("urllib.request").request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS


def fetch(url: str, *, timeout: float = DEFAULT_TIMEOUT, max_bytes: int = DEFAULT_MAX_BYTES,
          accept: str = "text/html,application/xhtml+xml,application/pdf,text/plain;q=0.9,*/*;q=0.5",
          ) -> tuple[str, str, bytes]:
    """GET ``url``: (final URL after redirects, content type, body). Raises :class:`ArticleError` with one
    line for whatever goes wrong: not http(s), cannot connect, timeout, an HTTP error status, a redirect
    loop, a body over ``max_bytes``."""
    import socket
    import urllib.error
    import urllib.request

    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise ArticleError(url, "not an http(s) URL")
    opener = urllib.request.build_opener(_Redirects())
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": accept})
    try:
        with opener.open(request, timeout=timeout) as response:
            final = response.geturl()
            ctype = (response.headers.get_content_type() or "").lower()
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise ArticleError(url, f"too large: {int(length):,} bytes, over the limit of {max_bytes:,} bytes")
            body = response.read(max_bytes + 1)
    except ArticleError:
        raise
    except urllib.error.HTTPError as e:
        if 300 <= e.code < 400:
            raise ArticleError(url, f"too many redirects (more than {MAX_REDIRECTS}, or a loop)") from None
        raise ArticleError(url, f"HTTP {e.code} {e.reason}") from None
    except urllib.error.URLError as e:
        reason = e.reason
        if isinstance(reason, (socket.timeout, TimeoutError)):
            raise ArticleError(url, f"timed out after {timeout:g} s") from None
        raise ArticleError(url, f"cannot connect: {getattr(reason, 'strerror', None) or reason}") from None
    except (socket.timeout, TimeoutError):
        raise ArticleError(url, f"timed out after {timeout:g} s") from None
    except (OSError, ValueError) as e:  # a connection reset, a malformed answer
        raise ArticleError(url, f"cannot fetch: {e}") from None
    if len(body) > max_bytes:
        raise ArticleError(url, f"too large: over the limit of {max_bytes:,} bytes")
    return final, ctype, body


_KINDS = {"text/html": "html", "application/xhtml+xml": "html", "application/pdf": "pdf", "text/plain": "text",
          "text/markdown": "text", "application/json": "json"}


def read_url(url: str, *, source: str | None = None, published: date | None = None,
             timeout: float = DEFAULT_TIMEOUT, max_bytes: int = DEFAULT_MAX_BYTES) -> ArticleList:
    """Fetch a web page (or a PDF report) and read its article; the URL is the article's ``url`` (the
    address the server redirected to, when it did). One :class:`ArticleError` line for every failure,
    including an answer that is not a page ("image/png: not an article")."""
    final, ctype, body = fetch(url, timeout=timeout, max_bytes=max_bytes)
    kind = _KINDS.get(ctype)
    if kind is None:
        raise ArticleError(url, f"the server sent {ctype or 'no content type'}, not a web page, PDF or text")
    name = Path(urlsplit(final).path).name or urlsplit(final).hostname or "page"
    articles = _articles_from_bytes(body, Path(name), source=source, published=published, url=final, kind=kind)
    for art in articles:
        art.path = final
    return articles


# --------------------------------------------------------------------------------------------
# Language


# The most frequent English words: function words any English news text is full of.
_ENGLISH = frozenset("""the of and to in a is that for on was with said by as at from it has have are were be
he his its an not this which after but they their been had who will or than also more would about against
into over up out two since there can one we she her new people under told all forces""".split())
_WORD = re.compile(r"[^\W\d_]+")


def language_warning(text: str, *, sample: int = 20_000) -> str | None:
    """A one-line warning when ``text`` does not look English (Frontline's lexicons are English, so such
    an article yields no claims); None for English text or text too short to tell.

    English news prose has a fifth or more of its words among the commonest English function words;
    French, Spanish, German or Arabic text has almost none of them.
    """
    words = _WORD.findall(text[:sample])
    if len(words) < 25:
        return None
    latin = sum(1 for w in words if w.isascii())
    if latin < 0.5 * len(words):
        return "does not look like English (mostly non-Latin script); Frontline reads English only, so it gives no claims"
    common = sum(1 for w in words if w.lower() in _ENGLISH)
    if common < 0.08 * len(words):
        return "does not look like English; Frontline reads English only, so it gives no claims"
    return None


# --------------------------------------------------------------------------------------------
# Metadata


@dataclasses.dataclass(frozen=True)
class _Template:
    """A credit pattern split at its agency slot: what must end right before the name(s), what must
    follow them, and whether the slot takes a list ("Reuters/AFP")."""

    left: re.Pattern[str] | None
    right: re.Pattern[str] | None
    many: bool


@dataclasses.dataclass(frozen=True)
class _Sources:
    alias_to_name: dict[str, str]
    unambiguous: frozenset[str]
    strong: tuple[_Template, ...]
    weak: tuple[_Template, ...]
    automaton: Any  # ahocorasick.Automaton over every alias
    outlets: dict[str, str]
    outlet_patterns: tuple[re.Pattern[str], ...] = ()

    def names_in(self, text: str) -> list[tuple[int, int, str]]:
        """Whole-word agency aliases in ``text`` as (start, end, alias), longest first where they overlap."""
        found: list[tuple[int, int, str]] = []
        for last, alias in self.automaton.iter(text):
            start, end = last - len(alias) + 1, last + 1
            if (start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_-")) or (
                end < len(text) and (text[end].isalnum() or text[end] in "_-")
            ):
                continue
            found.append((start, end, alias))
        found.sort(key=lambda f: (f[0], f[0] - f[1]))
        kept: list[tuple[int, int, str]] = []
        for f in found:
            if not kept or f[0] >= kept[-1][1]:
                kept.append(f)
        return kept


def _template(text: str) -> _Template:
    slot = "{agencies}" if "{agencies}" in text else "{agency}"
    left, _, right = text.partition(slot)
    # A bare word boundary before the name is already guaranteed by the name pattern (and would
    # fail at endpos, where the text looks as if it ended).
    left = "" if left == r"\b" else left
    flags = re.IGNORECASE | re.MULTILINE
    return _Template(
        # \Z honours endpos: the left part must end exactly where the agency name starts.
        left=re.compile(rf"(?:{left})\Z", flags) if left else None,
        right=re.compile(right, flags) if right else None,
        many=slot == "{agencies}",
    )


def _automaton(words: Iterable[str]) -> Any:
    import ahocorasick

    auto = ahocorasick.Automaton()
    for word in words:
        auto.add_word(word, word)
    auto.make_automaton()
    return auto


_LIST_SEPARATOR = re.compile(r"\s*(?:/|,|&|\+|\band\b)\s*", re.IGNORECASE)


@lru_cache(maxsize=1)
def _sources() -> _Sources:
    with SOURCES_PATH.open("rb") as fh:
        raw = tomllib.load(fh)
    alias_to_name: dict[str, str] = {}
    clear: set[str] = set()
    for agency in raw["agency"]:
        for alias in agency.get("aliases", []):
            alias_to_name[alias] = agency["name"]
            clear.add(alias)
        for alias in agency.get("ambiguous", []):
            alias_to_name[alias] = agency["name"]
        alias_to_name.setdefault(agency["name"], agency["name"])
    return _Sources(
        alias_to_name=alias_to_name,
        unambiguous=frozenset(clear),
        strong=tuple(_template(t) for t in raw["credit"]["strong"]),
        weak=tuple(_template(t) for t in raw["credit"]["weak"]),
        automaton=_automaton(alias_to_name),
        outlets=dict(raw.get("outlets", {})),
        outlet_patterns=_outlet_patterns(raw),
    )


_SOURCES_KEYS = {"agency", "credit", "outlets", "outlet_credit", "outlet_aliases"}


def _outlet_patterns(raw: dict) -> tuple[re.Pattern[str], ...]:
    """The [outlet_credit] patterns with `{outlet}` as a named group over every outlet name and alias."""
    unknown = set(raw) - _SOURCES_KEYS
    if unknown:
        raise ValueError(f"{SOURCES_PATH}: unknown section(s) {', '.join(sorted(unknown))}")
    credit = raw.get("outlet_credit", {})
    if set(credit) - {"patterns"}:
        raise ValueError(f"{SOURCES_PATH}: [outlet_credit] takes only 'patterns'")
    names = _outlet_names(raw)
    if not names:
        return ()
    # Longest first, so "Al Jazeera English" wins over "Al Jazeera".
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return tuple(re.compile(t.replace("{outlet}", f"(?P<outlet>{alternatives})"), re.IGNORECASE | re.MULTILINE)
                 for t in credit.get("patterns", []))


def _outlet_names(raw: dict) -> dict[str, str]:
    """Outlet spelling (case-folded) -> label: the labels of [outlets] and the [outlet_aliases]."""
    names = {label.casefold(): label for label in raw.get("outlets", {}).values()}
    names.update({alias.casefold(): label for alias, label in raw.get("outlet_aliases", {}).items()})
    return names


@lru_cache(maxsize=1)
def _outlet_labels() -> dict[str, str]:
    with SOURCES_PATH.open("rb") as fh:
        return _outlet_names(tomllib.load(fh))


_EDGE_LINES = 6


def find_outlet(text: str) -> str | None:
    """The outlet an article names as its own publisher ("ALBAWABA - ...", "© 2024 Middle East Eye",
    "Source: Enab Baladi") in its first or last lines; None when it names none."""
    patterns = _sources().outlet_patterns
    if not patterns:
        return None
    lines = text.strip().splitlines()
    edges = ["\n".join(lines[:_EDGE_LINES])[:2000], "\n".join(lines[-_EDGE_LINES:])[-2000:]]
    labels = _outlet_labels()
    for edge in edges:
        for pattern in patterns:
            m = pattern.search(edge)
            if m:
                return labels.get(m.group("outlet").casefold(), m.group("outlet"))
    return None


def _canonical_agency(name: str) -> str:
    table = _sources().alias_to_name
    if name in table:
        return table[name]
    folded = {k.casefold(): v for k, v in table.items()}
    return folded.get(name.casefold(), name)


# How far before an agency name a credit pattern may start ("in an interview with the ...").
_CREDIT_REACH = 80


def _fits(t: _Template, text: str, start: int, end: int) -> bool:
    if t.left is not None:
        lo = max(0, start - _CREDIT_REACH)
        if t.left.search(text, lo, start) is None:
            return False
    return t.right is None or t.right.match(text, end) is not None


def find_credited(text: str) -> list[str]:
    """Wire agencies ``text`` credits ("told Reuters", "(AFP) -", "Reuters/AFP", "an AFP correspondent"),
    by canonical name, in order of first appearance, without duplicates.

    Only the neighbourhood of each agency name is examined, so the cost follows the number of names,
    not the length of the text.
    """
    src = _sources()
    names = src.names_in(text)
    if not names:
        return []
    # Runs of names joined by "/", ",", "&", "and": "Reuters/AFP", "PTI and IANS".
    runs: list[list[tuple[int, int, str]]] = [[names[0]]]
    for prev, cur in zip(names, names[1:]):
        if _LIST_SEPARATOR.fullmatch(text, prev[1], cur[0]):
            runs[-1].append(cur)
        else:
            runs.append([cur])
    credited: list[tuple[int, int, str]] = []
    for run in runs:
        if any(t.many and _fits(t, text, run[0][0], run[-1][1]) for t in src.strong):
            credited.extend(run)
            continue
        for name in run:
            start, end, alias = name
            # Ambiguous names ("AP") only count in the strong patterns.
            templates = src.strong + (src.weak if alias in src.unambiguous else ())
            if any(_fits(t, text, start, end) for t in templates):
                credited.append(name)
    return list(dict.fromkeys(src.alias_to_name[alias] for _, _, alias in sorted(credited)))


def _outlet_from_url(url: str | None) -> str | None:
    if not url:
        return None
    host = (urlsplit(url if "//" in url else f"//{url}").hostname or "").lower()
    if not host:
        return None
    outlets = _sources().outlets
    parts = host.split(".")
    for i in range(len(parts) - 1):
        known = outlets.get(".".join(parts[i:]))
        if known:
            return known
    return host.removeprefix("www.")


_LABEL_LINE = re.compile(r"^[^\W\d][\w .'’-]{0,30}:\s*$")
_MAX_TITLE = 200


def _infer_title(text: str) -> str | None:
    """The first line of a plain-text article when it reads like a headline, else None."""
    for line in text[:2000].splitlines():
        line = line.strip()
        if not line or _LABEL_LINE.match(line):
            continue  # blank lines and empty labels such as "Last Updated:"
        line = line.lstrip("#").strip()  # a Markdown heading
        words = line.split()
        if (
            len(line) <= _MAX_TITLE
            and len(words) >= 2
            and not line.endswith((".", "…", ":", ";", ","))
            and not line.startswith(("-", "•", "*", "("))
            and infer_published(line) is None
        ):
            return line
        return None
    return None


def infer_metadata(article: Article, *, outlet: str | None = None) -> Article:
    """``article`` with title, publication date, credited agencies and source label filled when absent.

    The source label is never empty: the given source, else the agencies the article credits joined
    with "/" ("Reuters/AFP"), else ``outlet`` (an HTML page's site name), else the outlet the text names
    as its publisher (:func:`find_outlet`), else the outlet of its URL, else the file name.
    """
    text = article.text
    credited = article.credited or find_credited(text)
    file_name = Path(article.path).name if article.path else article.article
    source = (
        article.source
        or "/".join(credited)
        or outlet
        or find_outlet(text)
        or _outlet_from_url(article.url)
        or file_name
    )
    return dataclasses.replace(
        article,
        title=article.title or _infer_title(text),
        published=article.published or infer_published(text),
        credited=list(credited),
        source=source,
    )
