"""The five seed reports, through the public CLI, scored against the analyst's gold coding.

The seeds and the scorer live in ../shared beside the repository (as in CI)."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEEDS = sorted((SHARED / "seeds").glob("*.txt"))
GOLD = SHARED / "seeds" / "gold.json"


@pytest.fixture(scope="module")
def seed_export(tmp_path_factory):
    assert SEEDS and GOLD.exists(), f"the seed corpus is expected in {SHARED / 'seeds'}"
    tmp = tmp_path_factory.mktemp("seeds")
    db, out = tmp / "seeds.db", tmp / "seeds.geojson"
    run = [sys.executable, "-m", "geo"]
    subprocess.run(run + ["ingest", *map(str, SEEDS), "--db", str(db), "--quiet"], check=True)
    subprocess.run(run + ["export", "--db", str(db), "--format", "geojson", "-o", str(out)], check=True)
    return json.loads(out.read_text(encoding="utf-8"))


def _score(fc):
    sys.path.insert(0, str(SHARED / "tools"))
    try:
        import score_claims
    finally:
        sys.path.pop(0)
    return score_claims.score(json.loads(GOLD.read_text(encoding="utf-8")), fc)


def test_seed_claims_meet_the_bar(seed_export):
    s = _score(seed_export)
    assert s["traps"] == 0, s["trap_hits"]
    assert s["recall"] >= 0.90, s["missed"]
    assert s["precision"] >= 0.85, s["wrong"]


def test_every_feature_carries_its_provenance(seed_export):
    for f in seed_export["features"]:
        p = f["properties"]
        assert p["evidence"] and p["source"] and p["article"].endswith(".txt")
        assert p["event_type"] in {"capture", "withdrawal", "advance", "defense", "deployment",
                                   "border_crossing", "denial", "strike", "protest", "clash"}


def test_seed_distances_and_denials(seed_export):
    feats = [f["properties"] for f in seed_export["features"]]
    by_article = {}
    for p in feats:
        by_article.setdefault(p["article"][:3], []).append(p)
    assert {p["distance_km"] for p in by_article["002"] if p["distance_km"]} == {30}
    assert 20 in {p["distance_km"] for p in by_article["000"]}
    assert any(p["event_type"] == "denial" and p["contested"] for p in by_article["002"])
    # The government's denial around Damascus contests the reported withdrawals there.
    assert any(p["event_type"] == "withdrawal" and p["contested"] for p in by_article["003"])
