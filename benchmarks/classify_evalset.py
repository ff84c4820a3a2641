"""The classification evaluation set and its calibration/test split (shared by the scripts)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

EVAL_FILE = Path(__file__).parent / "data" / "classify_eval.csv"


@dataclass(frozen=True)
class Case:
    """One description with the codes accepted as correct and its resource kind."""

    id: str
    language: str
    text: str
    expected: tuple[str, ...]
    kind: str
    calibration: bool


def load_cases() -> list[Case]:
    """All cases; every third row (by file order) is held out for score calibration."""
    with EVAL_FILE.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [
        Case(
            id=row["id"],
            language=row["language"],
            text=row["text"],
            expected=tuple(c for c in row["expected"].split("|") if c),
            kind=row["kind"],
            calibration=i % 3 == 0,
        )
        for i, row in enumerate(rows)
    ]
