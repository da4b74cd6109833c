"""Reading lead spreadsheets: decoding, dialect sniffing, column guessing and row validation.

Everything here is pure Python and touches no database; `leads.services.leads_write_batch`
writes what it returns. The rules:

* Encoding: UTF-8 with or without a byte-order mark; anything that is not valid UTF-8 is read
  as cp1252 (Excel on Windows). A file with NUL bytes, or one cp1252 cannot read, is not a CSV.
* Delimiter: comma, semicolon or tab, sniffed from the first lines. Quoted fields may hold
  delimiters and newlines.
* Row numbers count records as a spreadsheet does: the header is row 1, the first lead row 2.
* A row is rejected (with its reason) when its email is missing or malformed or a value is too
  long for its field; every other row is kept.
* Repeats of one email inside a file (in any case) are merged into one lead: later rows'
  non-blank values win over earlier ones, and their notes are appended.
* Statuses go through `normalise_status`: legacy names map to canonical ones; an unknown value
  becomes MANUAL_REVIEW and the original is kept in the lead's notes.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from leads.statuses import LeadStatus, normalise_status

PREVIEW_ROWS = 10

# Lead fields an import can fill, with their maximum lengths (None: not a text column).
IMPORT_FIELDS: dict[str, tuple[str, int | None]] = {
    "email": ("Email", 254),
    "name": ("Full name", 200),
    "first_name": ("First name", 100),
    "last_name": ("Last name", 100),
    "phone": ("Phone", 50),
    "company": ("Company", 200),
    "company_size": ("Company size", None),
    "title": ("Job title", 200),
    "website": ("Website", 300),
    "status": ("Status", None),
    "notes": ("Notes", None),
    "utm_source": ("UTM source", 100),
    "utm_campaign": ("UTM campaign", 180),
    "utm_content": ("UTM content", 100),
}

# Header spellings seen in the wild, compared after lower-casing and dropping everything that
# is not a letter or digit ("E-mail" → "email", "Company Name" → "companyname").
HEADER_SYNONYMS: dict[str, set[str]] = {
    "email": {"email", "emailaddress", "mail", "emailaddr", "contactemail", "workemail",
              "businessemail", "courriel"},
    "name": {"name", "fullname", "contactname", "contact", "person", "leadname"},
    "first_name": {"firstname", "givenname", "forename", "first"},
    "last_name": {"lastname", "surname", "familyname", "last"},
    "phone": {"phone", "phonenumber", "telephone", "tel", "mobile", "mobilephone", "cell"},
    "company": {"company", "companyname", "organisation", "organization", "org", "account",
                "accountname", "business", "employer"},
    "company_size": {"companysize", "employees", "employeecount", "numberofemployees",
                     "headcount", "size", "staff", "noofemployees", "nbemployees"},
    "title": {"title", "jobtitle", "position", "role", "jobrole"},
    "website": {"website", "web", "url", "site", "homepage", "companywebsite", "domain"},
    "status": {"status", "leadstatus", "stage", "state"},
    "notes": {"notes", "note", "comments", "comment", "remarks"},
    "utm_source": {"utmsource"},
    "utm_campaign": {"utmcampaign"},
    "utm_content": {"utmcontent"},
}

_EMAIL = EmailValidator()
# The same patterns as Django's EmailValidator, compiled here once: its lazily compiled ones cost
# more than the match itself on a 100,000-row file. Anything they do not accept goes on to the
# full validator (quoted local parts, address literals, localhost).
_EMAIL_USER = re.compile(EmailValidator.user_regex.pattern, re.IGNORECASE)
_EMAIL_DOMAIN = re.compile(EmailValidator.domain_regex.pattern, re.IGNORECASE)


def is_valid_email(value: str) -> bool:
    user, _, domain = value.rpartition("@")
    if user and len(value) <= 320 and _EMAIL_USER.match(user) and _EMAIL_DOMAIN.match(domain):
        return True
    try:
        _EMAIL(value)
    except ValidationError:
        return False
    return True
_HEADER_CLEAN = re.compile(r"[^a-z0-9]")


class ImportFileError(ValueError):
    """The file as a whole cannot be imported; the message says why, for the user."""


@dataclass
class ParsedFile:
    encoding: str
    delimiter: str
    headers: list[str]
    rows: list[list[str]]


@dataclass
class RejectedRow:
    row: int
    reason: str
    values: list[str]

    def as_dict(self) -> dict:
        return {"row": self.row, "reason": self.reason, "values": self.values}


@dataclass
class CleanLead:
    """One lead to write: the merge of every row of the file with this email."""

    email: str
    row: int
    values: dict[str, object] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class ValidatedFile:
    leads: list[CleanLead]
    rejected: list[RejectedRow]
    merged: int
    total: int


def decode(raw: bytes) -> tuple[str, str]:
    """The text of an upload and the encoding it was read with."""
    if not raw.strip():
        raise ImportFileError("The file is empty.")
    if b"\x00" in raw[:65536]:
        raise ImportFileError("This is not a CSV file: it holds binary data.")
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            "This is not a CSV file we can read: it is neither UTF-8 nor Windows-1252 text."
        ) from exc


def sniff_delimiter(text: str) -> str:
    sample = text[:16384]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        first_line = sample.splitlines()[0] if sample else ""
        counts = {d: first_line.count(d) for d in ",;\t"}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def parse(raw: bytes, *, limit: int | None = None) -> ParsedFile:
    """Decodes and splits a CSV upload into its header and rows (blank lines dropped);
    with `limit`, stops after that many rows (enough for a preview)."""
    text, encoding = decode(raw)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    records: list[list[str]] = []
    try:
        for record in reader:
            # any() first: it is C-fast and settles almost every row at its first cell.
            if any(record) and "".join(record).strip():
                records.append(record)
                if limit is not None and len(records) > limit:
                    break
    except csv.Error as exc:
        raise ImportFileError(f"This is not a CSV file we can read: {exc}.") from exc
    if not records:
        raise ImportFileError("The file is empty.")
    headers = [cell.strip() for cell in records[0]]
    if not any(headers):
        raise ImportFileError("The first row must name the columns; it is blank.")
    return ParsedFile(encoding=encoding, delimiter=delimiter, headers=headers, rows=records[1:])


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """Column index (as text) → lead field, for every header we recognise (each field once)."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for index, header in enumerate(headers):
        key = _HEADER_CLEAN.sub("", header.lower())
        for field_name, spellings in HEADER_SYNONYMS.items():
            if field_name not in taken and key in spellings:
                mapping[str(index)] = field_name
                taken.add(field_name)
                break
    if "email" not in taken:
        # "Primary e-mail (work)" and the like.
        for index, header in enumerate(headers):
            if str(index) not in mapping and "mail" in header.lower():
                mapping[str(index)] = "email"
                break
    return mapping


