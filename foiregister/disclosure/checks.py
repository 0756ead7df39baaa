"""PURE: the personal-data check run before a response is published.

No Django import: it takes the text to publish and the requester's details as arguments
and returns findings. A finding is identified by a fingerprint of its kind, place and
matched text, so an FOI lead's acceptance survives a re-run but not a change of the text:
changing the text (redacting) makes the finding disappear, or become a new one.

What counts as personal data follows the ICO's guide to what is personal data: the
requester's own details (taken from the request, since a disclosure log must not identify
who asked: ICO, "Publication schemes: disclosure logs"), the names of people the
organisation lists as private (staff below the level it names publicly, patients or
complainants in the news, anyone at risk), and identifiers of anyone:
email addresses, UK telephone numbers, NHS numbers (validated by their modulus 11 check
digit, so an arbitrary 10-digit figure is not reported), National Insurance numbers and
postal addresses (a postcode with a house number before it; a postcode alone is an area).

Attachments are checked inside, not just their visible text: hidden sheets, rows and
columns, pivot caches (which keep the source rows of a pivot table after the sheet is
deleted), comments, tracked changes, hidden text and document metadata, the places
the ICO's "How to disclose information safely" (2018) found personal data leaking from.

Text is normalised before it is matched (``normalise_text``), so that a name or an address
cannot be slipped past the check by characters a reader does not see or cannot tell apart:
Unicode NFKC (fullwidth and compatibility forms), invisible characters removed (soft
hyphen, zero-width space, joiner and non-joiner, word joiner, byte order mark, bidi
controls, variation selectors), and letters that look like Latin ones folded to them
(Cyrillic and Greek, after Unicode's confusables list, UTS #39). Matching then ignores
case and accents.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# Kinds of finding.
REQUESTER_NAME = "requester_name"
REQUESTER_EMAIL = "requester_email"
REQUESTER_ADDRESS = "requester_address"
REQUESTER_TELEPHONE = "requester_telephone"
REQUESTER_FIRST_NAME = "requester_first_name"
EMAIL = "email"
TELEPHONE = "telephone"
NHS_NUMBER = "nhs_number"
NI_NUMBER = "ni_number"
ADDRESS = "address"
PRIVATE_NAME = "private_name"
HIDDEN_CONTENT = "hidden_content"
DOCUMENT_METADATA = "document_metadata"
UNCHECKABLE = "uncheckable"

KIND_LABELS = {
    REQUESTER_NAME: "Requester's name",
    REQUESTER_EMAIL: "Requester's email address",
    REQUESTER_ADDRESS: "Requester's address",
    REQUESTER_TELEPHONE: "Requester's telephone number",
    REQUESTER_FIRST_NAME: "Requester's first name (warning)",
    EMAIL: "Email address",
    TELEPHONE: "UK telephone number",
    NHS_NUMBER: "NHS number",
    NI_NUMBER: "National Insurance number",
    ADDRESS: "Postal address",
    PRIVATE_NAME: "Name the organisation lists as private",
    HIDDEN_CONTENT: "Hidden content",
    DOCUMENT_METADATA: "Document metadata",
    UNCHECKABLE: "Cannot be checked",
}


# Findings a lead is shown but that do not stop publication: a first name alone is shared
# by many people (issue 12: "a first name alone is a warning, not a block").
WARNING_KINDS = frozenset({REQUESTER_FIRST_NAME})


@dataclass(frozen=True)
class Finding:
    kind: str
    location: str
    match: str
    detail: str = ""

    @property
    def fingerprint(self) -> str:
        raw = "\x1f".join((self.kind, self.location, self.match))
        return hashlib.sha256(raw.encode()).hexdigest()

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def blocking(self) -> bool:
        """Whether publication waits for this finding to be redacted or accepted."""
        return self.kind not in WARNING_KINDS


@dataclass(frozen=True)
class RequesterDetails:
    name: str = ""
    email: str = ""
    postal_address: str = ""
    telephone: str = ""


@dataclass
class AttachmentReport:
    """What an attachment holds: its text (all of it, hidden parts included), findings
    about its hidden parts, and whether it could be checked at all."""

    text: list[tuple[str, str]] = field(default_factory=list)  # (where, text)
    # Every XML part of an Office file read whole, as a net under the named places.
    parts: list[tuple[str, str]] = field(default_factory=list)  # (where, text)
    findings: list[Finding] = field(default_factory=list)
    checkable: bool = True


# -- identifiers --------------------------------------------------------------------------

EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# 0 then 9 or 10 digits (01xxx/02x/07xxx/08xx), or +44 without the 0; spaces, hyphens and
# brackets allowed between groups (Ofcom's National Telephone Numbering Plan).
TELEPHONE_RE = re.compile(r"(?<![\d+])(?:\+44\s?(?:\(0\)\s?)?|\(?0)\d(?:[\s)-]{0,2}\d){8,9}(?!\d)")
NHS_NUMBER_CANDIDATE_RE = re.compile(r"(?<!\d)(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?!\d)")
# HMRC's NIM39110: prefixes never use D, F, I, Q, U, V; the second letter is never O;
# BG, GB, NK, KN, TN, NT and ZZ are not allocated.
NI_NUMBER_RE = re.compile(
    r"\b(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
    r"\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b",
    re.IGNORECASE,
)
POSTCODE_RE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})\b", re.IGNORECASE)
HOUSE_NUMBER_RE = re.compile(
    r"(?:\b(?:flat|apartment|unit)\s+\d+[A-Za-z]?\b|\b\d{1,4}[A-Za-z]?,?\s+[A-Z][a-z]+)"
)


def nhs_number_is_valid(digits: str) -> bool:
    """The modulus 11 check (NHS Data Dictionary, "NHS Number"): weights 10 to 2 on the
    first nine digits; 11 minus the remainder is the check digit, 11 becoming 0 and 10
    meaning the number is invalid."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    if check == 10:
        return False
    return check == int(digits[9])


