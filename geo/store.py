"""The claims store: articles and their claims in SQLite, with contested flags and corroboration.

One file, opened in WAL mode so that readers (the dashboard, exports) keep reading while an ingest
writes. Each article goes in with its claims in ONE transaction (``BEGIN IMMEDIATE ... COMMIT``):
a process killed at any point leaves either the whole article or nothing of it.

Derived facts:

- ``contested``: the rules in ``data/lexicons/contradictions.toml`` say which claims a denial
  contradicts. A claim some denial contradicts, and a denial that contradicts some claim, carry the
  flag ``claims.contested``, set inside the transaction that stores the later of the two articles, so
  the result does not depend on ingest order and a killed ingest cannot leave it out of step. A flag
  once set stays set, so storing an article costs the same however many reports a place already has.
  When the rules file changes, a writer recomputes the flags on open; a read-only store computes them
  into a temporary table instead.
- ``corroboration``: claims are grouped by (place_id, event_type, actor) across articles; a group's
  independent sources are its articles' source families (an article's credited wire agencies, else
  its source label; articles sharing an agency are one family) with articles whose evidence for the
  group is near-identical (rapidfuzz ratio >= 90) merged too. Each claim carries its family label, and
  each group its families' keys (``family_tokens``, ``family_texts``) and count (``claim_groups``),
  all written with the article.

SQL takes parameters only; the few fragments assembled in code are fixed strings chosen by the code
(table names, join terms), never values.
"""
from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import math
import re
import sys
import sqlite3
import threading
import time
import tomllib
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import numpy as np

from rapidfuzz import fuzz, process, utils

from geo.document import Article, Claim
from geo.resources import DATA_DIR

if TYPE_CHECKING:
    import geopandas
    import pandas as pd

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
CONTRADICTIONS_PATH = DATA_DIR / "lexicons" / "contradictions.toml"

# rapidfuzz ratio at or above which two evidence sentences are copies of one story.
NEAR_IDENTICAL_RATIO = 90.0
# Changing how families are formed (above, or in GroupFamilies/family_tokens) must change this, so that
# stores relabel their claims.
FAMILY_RULES = f"credited-else-source;ratio>={NEAR_IDENTICAL_RATIO};default_process;file-name-source-unknown;v3"

# Columns of ``claims_frame``, in the order the exports use.
FRAME_COLUMNS = [
    "id", "article", "place", "place_id", "province", "province_name", "country", "event_type", "actor",
    "claimant", "evidence", "evidence_start", "evidence_end", "source", "published", "event_date",
    "date_precision", "contested", "corroboration", "geo_precision", "distance_km", "title", "url",
    "lat", "lon", "place_start", "place_end",
]
STRING_COLUMNS = [
    "id", "article", "place", "place_id", "province", "province_name", "country", "event_type", "actor",
    "claimant", "evidence", "source", "date_precision", "geo_precision", "title", "url",
]
DATE_COLUMNS = ["published", "event_date"]

_ISO_3166_2 = re.compile(r"^[A-Za-z]{2}-[A-Za-z0-9]{1,3}$")


class StoreError(Exception):
    """The store cannot be opened or used (with a message meant for the user)."""


class StoreNotFound(StoreError):
    """A read-only store was asked for a database file that does not exist."""


# --------------------------------------------------------------------------------------------
# Filters


def _clean_tuple(values: Iterable[str] | str | None) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str):
        values = [values]
    out: dict[str, None] = {}
    for v in values:
        v = str(v).strip()
        if v:
            out[v] = None
    return tuple(out)


def _query_values(q: Mapping[str, str | list[str]], key: str) -> list[str]:
    raw = q.get(key)
    if raw is None:
        return []
    if isinstance(raw, str):
        return [raw]
    return [str(v) for v in raw]


def _query_date(q: Mapping[str, str | list[str]], key: str) -> date | None:
    # A URL is typed by hand: a malformed date is dropped rather than breaking the page.
    for v in _query_values(q, key):
        try:
            return date.fromisoformat(v.strip())
        except ValueError:
            continue
    return None


@dataclass(frozen=True)
class Filters:
    """Which claims to read. Empty fields do not filter; non-empty tuples match any of their values.

    ``provinces`` takes ISO 3166-2 codes ("SY-DR") or names ("Daraa", "Damascus countryside"),
    names compared case- and diacritic-insensitively with the stored province names and, failing
    that, looked up in the gazetteer. ``since``/``until`` apply to the event date, or to the
    publication date when a claim has no event date (claims with neither are left out).
    """

    provinces: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    event_types: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    contested_only: bool = False

    def __post_init__(self) -> None:
        for name in ("provinces", "sources", "event_types", "actors"):
            object.__setattr__(self, name, _clean_tuple(getattr(self, name)))

    @classmethod
    def from_args(cls, args: Any) -> Filters:
        """From the argparse namespace of ``geo export`` (geo/cli.py ``_add_filters``)."""
        return cls(
            provinces=_clean_tuple(getattr(args, "province", None)),
            sources=_clean_tuple(getattr(args, "source", None)),
            since=getattr(args, "since", None),
            until=getattr(args, "until", None),
            event_types=_clean_tuple(getattr(args, "event_type", None)),
            actors=_clean_tuple(getattr(args, "actor", None)),
            contested_only=bool(getattr(args, "contested", False)),
        )

    def to_query(self) -> dict[str, list[str]]:
        """The filters as URL query parameters (only the fields that filter)."""
        q: dict[str, list[str]] = {}
        for key, values in (("province", self.provinces), ("source", self.sources),
                            ("event_type", self.event_types), ("actor", self.actors)):
            if values:
                q[key] = list(values)
        if self.since:
            q["since"] = [self.since.isoformat()]
        if self.until:
            q["until"] = [self.until.isoformat()]
        if self.contested_only:
            q["contested"] = ["1"]
        return q

    @classmethod
    def from_query(cls, q: Mapping[str, str | list[str]]) -> Filters:
        """Inverse of :meth:`to_query`; values may be single strings or lists."""
        contested = [v.strip().lower() for v in _query_values(q, "contested")]
        return cls(
            provinces=_clean_tuple(_query_values(q, "province")),
            sources=_clean_tuple(_query_values(q, "source")),
            since=_query_date(q, "since"),
            until=_query_date(q, "until"),
            event_types=_clean_tuple(_query_values(q, "event_type")),
            actors=_clean_tuple(_query_values(q, "actor")),
            contested_only=any(v in ("1", "true", "yes", "on") for v in contested),
        )

    @property
    def empty(self) -> bool:
        return self == Filters()


# --------------------------------------------------------------------------------------------
# Names


def _fallback_name_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.findall(r"\w+", letters))


def _name_key_function() -> Callable[[str], str]:
    try:
        from geo.normalize import name_key
    except ImportError:
        return _fallback_name_key
    return name_key


def _key(name: str | None) -> str:
    if not name:
        return ""
    fn = _name_key_function()
    return fn(name) or _fallback_name_key(name)


def _codes_from_gazetteer(name: str) -> list[str]:
    """ISO 3166-2 codes the gazetteer gives for an admin-1 name, if the gazetteer offers that."""
    try:
        from geo.gazetteer import default_gazetteer
    except ImportError:
        return []
    try:
        lookup = getattr(default_gazetteer(), "admin1_by_name", None)
        if lookup is None:
            return []
        found = lookup(name)
    except (LookupError, OSError, ValueError):
        return []
    items = found if isinstance(found, (list, tuple, set)) else [found]
    codes = []
    for item in items:
        if item is None:
            continue
        if isinstance(item, str):
            code = item
        elif isinstance(item, Mapping):
            code = item.get("province") or item.get("iso")
        else:
            code = getattr(item, "province", None) or getattr(item, "iso", None)
        if code and _ISO_3166_2.match(str(code)):
            codes.append(str(code).upper())
    return codes