def check_mapping(mapping: dict[str, str], column_count: int) -> None:
    fields = [name for name in mapping.values() if name]
    if "email" not in fields:
        raise ImportFileError("Choose the column that holds the email address.")
    duplicates = sorted({name for name in fields if fields.count(name) > 1})
    if duplicates:
        labels = ", ".join(IMPORT_FIELDS[name][0] for name in duplicates)
        raise ImportFileError(f"Each field may come from one column only: {labels}.")
    unknown = [name for name in fields if name not in IMPORT_FIELDS]
    if unknown:
        raise ImportFileError(f"Unknown field in the mapping: {', '.join(unknown)}.")
    if any(int(index) >= column_count for index in mapping):
        raise ImportFileError("The mapping names a column the file does not have.")


def _normalise_website(value: str) -> str:
    if value and "://" not in value:
        value = f"https://{value}"
    return value


MAX_COMPANY_SIZE = 2_147_483_647  # the column is a 32-bit integer


def _clean_row(record: list[str], columns: list[tuple[int, str, str, int | None]]):
    """(email, values, notes) for a valid row, or a rejection reason (str)."""
    values: dict[str, object] = {}
    notes: list[str] = []
    width = len(record)
    for index, field_name, label, max_length in columns:
        raw = record[index].strip() if index < width else ""
        if not raw:
            continue
        if max_length and len(raw) > max_length:
            return f"{label} is longer than {max_length} characters"
        if field_name == "company_size":
            digits = raw.replace(",", "").replace(" ", "")
            if digits.isdigit() and int(digits) <= MAX_COMPANY_SIZE:
                values["company_size"] = int(digits)
            else:
                notes.append(f"Company size in the import was “{raw}”.")
        elif field_name == "status":
            status, known = normalise_status(raw)
            values["status"] = status
            if not known:
                notes.append(f"Imported status “{raw}” was not recognised; needs review.")
        elif field_name == "notes":
            notes.append(raw)
        elif field_name == "website":
            website = _normalise_website(raw)
            if len(website) <= max_length:
                values["website"] = website
        else:
            values[field_name] = raw
    email = str(values.pop("email", "")).strip()
    if not email:
        return "no email address"
    if not is_valid_email(email):
        return f"“{email}” is not a valid email address"
    first, last = values.pop("first_name", ""), values.pop("last_name", "")
    if not values.get("name") and (first or last):
        values["name"] = f"{first} {last}".strip()[:200]
    return email.lower(), values, notes


def validate(
    parsed: ParsedFile,
    mapping: dict[str, str],
    *,
    progress: Callable[[int], None] | None = None,
    progress_every: int = 5000,
) -> ValidatedFile:
    """Validates every row and merges repeats; the outcome accounts for every row once."""
    check_mapping(mapping, len(parsed.headers))
    columns = [
        (int(index), name, *IMPORT_FIELDS[name]) for index, name in mapping.items() if name
    ]
    leads: dict[str, CleanLead] = {}
    rejected: list[RejectedRow] = []
    merged = 0
    for offset, record in enumerate(parsed.rows):
        row_number = offset + 2
        outcome = _clean_row(record, columns)
        if isinstance(outcome, str):
            rejected.append(RejectedRow(row_number, outcome, record))
        else:
            email, values, notes = outcome
            lead = leads.get(email)
            if lead is None:
                leads[email] = CleanLead(email=email, row=row_number, values=values, notes=notes)
            else:
                merged += 1
                lead.values.update(values)  # later non-blank values win
                lead.notes.extend(notes)
        if progress and (offset + 1) % progress_every == 0:
            progress(offset + 1)
    return ValidatedFile(
        leads=list(leads.values()), rejected=rejected, merged=merged, total=len(parsed.rows)
    )


def rejected_csv(headers: list[str], rejected: list[dict]) -> Iterator[str]:
    """The rejected rows as CSV lines, in their original columns plus the row and the reason,
    ready to fix and import again (the two extra columns are not mapped by the guesser)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        value = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return value

    writer.writerow([*headers, "Import row", "Import error"])
    yield flush()
    for item in rejected:
        values = list(item["values"]) + [""] * max(0, len(headers) - len(item["values"]))
        writer.writerow([*values[: len(headers)], item["row"], item["reason"]])
        yield flush()


def default_status() -> str:
    return LeadStatus.NEW.value