def _digits(value: str) -> str:
    d = re.sub(r"\D", "", normalise_text(value))
    if d.startswith("44") and len(d) in (11, 12):
        d = "0" + d[2:]
    return d


# -- normalisation ------------------------------------------------------------------------

# Characters that take no space on the page: soft hyphen, combining grapheme joiner, Arabic
# letter mark, Hangul fillers, Khmer vowel inherents, Mongolian selectors and vowel
# separator, zero-width space, non-joiner and joiner, left-to-right and right-to-left marks,
# bidi embeddings and isolates, word joiner and invisible operators, deprecated format
# characters, variation selectors, byte order mark (zero-width no-break space).
_INVISIBLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufe00-\ufe0f\ufeff\u3164\uffa0"
)
INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")

# Letters drawn like Latin ones (Unicode confusables, UTS #39): Cyrillic, Greek and a few
# Latin variants. NFKC already folds fullwidth and mathematical forms.
_CONFUSABLES = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "ԁ": "d",
    "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l", "ɡ": "g", "ɑ": "a", "ı": "i", "ȷ": "j",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "У": "Y", "Х": "X", "Ѕ": "S", "І": "I", "Ј": "J", "Ԁ": "D",
    "α": "a", "ο": "o", "ρ": "p", "ν": "v", "ι": "i", "κ": "k", "υ": "u", "χ": "x",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
}  # fmt: skip
_CONFUSABLE_TABLE = str.maketrans(_CONFUSABLES)


def normalise_text(text: str) -> str:
    """What a reader sees: NFKC, invisible characters removed, look-alike letters folded."""
    text = unicodedata.normalize("NFKC", text)
    text = INVISIBLE_RE.sub("", text)
    return unicodedata.normalize("NFKC", text.translate(_CONFUSABLE_TABLE))


def _fold(value: str) -> str:
    """For matching: normalised, accents dropped, case folded, spacing collapsed."""
    decomposed = unicodedata.normalize("NFKD", normalise_text(value))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", bare).strip().casefold()


_norm = _fold


