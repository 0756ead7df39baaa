"""A new commissioner's path through the imaging metrics screens: where to get a file of the
right shape, what a run is called, and its page in words rather than stored values."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from metrics import services
from metrics.models import Dataset, Run
from tests.factories import TEST_DATA
from tests.factories import metrics as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _upload(client):
    client.post(
        reverse("admin:metrics_dataset_add"),
        {
            "kind": "activity",
            "name": "DID 2024/25",
            "source": "NHS England DID",
            "period": "2024/25",
            "file": SimpleUploadedFile("did.csv", f.activity_csv(), content_type="text/csv"),
        },
    )
    return Dataset.objects.get()


def test_add_dataset_page_says_which_columns_each_kind_needs(commissioner_client):
    page = commissioner_client.get(reverse("admin:metrics_dataset_add")).content.decode()

    assert "area,sex,age_band,imd,population" in page
    assert "area,sex,age_band,imd,modality,count" in page


def test_a_dataset_file_can_be_downloaded_from_its_page(commissioner_client):
    """The demo's datasets are the examples a newcomer copies the layout of."""
    dataset = _upload(commissioner_client)
    download = reverse("admin:metrics_dataset_download", args=[dataset.pk])

    page = commissioner_client.get(reverse("admin:metrics_dataset_change", args=[dataset.pk]))
    response = commissioner_client.get(download)

    assert download in page.content.decode()
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == f.activity_csv()
    assert 'filename="did.csv"' in response["Content-Disposition"]


def test_a_dataset_file_is_not_given_to_the_public_or_staff_without_a_role(
    public_client, commissioner_client, organisation, django_user_model
):
    dataset = _upload(commissioner_client)
    url = reverse("admin:metrics_dataset_download", args=[dataset.pk])
    roleless = django_user_model.objects.create_user("roleless", is_staff=True)
    roleless.organisations.add(organisation)
    public_client.force_login(roleless)

    anonymous = commissioner_client.__class__().get(url)
    staff = public_client.get(url)

    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert staff.status_code in (403, 404)


def test_run_list_names_its_first_column_run_not_pk(commissioner_client):
    f.completed_run()

    page = commissioner_client.get(reverse("admin:metrics_run_changelist")).content.decode()

    assert ">Run<" in page or ">run<" in page.lower()
    assert "column-pk" not in page and ">Pk<" not in page and ">PK<" not in page


def test_run_page_says_its_status_once_and_lists_measures_as_words(commissioner_client):
    run = f.completed_run()
    Run.objects.filter(pk=run.pk).update(stage="Completed")

    page = commissioner_client.get(reverse("admin:metrics_run_change", args=[run.pk]))
    html = page.content.decode()

    assert "Completed</strong> (Completed)" not in html
    assert "[&quot;" not in html and '["' not in html  # the measures, not their JSON
    assert "CT, MRI" in html


def test_a_running_run_still_shows_its_stage(commissioner_client):
    run = services.create_run(
        population=f.population_dataset(), activity=f.activity_dataset(), by=TEST_DATA
    )
    Run.objects.filter(pk=run.pk).update(status=Run.Status.RUNNING, progress=35, stage="Reading")

    html = commissioner_client.get(reverse("admin:metrics_run_change", args=[run.pk])).content

    assert b"Running</strong> (Reading)" in html
