"""Reading article files: text, HTML and JSON, their encodings, and the metadata they reveal.

Public surface::

    SUPPORTED                       file extensions picked up inside folders
    ArticleError                    one bad input: ``str(e) == f"{path}: {reason}"``
    ArticleList                     the list ``read_articles`` returns, with ``.errors`` for partial reads
    iter_article_files(paths)       files and folders -> article files, sorted, hidden ones skipped
    read_articles(path, ...)        one file -> its articles (a JSON list holds several)
    infer_metadata(article)         title, publication date, credited agencies, source label
    find_credited(text)             wire agencies an article credits, in order of first appearance

Inputs are untrusted: nothing in a file is evaluated (JSON via ``json``, front matter parsed as
``key: value`` lines or TOML, HTML through trafilatura, which drops scripts). Files are size-checked
with ``stat`` before any byte is read, binary files are refused by their signature, and text that is
not UTF-8 is decoded after detection with charset-normalizer (Windows-1256 Arabic, Latin-1, ...).

Partial JSON lists: when some objects of a JSON list are unusable, ``read_articles`` returns the good
ones in an :class:`ArticleList` whose ``errors`` holds one :class:`ArticleError` per bad object (path
``"file.json#3"``), and logs each as a warning. When no object is usable it raises instead.
"""
from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import stat
import tomllib
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from geo.dates import infer_published, parse_date
from geo.document import Article

log = logging.getLogger(__name__)

SUPPORTED = (".txt", ".md", ".html", ".htm", ".json")
DEFAULT_MAX_BYTES = 20_000_000
SOURCES_PATH = Path(__file__).resolve().parent.parent / "data" / "lexicons" / "sources.toml"


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


def iter_article_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Article files under ``paths``, each once.

    Folders are walked recursively in sorted order, skipping hidden files and folders and keeping
    only :data:`SUPPORTED` extensions. A file named explicitly is yielded whatever its extension (the
    reader then says clearly what is wrong with it), and so is a path that does not exist, so that
    every bad input gets its one line from :func:`read_articles`. Symbolic links to folders are not
    followed (no cycles).
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
        for folder, dirs, files in os.walk(root, onerror=lambda e: unreadable.append(Path(e.filename))):
            dirs[:] = [d for d in dirs if not _hidden(d)]
            for name in files:
                if not _hidden(name) and os.path.splitext(name)[1].lower() in SUPPORTED:
                    found.append(Path(folder) / name)
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


