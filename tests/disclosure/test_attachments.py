"""Attachments are checked inside, not just their visible text. Files are built here."""

import io
import zipfile

import docx
import openpyxl
import pypdf
import pytest

from foiregister.disclosure import checks, selectors, services
from foiregister.disclosure.exceptions import PersonalDataFound, UncheckedAttachment
from foiregister.kernel import audit
from tests.factories.disclosure import responded_request

NOBODY = checks.RequesterDetails()


def details(filename, data):
    findings, checkable = checks.scan_attachment(filename, data, requester=NOBODY)
    return {f.detail for f in findings}, {f.kind for f in findings}, checkable


def xlsx(build) -> bytes:
    wb = openpyxl.Workbook()
    wb.properties.creator = ""
    wb.properties.lastModifiedBy = ""
    build(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_clean_spreadsheet_has_no_findings():
    data = xlsx(lambda wb: wb.active.append(["Contracts", 3]))
    assert details("f.xlsx", data) == (set(), set(), True)


def test_hidden_sheet_rows_and_columns_are_found():
    def build(wb):
        wb.active.append(["Total", 3])
        wb.active.row_dimensions[1].hidden = True
        wb.active.column_dimensions["B"].hidden = True
        raw = wb.create_sheet("Raw")
        raw.append(["943 476 5919"])
        raw.sheet_state = "hidden"

    found, kinds, _ = details("f.xlsx", xlsx(build))
    assert {"hidden sheet", "hidden rows", "hidden columns"} <= found
    assert checks.NHS_NUMBER in kinds


def test_spreadsheet_comment_is_found():
    from openpyxl.comments import Comment

    def build(wb):
        wb.active["A1"] = "3"
        wb.active["A1"].comment = Comment("ask jo@example.org", "Jo")

    found, kinds, _ = details("f.xlsx", xlsx(build))
    assert "comments" in found and checks.EMAIL in kinds


def test_pivot_cache_is_found():
    data = xlsx(lambda wb: wb.active.append(["x"]))
    buf = io.BytesIO(data)
    with zipfile.ZipFile(buf, "a") as zf:
        zf.writestr(
            "xl/pivotCache/pivotCacheRecords1.xml",
            '<pivotCacheRecords><r><s v="AB 12 34 56 C"/></r></pivotCacheRecords>',
        )
    found, kinds, _ = details("f.xlsx", buf.getvalue())
    assert "pivot cache" in found and checks.NI_NUMBER in kinds


def docx_bytes(author="", extra_xml=None) -> bytes:
    document = docx.Document()
    document.core_properties.author = author
    document.core_properties.last_modified_by = ""
    document.add_paragraph("We hold three contracts.")
    out = io.BytesIO()
    document.save(out)
    if extra_xml is None:
        return out.getvalue()
    src = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    dst_buf = io.BytesIO()
    with zipfile.ZipFile(dst_buf, "w") as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "word/document.xml":
                content = content.replace(b"</w:body>", extra_xml + b"</w:body>")
            dst.writestr(item, content)
    return dst_buf.getvalue()


def test_docx_author_metadata_is_found():
    found, kinds, _ = details("r.docx", docx_bytes(author="Pat Officer"))
    assert checks.DOCUMENT_METADATA in kinds


def test_docx_tracked_changes_are_found_with_their_deleted_text():
    deleted = (
        b'<w:p><w:del w:id="1" w:author="A" w:date="2025-01-01T00:00:00Z"><w:r>'
        b"<w:delText>ring 01632 960123</w:delText></w:r></w:del></w:p>"
    )
    found, kinds, _ = details("r.docx", docx_bytes(extra_xml=deleted))
    assert "tracked deletion" in found and checks.TELEPHONE in kinds


def pdf_bytes(author="", annotation="") -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if author:
        writer.add_metadata({"/Author": author})
    if annotation:
        from pypdf.annotations import Text

        writer.add_annotation(
            page_number=0, annotation=Text(rect=(10, 10, 50, 50), text=annotation)
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_pdf_metadata_and_annotations_are_found():
    found, kinds, _ = details("r.pdf", pdf_bytes(author="Pat Officer", annotation="see jo@x.org"))
    assert checks.DOCUMENT_METADATA in kinds and "annotation" in found
    assert checks.EMAIL in kinds


def test_clean_pdf_is_checkable():
    assert details("r.pdf", pdf_bytes()) == (set(), set(), True)


@pytest.mark.django_db
def test_attachment_finding_blocks_publication(organisation, foi_lead):
    request = responded_request(organisation=organisation, by=foi_lead)
    services.add_attachment(
        request=request, filename="r.pdf", data=pdf_bytes(author="Pat"), by=foi_lead
    )
    with pytest.raises(PersonalDataFound):
        services.publish_response(request=request, by=foi_lead)


@pytest.mark.django_db
def test_uncheckable_attachment_needs_an_audited_override(organisation, foi_lead, client):
    request = responded_request(organisation=organisation, by=foi_lead)
    attachment = services.add_attachment(
        request=request, filename="scan.tiff", data=b"II*\x00", by=foi_lead, title="Scan"
    )
    [finding] = selectors.outstanding_findings(request)
    services.accept_finding(request=request, fingerprint=finding.fingerprint, by=foi_lead)
    with pytest.raises(UncheckedAttachment):
        services.publish_response(request=request, by=foi_lead)
    services.override_unchecked_attachment(
        attachment=attachment, by=foi_lead, reason="read every page of the scan"
    )
    entry = services.publish_response(request=request, by=foi_lead)
    assert audit.history_for(request).filter(action="disclosure.attachment_override").exists()
    download = client.get(f"/responses/{entry.public_id}/attachments/1/")
    assert download.status_code == 200
    assert entry.reference.replace("/", "-") + "-1.tiff" in download["Content-Disposition"]


def test_private_name_in_a_spreadsheets_hidden_sheet_is_found():
    def build(wb):
        wb.active.append(["Contracts", 3])
        hidden = wb.create_sheet("Working")
        hidden.append(["Checked by", "Jane Smith"])
        hidden.sheet_state = "hidden"

    findings, _ = checks.scan_attachment(
        "f.xlsx", xlsx(build), requester=NOBODY, private_names=["Jane Smith"]
    )
    assert {f.kind for f in findings} == {checks.HIDDEN_CONTENT, checks.PRIVATE_NAME}


def with_parts(data: bytes, parts: dict[str, bytes]) -> bytes:
    """The same Office file with more parts in its zip, as Word and Excel write them."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        for name, content in parts.items():
            dst.writestr(name, content)
    return out.getvalue()


def test_docx_footnote_text_is_checked():
    footnotes = (
        b'<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b'<w:footnote w:id="1"><w:p><w:r><w:t>Source: jo.bloggs@example.org</w:t></w:r></w:p>'
        b"</w:footnote></w:footnotes>"
    )
    _, kinds, _ = details("r.docx", with_parts(docx_bytes(), {"word/footnotes.xml": footnotes}))
    assert checks.EMAIL in kinds


def test_embedded_file_in_a_spreadsheet_is_found():
    """An embedded workbook is a file inside the file: it is not read, so it is reported."""
    data = with_parts(
        xlsx(lambda wb: wb.active.append(["Contracts", 3])),
        {"xl/embeddings/Microsoft_Excel_Worksheet1.xlsx": b"PK"},
    )
    found, kinds, _ = details("f.xlsx", data)
    assert "embedded file" in found and checks.HIDDEN_CONTENT in kinds


def test_custom_document_properties_are_found():
    custom = (
        b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'docPropsVTypes"><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" '
        b'name="Reviewer"><vt:lpwstr>Pat Officer, 07700 900123</vt:lpwstr></property>'
        b"</Properties>"
    )
    found, kinds, _ = details("r.docx", with_parts(docx_bytes(), {"docProps/custom.xml": custom}))
    assert checks.DOCUMENT_METADATA in kinds and checks.TELEPHONE in kinds