# --------------------------------------------------------------------------------------------
# Contest rules


@dataclass(frozen=True)
class ContestRule:
    denial: str
    contests: tuple[str, ...]
    same_actor: bool
    max_distance_km: float
    max_days: int


@dataclass(frozen=True)
class ContestRules:
    rules: tuple[ContestRule, ...]
    area_precisions: tuple[str, ...]
    fingerprint: str
    # The claims column the date check reads: "day" (event date, else publication date) or "event_date".
    date_column: str = "day"


def load_contest_rules(path: Path | str = CONTRADICTIONS_PATH) -> ContestRules:
    """Read and check the contradiction rules (see data/lexicons/contradictions.toml)."""
    path = Path(path)
    raw_bytes = path.read_bytes()
    try:
        raw = tomllib.loads(raw_bytes.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise StoreError(f"{path}: not valid TOML: {e}") from None
    match = raw.get("match", {})
    default_km = float(match.get("max_distance_km", 30.0))
    default_days = int(match.get("max_days", 3))
    rules = []
    for i, r in enumerate(raw.get("rule", [])):
        actors = r.get("actors", "any")
        if actors not in ("same", "other"):
            raise StoreError(f'{path}: rule {i + 1}: actors must be "same" or "other", not {actors!r}')
        contests = r.get("contests") or []
        if isinstance(contests, str):
            contests = [contests]
        rules.append(ContestRule(
            denial=str(r.get("denial", "denial")),
            contests=tuple(str(t) for t in contests),
            same_actor=actors == "same",
            max_distance_km=float(r.get("max_distance_km", default_km)),
            max_days=int(r.get("max_days", default_days)),
        ))
    area = tuple(str(a) for a in match.get("area_precisions", ["admin1", "region"]))
    date_column = "day" if bool(match.get("date_falls_back_to_published", True)) else "event_date"
    canonical = json.dumps([[r.__dict__ for r in rules], area, date_column], sort_keys=True)
    return ContestRules(tuple(rules), area, hashlib.sha256(canonical.encode()).hexdigest(), date_column)


def _haversine_km(lat1: float | None, lon1: float | None, lat2: float | None, lon2: float | None) -> float | None:
    if lat1 is None or lon1 is None or lat2 is None or lon2 is None:
        return None
    p = math.pi / 180
    h = (math.sin((lat2 - lat1) * p / 2) ** 2
         + math.cos(lat1 * p) * math.cos(lat2 * p) * math.sin((lon2 - lon1) * p / 2) ** 2)
    return 12742.0 * math.asin(min(1.0, math.sqrt(h)))


# Join terms between a denial d and a claim c, one per way places can match. Each is written so that
# the inner row ("inner") is found through an index: claims_place_day (place_id, event_type, day, ...),
# claims_province_day (province, event_type, day, ...), or for area denials claims_area_day (province,
# event_type, geo_precision, day); near places through the small places table.
def _place_terms(inner: str) -> dict[str, tuple[str, str]]:
    """name -> (join term, final check); the final check runs last, on the rows the join kept."""
    outer = "d" if inner == "c" else "c"
    return {
        "place": (f"{inner}.place_id = {outer}.place_id", "1"),
        "province": (f"{inner}.province = {outer}.province AND d.province IS NOT NULL"
                     " AND d.geo_precision IN (SELECT value FROM json_each(:area))", "1"),
        # The places within the distance: a latitude band, then a longitude band (skipped near the
        # poles and the antimeridian, where it would be wrong), then the great-circle distance; the
        # claims at those places are then checked on their own points.
        "distance": (f"{inner}.place_id IN (SELECT p.place_id FROM places AS p "
                     f"WHERE p.lat BETWEEN {outer}.lat - :dlat AND {outer}.lat + :dlat"
                     f" AND (:km > 150 OR abs({outer}.lat) > 70 OR abs({outer}.lon) > 180 - :dlon"
                     f" OR p.lon BETWEEN {outer}.lon - :dlon AND {outer}.lon + :dlon)"
                     f" AND {{km}}({outer}.lat, {outer}.lon, p.lat, p.lon) <= :km)",
                     "{km}(d.lat, d.lon, c.lat, c.lon) <= :km"),
    }


# Great-circle distance in SQL, for SQLite builds with math functions (most); elsewhere the Python
# function fl_km, registered on every connection, does the same more slowly.
_SQL_HAVERSINE = ("12742.0 * asin(min(1.0, sqrt(pow(sin(radians({b}.lat - {a}.lat) / 2), 2) + cos(radians({a}.lat))"
                  " * cos(radians({b}.lat)) * pow(sin(radians({b}.lon - {a}.lon) / 2), 2))))")
_KM_CALL = re.compile(r"\{km\}\((\w+)\.lat, \1\.lon, (\w+)\.lat, \2\.lon\)")


def _km_sql(sql: str, sql_math: bool) -> str:
    """``sql`` with each ``{km}(a.lat, a.lon, b.lat, b.lon)`` written in SQL math, or as the Python fl_km."""
    if not sql_math:
        return sql.replace("{km}", "fl_km")
    return _KM_CALL.sub(lambda m: _SQL_HAVERSINE.format(a=m.group(1), b=m.group(2)), sql)


def _has_math_functions(conn: sqlite3.Connection) -> bool:
    try:
        conn.execute("SELECT asin(1.0), radians(1.0), pow(2.0, 2)").fetchone()
    except sqlite3.OperationalError:
        return False
    return True


@lru_cache(maxsize=16)
def _contest_statements(scope: str, date_column: str = "day", sql_math: bool = False, same_actor: bool = True,
                        table: str = "temp.live_contested") -> tuple[tuple[str, str], ...]:
    """Statements marking the claims and denials one rule finds contested, each with the side of the
    pair the new article must hold for the statement to find anything ("denials" or "claims").

    scope "article": UPDATEs setting ``claims.contested`` for the pairs where either side belongs to one
    of the articles :articles (a JSON list of ids). A flag once set stays set, so the statements that flag older rows look only at
    rows not flagged yet (partial indexes), and those that flag the article's own rows stop at the
    first match (EXISTS). Every lookup is bounded by place and by the days around the row's own, so the
    work per article follows the number of reports of a place in those days, not the store's size.
    scope "all": INSERTs of every contested claim's and denial's id into ``table`` (one column ``id``).
    ``date_column``: "day" or "event_date". ``sql_math``: distances with SQLite's math functions
    instead of the Python fl_km. ``same_actor``: the rule pairs a denial with its own side's claims
    (else with the other side's).
    """
    if date_column not in ("day", "event_date"):
        raise ValueError(date_column)
    if scope not in ("article", "all"):
        raise ValueError(scope)
    dc = date_column
    targets = "c.event_type IN (SELECT value FROM json_each(:targets))"

    def dates(inner: str) -> list[str]:
        # Ways two dates agree, each searchable through an index on the inner row's day: both dated and
        # at most :days apart, or either undated (a missing date never blocks).
        # (unary + keeps the planner from searching the outer row by its day)
        outer = "d" if inner == "c" else "c"
        return [f"+{outer}.{dc} IS NOT NULL AND {inner}.{dc} BETWEEN date({outer}.{dc}, :minus) "
                f"AND date({outer}.{dc}, :plus)",
                f"{inner}.{dc} IS NULL",
                f"+{outer}.{dc} IS NULL"]

    statements: list[tuple[str, str]] = []
    for place in _place_terms("c"):
        def lookups(inner: str) -> list[str]:
            """The conditions on the inner row, one per way the dates may agree."""
            term, final_check = (_km_sql(piece, sql_math) for piece in _place_terms(inner)[place])
            kind = targets if inner == "c" else "d.event_type = :denial"
            outer = "d" if inner == "c" else "c"
            # Unary + keeps the planner off an index by actor: the place-and-day indexes bound the search.
            actor = f"+{inner}.actor {'=' if same_actor else '<>'} {outer}.actor"
            # CASE keeps the costly distance for the rows every other check kept.
            return [f"{term} AND {kind} AND {date} AND {actor} AND c.id <> d.id "
                    f"AND CASE WHEN {actor} THEN {final_check} ELSE 0 END" for date in dates(inner)]

        # A denial is contested when some claim matches it, and a claim when some denial does.
        denial_has_claim = " OR ".join(f"EXISTS (SELECT 1 FROM claims AS c WHERE {w})" for w in lookups("c"))
        claim_has_denial = " OR ".join(f"EXISTS (SELECT 1 FROM claims AS d WHERE {w})" for w in lookups("d"))
        if scope == "all":
            statements.append(("denials", f"INSERT OR IGNORE INTO {table}(id) SELECT d.id FROM claims AS d "
                                          f"WHERE d.event_type = :denial AND ({denial_has_claim})"))
            statements.append(("claims", f"INSERT OR IGNORE INTO {table}(id) SELECT c.id FROM claims AS c "
                                         f"WHERE {targets} AND ({claim_has_denial})"))
            continue
        flag = "UPDATE claims SET contested = 1 WHERE id IN "
        new = "(SELECT value FROM json_each(:articles))"  # the ids of the articles just stored
        # CROSS JOIN fixes the loop order: the article's few rows outside, the indexed lookups inside.
        # (unary + keeps the planner on the new articles' own rows, found through UNIQUE (article_id, seq),
        # not on a whole-store index)
        older_claims = " UNION ".join(
            f"SELECT c.id FROM claims AS d CROSS JOIN claims AS c WHERE d.article_id IN {new} "
            f"AND +d.event_type = :denial AND c.contested = 0 AND {w}" for w in lookups("c"))
        older_denials = " UNION ".join(
            f"SELECT d.id FROM claims AS c CROSS JOIN claims AS d WHERE c.article_id IN {new} "
            f"AND +{targets} AND d.contested = 0 AND {w}" for w in lookups("d"))
        statements += [
            # the article's denials, and the older claims they contest
            ("denials", f"{flag}(SELECT d.id FROM claims AS d WHERE d.article_id IN {new} "
                        f"AND +d.event_type = :denial AND +d.contested = 0 AND ({denial_has_claim}))"),
            ("denials", f"{flag}({older_claims})"),
            # the article's claims, and the older denials that contest them
            ("claims", f"{flag}(SELECT c.id FROM claims AS c WHERE c.article_id IN {new} AND +{targets} "
                       f"AND +c.contested = 0 AND ({claim_has_denial}))"),
            ("claims", f"{flag}({older_denials})"),
        ]
    return tuple(statements)


def _rule_params(rules: ContestRules, rule: ContestRule) -> dict[str, Any]:
    return {
        "denial": rule.denial,
        "targets": json.dumps(list(rule.contests)),
        "km": rule.max_distance_km,
        # A degree of latitude is at least 110.5 km; a degree of longitude is at least 35 km up to 71.4
        # degrees of latitude (70 plus the latitude band for distances up to 150 km): these bands hold
        # every point within km of a point below 70 degrees.
        "dlat": rule.max_distance_km / 110.0,
        "dlon": rule.max_distance_km / 35.0,
        "minus": f"-{rule.max_days} days",
        "plus": f"+{rule.max_days} days",
        "area": json.dumps(list(rules.area_precisions)),
    }


# --------------------------------------------------------------------------------------------
# Migrations


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]