def _detect(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

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


def _control_ratio(text: str) -> float:
    sample = text[:20000]
    if not sample:
        return 0.0
    bad = sum(1 for c in sample if unicodedata.category(c) == "Cc" and c not in "\t\n\r\f\v")
    return bad / len(sample)


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


def _split_front_matter(text: str, path: str | Path) -> tuple[dict[str, Any], str]:
    """Front matter (``---`` YAML-like ``key: value`` lines, or ``+++`` TOML) and the text after it."""
    head = text[:_FRONT_MAX]
    m = _FRONT_YAML.match(head)
    if m:
        meta: dict[str, Any] = {}
        for line in m.group("body").splitlines():
            kv = _KEY_VALUE.match(line)
            if kv and not line.lstrip().startswith("#"):
                value = kv.group("value")
                if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                    value = value[1:-1]
                meta[kv.group("key").strip().lower()] = value
        return meta, text[m.end():]
    m = _FRONT_TOML.match(head)
    if m:
        try:
            meta = tomllib.loads(m.group("body"))
        except tomllib.TOMLDecodeError as e:
            raise ArticleError(path, f"invalid TOML front matter: {e}") from None
        return {k.lower(): v for k, v in meta.items()}, text[m.end():]
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
    if not text.strip():
        raise ArticleError(path, "no article text found in HTML")
    fields = {}
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
        label = f"object #{i}" if listed else "the object"
        if not isinstance(item, dict):
            bad.append(ArticleError(where, f"item #{i} is a {_json_type(item)}, not an article object"))
            continue
        body = item.get("text")
        if body is None:
            body = item.get("body", item.get("content"))
        if not isinstance(body, str):
            reason = f'{label} has no "text"' if body is None else f'{label} has a "text" that is not a string'
            bad.append(ArticleError(where, reason))
            continue
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
    if not data:
        raise ArticleError(path, "empty file")
    suffix = path.suffix.lower()
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
    for err in errors:
        log.warning("%s", err)
    out = ArticleList(errors=errors)
    for art in articles:
        if source:
            art.source = source
        if published:
            art.published = published
        out.append(infer_metadata(art, outlet=outlet))
    return out


# --------------------------------------------------------------------------------------------
# Metadata


@dataclasses.dataclass(frozen=True)
class _Sources:
    alias_to_name: dict[str, str]
    strong: tuple[re.Pattern[str], ...]
    weak: tuple[re.Pattern[str], ...]
    any_alias: re.Pattern[str]
    unambiguous_alias: re.Pattern[str]
    outlets: dict[str, str]


def _names_pattern(aliases: Iterable[str]) -> str:
    alt = "|".join(re.escape(a) for a in sorted(set(aliases), key=len, reverse=True))
    return rf"(?-i:(?<![\w-])(?:{alt})(?![\w-]))"


@lru_cache(maxsize=1)
def _sources() -> _Sources:
    with SOURCES_PATH.open("rb") as fh:
        raw = tomllib.load(fh)
    alias_to_name: dict[str, str] = {}
    clear: list[str] = []
    every: list[str] = []
    for agency in raw["agency"]:
        for alias in agency.get("aliases", []):
            alias_to_name[alias] = agency["name"]
            clear.append(alias)
            every.append(alias)
        for alias in agency.get("ambiguous", []):
            alias_to_name[alias] = agency["name"]
            every.append(alias)
        alias_to_name.setdefault(agency["name"], agency["name"])

    def compile_all(templates: list[str], names: list[str]) -> tuple[re.Pattern[str], ...]:
        one = _names_pattern(names)
        many = rf"{one}(?:\s*(?:/|,|&|\+|\band\b)\s*{one})*"
        return tuple(
            re.compile(t.replace("{agencies}", many).replace("{agency}", one), re.IGNORECASE | re.MULTILINE)
            for t in templates
        )

    return _Sources(
        alias_to_name=alias_to_name,
        strong=compile_all(raw["credit"]["strong"], every),
        weak=compile_all(raw["credit"]["weak"], clear),
        any_alias=re.compile(_names_pattern(every)),
        unambiguous_alias=re.compile(_names_pattern(clear)),
        outlets=dict(raw.get("outlets", {})),
    )


def _canonical_agency(name: str) -> str:
    table = _sources().alias_to_name
    if name in table:
        return table[name]
    folded = {k.casefold(): v for k, v in table.items()}
    return folded.get(name.casefold(), name)


def find_credited(text: str) -> list[str]:
    """Wire agencies ``text`` credits ("told Reuters", "(AFP) -", "Reuters/AFP", "an AFP correspondent"),
    by canonical name, in order of first appearance, without duplicates."""
    src = _sources()
    if src.any_alias.search(text) is None:
        return []
    hits: list[tuple[int, str]] = []
    for patterns, names in ((src.strong, src.any_alias), (src.weak, src.unambiguous_alias)):
        for pattern in patterns:
            for m in pattern.finditer(text):
                for alias in names.finditer(text, m.start(), m.end()):
                    hits.append((alias.start(), src.alias_to_name[alias.group()]))
    hits.sort()
    return list(dict.fromkeys(name for _, name in hits))


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
    with "/" ("Reuters/AFP"), else ``outlet`` (an HTML page's site name), else the outlet of its URL,
    else the file name.
    """
    text = article.text
    credited = article.credited or find_credited(text)
    file_name = Path(article.path).name if article.path else article.article
    source = (
        article.source
        or "/".join(credited)
        or outlet
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