def _words_pattern(value: str) -> str:
    """A folded phrase as a pattern: its words in order, joined by nothing or by spaces,
    dots, hyphens, commas or underscores (an invisible character between two words
    disappears with it), bounded by non-letters."""
    words = [re.escape(w) for w in re.split(r"[\s,]+", _fold(value)) if w]
    return r"(?<![^\W_])" + r"[\s.,_-]*".join(words) + r"(?![^\W_])"


# "." and "@" as people write them to dodge harvesters: "dot", "[dot]", "(at)", " @ ".
_DOT = r"(?:\s*\.\s*|\s*[(\[{<]\s*dot\s*[)\]}>]\s*|\s+dot\s+)"
_AT = r"(?:\s*@\s*|\s*[(\[{<]\s*at\s*[)\]}>]\s*|\s+at\s+)"


def _email_pattern(email: str) -> str:
    """The requester's email address however it is written: split around its dots and at
    sign, or with them spelled out."""
    parts = re.split(r"([.@])", _fold(email).replace(" ", ""))
    out = []
    for part in parts:
        if part == ".":
            out.append(_DOT)
        elif part == "@":
            out.append(_AT)
        elif part:
            out.append(re.escape(part))
    return r"(?<![\w.+-])" + "".join(out) + r"(?![\w-])"


_WORD = r"[a-z0-9_+-]+"
_TLD = r"(?:com|org|net|uk|gov|nhs|ac|co|edu|io|info|biz|me|eu|invalid|example|test)"
_BRACKET_DOT = r"(?:\s*[(\[{<]\s*dot\s*[)\]}>]\s*|\s+dot\s+)"
# Someone's email address disguised: "jo dot bloggs at example dot org" (every dot of the
# domain spoken, so "published at www.gov.uk" is not one), "jo [at] example [dot] org",
# "jo.bloggs @ example . org".
SPELLED_EMAIL_RE = re.compile(
    rf"(?<![\w.+-]){_WORD}(?:{_DOT}{_WORD})*"
    rf"(?:\s+at\s+(?!www\b){_WORD}(?:{_BRACKET_DOT}{_WORD})*{_BRACKET_DOT}{_TLD}"
    rf"|(?:\s*[(\[{{<]\s*at\s*[)\]}}>]\s*|\s*@\s*){_WORD}(?:{_DOT}{_WORD})*{_DOT}{_TLD})"
    r"(?![\w-])"
)

# Lines of an address that say no more than the country.
_COUNTRIES = {"uk", "united kingdom", "england", "wales", "scotland", "northern ireland", "gb"}


