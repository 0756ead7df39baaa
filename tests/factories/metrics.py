"""Small, deterministic imaging metrics files and the datasets and runs made from them
through ``metrics.services``, so their checks, hashes and audit rows are the product's."""

from __future__ import annotations

import numpy as np
from django.core.files.base import ContentFile

from metrics import core, services
from metrics.models import Dataset, Run
from tests.factories import TEST_DATA

AREAS = (
    "QNC Staffordshire and Stoke-on-Trent",
    "QUA Black Country",
    "QHL Birmingham and Solihull",
)
MODALITIES = ("CT", "MRI")
HEADER_POP = "area,sex,age_band,imd,population"
HEADER_ACT = "area,sex,age_band,imd,modality,count"


def strata() -> list[tuple[str, str, int]]:
    return [(s, a, q) for s in core.SEXES for a in core.AGE_BANDS for q in core.IMD_QUINTILES]


def arrays(seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Population (areas, 190) and counts (modalities, areas, 190)."""
    rng = np.random.default_rng(seed)
    pop = rng.integers(200, 3000, size=(len(AREAS), core.N_STRATA)).astype(float)
    rate = np.array([0.13, 0.076])[:, None, None] * rng.uniform(0.5, 1.5, (1, 1, core.N_STRATA))
    counts = rng.poisson(pop[None] * rate).astype(float)
    return pop, counts


def population_csv(seed: int = 7) -> bytes:
    pop, _ = arrays(seed)
    lines = [HEADER_POP]
    for a, area in enumerate(AREAS):
        for k, (s, band, q) in enumerate(strata()):
            lines.append(f'"{area}",{s},{band},{q},{int(pop[a, k])}')
    return ("\n".join(lines) + "\n").encode()


def activity_csv(seed: int = 7, *, areas=AREAS) -> bytes:
    _, counts = arrays(seed)
    lines = [HEADER_ACT]
    for m, modality in enumerate(MODALITIES):
        for a, area in enumerate(areas):
            for k, (s, band, q) in enumerate(strata()):
                lines.append(
                    f'"{area}",{s},{band},{q},{modality},{int(counts[m, a % len(AREAS), k])}'
                )
    return ("\n".join(lines) + "\n").encode()


def population_dataset(*, name: str = "October 2024 MPI population", by=TEST_DATA, content=None):
    return services.upload_dataset(
        kind=Dataset.Kind.POPULATION,
        name=name,
        source="NHS England MPI extract",
        period="October 2024",
        file=ContentFile(content or population_csv(), name="population.csv"),
        by=by,
    )


def activity_dataset(*, name: str = "DID 2024/25", by=TEST_DATA, content=None):
    return services.upload_dataset(
        kind=Dataset.Kind.ACTIVITY,
        name=name,
        source="NHS England DID extract",
        period="2024/25",
        file=ContentFile(content or activity_csv(), name="did.csv"),
        by=by,
    )


def completed_run(*, by=TEST_DATA) -> Run:
    run = services.create_run(
        population=population_dataset(by=by), activity=activity_dataset(by=by), by=by
    )
    return services.compute_run(run.pk)
