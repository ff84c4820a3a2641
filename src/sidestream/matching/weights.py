"""Every weight and limit of the matching engine, in one place.

Sector recommendation (``SECTOR_WEIGHTS``) sums its named components (each 0–1) with these
weights and divides by the total weight; listing matching (``WEIGHTS``) takes their weighted
geometric mean, so every condition must hold. Scores stay in 0–1. Change them here;
``benchmarks/matching_eval.py`` measures the effect.
"""

from __future__ import annotations

from sidestream.taxonomy.kinds import Kind

#: Receiving-sector recommendation: evidence for "class C can use this material".
SECTOR_WEIGHTS: dict[str, float] = {
    "text": 0.10,  # similarity of the description to documented materials received by C
    "code": 0.10,  # LoW code of a documented material received by C: exact / sub-chapter / chapter
    "pattern": 0.55,  # a curated pattern (code prefix or keyword) names C
    "donor": 0.15,  # documented donor-sector -> receiver-sector co-occurrence
    "popularity": 0.10,  # how often C receives anything in the documented cases
    "semantic": 0.10,  # multilingual embedding similarity to documented materials received by C
    "semantic_pattern": 0.30,  # embedding similarity to a keyword of a pattern naming C
}

#: In the ranking of classes, the ``semantic_pattern`` component of a class no pattern names is
#: its keyword's embedding similarity less this many times its shortfall from the description's
#: nearest keyword (never below 0): multilingual embeddings find most short texts 0.6–0.8 alike,
#: so what tells is how near a keyword comes to the nearest one ("Fuel gas" is 0.93 alike the
#: keyword "fuel gas" and 0.68 alike "flue gas", a greenhouse's CO2: 0.68 - 2 × 0.25 = 0.18). A
#: named class, and a listing's evidence for one class, keep the similarity.
SEMANTIC_PATTERN_MARGIN = 2.0

#: Sector components left out of a listing match's known-use evidence (the sector score of
#: the need's class). How often a class receives anything is a prior for "who could use it";
#: among needs each is a candidate itself, and a class with many needs is already many
#: candidates: counting its frequency again put every cement works above the one rare
#: receiver the material suits as well.
LISTING_SECTOR_LEAVES_OUT: frozenset[str] = frozenset({"popularity"})

#: Donor-component score of the donor's own class (reuse within the same industry).
SAME_SECTOR = 0.6

#: Least similarity (the larger of description and LoW code similarity) of a documented
#: exchange's material to the stream for it to be shown as a supporting case, by the text
#: evidence in use: below it the similarities are noise (multilingual embeddings: "sawdust" and
#: "waste water" 0.39; TF-IDF alone: "used cooking oil" and "paper sludge" 0.30, while "waste
#: water from food production" and "waste water" reach 0.44).
EVIDENCE_MIN_SIMILARITY: dict[str, float] = {"semantic": 0.5, "lexical": 0.4}

#: Heat colder than a use needs, within a heat pump's lift (``impact.heat_pump.MAX_LIFT_K``):
#: the pattern strength (sectors) and quality score (listings) are scaled from the first value at
#: the smallest lift down to the second at the largest. Heat hot enough scores 1.
HEAT_PUMP_FIT: tuple[float, float] = (0.7, 0.4)

#: A heat listing's title temperature below this is not the heat's own ("Surplus heat from our
#: cold store (-25 °C)", "nave 2º C": hall 2); a stated ``temperature_c`` is taken as stated.
MIN_WRITTEN_HEAT_C = 10.0

#: A store's temperature (a capacity's ``temperature_c``) is the temperature it keeps: it must
#: be no warmer than the temperature a need's goods require, and at most this much colder
#: (a -25 °C freezer is no place for goods kept at +4 °C: they would freeze).
STORE_COLDER_K = 10.0

#: Water quality (``properties.water_quality``, from the cleanest: potable, process, cooling,
#: grey, waste): each step the offer falls short of the quality a need asks for costs this
#: much of the quality score (it needs treatment first; never below ``WATER_STEP_FIT``).
WATER_STEP_FIT = 0.2

#: Moisture (``properties.moisture_pct``, or 100 less ``dry_matter_pct``): an offer's is what
#: it holds, a need's the most it takes. Each percentage point above costs this share of the
#: quality score; beyond ``1 / MOISTURE_STEP_FIT`` points the pair is ruled out (a slurry of 4 %
#: dry matter is no fuel for a boiler that takes wood chips up to 45 % moisture).
MOISTURE_STEP_FIT = 0.1

#: Receiving classes no heat pump serves: lifting heat to make electricity loses more than it
#: gains (ORC and steam-cycle power generation).
NO_HEAT_PUMP_CLASSES: frozenset[str] = frozenset({"3511"})

