"""Where Frontline's data files live, and one cached reader for them (data is read once per process)."""
from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@lru_cache(maxsize=None)
def load_toml(relative_path: str) -> dict:
    """Parse ``data/<relative_path>`` once per process."""
    with open(DATA_DIR / relative_path, "rb") as fh:
        return tomllib.load(fh)


@lru_cache(maxsize=None)
def read_word_list(path: Path) -> tuple[str, ...]:
    """The words of a one-word-per-line list (``#`` starts a comment line), in file order, read once."""
    return tuple(line.strip() for line in path.read_text(encoding="utf-8").splitlines()
                 if line.strip() and not line.startswith("#"))
