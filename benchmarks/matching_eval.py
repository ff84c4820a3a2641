"""Leave-one-case-out quality of the matching engine on the MAESTRI development exchanges.

Usage: ``.venv/bin/python benchmarks/matching_eval.py [--out benchmarks/results/matching-DATE.md]``

(a) Sector recommendation: for each held-out exchange (with a receiver NACE code), query
    (material description, LoW code, donor NACE) against the knowledge base *without the held-out
    case*; hit@k = a receiver class of the exchange is among the top k classes; division hit@5 =
    its 2-digit division is; MRR over the full ranking.
(b) Listing matching: every exchange becomes an offer (donor business + material + LoW code +
    donor NACE) and a need (receiving business + final use + receiver NACE; kind from the CPA
    code: 35 energy, 36 water, else material). For each held-out offer all 203 needs are ranked
    (its own case's needs plus every other case's needs as distractors). A need is correct when
    it is the exchange's own need or an identical one (same receiver, NACE and final use) of the
    same case. Ties are broken at random in expectation (expected rank).
Baselines: popularity (receiver-class frequency in the fold's knowledge base) and TF-IDF
(nearest documented material for (a); description cosine for (b)).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import platform
import time
from collections import Counter
from pathlib import Path

import numpy as np

from machine import git_commit
from sidestream.matching.engine import MatchIndex
from sidestream.matching.evaluation import (
    case_folds,
    expected_rank,
    first_hit_rank,
    scoped_hit_rank,
    summarise,
)
from sidestream.matching.knowledge import Exchange, KnowledgeBase, default_knowledge_base
from sidestream.matching.schemas import Listing
from sidestream.matching.sectors import SectorModel, SectorQuery, clean_code, with_inferred_code
from sidestream.matching.text import TfidfIndex, cosine
from sidestream.taxonomy.nace import code_scope

#: Approximate country centroids (lat, lon) for the regional variant of task (b).
COUNTRY_CENTROIDS = {
    "China": (35.0, 103.0), "Denmark": (56.0, 10.0), "Fiji": (-17.8, 178.0),
    "Italy": (42.8, 12.6), "Japan": (36.2, 138.3), "Portugal": (39.6, -8.0),
    "Puerto Rico": (18.2, -66.5), "Sweden": (62.0, 15.0), "Turkey": (39.0, 35.0),
    "UK": (54.0, -2.0), "US": (39.8, -98.6),
}  # fmt: skip


def _located(listing: Listing, e: Exchange, regional: bool) -> Listing:
    where = COUNTRY_CENTROIDS.get(e.country) if regional else None
    return listing.model_copy(update={"lat": where[0], "lon": where[1]}) if where else listing


def _unkind(listing: Listing, drop: bool) -> Listing:
    return listing.model_copy(update={"kind": None}) if drop else listing


def _kind(e: Exchange) -> str:
    return {"35": "energy", "36": "water"}.get(e.product_code[:2], "material")


def offer_of(e: Exchange, texts: dict[str, str] | None = None) -> Listing:
    """The donor side of an exchange as an offer listing (``texts``: the material translated)."""
    return Listing(
        id=e.exchange_id, direction="offer", title=(texts or {}).get(e.material, e.material),
        kind=_kind(e),
        description=e.donor, waste_code=clean_code("/".join(e.waste_codes)),
        organisation_nace="/".join(e.donor_classes) or None,
    )  # fmt: skip


def need_of(e: Exchange, nace: bool = True, texts: dict[str, str] | None = None) -> Listing:
    """The receiving side of an exchange as a need listing (no material named; ``texts``: the
    final use and the receiving business translated)."""
    said = texts or {}
    return Listing(
        id=e.exchange_id, direction="need", title=said.get(e.final_use, e.final_use) or "input",
        kind=_kind(e), description=said.get(e.receiver, e.receiver),
        organisation_nace=("/".join(e.receiver_classes) or None) if nace else None,
    )  # fmt: skip


#: Curated patterns whose only source is case literature or a named development case: the rows
#: most likely to echo the development exchanges (docs/matching.md). The strict variant drops them.
CASE_LITERATURE_PATTERNS = frozenset({
    "textile-toys", "bakery-beer", "coffee-grounds", "spent-grain-mushrooms", "compost-greenhouse",
    "algae-residues", "co2-algae", "water-algae", "silica-chemicals", "alkali-reuse",
    "clay-fertiliser", "plastics-products", "solvents-recovery", "refractories-roads",
    "electricity-chemicals", "electricity-refinery", "bagasse-paper", "paper-sludge-cement",
})  # fmt: skip


def strict_knowledge_base() -> KnowledgeBase:
    """The bundled knowledge base without the case-literature patterns."""
    kb = default_knowledge_base()
    patterns = tuple(p for p in kb.patterns if p.id not in CASE_LITERATURE_PATTERNS)
    return KnowledgeBase(exchanges=kb.exchanges, patterns=patterns)


def sector_task(kb: KnowledgeBase | None = None) -> dict[str, dict[str, float]]:
    """Leave-one-case-out sector recommendation: engine and baselines."""
    ranks: dict[str, list[int]] = {"engine": [], "popularity": [], "tfidf": []}
    divisions: dict[str, list[int]] = {k: [] for k in ranks}
    scoped: dict[str, list[int]] = {k: [] for k in ranks}
    for fold in case_folds(kb or default_knowledge_base()):
        model = SectorModel(fold.kb)
        queries = [  # as the contract command reads them (classifier hint when unreadable)
            with_inferred_code(
                SectorQuery(
                    e.material, clean_code("/".join(e.waste_codes)), "/".join(e.donor_classes)
                ),
                model,
            )
            for e in fold.held_out
        ]
        scores = model.score(queries)
        variants = {
            "engine": scores.total,
            "popularity": np.broadcast_to(model.popularity, scores.total.shape),
            "tfidf": scores.components["text"] + 1e-3 * model.popularity,
        }
        for name, matrix in variants.items():
            for i, e in enumerate(fold.held_out):
                order = [model.classes[j] for j in np.argsort(-matrix[i], kind="stable")]
                gold = set(e.receiver_classes)
                ranks[name].append(first_hit_rank(order, gold))
                scoped[name].append(scoped_hit_rank(order, e.receiver_scopes))
                divisions[name].append(
                    first_hit_rank(order[:5], {c[:2] for c in gold}, key=lambda c: c[:2])
                )
    out = {}
    for name in ranks:
        out[name] = summarise(ranks[name], (1, 5, 10))
        out[name]["division@5"] = summarise(divisions[name], (5,))["hit@5"]
        within = summarise(scoped[name], (5, 10))
        out[name] |= {"scope@5": within["hit@5"], "scope@10": within["hit@10"]}
    return out


#: Translations of the development materials (id = the description's first-appearance number)
#: and of the receiving businesses and final uses (the needs' texts).
TRANSLATIONS = Path(__file__).parent / "data" / "maestri_dev_translations.csv"
NEED_TRANSLATIONS = Path(__file__).parent / "data" / "maestri_dev_need_translations.csv"


def read_translations(path: Path = TRANSLATIONS) -> dict[str, dict[str, str]]:
    """language -> English material description -> its translation."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    out: dict[str, dict[str, str]] = {}
    for row in rows:
        out.setdefault(row["language"], {})[row["english"]] = row["text"]
    return out