def scan_text(
    text: str,
    *,
    location: str,
    requester: RequesterDetails,
    allowed: Iterable[str] = (),
    private_names: Iterable[str] = (),
) -> list[Finding]:
    """Every finding in one piece of text. ``allowed`` lists values the publishing body
    puts out itself (its FOI email address and telephone), which are not personal data;
    ``private_names`` the names it lists as private, each found as a whole name in any
    case and spacing ("Dr  jane SMITH" is "Jane Smith").

    The text is normalised first (``normalise_text``). The requester's name is found
    whole, or its surname alone (both block publication), or its first name alone (a
    warning); their email address however it is split or spelled out; every line of
    their postal address (a house name, a street without a number, a village), each as
    whole words."""
    if not text:
        return []
    text = normalise_text(text)
    allowed_norm = {_fold(a) for a in allowed if a}
    allowed_digits = {_digits(a) for a in allowed if a and _digits(a)}
    found: list[Finding] = []
    seen: set[tuple[str, str]] = set()

    def add(kind: str, match: str, detail: str = "") -> None:
        key = (kind, _fold(match))
        if key not in seen:
            seen.add(key)
            found.append(Finding(kind=kind, location=location, match=match, detail=detail))

    folded = _fold(text)
    # The requester's own details first: these are the ones a disclosure log must never show.
    name = " ".join(requester.name.split())
    if _fold(name):
        if re.search(_words_pattern(name), folded):
            add(REQUESTER_NAME, name)
        parts = [p for p in name.split() if len(_fold(p)) >= 3]
        if len(parts) > 1 and not any(f.kind == REQUESTER_NAME for f in found):
            if re.search(_words_pattern(parts[-1]), folded):
                add(REQUESTER_NAME, parts[-1], "surname")
            elif re.search(_words_pattern(parts[0]), folded):
                add(REQUESTER_FIRST_NAME, parts[0], "first name alone")
    own_email = _fold(requester.email).replace(" ", "")
    if own_email and re.search(_email_pattern(own_email), folded):
        add(REQUESTER_EMAIL, requester.email.strip())
    for line in re.split(r"[\n,;]+", requester.postal_address):
        line = " ".join(line.split())
        if len(_fold(line)) >= 3 and _fold(line) not in _COUNTRIES:
            if re.search(_words_pattern(line), folded):
                add(REQUESTER_ADDRESS, line, "address line")
    for private in private_names:
        if _fold(private) and re.search(_words_pattern(private), folded):
            add(PRIVATE_NAME, private.strip())
    own_phone = _digits(requester.telephone)
    if len(own_phone) >= 7 and own_phone in re.sub(r"\D", "", text.replace("+44", "0")):
        add(REQUESTER_TELEPHONE, requester.telephone.strip())

    emails = set()
    for m in EMAIL_RE.finditer(text):
        value = m.group(0).rstrip(".")
        emails.add(_fold(value))
        if _fold(value) not in allowed_norm and _fold(value) != own_email:
            add(EMAIL, value)
    for m in SPELLED_EMAIL_RE.finditer(folded):
        value = m.group(0)
        canonical = re.sub(_AT, "@", re.sub(_DOT, ".", value))
        if canonical in emails or canonical in allowed_norm or canonical == own_email:
            continue
        if "@" in canonical:
            emails.add(canonical)
            add(EMAIL, value, "written to avoid detection")
    for m in TELEPHONE_RE.finditer(text):
        d = _digits(m.group(0))
        if len(d) in (10, 11) and d not in allowed_digits and d != own_phone:
            add(TELEPHONE, m.group(0).strip())
    for m in NHS_NUMBER_CANDIDATE_RE.finditer(text):
        digits = "".join(m.groups())
        if nhs_number_is_valid(digits):
            add(NHS_NUMBER, m.group(0))
    for m in NI_NUMBER_RE.finditer(text):
        add(NI_NUMBER, m.group(0))
    for m in POSTCODE_RE.finditer(text):
        window_start = max(0, m.start() - 120)
        window = text[window_start : m.start()]
        numbers = list(HOUSE_NUMBER_RE.finditer(window))
        if numbers:
            start = window_start + numbers[-1].start()
            add(ADDRESS, text[start : m.end()])
    return found


# -- attachments -------------------------------------------------------------------------

XLSX_TYPES = {".xlsx", ".xlsm"}
DOCX_TYPES = {".docx"}
PDF_TYPES = {".pdf"}
TEXT_TYPES = {".csv", ".txt"}
CHECKABLE_EXTENSIONS = XLSX_TYPES | DOCX_TYPES | PDF_TYPES | TEXT_TYPES

# Joins the pieces of a part's text: a "|" stops a figure in one piece running into the
# next (ten one-digit cells would read as a telephone number).
SEPARATOR = "\n|\n"
_TEXT_NODE_RE = re.compile(r">([^<]+)<")
_ATTRIBUTE_RE = re.compile(r'\s([\w:.-]+)\s*=\s*"([^"]*)"|\s([\w:.-]+)\s*=\s*\'([^\']*)\'')
# Attributes that are markup, not content: namespaces and compatibility lists.
_MARKUP_ATTRIBUTE_RE = re.compile(r"^(xmlns(:.*)?|mc:Ignorable|mc:ProcessContent)$")


def _extension(filename: str) -> str:
    dot = filename.rfind(".")
    return filename[dot:].lower() if dot >= 0 else ""


def xml_text(xml: str) -> str:
    """Every text node and attribute value of an XML part, unescaped: hyperlink targets,
    comment authors, content-control tags and the like live in attributes."""
    pieces = [t for t in _TEXT_NODE_RE.findall(xml) if t.strip()]
    for m in _ATTRIBUTE_RE.finditer(xml):
        name, value = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        if value.strip() and not _MARKUP_ATTRIBUTE_RE.match(name):
            pieces.append(value)
    return SEPARATOR.join(html.unescape(p) for p in pieces)


