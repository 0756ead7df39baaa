import pytest

from tests.factories import letters as letter_factories


@pytest.fixture(autouse=True)
def _figures():
    """Each test starts from the same register figures."""
    letter_factories.FIGURES.clear()
    letter_factories.FIGURES["spend"] = "£3,091,519"
    yield
    letter_factories.FIGURES.clear()


@pytest.fixture
def pdf_text():
    import io

    from pypdf import PdfReader

    def extract(data: bytes) -> str:
        reader = PdfReader(io.BytesIO(bytes(data)))
        return "\n".join(page.extract_text() for page in reader.pages)

    return extract