def multilingual_task(translations: dict[str, dict[str, str]]) -> dict[str, dict[str, float]]:
    """Sector recommendation with each held-out material written in another language, with its
    LoW code and donor NACE ("+code") and as the text alone ("text only"), against English."""
    variants: dict[str, tuple[dict[str, str] | None, bool]] = {"en": (None, True)}
    variants |= {lang: (texts, True) for lang, texts in sorted(translations.items())}
    variants |= {"en, text only": (None, False)}
    variants |= {f"{lang}, text only": (t, False) for lang, t in sorted(translations.items())}
    ranks: dict[str, list[int]] = {name: [] for name in variants}
    for fold in case_folds(default_knowledge_base()):
        model = SectorModel(fold.kb)
        for name, (texts, coded) in variants.items():
            queries = [
                with_inferred_code(
                    SectorQuery(
                        (texts or {}).get(e.material, e.material),
                        clean_code("/".join(e.waste_codes)) if coded else None,
                        "/".join(e.donor_classes) if coded else None,
                    ),
                    model,
                )
                for e in fold.held_out
            ]
            total = model.score(queries).total
            for i, e in enumerate(fold.held_out):
                order = [model.classes[j] for j in np.argsort(-total[i], kind="stable")]
                ranks[name].append(first_hit_rank(order, set(e.receiver_classes)))
    return {name: summarise(r, (1, 5, 10)) for name, r in ranks.items()}