def _read_xml(zf: zipfile.ZipFile, name: str) -> str:
    return zf.read(name).decode("utf-8", "replace")


def _core_properties(zf: zipfile.ZipFile, where: str, report: AttachmentReport) -> None:
    """docProps/core.xml names the author and the last person to save the file (reported
    whenever set) and holds the title, subject, description, keywords and category;
    docProps/app.xml the manager (reported), company and hyperlink base."""
    names = zf.namelist()
    if "docProps/core.xml" in names:
        xml = _read_xml(zf, "docProps/core.xml")
        for tag in ("dc:creator", "cp:lastModifiedBy"):
            m = re.search(rf"<{tag}>([^<]+)</{tag}>", xml)
            if m and m.group(1).strip():
                report.findings.append(
                    Finding(DOCUMENT_METADATA, f"{where}: {tag}", m.group(1).strip(), "author")
                )
        for tag, value in re.findall(r"<(\w+:\w+)(?:\s[^>]*)?>([^<]+)</\1>", xml):
            report.text.append((f"{where}: document property {tag}", html.unescape(value)))
    if "docProps/app.xml" in names:
        xml = _read_xml(zf, "docProps/app.xml")
        m = re.search(r"<Manager>([^<]+)</Manager>", xml)
        if m and m.group(1).strip():
            report.findings.append(
                Finding(DOCUMENT_METADATA, f"{where}: Manager", m.group(1).strip(), "manager")
            )
        for tag in ("Company", "Manager", "HyperlinkBase"):
            for value in re.findall(rf"<{tag}>([^<]+)</{tag}>", xml):
                report.text.append((f"{where}: document property {tag}", html.unescape(value)))


def _office_extras(zf: zipfile.ZipFile, where: str, report: AttachmentReport) -> None:
    """What Word and Excel files both carry besides their content: custom document
    properties (read, and reported); embedded files (a workbook inside a document) and
    other binary parts (macros, printer settings), which are not read and so are reported
    for a person to look at; and every XML part read whole (``report.parts``), so text in
    a place no reader above knows of is still checked."""
    names = zf.namelist()
    if "docProps/custom.xml" in names:
        xml = _read_xml(zf, "docProps/custom.xml")
        for name, value in re.findall(
            r'<property[^>]*name="([^"]*)"[^>]*>\s*<vt:\w+>([^<]*)</vt:\w+>', xml
        ):
            report.findings.append(
                Finding(DOCUMENT_METADATA, f"{where}: custom property", name, "custom property")
            )
            report.text.append((f"{where}: custom property {name}", value))
    for name in names:
        low = name.lower()
        if "/embeddings/" in low:
            report.findings.append(
                Finding(HIDDEN_CONTENT, f"{where}: {name}", name, "embedded file")
            )
        elif low.endswith(".bin"):
            report.findings.append(
                Finding(HIDDEN_CONTENT, f"{where}: {name}", name, "binary part not read")
            )
        elif low.endswith((".xml", ".rels", ".vml")):
            report.parts.append((f"{where}: part {name}", xml_text(_read_xml(zf, name))))