#: LoW code similarity levels (code component of both tasks).
CODE_LEVELS: dict[str, float] = {"exact": 1.0, "sub_chapter": 0.6, "chapter": 0.25}
#: LoW chapters and sub-chapters that list unlike materials side by side, by where they arise:
#: packaging (15 01: paper, plastic, wood, metal, glass), end-of-life vehicles (16 01),
#: construction wood, glass and plastic (17 02), waste-treatment outputs (19 12: RDF, metals,
#: glass, wood), municipal fractions (20 01, 20 03); and the chapters of such groups (15, 16,
#: 17, 19, 20), whose sub-chapters are different processes (19 01 incinerator ash, 19 08
#: sewage sludge). An offer sharing one with the material a need asks for gets no credit but
#: for the same code (listings, ``scoring.code_scores``). The sector model keeps the credit:
#: an industry that takes one fraction of such a group often takes its neighbours (a packaging
#: maker newspaper and wood pulp, 20 01 01 and 20 01 38); without it class hit@5 fell 0.586 ->
#: 0.571 (stop 34).
MIXED_LOW_GROUPS: frozenset[str] = frozenset(
    {"15", "16", "17", "19", "20", "1501", "1601", "1702", "1912", "2001", "2003"}
)

#: Pattern hit strength by what matched.
PATTERN_STRENGTH: dict[str, float] = {
    "code6": 1.0, "code4": 0.8, "code2": 0.4, "keyword": 0.9,
}  # fmt: skip

#: A pattern for materials naming a class also names, at this share of its strength, the group
#: the class belongs to where documented receivers are written as that group ("Agriculture,
#: 0110/0120"; "Animal raising, 0140"): a fertiliser for cereal growing is one for crop growing.
GROUP_CREDIT = 0.85

#: Listing matching: named components of an offer–need pair, combined by a weighted geometric
#: mean (``scoring.combine``): the weights are the exponents' shares.
WEIGHTS: dict[str, float] = {
    "material": 0.45,  # same code / family, known use by the need's industry, text similarity
    "distance": 0.20,  # haversine distance against the kind's maximum transport distance
    "quantity": 0.15,  # how much of the need the offer covers, and of the offer the need uses
    "quality": 0.10,  # heat hot enough for the need (or liftable by a heat pump), hazardous ok
    "time": 0.05,  # overlap of the availability windows
    "regulatory": 0.05,  # hazardous waste, animal by-products, waste status
}

#: How much each material evidence counts; combined by noisy-or, 1 − Π(1 − w·s):
#: same LoW code / family; known use of the offer's material by the need's industry (sector
#: recommender); description similarity; documented analogous exchange (similar material taken
#: by a receiver like the need, business + final use); known use (a pattern naming the offer's
#: material has a typical use like the need's text, whatever the need's industry); named (the
#: need names in words, in any language the curated keywords cover, a material of a pattern
#: that names the offer's material).
MATERIAL_SOURCES: dict[str, float] = {
    "code": 1.0,
    "kb_use": 0.9,
    "text": 0.9,
    "analogue": 0.5,
    "use": 0.6,
    "named": 0.6,
}

#: Semantic (embedding) similarity of needs to documented receivers is used only when an
#: index holds at most this many distinct need texts: each new text costs ~10 ms of embedding,
#: so a large registry keeps to TF-IDF there (the offer side stays semantic at any size).
SEMANTIC_MAX_NEED_TEXTS = 5_000

#: Documented receivers kept per need for the analogous-exchange evidence.
ANALOGUES = 5

#: Pattern typical uses kept per need for the known-use-of-this-material evidence, and the
#: evidence from which a match names the use.
USES = 5
USE_DETAIL_MIN = 0.05

#: Listing matching, need's receiving class when its own NACE class is not in the knowledge
#: base: a class of the same group / division, or one inferred from the most similar documented
#: receiver (× that similarity). The known-use evidence is multiplied by this weight.
NACE_BACKOFF: dict[str, float] = {"group": 0.7, "division": 0.4, "inferred": 0.8}

#: Least receiver-text similarity for inferring a need's class from a documented receiver (and
#: a listing's kind from a documented exchange, where it states and implies none).
INFER_MIN_SIMILARITY = 0.5

#: Least semantic similarity of a need's business (its description, else its title) to a NACE
#: class title for inferring the need's class from it, where the need gives no NACE code
#: ("Toy factory" -> 3240 Manufacture of games and toys): one inference of the two, the surer.
INFER_TITLE_MIN_SIMILARITY = 0.6
#: Least similarity of a need's business to a class title or business name of another
#: division than its documented look-alike receiver's for that reading to overrule the
#: receiver's (a name it writes is 1): "Agriculture" is 0.66 alike "agrochemical company".
OVERRULE_MIN_SIMILARITY = 0.7

#: Reading the kind a need's title asks for from the documented final uses alike to it
#: (``SectorModel.kinds_wanted``): the least TF-IDF similarity of a final use that votes, and
#: the share of the votes' similarity one kind must hold ("Process material" is water in one
#: documented exchange and material in two: no reading).
WANTED_KIND_MIN_SIMILARITY = 0.4
WANTED_KIND_MIN_SHARE = 0.7

#: Material evidence of a pair whose kinds differ once a kind is read for a side that states
#: none (a need titled "Process heat" read as energy, against a material offer).
KIND_DOUBT = 0.5

