"""Attack (issue 12, item 8): undo small-number suppression by differencing two runs.

A by-modality run and an all-activity run over the same population publish the same
area twice: once split by modality, once as a total. If the total and the other
modalities are published exactly, the suppressed modality is their difference (the issue
found 1333 - 1330 = 3). The attacker here reads only what the public reads: the API's run
list and results, and the figures a new response letter quotes.
"""

import re
from itertools import product

import pytest

from foiregister.letters import blocks
from metrics import services
from tests.factories import TEST_DATA
from tests.factories import metrics as mf

pytestmark = pytest.mark.django_db

QNC, QUA, QHL = mf.AREAS
SMALL = ("M", "90+", 5)  # the stratum holding QNC's few CT examinations
BIG = ("F", "0-4", 1)


def world(qnc_ct: int, qua_ct: int) -> dict[tuple[str, str, tuple], int]:
    """Counts by (area, modality, stratum). QNC has a handful of CT examinations and
    1,330 MRI; QUA's CT is the next smallest, so it is hidden with QNC's in the CT run."""
    return {
        (QNC, "CT", SMALL): qnc_ct,
        (QNC, "MRI", BIG): 1330,
        (QUA, "CT", SMALL): qua_ct,
        (QUA, "MRI", BIG): 962,
        (QHL, "CT", SMALL): 55,
        (QHL, "MRI", BIG): 700,
    }


def publish(counts, *, population, world_name: str = "") -> tuple[int, int]:
    """Upload the by-modality and all-activity files of ``counts`` and compute both runs."""
    by_modality = [mf.HEADER_ACT] + [
        f'"{a}",{s},{g},{q},{m},{n}' for (a, m, (s, g, q)), n in counts.items()
    ]
    totals: dict[tuple, int] = {}
    for (a, _m, stratum), n in counts.items():
        totals[(a, stratum)] = totals.get((a, stratum), 0) + n
    all_activity = ["area,sex,age_band,imd,count"] + [
        f'"{a}",{s},{g},{q},{n}' for (a, (s, g, q)), n in totals.items()
    ]
    runs = []
    for name, lines in (("DID by modality", by_modality), ("DID all activity", all_activity)):
        activity = mf.activity_dataset(
            name=f"{name}{world_name}", content=("\n".join(lines) + "\n").encode()
        )
        run = services.create_run(population=population, activity=activity, by=TEST_DATA)
        runs.append(services.compute_run(run.pk).pk)
    return runs[0], runs[1]


def api_results(client, run_id: int) -> list[dict]:
    rows, url = [], f"/api/v1/runs/{run_id}/results/"
    while url:
        page = client.get(url).json()
        rows += page["results"]
        url = page["next"]
    return rows


def letter_figures(organisation, run_id: int, measure: str) -> dict:
    block = blocks.get_block("standardised_imaging_rate")
    return block.load(organisation=organisation, params={"run": str(run_id), "measure": measure})


def counts_implied(row: dict) -> list[float]:
    """Every count a published row gives away: the count itself, ratio x expected, and
    rate x expected / England's rate."""
    found = []
    if row["observed"] is not None:
        found.append(row["observed"])
    if row["ratio"] is not None:
        found.append(row["ratio"] * row["expected"])
    if row["rate"] is not None and row["national_rate"]:
        found.append(row["rate"] * row["expected"] / row["national_rate"])
    return found


def letter_counts(data: dict) -> list[float]:
    for line in data["rows"]:
        if line["label"].startswith("Examinations"):
            return [float(line["value"].split(" / ")[0].replace(",", ""))]
    return []


def test_the_suppressed_count_is_not_the_difference_of_any_two_published_figures(
    client, organisation
):
    population = mf.population_dataset()
    modality_run, all_run = publish(world(qnc_ct=3, qua_ct=40), population=population)

    modality = {(r["area"], r["measure"]): r for r in api_results(client, modality_run)}
    total = {(r["area"], r["measure"]): r for r in api_results(client, all_run)}
    assert modality[(QNC, "CT")]["suppressed"] is True  # primary suppression holds

    from_total = counts_implied(total[(QNC, "")])
    from_mri = counts_implied(modality[(QNC, "MRI")])
    from_mri += letter_counts(letter_figures(organisation, modality_run, "MRI"))
    assert from_total and from_mri
    differences = {round(t - m, 6) for t, m in product(from_total, from_mri)}
    assert not any(abs(d - 3) < 0.5 for d in differences), differences


def normalised(value, run_ids):
    """What was published, with the run numbers (which differ between the worlds) blanked."""
    if isinstance(value, dict):
        return {k: normalised(v, run_ids) for k, v in value.items() if k != "run"}
    if isinstance(value, list):
        return [normalised(v, run_ids) for v in value]
    if isinstance(value, str):
        for run_id in run_ids:
            value = re.sub(rf"\brun {run_id}\b", "run N", value)
        return value
    if isinstance(value, float):
        return round(value, 9)
    return value


def test_two_worlds_that_differ_only_in_the_suppressed_count_publish_the_same_figures(
    client, organisation
):
    """The general form: QNC's CT count is 3 in one world and 4 in the other (the fourth
    examination moved from QUA, in the same stratum, so England's rates, the expected
    counts and every national figure are unchanged). If anything published told the
    worlds apart, the count could be derived from published figures; nothing may."""
    population = mf.population_dataset()
    published = []
    for qnc_ct, qua_ct in ((3, 40), (4, 39)):
        counts = world(qnc_ct=qnc_ct, qua_ct=qua_ct)
        runs = publish(counts, population=population, world_name=f" (QNC CT {qnc_ct})")
        figures = {
            "api": [api_results(client, run_id) for run_id in runs],
            "letters": [
                letter_figures(organisation, runs[0], "CT"),
                letter_figures(organisation, runs[0], "MRI"),
            ],
        }
        published.append(normalised(figures, runs))
    assert published[0]["api"][0] == published[1]["api"][0]  # the by-modality run
    assert published[0]["api"][1] == published[1]["api"][1]  # the all-activity run
    assert published[0]["letters"] == published[1]["letters"]