def _inspect_xlsx(data: bytes, where: str) -> AttachmentReport:
    import openpyxl

    report = AttachmentReport()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        for name in names:
            low = name.lower()
            if "pivotcache" in low and low.endswith(".xml") and "/_rels/" not in low:
                report.findings.append(
                    Finding(HIDDEN_CONTENT, f"{where}: {name}", name, "pivot cache")
                )
            elif re.search(r"(threaded)?comments\d*\.xml$", low) or low.startswith("xl/comments"):
                report.findings.append(
                    Finding(HIDDEN_CONTENT, f"{where}: {name}", name, "comments")
                )
            elif low.startswith("xl/revisions/"):
                report.findings.append(
                    Finding(HIDDEN_CONTENT, f"{where}: {name}", name, "tracked changes")
                )
        _core_properties(zf, where, report)
        _office_extras(zf, where, report)
        # Pivot cache records hold source rows: scan them as text too.
        for name in names:
            if "pivotcacherecords" in name.lower():
                xml = _read_xml(zf, name)
                report.text.append((f"{where}: {name}", " ".join(re.findall(r'v="([^"]*)"', xml))))
    wb = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    # The value each formula had when the file was last saved: what a reader sees.
    cached = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    names_text = []
    for name, defined in wb.defined_names.items():
        names_text += [name, str(defined.attr_text or "")]
    for ws in wb.worksheets:
        sheet = f"{where}: sheet '{ws.title}'"
        if ws.sheet_state != "visible":
            report.findings.append(
                Finding(HIDDEN_CONTENT, sheet, ws.title, f"{ws.sheet_state} sheet")
            )
        hidden_rows = sorted(r for r, d in ws.row_dimensions.items() if d.hidden)
        if hidden_rows:
            report.findings.append(
                Finding(
                    HIDDEN_CONTENT,
                    sheet,
                    "rows " + ", ".join(map(str, hidden_rows)),
                    "hidden rows",
                )
            )
        hidden_cols = sorted(c for c, d in ws.column_dimensions.items() if d.hidden)
        if hidden_cols:
            report.findings.append(
                Finding(
                    HIDDEN_CONTENT, sheet, "columns " + ", ".join(hidden_cols), "hidden columns"
                )
            )
        cells, links = [], []
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    cells.append(str(cell.value))
                if cell.comment is not None:
                    cells.append(cell.comment.text or "")
                if cell.hyperlink is not None:
                    link = cell.hyperlink
                    links += [link.target or "", link.location or "", link.tooltip or ""]
        for row in cached[ws.title].iter_rows():
            for cell in row:
                if cell.value is not None and isinstance(ws[cell.coordinate].value, str):
                    if ws[cell.coordinate].value.startswith("="):
                        cells.append(str(cell.value))
        report.text.append((sheet, SEPARATOR.join(cells)))
        if links:
            report.text.append((f"{sheet} hyperlinks", SEPARATOR.join(links)))
        header_footer = []
        for part in (ws.oddHeader, ws.oddFooter, ws.evenHeader, ws.evenFooter):
            for side in (part.left, part.center, part.right):
                header_footer.append(side.text or "")
        for part in (ws.firstHeader, ws.firstFooter):
            for side in (part.left, part.center, part.right):
                header_footer.append(side.text or "")
        report.text.append((f"{sheet} header and footer", SEPARATOR.join(header_footer)))
        validations = []
        for dv in ws.data_validations.dataValidation:
            validations += [
                dv.formula1 or "",
                dv.formula2 or "",
                dv.prompt or "",
                dv.promptTitle or "",
                dv.error or "",
                dv.errorTitle or "",
            ]
        report.text.append((f"{sheet} data validation", SEPARATOR.join(validations)))
        for name, defined in ws.defined_names.items():
            names_text += [name, str(defined.attr_text or "")]
    report.text.append((f"{where}: defined names", SEPARATOR.join(names_text)))
    return report


_WORD_TEXT_RE = re.compile(r"<w:(?:t|delText|instrText)(?:\s[^>]*)?>([^<]*)</w:")


def _word_text(xml: str) -> str:
    """All text of a Word part, wherever it sits: paragraphs, tables, text boxes
    (``w:txbxContent``), content controls (``w:sdtContent``), deleted runs and field codes
    (a HYPERLINK's target)."""
    paragraphs = re.split(r"</w:p>", xml)
    return "\n".join(
        "".join(html.unescape(t) for t in _WORD_TEXT_RE.findall(p)) for p in paragraphs
    ).strip()


