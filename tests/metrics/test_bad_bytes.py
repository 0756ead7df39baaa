"""Files that are not UTF-8 text, hold NUL bytes, or give absurd figures (issue 15).

Each is refused with one message naming the file, line and field, on the command line
(exit 1, no traceback) and in the admin upload (the form error, no dataset written).
"""

import csv
import io as stdio
from itertools import product

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from metrics.models import Dataset
from tests.metrics.test_cli import run

STRATA = [
    (s, a, q)
    for s, a, q in product("FM", [f"{x}-{x + 4}" for x in range(0, 90, 5)] + ["90+"], "12345")
]


def population_text(area="A", value="100"):
    out = stdio.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["area", "sex", "age_band", "imd", "population"])
    for s, a, q in STRATA:
        w.writerow([area, s, a, q, value])
    return out.getvalue()


def counts_text(*, line=None, field=None, value=None):
    """A counts file for area A; the data line ``line`` (header = 1) gets ``value`` in ``field``."""
    header = ["area", "sex", "age_band", "imd", "count"]
    rows = [["A", s, a, q, "5"] for s, a, q in STRATA]
    if line is not None:
        rows[line - 2][header.index(field)] = value
    out = stdio.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return out.getvalue()


SAVE_AS = "save it from the spreadsheet as 'CSV UTF-8 (comma delimited)'"

CASES = {
    "latin-1": (
        population_text(area="Hôpital").encode("latin-1"),
        "line 2, field area: byte 0xF4 is not UTF-8 text (the file looks saved as "
        f"Windows-1252 or Latin-1); {SAVE_AS}",
    ),
    "utf-16": (
        population_text().encode("utf-16"),
        f"line 1: the file is UTF-16 text, not UTF-8; {SAVE_AS}",
    ),
    "utf-16 without a byte-order mark": (
        population_text().encode("utf-16-le"),
        f"line 1: the header holds NUL bytes: the file is UTF-16 or not text; {SAVE_AS}",
    ),
    "NUL in a key": (
        population_text().replace("A,F,5-9,3", "A\x00,F,5-9,3").encode(),
        "line 9, field area: holds a NUL byte ('\\x00'): the file is damaged or not text",
    ),
    "NUL in a number": (
        population_text().replace("A,M,0-4,2,100", "A,M,0-4,2,1\x0000").encode(),
        "line 98, field population: holds a NUL byte ('\\x00'): the file is damaged or not text",
    ),
    "1e23": (
        population_text().replace("A,F,0-4,3,100", "A,F,0-4,3,1e23").encode(),
        "line 4, field population: '1e+23' is too large: a population of one stratum over "
        "1,000,000,000 is a mistake in the file",
    ),
    "xlsx": (
        b"PK\x03\x04\x14\x00rest-of-a-zip",
        f"the file is a spreadsheet (.xlsx), not CSV; {SAVE_AS}",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_cli_names_file_line_and_field_for_bad_bytes(tmp_path, case):
    content, message = CASES[case]
    (tmp_path / "population.csv").write_bytes(content)
    (tmp_path / "observed.csv").write_text(counts_text())
    done = run(tmp_path, "isr", "--population", "population.csv", "--observed", "observed.csv",
               "--out", "o.csv")  # fmt: skip
    assert done.returncode == 1
    sep = ": " if message.startswith("the file") else " "
    assert done.stderr == f"population.csv{sep}{message}\n"
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "o.csv").exists()


def test_cli_refuses_a_count_of_1e23_and_a_latin1_modality(tmp_path):
    (tmp_path / "population.csv").write_text(population_text())
    (tmp_path / "observed.csv").write_text(counts_text(line=7, field="count", value="1e23"))
    done = run(tmp_path, "isr", "--population", "population.csv", "--observed", "observed.csv",
               "--out", "o.csv")  # fmt: skip
    assert done.stderr == (
        "observed.csv line 7, field count: '1e+23' is too large: a count of one stratum over "
        "1,000,000,000 is a mistake in the file\n"
    )
    text = counts_text().replace(
        "area,sex,age_band,imd,count", "area,sex,age_band,imd,modality,count"
    )
    lines = text.splitlines()
    lines[1:] = [line.removesuffix(",5") + ",CT,5" for line in lines[1:]]
    lines[3] = lines[3].replace(",CT,", ",Écho,")
    (tmp_path / "observed.csv").write_bytes(("\n".join(lines) + "\n").encode("cp1252"))
    done = run(tmp_path, "isr", "--population", "population.csv", "--observed", "observed.csv",
               "--by", "modality", "--out", "o.csv")  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.startswith("observed.csv line 4, field modality: byte 0xC9 is not UTF-8")


def test_a_billion_is_still_a_figure(tmp_path):
    (tmp_path / "population.csv").write_text(population_text(value="1000000000"))
    (tmp_path / "observed.csv").write_text(counts_text())
    done = run(tmp_path, "isr", "--population", "population.csv", "--observed", "observed.csv",
               "--out", "o.csv")  # fmt: skip
    assert done.returncode == 0, done.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("case", ["latin-1", "utf-16", "NUL in a key", "1e23"])
def test_admin_upload_refuses_bad_bytes_and_writes_nothing(
    commissioner_client, settings, tmp_path, case
):
    settings.MEDIA_ROOT = tmp_path / "media"
    content, message = CASES[case]
    response = commissioner_client.post(
        reverse("admin:metrics_dataset_add"),
        {
            "kind": "population",
            "name": "October 2024 MPI population",
            "source": "MPI",
            "period": "October 2024",
            "file": SimpleUploadedFile("mpi.csv", content, content_type="text/csv"),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "mpi.csv " + message.replace("'", "&#x27;") in html, html[html.find("errorlist") :][
        :400
    ]
    assert not Dataset.objects.exists()
    assert not list((tmp_path / "media").rglob("*.csv")) if (tmp_path / "media").exists() else True