#: How well an energy offer of one form serves an energy need of another (rows: the offer's
#: form, columns: the need's, both in ``carriers.CARRIERS`` order: heat, power, fuel, cold), as
#: read from their titles: a factor on the material evidence. A fuel is burnt for heat or
#: power; heat makes power (ORC) or cold (absorption chillers) only through a plant of its
#: own, as power makes heat or cold: 0.5; nothing but a fuel is one, and cold serves only cold:
#: 0.2. Never 0: words can be misread, so such a pair ranks low with its reason rather than
#: disappearing.
CARRIER_FIT: tuple[tuple[float, ...], ...] = (
    (1.0, 0.5, 0.2, 0.5),
    (0.5, 1.0, 0.2, 0.5),
    (1.0, 1.0, 1.0, 0.5),
    (0.2, 0.2, 0.2, 1.0),
)

#: A need asking for fuel ("Fuel", "Brennstoff") and an offer that cannot burn (ash, slag, a
#: metal, an acid: ``carriers.does_not_burn``): factor on the material evidence. Soft, as the
#: reading of words can be wrong.
NOT_A_FUEL = 0.5

#: A need whose title names in words the material of a curated pattern ("Gypsum" of "Gypsum
#: as set retarder") asks for that material. A material offer that names only other
#: materials, none a substitute for it (``SUBSTITUTE_USE_SIMILARITY``), gets this factor on
#: its material evidence: refuse-derived fuel for "Gypsum as set retarder" at a cement works
#: took 64 % material fit from the works' known use of fuels. Soft, as ``NOT_A_FUEL``: words
#: can be misread. Exempt: the same LoW code (a sub-chapter spans materials: fly ash and FGD
#: gypsum are both 10 01) and an offer sharing words with what the need's title asks for, its
#: words before the purpose (TF-IDF at least ``NAMES_ANOTHER_MAX_TEXT``; "cattle" of "Straw for
#: cattle bedding" does not count for "Cattle manure").
NAMES_ANOTHER = 0.5
NAMES_ANOTHER_MAX_TEXT = 0.4
#: ... nor where the need reads like a known use of the offer's material (the ``use``
#: evidence) at least this much: then its words name what the material becomes ("Fertile soil
#: for growing vegetables" of nutrient-rich water, "Protein feed for dairy cows" of brewers'
#: yeast), not another material.
NAMES_ANOTHER_MAX_USE = 0.45
#: Two patterns name substitutes (one receiver takes either in the other's place) when they
#: name the same class for typical uses at least this alike in words (TF-IDF): RDF's and tank
#: sludge's "alternative fuel (and raw material) in cement kilns" (0.87), not RDF's and
#: gypsum's "cement set retarder" (0.17).
SUBSTITUTE_USE_SIMILARITY = 0.5

#: Least value of a component in the weighted geometric mean of a pair's total score.
COMPONENT_FLOOR = 0.01

#: Score of a component whose inputs are missing (location, quantity, dates...).
UNKNOWN = 0.5

#: Pairs whose material score is below this are not candidates at all.
MIN_MATERIAL = 0.12
#: A network plan's link whose material score is below this is flagged for a person to check
#: before the companies are introduced (its value assumes the need uses the offer's material
#: in full). Not a filter: 15 % of the documented material exchanges score below it on their
#: own pair, leave-one-case-out (docs/optimisation.md, "Known limit").
WEAK_MATERIAL = 0.35

#: Maximum sensible transport distance by kind (km); beyond it a pair is not a candidate.
MAX_DISTANCE_KM: dict[Kind, float | None] = {
    Kind.energy: 10.0,  # heat and steam networks
    Kind.water: 20.0,
    Kind.material: 300.0,  # bulk materials by road
    Kind.capacity: 50.0,
    Kind.service: 150.0,
    Kind.knowledge: None,  # no limit
}

#: Heat pipes pay off over longer distances for larger flows: the energy limit grows with the
#: square root of the annual amount exchanged (the smaller of offer and need, both in MWh), from
#: ``MAX_DISTANCE_KM[energy]`` at ``ENERGY_REFERENCE_MWH`` up to ``ENERGY_MAX_KM``. Pipe cost per
#: km rises about linearly with the pipe's diameter (Persson and Werner 2011, Applied Energy
#: 88:568-576) while its capacity rises with the diameter squared, so the distance a given cost
#: per MWh affords grows with the square root of the flow (60 GWh a year: 17 km, as Billerud
#: Frövi's surplus heat travels to Lindesberg's district heating).
ENERGY_REFERENCE_MWH = 20_000.0
ENERGY_MAX_KM = 30.0

#: Road haulage cost for bulk materials, EUR per tonne-kilometre (order of magnitude).
TRANSPORT_EUR_PER_TKM = 0.10

#: Regulatory flag scores (the lowest applicable one is used).
REGULATORY: dict[str, float] = {
    "none": 1.0, "waste": 0.8, "animal_by_product": 0.6, "hazardous": 0.4,
}  # fmt: skip