def _split_sql(script: str) -> list[str]:
    statements, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                statements.append(buf.strip())
            buf = ""
    if buf.strip() and not all(ln.strip().startswith("--") or not ln.strip() for ln in buf.splitlines()):
        raise StoreError(f"incomplete SQL statement at the end of a migration: {buf.strip()[:80]!r}")
    return statements


def migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The numbered ``NNNN_name.sql`` files, in order."""
    found = []
    for path in sorted(directory.glob("*.sql")):
        m = re.match(r"^(\d+)_(.+)\.sql$", path.name)
        if not m:
            continue
        found.append(Migration(int(m.group(1)), m.group(2), tuple(_split_sql(path.read_text("utf-8")))))
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise StoreError(f"migrations in {directory} must be numbered 1..n without gaps, found {versions}")
    return found


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, target: int | None = None) -> int:
    """Apply the migrations above the database's ``user_version``, each in its own transaction.

    ``conn`` must be in autocommit mode (``isolation_level=None``). Returns the version reached.
    """
    steps = migrations()
    latest = steps[-1].version
    target = latest if target is None else target
    current = schema_version(conn)
    if current > latest:
        raise StoreError(f"the store has schema version {current}, newer than this Frontline knows ({latest}); "
                         "upgrade Frontline to read it")
    for step in steps:
        if step.version <= current or step.version > target:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the write lock.
            if schema_version(conn) >= step.version:
                conn.execute("ROLLBACK")
                continue
            for statement in step.statements:
                conn.execute(statement)
            # PRAGMA takes no bound parameters; the version is an int parsed from the file name.
            conn.execute(f"PRAGMA user_version = {int(step.version)}")
            conn.execute("COMMIT")
        except BaseException:
            _rollback(conn)
            raise
        current = step.version
    return schema_version(conn)


def _rollback(conn: sqlite3.Connection) -> None:
    try:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
    except sqlite3.Error:
        pass


# --------------------------------------------------------------------------------------------
# Corroboration


def family_tokens(source: str | None, credited_json: str | None, article_id: int,
                  file_names: Iterable[str | None] = ()) -> tuple[str, ...]:
    """An article's family tokens: its credited wire agencies, else its source label, else itself.

    A source label that is only the article's file name (``file_names``: what the reader falls back to
    when nothing names a source) says nothing about who wrote it: such articles share one token, so five
    unlabelled uploads count as one source, not five."""
    try:
        credited = json.loads(credited_json or "[]")
    except json.JSONDecodeError:
        credited = []
    agencies = tuple(sorted({"wire:" + _fallback_name_key(str(c)) for c in credited if str(c).strip()}))
    if agencies:
        return agencies
    if source and source.strip():
        if source.strip() in {Path(str(n)).name for n in file_names if n}:
            return ("source:(file name only)",)
        return ("source:" + _fallback_name_key(source),)
    return (f"article:{article_id}",)


def families_with_text(texts: list[str], others: list[tuple[int, str]]) -> set[int]:
    """The family labels among ``others`` ((label, processed evidence) pairs) whose evidence equals, or
    is near-identical to (rapidfuzz ratio >= NEAR_IDENTICAL_RATIO), one of ``texts``."""
    if not texts or not others:
        return set()
    exact = set(texts)
    found = {label for label, text in others if text in exact}
    rest = [(label, text) for label, text in others if label not in found]
    if rest:
        scores = process.cdist(texts, [text for _, text in rest], scorer=fuzz.ratio,
                               score_cutoff=NEAR_IDENTICAL_RATIO, dtype=np.uint8)
        found.update(rest[j][0] for j in np.nonzero(scores.max(axis=0))[0])
    return found


class GroupFamilies:
    """The source families of one group of claims (same place_id, event_type, actor), built article by
    article. Each family is labelled by the smallest article id in it.

    An article joins every family it shares a family token with (a credited wire agency, else its source
    label) or whose evidence for the group is near-identical to its own (rapidfuzz ratio >=
    NEAR_IDENTICAL_RATIO after lower-casing and stripping punctuation); joining several merges them.
    The families are the connected components of that relation, so the order of arrival does not matter.
    """

    def __init__(self) -> None:
        self.by_token: dict[str, set[int]] = {}
        self.texts: list[tuple[int, str]] = []  # (family label, processed evidence), distinct

    @property
    def count(self) -> int:
        labels = {label for label, _ in self.texts}
        for ls in self.by_token.values():
            labels |= ls
        return len(labels)

    def add(self, article_id: int, tokens: Iterable[str], evidences: Iterable[str]) -> tuple[int, set[int]]:
        """Add an article's claims; returns its family label and the older labels merged into it."""
        tokens = tuple(tokens)
        texts = list(dict.fromkeys(utils.default_process(e or "") for e in evidences))
        found: set[int] = set()
        for t in tokens:
            found |= self.by_token.get(t, set())
        found |= families_with_text(texts, [(label, text) for label, text in self.texts if label not in found])
        label = min(found | {article_id})
        merged = found - {label}
        if merged:
            for labels in self.by_token.values():
                if labels & merged:
                    labels -= merged
                    labels.add(label)
            self.texts = list(dict.fromkeys((label if f in merged else f, text) for f, text in self.texts))
        for t in tokens:
            self.by_token.setdefault(t, set()).add(label)
        known = set(self.texts)
        self.texts.extend((label, text) for text in texts if (label, text) not in known)
        return label, merged