def _inspect_docx(data: bytes, where: str) -> AttachmentReport:
    import docx

    report = AttachmentReport()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        body = _read_xml(zf, "word/document.xml")
        for tag, what in (("w:ins", "tracked insertion"), ("w:del", "tracked deletion")):
            if re.search(rf"<{tag}[\s>]", body):
                report.findings.append(
                    Finding(HIDDEN_CONTENT, f"{where}: word/document.xml", tag, what)
                )
        if re.search(r"<w:vanish\s*/>", body):
            report.findings.append(
                Finding(HIDDEN_CONTENT, f"{where}: word/document.xml", "w:vanish", "hidden text")
            )
        deleted = " ".join(re.findall(r"<w:delText[^>]*>([^<]*)</w:delText>", body))
        if deleted:
            report.text.append((f"{where}: deleted text", deleted))
        if "word/comments.xml" in names:
            xml = _read_xml(zf, "word/comments.xml")
            if "<w:comment " in xml:
                report.findings.append(
                    Finding(HIDDEN_CONTENT, f"{where}: word/comments.xml", "comments", "comments")
                )
                authors = re.findall(r'w:(?:author|initials)="([^"]*)"', xml)
                report.text.append(
                    (
                        f"{where}: comments",
                        SEPARATOR.join([_word_text(xml), *map(html.unescape, authors)]),
                    )
                )
        _core_properties(zf, where, report)
        _office_extras(zf, where, report)
        for part in ("word/footnotes.xml", "word/endnotes.xml"):
            if part in names:
                text = _word_text(_read_xml(zf, part))
                report.text.append((f"{where}: {part.split('/')[1][:-4]}", text))
        if "<w:txbxContent" in body or "<w:sdt>" in body or "<w:sdt " in body:
            report.text.append((f"{where}: text boxes and content controls", _word_text(body)))
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.header.paragraphs]
        parts += [p.text for p in section.footer.paragraphs]
    report.text.append((f"{where}: text", "\n".join(parts)))
    return report


def _pdf_revision_ends(data: bytes) -> list[int]:
    """Where each revision of a PDF ends: an incremental update appends a new body, cross-
    reference section and ``%%EOF`` to the file, leaving the earlier ones readable. A
    linearised file's first ``%%EOF`` closes its first-page section, not a revision."""
    ends = [m.end() for m in re.finditer(rb"%%EOF[ \t]*\r?\n?", data)]
    if ends and b"/Linearized" in data[:1024]:
        ends = ends[1:]
    return ends


def _inspect_pdf_revision(reader: Any, where: str, report: AttachmentReport) -> None:
    meta = reader.metadata or {}
    for key, value in meta.items():
        if value is None or not str(value).strip():
            continue
        if key == "/Author":
            report.findings.append(
                Finding(DOCUMENT_METADATA, f"{where}: {key}", str(value).strip(), "author")
            )
        report.text.append((f"{where}: metadata {key}", str(value)))
    root = reader.trailer["/Root"].get_object()
    metadata = root.get("/Metadata")
    if metadata is not None:
        xml = metadata.get_object().get_data().decode("utf-8", "replace")
        report.text.append((f"{where}: XMP metadata", xml_text(xml)))
    acroform = root.get("/AcroForm")
    if acroform is not None and "/XFA" in acroform.get_object():
        raise UnreadableContent("an XFA form: flatten it or print it to PDF first")
    fields = reader.get_fields() or {}
    values = []
    for name, form_field in fields.items():
        values.append(str(name))
        for key in ("/V", "/DV", "/TU", "/Opt"):
            if form_field.get(key) is not None:
                values.append(str(form_field.get(key)))
    if values:
        report.text.append((f"{where}: form fields", SEPARATOR.join(values)))
    if reader.attachments:
        report.findings.append(
            Finding(
                HIDDEN_CONTENT,
                where,
                ", ".join(sorted(reader.attachments)),
                "embedded files",
            )
        )
    for number, page in enumerate(reader.pages, start=1):
        report.text.append((f"{where}: page {number}", page.extract_text() or ""))
        for annot in page.get("/Annots") or []:
            obj = annot.get_object()
            subtype = str(obj.get("/Subtype", ""))
            if subtype in ("/Link", "/Widget"):
                uri = (obj.get("/A") or {}).get("/URI") if subtype == "/Link" else None
                if uri:
                    report.text.append((f"{where}: page {number} link", str(uri)))
                continue
            contents = str(obj.get("/Contents", "") or "")
            report.findings.append(
                Finding(
                    HIDDEN_CONTENT,
                    f"{where}: page {number}",
                    f"{subtype} {contents}".strip(),
                    "annotation",
                )
            )
            if contents:
                report.text.append((f"{where}: page {number} annotation", contents))