def unseen_scores(fold_kb, held_case: str, offers: list[Listing], pool: list[Exchange],
                  needs: list[Listing]) -> np.ndarray:  # fmt: skip
    """Engine scores where *every* need is unseen: the needs of case d are scored with the
    knowledge base without the held-out case and without d (leave-two-cases-out), so no
    distractor need can lean on its own documented exchange."""
    out = np.zeros((len(offers), len(needs)))
    cases = sorted({e.case_id for e in pool})
    for case in cases:
        cols = [j for j, e in enumerate(pool) if e.case_id == case]
        kb = fold_kb if case == held_case else fold_kb.without_cases([case])
        index = MatchIndex([needs[j] for j in cols], kb)
        out[:, cols] = index.score_matrix(offers)
    return out


def listing_task(
    regional: bool = False,
    unseen: bool = False,
    need_nace: bool = True,
    kb: KnowledgeBase | None = None,
    within_case: bool = False,
    texts: dict[str, str] | None = None,
    need_texts: dict[str, str] | None = None,
    kinds: str = "both",
) -> dict[str, dict[str, float]]:
    """Leave-one-case-out listing matching: engine and baselines.

    ``regional``: every listing is placed at its case country's centroid, as when a platform
    matches within a region (materials travel at most 300 km, so other countries drop out).
    ``need_nace=False``: needs give no NACE code (only the receiving business and final use).
    ``unseen``: distractor needs are scored without their own case in the knowledge base
    (:func:`unseen_scores`), as for needs of new cases (the hidden evaluation's situation).
    ``within_case``: only the held-out case's own needs are candidates (one symbiosis matched
    on its own, as ``match-files`` run on one case's offers and needs). ``texts``: the offers'
    materials written in another language (English material -> translation); ``need_texts``
    the needs' final uses and receiving businesses. ``kinds``: which side states its kind
    ("both", "offers": the needs give none, "neither"), as files from other platforms may not.
    """
    kb = kb or default_knowledge_base()
    pool = [e for e in kb.exchanges if e.receiver_classes]
    needs = [_unkind(_located(need_of(e, need_nace, need_texts), e, regional), kinds != "both")
             for e in pool]  # fmt: skip
    need_text = TfidfIndex([n.text for n in needs] + [offer_of(e).text for e in pool])
    need_vectors = need_text.transform([n.text for n in needs])
    signature = [(e.case_id, e.receiver, e.receiver_classes, e.final_use) for e in pool]
    ranks: dict[str, list[float]] = {"engine": [], "popularity": [], "tfidf": []}
    for fold in case_folds(kb):
        index = MatchIndex(needs, fold.kb)
        offers = [_unkind(_located(offer_of(e, texts), e, regional), kinds == "neither")
                  for e in fold.held_out]  # fmt: skip
        engine = (
            unseen_scores(fold.kb, fold.case_id, offers, pool, needs)
            if unseen
            else index.score_matrix(offers)
        )
        model = index.model
        pop = np.array(
            [model.popularity[model.col[c]] if c in model.col else 0.0 for c in (n[0] for n in (
                e.receiver_classes for e in pool))]
        )  # fmt: skip
        text = cosine(need_text.transform([o.text for o in offers]), need_vectors)
        outside = np.array([e.case_id != fold.case_id for e in pool]) & within_case
        for i, e in enumerate(fold.held_out):
            own = (e.case_id, e.receiver, e.receiver_classes, e.final_use)
            correct = np.array([s == own for s in signature])
            for name, scores in (("engine", engine[i]), ("popularity", pop), ("tfidf", text[i])):
                ranks[name].append(expected_rank(np.where(outside, -np.inf, scores), correct))
    return {name: summarise(r, (1, 3, 5, 10)) for name, r in ranks.items()}