# --------------------------------------------------------------------------------------------
# Conversions


def _iso(d: date | datetime | str | None) -> str | None:
    if d is None:
        return None
    if isinstance(d, datetime):
        d = d.date()
    if isinstance(d, date):
        return d.isoformat()
    return date.fromisoformat(str(d)).isoformat()


def _opt_str(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    return str(v)


def _pandas() -> Any:
    """pandas if some code has imported it, else None: a value read back from a frame can only be one
    of pandas' own (NaT, NA, Timestamp) once pandas is loaded, and an ingest need not load it (about
    0.3 s of CPU: the store writes without it)."""
    return sys.modules.get("pandas")


def _to_date(v: Any) -> date | None:
    pd = _pandas()
    if v is None or (pd is not None and v is pd.NaT) or (isinstance(v, float) and math.isnan(v)):
        return None
    if pd is not None and isinstance(v, pd.Timestamp):
        return None if pd.isna(v) else v.date()
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    return date.fromisoformat(str(v))


def _opt_int(v: Any) -> int | None:
    pd = _pandas()
    if v is None or (pd is not None and v is pd.NA) or (isinstance(v, float) and math.isnan(v)):
        return None
    return int(v)


def _opt_float(v: Any) -> float | None:
    pd = _pandas()
    if v is None or (pd is not None and v is pd.NA):
        return None
    f = float(v)
    return None if math.isnan(f) else f


def typed_frame(frame: pd.DataFrame, *, clean_text: bool = True) -> geopandas.GeoDataFrame:
    """Give a frame of claim rows the column types of :meth:`Store.claims_frame` and a point geometry.

    Text columns are object columns holding str or None (cheaper to build and to serialise than
    pandas' string dtype at 100,000 rows); dates are datetime64 (NaT when unknown). ``clean_text=False``
    skips turning NaN into None in text columns, for rows straight from SQLite (which has no NaN).
    """
    import geopandas as gpd
    import pandas as pd

    frame = frame.copy()
    for col in FRAME_COLUMNS:
        if col not in frame:
            frame[col] = None
    frame = frame[FRAME_COLUMNS]
    for col in STRING_COLUMNS:
        values = frame[col]
        if values.dtype != object or (clean_text and values.isna().any()):
            values = values.astype(object)
            values = values.where(values.notna(), None)
        frame[col] = values
    for col in DATE_COLUMNS:
        frame[col] = pd.to_datetime(frame[col], format="ISO8601", errors="coerce").astype("datetime64[s]")
    frame["contested"] = frame["contested"].fillna(False).astype(bool)
    for col in ("evidence_start", "evidence_end"):
        frame[col] = pd.to_numeric(frame[col]).astype("int64")
    frame["corroboration"] = pd.to_numeric(frame["corroboration"]).fillna(1).astype("int64")
    for col in ("place_start", "place_end"):
        frame[col] = pd.to_numeric(frame[col]).astype("Int64")
    for col in ("lat", "lon", "distance_km"):
        frame[col] = pd.to_numeric(frame[col]).astype("float64")
    geometry = gpd.points_from_xy(frame["lon"].to_numpy(), frame["lat"].to_numpy(), crs="EPSG:4326")
    return gpd.GeoDataFrame(frame.reset_index(drop=True), geometry=geometry, crs="EPSG:4326")


def frame_from_claims(claims: Iterable[Claim]) -> geopandas.GeoDataFrame:
    """Claims built in memory (tests, the pipeline) as a frame shaped like :meth:`Store.claims_frame`."""
    rows = []
    for c in claims:
        rows.append({
            **{col: getattr(c, col, None) for col in FRAME_COLUMNS},
            "published": _iso(c.published),
            "event_date": _iso(c.event_date),
        })
    import pandas as pd

    return typed_frame(pd.DataFrame(rows, columns=FRAME_COLUMNS))


def claims_from_frame(frame: pd.DataFrame) -> list[Claim]:
    out = []
    for row in frame[FRAME_COLUMNS].itertuples(index=False):
        r = row._asdict()
        out.append(Claim(
            article=str(r["article"]), place=str(r["place"]), place_id=str(r["place_id"]),
            lat=float(r["lat"]), lon=float(r["lon"]), event_type=str(r["event_type"]), actor=str(r["actor"]),
            evidence=str(r["evidence"]), evidence_start=int(r["evidence_start"]), evidence_end=int(r["evidence_end"]),
            claimant=_opt_str(r["claimant"]), country=_opt_str(r["country"]), province=_opt_str(r["province"]),
            geo_precision=_opt_str(r["geo_precision"]) or "point", event_date=_to_date(r["event_date"]),
            date_precision=_opt_str(r["date_precision"]), distance_km=_opt_float(r["distance_km"]),
            contested=bool(r["contested"]), source=_opt_str(r["source"]), published=_to_date(r["published"]),
            title=_opt_str(r["title"]), url=_opt_str(r["url"]), place_start=_opt_int(r["place_start"]),
            place_end=_opt_int(r["place_end"]), province_name=_opt_str(r["province_name"]),
            id=_opt_str(r["id"]), corroboration=_opt_int(r["corroboration"]),
        ))
    return out


# --------------------------------------------------------------------------------------------
# The store

_ARTICLE_INSERT = (
    "INSERT INTO articles(article, content_hash, title, source, published, url, credited, path, text) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_CLAIM_INSERT = (
    "INSERT INTO claims(uid, article_id, seq, place, place_id, lat, lon, event_type, actor, claimant, evidence, "
    "evidence_start, evidence_end, country, province, province_name, geo_precision, event_date, date_precision, "
    "distance_km, place_start, place_end, day, family) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)

# {contested} is one of two fixed expressions (see Store._contested_sql); {where} is built by Store._where.
_CLAIM_COLUMNS = [
    "id", "article_id", "place", "place_id", "province", "province_name", "country", "event_type", "actor",
    "claimant", "evidence", "evidence_start", "evidence_end", "event_date", "date_precision", "contested",
    "geo_precision", "distance_km", "lat", "lon", "place_start", "place_end", "corroboration",
]
_CLAIMS_SELECT = """
SELECT c.uid, c.article_id, c.place, c.place_id, c.province, c.province_name, c.country,
       c.event_type, c.actor, c.claimant, c.evidence, c.evidence_start, c.evidence_end,
       c.event_date, c.date_precision,
       {contested} AS contested,
       c.geo_precision, c.distance_km, c.lat, c.lon, c.place_start, c.place_end,
       coalesce(g.sources, 1) AS corroboration
FROM claims c JOIN articles a ON a.id = c.article_id
LEFT JOIN claim_groups g ON g.place_id = c.place_id AND g.event_type = c.event_type AND g.actor = c.actor
WHERE {where}
ORDER BY c.article_id, c.seq
"""
_ARTICLE_COLUMNS = ["article", "source", "published", "title", "url"]

# The family texts of an article's groups (:groups, a JSON list of [place_id, event_type, actor]) outside
# the families it has joined by a token (:found, a JSON list of [group index, family]), each row with its
# group's index: one statement for all the groups.
_OTHER_FAMILY_TEXTS = """
SELECT g.key, t.family, t.text FROM json_each(:groups) AS g CROSS JOIN family_texts AS t
WHERE t.place_id = json_extract(g.value, '$[0]') AND t.event_type = json_extract(g.value, '$[1]')
  AND t.actor = json_extract(g.value, '$[2]')
  AND (g.key, t.family) NOT IN (SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(:found))
"""


@contextlib.contextmanager
def no_gc_pauses():
    """Hold the cyclic garbage collector while building many small acyclic objects (rows, dicts):
    at 100,000 rows its repeated full passes cost as much as the building itself."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _object_frame(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    """Rows from SQLite as a frame of object columns, without per-column type inference."""
    import pandas as pd

    table = np.array(rows, dtype=object) if rows else np.empty((0, len(columns)), dtype=object)
    table = table.reshape(len(rows), len(columns))
    return pd.DataFrame({name: pd.Series(table[:, i], dtype=object, copy=False)
                         for i, name in enumerate(columns)})


@dataclass
class _Batch:
    max_articles: int
    max_seconds: float
    started: float = 0.0
    articles: list[int] = field(default_factory=list)  # stored in the open transaction, not yet flagged
    event_types: set[str] = field(default_factory=set)  # of their claims


class Store:
    """A SQLite file of articles and claims. Open, use, ``close()`` (or use as a context manager).

    ``readonly=True`` never creates the file (:class:`StoreNotFound` when it is missing) and never
    writes to it, except to bring an older schema up to date so that it can be read.
    ``rules`` overrides the contradiction rules file (tests).
    """

    def __init__(self, path: str | Path, *, readonly: bool = False, rules: str | Path | None = None) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self._rules = load_contest_rules(rules or CONTRADICTIONS_PATH)
        self._lock = threading.RLock()
        self._cache_key: tuple[int, int] | None = None
        self._corroboration: dict[tuple[str, str, str], int] = {}
        self._live_contests = False
        self._batch: _Batch | None = None
        if readonly:
            if not self.path.is_file():
                raise StoreNotFound(f"no Frontline store at {self.path}")
            uri = f"file:{quote(str(self.path.resolve()))}?mode=ro"
            self._conn = self._connect(uri, uri=True)
            try:
                if schema_version(self._conn) < migrations()[-1].version:
                    # Reading an old schema with today's queries fails: migrate it once, then read.
                    writer_conn = self._connect(str(self.path))
                    try:
                        self._set_writer_pragmas(writer_conn)
                        migrate(writer_conn)
                    finally:
                        writer_conn.close()
            except sqlite3.DatabaseError as e:
                self._conn.close()
                raise StoreError(f"{self.path}: not a usable Frontline store ({e})") from None
            self._check_version()
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = self._connect(str(self.path))
            try:
                self._set_writer_pragmas(self._conn)
                migrate(self._conn)
            except sqlite3.DatabaseError as e:
                self._conn.close()
                raise StoreError(f"{self.path}: not a usable Frontline store ({e})") from None
            self._ensure_contests_current()
            self._ensure_families_current()

    # ---- connection

    def _connect(self, target: str, uri: bool = False) -> sqlite3.Connection:
        # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE ... COMMIT).
        # check_same_thread=False: Streamlit calls from several threads; self._lock serialises them.
        conn = sqlite3.connect(target, uri=uri, isolation_level=None, timeout=30.0, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 30000")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.create_function("fl_km", 4, _haversine_km, deterministic=True)
        self._sql_math = _has_math_functions(conn)
        return conn

    @staticmethod
    def _set_writer_pragmas(conn: sqlite3.Connection) -> None:
        conn.execute("PRAGMA journal_mode = WAL")
        # In WAL mode NORMAL survives any application crash (SIGKILL) with every commit intact.
        conn.execute("PRAGMA synchronous = NORMAL")
        # The contest and family lookups revisit the index pages of the places in the news: 64 MiB of page
        # cache (instead of 2 MiB) keeps a large store's busy pages in memory between articles.
        conn.execute("PRAGMA cache_size = -65536")
        # A batch's commit writes a few thousand pages (its claims land all over the claims indexes and the
        # family keys), so checkpointing at the default 1,000 pages copied every commit back into the
        # database file, with two fsyncs. At 10,000 pages (about 40 MiB of WAL) a checkpoint comes once
        # every few batches and copies the pages they share once. Commits still survive any application
        # crash; as before, a power cut may lose those made since the last checkpoint.
        conn.execute("PRAGMA wal_autocheckpoint = 10000")

    def _check_version(self) -> None:
        version, latest = schema_version(self._conn), migrations()[-1].version
        if version != latest:
            raise StoreError(f"{self.path}: schema version {version}, this Frontline reads version {latest}")

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None  # type: ignore[assignment]

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        with self._lock:
            return schema_version(self._conn)

    # ---- contests

    def _stored_rules_fingerprint(self) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'contest_rules'").fetchone()
        return row[0] if row else None

    def _rules_current(self) -> bool:
        return self._stored_rules_fingerprint() == self._rules.fingerprint

    def _flag_contests(self, article_ids: list[int], event_types: set[str]) -> None:
        """Set the contested flags that the articles ``article_ids``, whose claims have ``event_types``, bring
        (inside the caller's transaction; a batch flags its articles together, before it commits). A rule's
        statements for a side the articles lack are skipped."""
        if not self._rules_current():
            # Another process stored other rules since we opened: recompute under this lock.
            self._reflag_all()
            return
        for rule in self._rules.rules:
            sides = {"denials": rule.denial in event_types, "claims": not event_types.isdisjoint(rule.contests)}
            if not any(sides.values()):
                continue
            params = {**_rule_params(self._rules, rule), "articles": json.dumps(article_ids)}
            for side, sql in _contest_statements("article", self._rules.date_column, self._sql_math, rule.same_actor):
                if sides[side]:
                    self._conn.execute(sql, params)

    def _fill_contested(self, table: str) -> None:
        """Insert the id of every contested claim and denial into ``table``, from scratch."""
        for rule in self._rules.rules:
            params = _rule_params(self._rules, rule)
            for _, sql in _contest_statements("all", self._rules.date_column, self._sql_math, rule.same_actor, table):
                self._conn.execute(sql, params)

    def _reflag_all(self) -> None:
        """Recompute every contested flag with the current rules (inside the caller's transaction)."""
        self._conn.execute("CREATE TEMP TABLE IF NOT EXISTS reflag (id INTEGER PRIMARY KEY)")
        self._conn.execute("DELETE FROM temp.reflag")
        self._fill_contested("temp.reflag")
        self._conn.execute("UPDATE claims SET contested = (id IN (SELECT id FROM temp.reflag)) "
                           "WHERE contested <> (id IN (SELECT id FROM temp.reflag))")
        self._conn.execute("DELETE FROM temp.reflag")
        self._set_meta("contest_rules", self._rules.fingerprint)

    def _ensure_contests_current(self) -> None:
        """Recompute the contested flags when they were set with other rules (or never)."""
        with self._lock:
            if self._rules_current():
                return
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                if not self._rules_current():
                    self._reflag_all()
                self._conn.execute("COMMIT")
            except BaseException:
                _rollback(self._conn)
                raise

    def rebuild_contests(self) -> None:
        """Recompute every contested flag from the current rules, in one transaction."""
        if self.readonly:
            raise StoreError("read-only store")
        with self._lock:
            self._conn.execute("DELETE FROM meta WHERE key = 'contest_rules'")
            self._ensure_contests_current()

    def _contested_sql(self) -> str:
        """The SQL expression telling whether claim ``c`` is contested: its stored flag, or, when the flags
        were set with other rules, membership of a temporary table computed once for this reader."""
        if self._rules_current():
            return "c.contested"
        self._conn.execute("CREATE TEMP TABLE IF NOT EXISTS live_contested (id INTEGER PRIMARY KEY)")
        if not self._live_contests:
            self._conn.execute("DELETE FROM temp.live_contested")
            self._fill_contested("temp.live_contested")
            self._live_contests = True
        return "(c.id IN (SELECT id FROM temp.live_contested))"

    # ---- source families (corroboration)

    def _meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, key: str, value: str) -> None:
        self._conn.execute("INSERT INTO meta(key, value) VALUES (?, ?) "
                           "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    def _families_current(self) -> bool:
        return self._meta("families") == FAMILY_RULES

    def _article_tokens(self) -> dict[int, tuple[str, ...]]:
        return {int(i): family_tokens(source, credited, int(i), (article, path)) for i, source, credited, article, path
                in self._conn.execute("SELECT id, source, credited, article, path FROM articles")}

    def _all_families(self) -> tuple[dict[int, int], dict[tuple[str, str, str], GroupFamilies]]:
        """Family labels of every claim and the families of every group, from scratch."""
        tokens = self._article_tokens()
        groups: dict[tuple[str, str, str], dict[int, list[tuple[int, str]]]] = {}
        for claim_id, place_id, event_type, actor, article_id, evidence in self._conn.execute(
                "SELECT id, place_id, event_type, actor, article_id, evidence FROM claims"):
            groups.setdefault((place_id, event_type, actor), {}).setdefault(article_id, []).append(
                (claim_id, evidence))
        labels: dict[int, int] = {}
        families: dict[tuple[str, str, str], GroupFamilies] = {}
        for key, by_article in groups.items():
            state = GroupFamilies()
            article_label: dict[int, int] = {}
            for article_id in sorted(by_article):
                label, merged = state.add(article_id, tokens.get(article_id, (f"article:{article_id}",)),
                                          [e for _, e in by_article[article_id]])
                if merged:
                    article_label = {a: (label if f in merged else f) for a, f in article_label.items()}
                article_label[article_id] = label
            for article_id, claims in by_article.items():
                labels.update((claim_id, article_label[article_id]) for claim_id, _ in claims)
            families[key] = state
        return labels, families

    def _rebuild_families(self) -> None:
        """Relabel every claim and rebuild every group's family keys and count (inside the caller's
        transaction)."""
        labels, families = self._all_families()
        conn = self._conn
        conn.executemany("UPDATE claims SET family = ? WHERE id = ?",
                         ((label, claim_id) for claim_id, label in labels.items()))
        for table in ("claim_groups", "family_tokens", "family_texts"):
            conn.execute(f"DELETE FROM {table}")  # fixed table names
        conn.executemany("INSERT INTO claim_groups(place_id, event_type, actor, sources) VALUES (?, ?, ?, ?)",
                         ((*key, state.count) for key, state in families.items()))
        conn.executemany("INSERT INTO family_tokens(place_id, event_type, actor, token, family) VALUES (?, ?, ?, ?, ?)",
                         ((*key, token, label) for key, state in families.items()
                          for token, found in state.by_token.items() for label in found))
        conn.executemany("INSERT OR IGNORE INTO family_texts(place_id, event_type, actor, text, family) "
                         "VALUES (?, ?, ?, ?, ?)",
                         ((*key, text, label) for key, state in families.items() for label, text in state.texts))
        self._set_meta("families", FAMILY_RULES)

    def _ensure_families_current(self) -> None:
        with self._lock:
            if self._families_current():
                return
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                if not self._families_current():
                    self._rebuild_families()
                self._conn.execute("COMMIT")
            except BaseException:
                _rollback(self._conn)
                raise

    def _families_for(self, article_id: int, tokens: tuple[str, ...], claims: list[Claim]) -> list[int]:
        """The family label of each of a new article's claims, updating the groups' family keys and
        counts (inside the caller's transaction; the claims are not stored yet).

        Reads each group's family keys (tokens, distinct evidence texts), not its claims: an article
        joins the families it shares a token or an exact text with, then those whose texts are
        near-identical to its own (see GroupFamilies, which computes the same from scratch). A few
        statements per article, whatever the number of its groups.
        """
        conn = self._conn
        texts_of: dict[tuple[str, str, str], list[str]] = {}
        for c in claims:
            texts_of.setdefault((c.place_id, c.event_type, c.actor), []).append(
                utils.default_process(c.evidence or ""))
        if not texts_of:
            return []
        texts_of = {key: list(dict.fromkeys(texts)) for key, texts in texts_of.items()}
        groups_json = json.dumps([list(key) for key in texts_of])
        in_groups = ("(place_id, event_type, actor) IN (SELECT json_extract(value, '$[0]'), "
                     "json_extract(value, '$[1]'), json_extract(value, '$[2]') FROM json_each(:groups))")
        found: dict[tuple[str, str, str], set[int]] = {key: set() for key in texts_of}
        for p, e, a, f in conn.execute(
                f"SELECT place_id, event_type, actor, family FROM family_tokens WHERE {in_groups} "
                "AND token IN (SELECT value FROM json_each(:tokens))",
                {"groups": groups_json, "tokens": json.dumps(list(tokens))}):
            found[(p, e, a)].add(f)
        # Only the texts of families the article has not joined yet can add to what it joins: in a busy
        # group nearly every text belongs to a family found by token, and SQLite skips those rows itself.
        keys = list(texts_of)
        others: dict[tuple[str, str, str], list[tuple[int, str]]] = {key: [] for key in keys}
        for i, f, text in conn.execute(_OTHER_FAMILY_TEXTS, {
                "groups": groups_json,
                "found": json.dumps([[i, f] for i, key in enumerate(keys) for f in found[key]])}):
            others[keys[i]].append((f, text))
        labels: dict[tuple[str, str, str], int] = {}
        joined: dict[tuple[str, str, str], int] = {}
        merges: list[tuple[int, str, str, str, str]] = []
        for key, texts in texts_of.items():
            group_found = found[key] | families_with_text(texts, others[key])
            label = min(group_found | {article_id})
            labels[key] = label
            joined[key] = len(group_found)
            if group_found - {label}:
                merges.append((label, *key, json.dumps(sorted(group_found - {label}))))
        for table in ("family_tokens", "family_texts", "claims"):  # fixed table names
            conn.executemany(f"UPDATE {table} SET family = ? WHERE place_id = ? AND event_type = ? AND actor = ? "
                             "AND family IN (SELECT value FROM json_each(?))", merges)
        conn.executemany("INSERT OR IGNORE INTO family_tokens(place_id, event_type, actor, token, family) "
                         "VALUES (?, ?, ?, ?, ?)",
                         [(*key, token, label) for key, label in labels.items() for token in tokens])
        conn.executemany("INSERT OR IGNORE INTO family_texts(place_id, event_type, actor, text, family) "
                         "VALUES (?, ?, ?, ?, ?)",
                         [(*key, text, labels[key]) for key, texts in texts_of.items() for text in texts])
        # A group's count is its number of families (of family_tokens, which has every family): the
        # article makes one family of the ones it joins and its own, so the count drops by the number it
        # joins less one, without recounting the group's tokens. (A new group starts at one.)
        conn.executemany(
            "INSERT INTO claim_groups(place_id, event_type, actor, sources) VALUES (?, ?, ?, 1) "
            "ON CONFLICT(place_id, event_type, actor) DO UPDATE SET sources = sources + 1 - ?",
            [(*key, n) for key, n in joined.items()])
        return [labels[(c.place_id, c.event_type, c.actor)] for c in claims]

    # ---- writing

    def has_article(self, content_hash: str) -> bool:
        with self._lock:
            row = self._conn.execute("SELECT 1 FROM articles WHERE content_hash = ?", (content_hash,)).fetchone()
            return row is not None

    def feed_items_seen(self, feed: str, items: Iterable[str]) -> set[str]:
        """Which of a feed's item keys an earlier ``ingest --feed`` took already."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT item FROM feed_items WHERE feed = ? AND item IN (SELECT value FROM json_each(?))",
                (feed, json.dumps(list(items)))).fetchall()
        return {r[0] for r in rows}

    def mark_feed_items(self, feed: str, items: Iterable[str]) -> None:
        """Remember feed items as taken (their articles are stored), in one transaction."""
        if self.readonly:
            raise StoreError("read-only store")
        with self._lock:
            own = not self._conn.in_transaction
            if own:
                self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.executemany("INSERT OR IGNORE INTO feed_items (feed, item) VALUES (?, ?)",
                                       [(feed, i) for i in items])
            except BaseException:
                if own:
                    _rollback(self._conn)
                raise
            if own:
                self._conn.execute("COMMIT")

    def content_hashes(self) -> list[str]:
        """The content hashes of every stored article (for skipping known articles before extraction)."""
        return self._column_values("SELECT content_hash FROM articles ORDER BY id")

    @contextlib.contextmanager
    def batch(self, max_articles: int = 64, max_seconds: float = 1.0) -> Iterator[Store]:
        """Group the ``add_article`` calls made inside into transactions of up to ``max_articles``
        articles or ``max_seconds`` seconds, whichever comes first.

        Each article still goes in whole or not at all (a savepoint each: one that fails is rolled
        back alone); a process killed mid-batch loses the articles of the open transaction, never
        part of one, and a re-run stores them. Fewer commits write each index page once per batch
        instead of once per article. Readers see the articles when their transaction commits.
        """
        if self.readonly:
            raise StoreError("read-only store")
        with self._lock:
            if self._batch is not None:  # nested: the outer batch decides
                yield self
                return
            self._batch = _Batch(max_articles, max_seconds)
            try:
                yield self
            finally:
                try:
                    # What went in whole is kept, even when the caller stops with an exception.
                    self._commit_batch()
                finally:
                    self._batch = None

    def _commit_batch(self) -> None:
        """Flag the contests of the batch's articles, then commit them (or roll everything back)."""
        batch = self._batch
        if batch is None or not self._conn.in_transaction:
            return
        try:
            if batch.articles:
                self._flag_contests(batch.articles, batch.event_types)
            self._conn.execute("COMMIT")
        except BaseException:
            _rollback(self._conn)
            raise
        finally:
            batch.articles, batch.event_types = [], set()

    def add_article(self, article: Article, claims: list[Claim]) -> bool:
        """Store an article with its claims in one transaction (inside :meth:`batch`, a savepoint of
        the batch's transaction).

        Returns False, writing nothing, when an article with the same text is already stored. Any
        error (a claim that breaks the schema, evidence outside the text) rolls the whole article back.
        """
        if self.readonly:
            raise StoreError("read-only store")
        with self._lock:
            conn, batch = self._conn, self._batch
            if batch is None:
                conn.execute("BEGIN IMMEDIATE")
            else:
                if not conn.in_transaction:
                    conn.execute("BEGIN IMMEDIATE")
                    batch.started = time.monotonic()
                conn.execute("SAVEPOINT article")
            try:
                stored = self._write_article(article, claims)
            except BaseException:
                if batch is None:
                    _rollback(conn)
                else:
                    try:
                        conn.execute("ROLLBACK TO article")
                        conn.execute("RELEASE article")
                    except sqlite3.Error:  # SQLite rolled the whole transaction back itself
                        _rollback(conn)
                        batch.articles, batch.event_types = [], set()
                raise
            if batch is None:
                conn.execute("COMMIT" if stored else "ROLLBACK")
            else:
                conn.execute("RELEASE article")
                if len(batch.articles) >= batch.max_articles or time.monotonic() - batch.started >= batch.max_seconds:
                    self._commit_batch()
        return stored

    def _write_article(self, article: Article, claims: list[Claim]) -> bool:
        """The writes of :meth:`add_article`, inside the caller's transaction; False for a duplicate."""
        conn = self._conn
        content_hash = article.content_hash
        text_len = len(article.text)
        if conn.execute("SELECT 1 FROM articles WHERE content_hash = ?", (content_hash,)).fetchone():
            return False
        published = _iso(article.published)
        credited = json.dumps(list(article.credited or []), ensure_ascii=False)
        cur = conn.execute(_ARTICLE_INSERT, (
            article.article, content_hash, article.title, article.source, published,
            article.url, credited, article.path,
            article.text,
        ))
        article_id = cur.lastrowid
        for seq, c in enumerate(claims):
            if not (0 <= c.evidence_start <= c.evidence_end <= text_len):
                raise ValueError(f"claim {seq} of {article.article}: evidence [{c.evidence_start}, "
                                 f"{c.evidence_end}) lies outside the article's {text_len} characters")
        rebuild = not self._families_current()
        families = [None] * len(claims) if rebuild else self._families_for(
            article_id, family_tokens(article.source, credited, article_id, (article.article, article.path)), claims)
        conn.executemany(_CLAIM_INSERT, [(
            f"{content_hash[:16]}-{seq}", article_id, seq, c.place, c.place_id, float(c.lat),
            float(c.lon), c.event_type, c.actor, c.claimant, c.evidence, int(c.evidence_start),
            int(c.evidence_end), c.country, c.province, c.province_name, c.geo_precision or "point",
            _iso(c.event_date), c.date_precision,
            None if c.distance_km is None else float(c.distance_km), c.place_start, c.place_end,
            _iso(c.event_date) or published, family,
        ) for (seq, c), family in zip(enumerate(claims), families)])
        conn.executemany("INSERT OR IGNORE INTO places(lat, lon, place_id) VALUES (?, ?, ?)",
                         {(float(c.lat), float(c.lon), c.place_id) for c in claims})
        if rebuild:
            self._rebuild_families()
        event_types = {c.event_type for c in claims}
        if self._batch is None:
            self._flag_contests([article_id], event_types)
        else:
            self._batch.articles.append(article_id)
            self._batch.event_types |= event_types
        return True

    # ---- reading

    def _refresh_derived(self) -> None:
        """Notice changes made since the last read (here or in another process) and, when the stored
        family labels predate this code's rules (a read-only store nobody reopened for writing),
        recount the groups in memory."""
        key = (int(self._conn.execute("PRAGMA data_version").fetchone()[0]), self._conn.total_changes)
        if key == self._cache_key:
            return
        self._live_contests = False
        self._corroboration = {} if self._families_current() else {
            key: state.count for key, state in self._all_families()[1].items()}
        self._cache_key = key

    def _where(self, filters: Filters | None, contested: str) -> tuple[str, list[Any]]:
        f = filters or Filters()
        clauses: list[str] = []
        params: list[Any] = []
        if f.provinces:
            codes, names = self._province_matches(f.provinces)
            clauses.append("(c.province IN (SELECT value FROM json_each(?)) "
                           "OR c.province_name IN (SELECT value FROM json_each(?)))")
            params += [json.dumps(sorted(codes)), json.dumps(sorted(names))]
        if f.sources:
            clauses.append("lower(a.source) IN (SELECT lower(value) FROM json_each(?))")
            params.append(json.dumps(list(f.sources)))
        if f.since:
            clauses.append("c.day >= ?")
            params.append(f.since.isoformat())
        if f.until:
            clauses.append("c.day <= ?")
            params.append(f.until.isoformat())
        if f.event_types:
            clauses.append("c.event_type IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(list(f.event_types)))
        if f.actors:
            clauses.append("c.actor IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(list(f.actors)))
        if f.contested_only:
            clauses.append(contested)
        return (" AND ".join(clauses) or "1"), params

    def resolve_provinces(self, values: Iterable[str]) -> tuple[set[str], set[str], list[str]]:
        """Province filter values as (ISO codes, stored province names, values that matched nothing)."""
        with self._lock:
            stored = self._conn.execute(
                "SELECT DISTINCT province, province_name FROM claims "
                "WHERE province IS NOT NULL OR province_name IS NOT NULL").fetchall()
        codes: set[str] = set()
        names: set[str] = set()
        unmatched: list[str] = []
        for value in values:
            if _ISO_3166_2.match(value):
                codes.add(value.upper())
                continue
            k = _key(value)
            hit = False
            for code, name in stored:
                if k and (_key(name) == k or _key(code) == k):
                    hit = True
                    if code:
                        codes.add(code.upper())
                    if name:
                        names.add(name)
            if not hit:
                found = _codes_from_gazetteer(value)
                codes.update(found)
                hit = bool(found)
            if not hit:
                unmatched.append(value)
        return codes, names, unmatched

    def _province_matches(self, values: Iterable[str]) -> tuple[set[str], set[str]]:
        codes, names, _ = self.resolve_provinces(values)
        return codes, names

    def claims_frame(self, filters: Filters | None = None) -> geopandas.GeoDataFrame:
        """The claims matching ``filters``, one row each, with ``contested`` and ``corroboration``,
        dates as datetime64 and a point geometry (EPSG:4326) at the claim's place."""
        with self._lock:
            self._refresh_derived()
            contested = self._contested_sql()
            where, params = self._where(filters, contested)
            with no_gc_pauses():
                rows = self._conn.execute(_CLAIMS_SELECT.format(contested=contested, where=where), params).fetchall()
                frame = _object_frame(rows, _CLAIM_COLUMNS)
                del rows
            articles = _object_frame(self._conn.execute(
                "SELECT id, " + ", ".join(_ARTICLE_COLUMNS) + " FROM articles").fetchall(),
                ["article_id", *_ARTICLE_COLUMNS])
            corroboration = self._corroboration
        import pandas as pd

        # Article fields are joined here rather than in SQL: 10 claims per article would mean 10 copies.
        position = pd.Index(articles["article_id"].astype("int64")).get_indexer(frame["article_id"].astype("int64"))
        for col in _ARTICLE_COLUMNS:
            frame[col] = pd.Series(articles[col].to_numpy()[position], dtype=object, copy=False)
        if corroboration:  # recounted in memory: see _refresh_derived
            frame["corroboration"] = np.fromiter(
                (corroboration.get(k, 1) for k in zip(frame["place_id"], frame["event_type"], frame["actor"])),
                dtype=np.int64, count=len(frame))
        return typed_frame(frame, clean_text=False)

    def claims(self, filters: Filters | None = None) -> list[Claim]:
        """The claims matching ``filters`` as :class:`Claim` objects with id, corroboration, contested."""
        return claims_from_frame(self.claims_frame(filters))

    def groups(self, filters: Filters | None = None) -> list[dict]:
        """Claims matching ``filters`` grouped by (place_id, event_type, actor) across articles.

        Each group: place_id, place, lat, lon, event_type, actor, claim_ids, articles, sources (labels),
        independent_sources (over the whole store, as ``Claim.corroboration``), contested (any claim of
        the group), first_date and last_date (event date, else publication date; None when unknown).
        """
        import pandas as pd

        frame = pd.DataFrame(self.claims_frame(filters).drop(columns="geometry"))
        if frame.empty:
            return []
        frame["_day"] = frame["event_date"].fillna(frame["published"])
        out = []
        for (place_id, event_type, actor), g in frame.groupby(["place_id", "event_type", "actor"], sort=False):
            first, last = g["_day"].min(), g["_day"].max()
            out.append({
                "place_id": place_id, "place": g["place"].iloc[0],
                "lat": float(g["lat"].iloc[0]), "lon": float(g["lon"].iloc[0]),
                "event_type": event_type, "actor": actor,
                "claim_ids": g["id"].tolist(),
                "articles": list(dict.fromkeys(g["article"])),
                "sources": sorted({s for s in g["source"] if isinstance(s, str)}),
                "independent_sources": int(g["corroboration"].iloc[0]),
                "contested": bool(g["contested"].any()),
                "first_date": None if pd.isna(first) else first.date(),
                "last_date": None if pd.isna(last) else last.date(),
            })
        return out

    def articles(self, *, with_text: bool = False) -> list[Article]:
        """Stored articles, oldest first. Without ``with_text`` the text is left empty (metadata only)."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT article, title, source, published, url, credited, path, "
                + ("text" if with_text else "''") + " FROM articles ORDER BY id").fetchall()
        return [self._article(r) for r in rows]

    def article(self, key: str) -> Article | None:
        """One article with its text, by content hash or by article name (the latest stored of that name)."""
        with self._lock:
            row = self._conn.execute(
                "SELECT article, title, source, published, url, credited, path, text FROM articles "
                "WHERE content_hash = ? OR article = ? ORDER BY content_hash = ? DESC, id DESC LIMIT 1",
                (key, key, key)).fetchone()
        return self._article(row) if row else None

    @staticmethod
    def _article(row: Sequence[Any]) -> Article:
        name, title, source, published, url, credited, path, text = row
        return Article(article=name, text=text, title=title, source=source, published=_to_date(published),
                       url=url, credited=list(json.loads(credited or "[]")), path=path)

    def _column_values(self, sql: str) -> list[str]:
        with self._lock:
            return [r[0] for r in self._conn.execute(sql).fetchall()]

    def sources(self) -> list[str]:
        return self._column_values(
            "SELECT DISTINCT source FROM articles WHERE source IS NOT NULL ORDER BY lower(source)")

    def actors(self) -> list[str]:
        return self._column_values("SELECT DISTINCT actor FROM claims ORDER BY actor")

    def event_types(self) -> list[str]:
        return self._column_values("SELECT DISTINCT event_type FROM claims ORDER BY event_type")

    def provinces(self) -> list[tuple[str, str]]:
        """(ISO 3166-2 code, name) of the provinces claims lie in, by name."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT province, max(province_name) FROM claims WHERE province IS NOT NULL "
                "GROUP BY province").fetchall()
        return sorted(((code, name or code) for code, name in rows), key=lambda r: (_key(r[1]), r[0]))

    def date_range(self) -> tuple[date, date] | None:
        """Earliest and latest claim date (event date, else publication date)."""
        with self._lock:
            lo, hi = self._conn.execute("SELECT min(day), max(day) FROM claims").fetchone()
        if lo is None:
            return None
        return date.fromisoformat(lo), date.fromisoformat(hi)

    def stats(self) -> dict:
        """Counts: articles, claims, denials, contested claims; and the schema version."""
        with self._lock:
            self._refresh_derived()
            contested_sql = self._contested_sql()
            articles = self._conn.execute("SELECT count(*) FROM articles").fetchone()[0]
            claims = self._conn.execute("SELECT count(*) FROM claims").fetchone()[0]
            denials = self._conn.execute(
                "SELECT count(*) FROM claims WHERE event_type IN (SELECT value FROM json_each(?))",
                (json.dumps(sorted({r.denial for r in self._rules.rules})),)).fetchone()[0]
            contested = self._conn.execute(f"SELECT count(*) FROM claims c WHERE {contested_sql}").fetchone()[0]
            version = schema_version(self._conn)
        return {"articles": articles, "claims": claims, "denials": denials, "contested": contested,
                "schema_version": version}
