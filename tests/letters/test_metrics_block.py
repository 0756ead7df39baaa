"""The standardised imaging rate block cites a fixed, completed metrics run."""

import pytest

from foiregister.letters import blocks
from metrics import selectors as metrics_selectors
from tests.factories import TEST_DATA
from tests.factories import metrics as mf

pytestmark = pytest.mark.django_db


def test_rate_block_shows_the_runs_published_figures_for_the_organisations_area(organisation):
    """A letter quotes what the API publishes: the count rounded to 5, the rate and limits
    worked from it (issue 12 item 8), not the admin's exact figures."""
    run = mf.completed_run()
    stored = metrics_selectors.published_result_for(run=run, area="QNC", measure="MRI")
    data = blocks.get_block("standardised_imaging_rate").load(
        organisation=organisation, params={"run": str(run.pk), "measure": "MRI"}
    )
    values = {row["label"]: row["value"] for row in data["rows"]}
    assert values["Standardised rate per 10,000"] == f"{stored['rate']:,.1f}"
    assert values["95% confidence interval"] == (
        f"{stored['rate_lower95']:,.1f} to {stored['rate_upper95']:,.1f}"
    )
    assert "QNC Staffordshire and Stoke-on-Trent" in data["intro"]
    assert values["Examinations (observed / expected)"].startswith(
        f"{int(stored['observed']):,} /"
    )
    assert stored["observed"] % 5 == 0 and "rounded to the nearest 5" in data["note"]


def test_rate_block_refuses_a_run_that_is_not_completed(organisation):
    with pytest.raises(blocks.BlockError, match="not one of"):
        blocks.get_block("standardised_imaging_rate").clean({"run": "999", "measure": "MRI"})


def test_rate_block_says_when_the_area_has_no_result(organisation):
    run = mf.completed_run()
    data = blocks.get_block("standardised_imaging_rate").load(
        organisation=organisation, params={"run": str(run.pk), "measure": "PET"}
    )
    assert data["rows"] == [] and "No PET result" in data["empty"]


def test_rate_block_withholds_a_small_number_as_the_published_figures_do(organisation):
    """QNC has 3 MRI examinations: a letter is published, so it must not quote them, nor
    a rate or ratio from which the 3 could be worked back."""
    activity = "\n".join(
        [
            mf.HEADER_ACT,
            '"QNC Staffordshire and Stoke-on-Trent",F,0-4,1,MRI,3',
            '"QUA Black Country",F,0-4,1,MRI,40',
            '"QHL Birmingham and Solihull",F,0-4,1,MRI,55',
        ]
    ).encode()
    from metrics import services as metrics_services

    run = metrics_services.create_run(
        population=mf.population_dataset(),
        activity=mf.activity_dataset(content=activity),
        by=TEST_DATA,
    )
    run = metrics_services.compute_run(run.pk)
    unsuppressed = metrics_selectors.result_for(run=run, area="QNC", measure="MRI")
    assert unsuppressed["observed"] == 3  # the admin still sees the count

    data = blocks.get_block("standardised_imaging_rate").load(
        organisation=organisation, params={"run": str(run.pk), "measure": "MRI"}
    )
    assert data["rows"] == []
    assert "not published" in data["empty"] and "fewer than 8" in data["empty"]
    assert f"{unsuppressed['rate']:,.1f}" not in str(data)