def _inspect_pdf(data: bytes, where: str) -> AttachmentReport:
    """The PDF as a reader opens it (its last revision): every Info key, the XMP metadata
    stream, form field values, annotations and link targets, page text; and each earlier
    revision of an incrementally updated file, read the same way and reported, since a
    redaction made by an update leaves the redacted text in the file."""
    import pypdf

    report = AttachmentReport()
    reader = pypdf.PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        return AttachmentReport(
            findings=[Finding(UNCHECKABLE, where, "encrypted", "encrypted PDF")],
            checkable=False,
        )
    _inspect_pdf_revision(reader, where, report)
    ends = _pdf_revision_ends(data)
    for number, end in enumerate(ends[:-1], start=1):
        place = f"{where}: earlier revision {number}"
        report.findings.append(
            Finding(HIDDEN_CONTENT, place, f"revision {number} of {len(ends)}", "earlier revision")
        )
        earlier = pypdf.PdfReader(io.BytesIO(data[:end]))
        _inspect_pdf_revision(earlier, place, report)
    return report


def flatten_pdf(data: bytes) -> bytes:
    """The PDF as its last revision alone: only the objects a reader reaches from the last
    trailer are copied, so what earlier revisions held and later ones replaced is gone."""
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    writer = pypdf.PdfWriter(clone_from=reader)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


class UnreadableContent(Exception):
    """A part of a file the check cannot read."""


def inspect_attachment(filename: str, data: bytes) -> AttachmentReport:
    """Read an attachment all the way through. A type we cannot read, or a file that will
    not open, is reported as uncheckable: it is never treated as clean."""
    where = f"attachment {filename}"
    ext = _extension(filename)
    try:
        if ext in XLSX_TYPES:
            return _inspect_xlsx(data, where)
        if ext in DOCX_TYPES:
            return _inspect_docx(data, where)
        if ext in PDF_TYPES:
            return _inspect_pdf(data, where)
        if ext in TEXT_TYPES:
            return AttachmentReport(text=[(where, data.decode("utf-8"))])
    except Exception as exc:  # noqa: BLE001 - any failure to read means "cannot check"
        return AttachmentReport(
            findings=[Finding(UNCHECKABLE, where, type(exc).__name__, str(exc)[:200])],
            checkable=False,
        )
    return AttachmentReport(
        findings=[Finding(UNCHECKABLE, where, ext or "no extension", "unsupported file type")],
        checkable=False,
    )


def scan_attachment(
    filename: str,
    data: bytes,
    *,
    requester: RequesterDetails,
    allowed: Iterable[str] = (),
    private_names: Iterable[str] = (),
) -> tuple[list[Finding], bool]:
    """Findings in an attachment's hidden parts and in all its text; and whether it could
    be checked. What the whole-part reading (``AttachmentReport.parts``) finds is reported
    only when no named place already reported it."""
    report = inspect_attachment(filename, data)
    findings = list(report.findings)
    allowed = list(allowed)
    private_names = list(private_names)

    def scan(where: str, text: str) -> list[Finding]:
        return scan_text(
            text,
            location=where,
            requester=requester,
            allowed=allowed,
            private_names=private_names,
        )

    for where, text in report.text:
        findings += scan(where, text)
    named = [(f.kind, _fold(f.match)) for f in findings]
    for where, text in report.parts:
        for finding in scan(where, text):
            # A surname the whole-part reading finds where a named place found the name.
            if not any(k == finding.kind and _fold(finding.match) in m for k, m in named):
                named.append((finding.kind, _fold(finding.match)))
                findings.append(finding)
    findings += scan_text(
        filename,
        location=f"attachment {filename}: file name",
        requester=requester,
        private_names=private_names,
    )
    return findings, report.checkable
