"""Attachments with a value planted in one hidden place each, built here as Word, Excel and
a PDF writer would write them (openpyxl, python-docx and pypdf, plus raw XML edits where
the library cannot write the place), for the attacks of issue 12 item 3.

``hidden_place_files(secret)`` returns ``{place: (filename, bytes)}``; each file's visible
text is clean, and ``secret`` is only in ``place``.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

import docx
import openpyxl
import pypdf
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)


def rewrite_parts(data: bytes, edits: dict[str, Callable[[str], str]]) -> bytes:
    """The same zip with some of its XML parts edited (a missing part is created from '')."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    names = src.namelist()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename in edits:
                content = edits[item.filename](content.decode("utf-8")).encode("utf-8")
            dst.writestr(item, content)
        for name, edit in edits.items():
            if name not in names:
                dst.writestr(name, edit("").encode("utf-8"))
    return out.getvalue()


# -- XLSX -----------------------------------------------------------------------------------


def _workbook(build: Callable[[openpyxl.Workbook], None] | None = None) -> bytes:
    wb = openpyxl.Workbook()
    wb.properties.creator = ""
    wb.properties.lastModifiedBy = ""
    wb.active.append(["Modality", "Contracts"])
    wb.active.append(["MRI", 3])
    if build:
        build(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _core(attribute: str, secret: str) -> bytes:
    return _workbook(lambda wb: setattr(wb.properties, attribute, secret))


def _xlsx_header(secret: str) -> bytes:
    def build(wb):
        wb.active.oddHeader.center.text = secret

    return _workbook(build)


def _xlsx_footer(secret: str) -> bytes:
    def build(wb):
        wb.active.oddFooter.left.text = secret

    return _workbook(build)


def _xlsx_defined_name(secret: str) -> bytes:
    def build(wb):
        wb.defined_names["Contact"] = DefinedName("Contact", attr_text=f'"{secret}"')

    return _workbook(build)


def _xlsx_validation(secret: str) -> bytes:
    def build(wb):
        dv = DataValidation(type="list", formula1=f'"{secret},Other"')
        wb.active.add_data_validation(dv)
        dv.add("C2")

    return _workbook(build)


def _xlsx_hyperlink(secret: str) -> bytes:
    def build(wb):
        wb.active["C1"] = "Contact"
        wb.active["C1"].hyperlink = f"https://example.org/people?who={secret}"

    return _workbook(build)


def _xlsx_app_company(secret: str) -> bytes:
    return rewrite_parts(
        _workbook(),
        {
            "docProps/app.xml": lambda x: x.replace(
                "</Properties>", f"<Company>{secret}</Company></Properties>"
            )
        },
    )


def _xlsx_cached_formula(secret: str) -> bytes:
    """A formula whose last computed value (Excel keeps it in the file) is the secret; the
    formula itself says nothing."""

    def build(wb):
        wb.active["C2"] = "=Z99"

    return rewrite_parts(
        _workbook(build),
        {
            "xl/worksheets/sheet1.xml": lambda x: re.sub(
                r'<c r="C2"><f>Z99</f><v\s*/?>(</v>)?',
                f'<c r="C2" t="str"><f>Z99</f><v>{secret}</v>',
                x,
            )
        },
    )


# -- DOCX -----------------------------------------------------------------------------------


def _document(build: Callable[[docx.document.Document], None] | None = None) -> bytes:
    document = docx.Document()
    document.core_properties.author = ""
    document.core_properties.last_modified_by = ""
    document.add_paragraph("We hold three contracts.")
    if build:
        build(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _in_body(xml: str) -> Callable[[bytes], bytes]:
    def edit(data: bytes) -> bytes:
        return rewrite_parts(
            data, {"word/document.xml": lambda x: x.replace("<w:sectPr", xml + "<w:sectPr", 1)}
        )

    return edit


def _docx_text_box(secret: str) -> bytes:
    box = (
        '<w:p><w:r><w:pict><v:shape id="box1" style="width:200pt;height:40pt">'
        f"<v:textbox><w:txbxContent><w:p><w:r><w:t>{secret}</w:t></w:r></w:p>"
        "</w:txbxContent></v:textbox></v:shape></w:pict></w:r></w:p>"
    )
    return _in_body(box)(_document())


def _docx_content_control(secret: str) -> bytes:
    control = (
        '<w:sdt><w:sdtPr><w:alias w:val="Contact"/><w:tag w:val="contact"/></w:sdtPr>'
        f"<w:sdtContent><w:p><w:r><w:t>{secret}</w:t></w:r></w:p></w:sdtContent></w:sdt>"
    )
    return _in_body(control)(_document())


def _docx_core(attribute: str, secret: str) -> bytes:
    return _document(lambda d: setattr(d.core_properties, attribute, secret))


def _docx_comment(secret: str) -> bytes:
    def build(document):
        paragraph = document.add_paragraph("Three contracts are held.")
        document.add_comment(paragraph.runs, text="Checked.", author=secret, initials="X")

    return _document(build)


def _docx_comment_text(secret: str) -> bytes:
    def build(document):
        paragraph = document.add_paragraph("Three contracts are held.")
        document.add_comment(paragraph.runs, text=secret, author="Reviewer", initials="R")

    return _document(build)


# -- PDF ------------------------------------------------------------------------------------


def _page_with_text(writer: pypdf.PdfWriter, text: str) -> None:
    page = writer.add_blank_page(width=300, height=200)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    stream = StreamObject()
    stream.set_data(f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode("latin-1"))
    page[NameObject("/Contents")] = writer._add_object(stream)


def _pdf(build: Callable[[pypdf.PdfWriter], None] | None = None) -> bytes:
    writer = pypdf.PdfWriter()
    _page_with_text(writer, "We hold three contracts.")
    if build:
        build(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _pdf_info(key: str, secret: str) -> bytes:
    return _pdf(lambda w: w.add_metadata({key: secret}))


def _pdf_xmp(secret: str) -> bytes:
    xmp = (
        '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:creator><rdf:Seq><rdf:li>{secret}</rdf:li></rdf:Seq></dc:creator>"
        '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    )

    def build(writer):
        stream = StreamObject()
        stream.set_data(xmp.encode())
        stream.update(
            {
                NameObject("/Type"): NameObject("/Metadata"),
                NameObject("/Subtype"): NameObject("/XML"),
            }
        )
        writer._root_object[NameObject("/Metadata")] = writer._add_object(stream)

    return _pdf(build)


def _pdf_form_field(secret: str) -> bytes:
    def build(writer):
        page = writer.pages[0]
        field = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Widget"),
                NameObject("/FT"): NameObject("/Tx"),
                NameObject("/T"): TextStringObject("contact"),
                NameObject("/V"): TextStringObject(secret),
                NameObject("/Rect"): ArrayObject(
                    [FloatObject(0), FloatObject(0), FloatObject(1), FloatObject(1)]
                ),
                NameObject("/F"): NumberObject(2),  # hidden
            }
        )
        ref = writer._add_object(field)
        page[NameObject("/Annots")] = ArrayObject([ref])
        writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
            {NameObject("/Fields"): ArrayObject([ref])}
        )

    return _pdf(build)


def _pdf_earlier_revision(secret: str) -> bytes:
    """Revision 1 says the secret; revision 2, appended as an incremental update, replaces
    the page's text. A reader shows revision 2; the bytes of revision 1 are still there."""
    writer = pypdf.PdfWriter()
    _page_with_text(writer, f"Reply to {secret}")
    first = io.BytesIO()
    writer.write(first)
    update = pypdf.PdfWriter(io.BytesIO(first.getvalue()), incremental=True)
    stream = StreamObject()
    stream.set_data(b"BT /F1 12 Tf 20 100 Td (We hold three contracts.) Tj ET")
    update.pages[0][NameObject("/Contents")] = update._add_object(stream)
    out = io.BytesIO()
    update.write(out)
    return out.getvalue()


def hidden_place_files(secret: str) -> dict[str, tuple[str, bytes]]:
    """Every hidden place issue 12 item 3 names, each holding ``secret`` and nothing else
    of note."""
    return {
        "xlsx core title": ("a.xlsx", _core("title", secret)),
        "xlsx core subject": ("a.xlsx", _core("subject", secret)),
        "xlsx core description": ("a.xlsx", _core("description", secret)),
        "xlsx core keywords": ("a.xlsx", _core("keywords", secret)),
        "xlsx core category": ("a.xlsx", _core("category", secret)),
        "xlsx app company": ("a.xlsx", _xlsx_app_company(secret)),
        "xlsx header": ("a.xlsx", _xlsx_header(secret)),
        "xlsx footer": ("a.xlsx", _xlsx_footer(secret)),
        "xlsx defined name": ("a.xlsx", _xlsx_defined_name(secret)),
        "xlsx data validation list": ("a.xlsx", _xlsx_validation(secret)),
        "xlsx hyperlink target": ("a.xlsx", _xlsx_hyperlink(secret)),
        "xlsx cached formula value": ("a.xlsx", _xlsx_cached_formula(secret)),
        "docx text box": ("a.docx", _docx_text_box(secret)),
        "docx content control": ("a.docx", _docx_content_control(secret)),
        "docx core title": ("a.docx", _docx_core("title", secret)),
        "docx core keywords": ("a.docx", _docx_core("keywords", secret)),
        "docx comment author": ("a.docx", _docx_comment(secret)),
        "docx comment text": ("a.docx", _docx_comment_text(secret)),
        "pdf xmp metadata": ("a.pdf", _pdf_xmp(secret)),
        "pdf info creator": ("a.pdf", _pdf_info("/Creator", secret)),
        "pdf info custom key": ("a.pdf", _pdf_info("/Reviewer", secret)),
        "pdf form field value": ("a.pdf", _pdf_form_field(secret)),
        "pdf earlier revision": ("a.pdf", _pdf_earlier_revision(secret)),
    }


def clean_files() -> dict[str, tuple[str, bytes]]:
    return {
        "xlsx": ("a.xlsx", _workbook()),
        "docx": ("a.docx", _document()),
        "pdf": ("a.pdf", _pdf()),
    }