def _table(results: dict[str, dict[str, float]], columns: list[str]) -> str:
    lines = ["| method | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for name, row in results.items():
        lines.append(f"| {name} | " + " | ".join(f"{row[c]:.3f}" for c in columns) + " |")
    return "\n".join(lines)


#: Languages whose translated offers (and needs) are also matched in task (b) (a minute each).
LISTING_LANGUAGES = ("de", "es", "pl")


def multilingual_listings(translations: dict[str, dict[str, str]]) -> dict[str, dict[str, float]]:
    """Task (b), unseen needs, no locations, with the offers' materials in other languages."""
    needs = read_translations(NEED_TRANSLATIONS)
    out = {"en": listing_task(unseen=True)["engine"]}
    for lang in LISTING_LANGUAGES:
        out[lang] = listing_task(unseen=True, texts=translations[lang])["engine"]
        out[f"{lang}, needs too"] = listing_task(
            unseen=True, texts=translations[lang], need_texts=needs[lang]
        )["engine"]
    return out


def _multilingual_section(
    results: dict[str, dict[str, float]], listings: dict[str, dict[str, float]]
) -> str:
    n = int(results["en"]["n"])
    return f"""## (a) in other languages ({n} held-out exchanges)

Each held-out material description replaced by its translation
(`benchmarks/data/maestri_dev_translations.csv`), with the exchange's LoW code and donor NACE,
and as the text alone (no code, no donor: as a company that only writes a sentence):

{_table(results, ["hit@1", "hit@5", "hit@10", "mrr"])}

(b) listing matching (unseen needs, no locations) with the offers' materials translated, the
needs in English or ("needs too") their final uses and receiving businesses translated as well
(`maestri_dev_need_translations.csv`):

{_table(listings, ["hit@1", "hit@5", "hit@10", "mrr"])}
"""


def main() -> None:
    """Run both tasks and write the results file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    today = dt.date.today().isoformat()
    parser.add_argument("--out", type=Path, default=Path(f"benchmarks/results/matching-{today}.md"))
    parser.add_argument(
        "--multilingual-only", action="store_true", help="only the translated-materials section"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    translations = read_translations()
    languages = _multilingual_section(
        multilingual_task(translations), multilingual_listings(translations)
    )
    if args.multilingual_only:
        args.out.write_text(languages, encoding="utf-8")
        print(languages)
        return
    sectors = sector_task()
    listings = listing_task()
    regional = listing_task(regional=True)
    unseen = listing_task(unseen=True)
    unseen_regional = listing_task(regional=True, unseen=True)
    no_nace = listing_task(unseen=True, need_nace=False)
    within = listing_task(within_case=True)
    needs_unkind = listing_task(unseen=True, kinds="offers")
    neither_kind = listing_task(unseen=True, kinds="neither")
    strict_kb = strict_knowledge_base()
    strict_sectors = sector_task(strict_kb)
    strict_listings = listing_task(unseen=True, kb=strict_kb)
    elapsed = time.perf_counter() - started
    sizes = Counter(e.case_id for e in default_knowledge_base().exchanges if e.receiver_classes)
    within_needs = f"{np.mean(list(sizes.values())):.1f}"
    within_median = f"{np.median(list(sizes.values())):.0f}"
    commit = git_commit()
    n_sector = int(sectors["engine"]["n"])
    n_scoped = sum(  # receivers recorded as a division or group, written so or padded
        any(len(code_scope(s)) < 4 for s in e.receiver_scopes)
        for e in default_knowledge_base().exchanges
        if e.receiver_classes
    )
    n_listing = int(listings["engine"]["n"])
    text = f"""# Matching quality, leave-one-case-out ({today})

Machine: {platform.platform()}, Python {platform.python_version()}, {platform.processor() or "cpu"}
Commit: {commit} (plus uncommitted changes, if any). Run time: {elapsed:.1f} s.
Data: MAESTRI development exchanges (218 exchanges, 22 cases; {n_sector} with a receiver NACE).
Protocol: see `benchmarks/matching_eval.py` and `docs/matching.md`.

## (a) Receiving-sector recommendation ({n_sector} held-out exchanges)

{_table(sectors, ["hit@1", "hit@5", "hit@10", "division@5", "mrr", "scope@5", "scope@10"])}

hit@k counts a class equal to the receiver's code padded to four digits ('21' -> '2100');
scope@k counts any class inside the code as the source wrote it ('21' and '2100' are met by
'2110', '0140' by '0146'), which matters for the {n_scoped} receivers given only as a division or
group, written so or padded to four digits (e.g. "Pharmaceutical, 21", "Animal raising, 0140").

## (b) Listing matching: rank 203 needs for each held-out offer ({n_listing} offers)

Material evidence only (no locations):

{_table(listings, ["hit@1", "hit@5", "hit@10", "mrr"])}

Regional variant (each listing at its case country's centroid; baselines ignore location):

{_table(regional, ["hit@1", "hit@5", "hit@10", "mrr"])}

### Unseen needs (leave-two-cases-out for distractors)

In the variants above a distractor need from another case is scored with its *own* documented
exchange in the knowledge base, which no need of a new case has. Here every need is unseen: the
needs of case d are scored with the knowledge base without the held-out case and without d.

No locations:

{_table(unseen, ["hit@1", "hit@5", "hit@10", "mrr"])}

Regional:

{_table(unseen_regional, ["hit@1", "hit@5", "hit@10", "mrr"])}

No locations, and needs give no NACE code (receiving business and final use only):

{_table(no_nace, ["hit@1", "hit@5", "hit@10", "mrr"])}

### Within one case

Each held-out case's offers against only that case's needs (one symbiosis matched on its own,
as `match-files` would be run on a new case; {within_needs} needs a case on average, median
{within_median}), no locations. With so few candidates hit@10 is easy (popularity alone reaches
{within["popularity"]["hit@10"]:.2f}); hit@1, hit@3 and MRR are the informative figures here.

{_table(within, ["hit@1", "hit@3", "hit@5", "hit@10", "mrr"])}

### Listings that state no kind

Unseen needs, no locations, with the `kind` left out of the needs (a need stating none is
compared with offers of every physical kind) or of both sides (everything is read as material):

Needs state no kind:

{_table(needs_unkind, ["hit@1", "hit@5", "hit@10", "mrr"])}

Neither side states a kind:

{_table(neither_kind, ["hit@1", "hit@5", "hit@10", "mrr"])}

## Strict knowledge base (without the {len(CASE_LITERATURE_PATTERNS)} case-literature patterns)

Curated patterns whose only source is case literature may echo the development cases. Without
them (`CASE_LITERATURE_PATTERNS`): a pessimistic estimate for cases the patterns were not
written near.

(a) Receiving sectors:

{_table(strict_sectors, ["hit@1", "hit@5", "hit@10", "division@5", "mrr", "scope@5", "scope@10"])}

(b) Listing matching, unseen needs, no locations:

{_table(strict_listings, ["hit@1", "hit@5", "hit@10", "mrr"])}

{languages}"""
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
