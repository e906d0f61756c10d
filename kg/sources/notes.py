"""Clinical notes as Documents: a folder of ``.txt`` files, MIMIC NOTEEVENTS or ACI-Bench CSVs.

Every identifier that could point back to a person (MIMIC ROW_ID, SUBJECT_ID, HADM_ID,
ACI-Bench encounter_id, the file name of a note) is replaced by a keyed pseudonym from
:mod:`kg.privacy` before it is put into a Document; dates are reduced to the year. A note file's
name (and the subfolders it lies in) is not kept anywhere, not even where a quarantine says where the
record was: that names the folder given and the note's id, and :func:`locate_note` finds the file
again for the operator. The note text itself is kept verbatim so that extractor offsets point into it. ACI-Bench's
``dialogue`` column is never read into a Document: it is the raw conversation the note was
written from.

A note's patient (metadata ``patient``, the graph's ``(:Patient)-[:HAS_NOTE]->``) is MIMIC's SUBJECT_ID,
or for ACI-Bench, which has no patient id, the encounter. A ``.txt`` note has none: a plain-text file
names no patient in a form medkg can rely on (its file and folder names may hold the patient's name or
MRN, or a ward or a date), and none is made up, so it is a Note without a Patient; notes that are to be
tied to their patients are given as a CSV with ROW_ID, SUBJECT_ID and TEXT columns.

CSV files are read row by row (MIMIC's NOTEEVENTS is ~4 GB) and may be gzipped, as they are
when downloaded from PhysioNet. After a malformed row (an unbalanced quote) the reader goes on at the
next line that starts a row, not in the middle of the quoted field, so the rows after it are read
and no row is made of note text. MIMIC ids and ISERROR are read as pandas re-saves them too (``101.0``: a
column with empty cells, such as HADM_ID or ISERROR, becomes a float column) and stand for the same integer.
A NUL character in a cell, which no text holds and which breaks tools downstream, is dropped, and a
warning names the file, row and column (a ``.txt`` file holding one is taken for binary and quarantined).

A note that is not text (binary, UTF-16) or holds no letter or digit is quarantined, never written
as a note; files in a notes folder that are not ``.txt``, and hidden ``.txt`` files (macOS's ``._note.txt``,
``.ipynb_checkpoints/``), are not read, and a warning counts them.
"""

from __future__ import annotations

import csv
import gzip
import logging
import os
import re
import sys
import zlib
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

from kg.errors import Errors, RecordError, SourceError
from kg.models import Deletion, Document, Quarantine
from kg.privacy import pseudonymize

log = logging.getLogger(__name__)

MIMIC_REQUIRED = ("row_id", "subject_id", "text")
MIMIC_OPTIONAL = ("hadm_id", "chartdate", "category", "iserror")
ACI_REQUIRED = ("dataset", "encounter_id", "note")
# A header naming any of these is taken for ACI-Bench, so its missing columns are reported
# against ACI-Bench's layout rather than MIMIC's.
_ACI_MARKERS = ("encounter_id", "dialogue", "note")
# A MIMIC id: an integer, written "101" or, by pandas re-saving a column that has empty cells (HADM_ID
# has: outpatient notes), "101.0". ACI-Bench ids are names such as "D2N001".
_NUMBER_ID = re.compile(r"(\d+)(?:\.0+)?")
_ACI_ID = re.compile(r"[\w.-]+")
# What the identifier columns hold, and whether one holding an id tells a row. After a malformed row the
# reader goes on at the next line that reads as a row: the header's column count, each of these cells
# empty or an id, and one of those that tell a row an id (a line of note text with as many commas as the
# header has columns is not a row). So a row with an empty ROW_ID or SUBJECT_ID (E326), or encounter_id
# (E328), ends the damaged region and is quarantined alone rather than being swallowed by it. A MIMIC row
# is told by its ROW_ID or its SUBJECT_ID (a row with neither stays in the damaged region), an ACI-Bench
# row by its dataset: no line inside a note or dialogue of the ACI-Bench splits (of 13,391) reads as a row
# of either layout (MIMIC's with 3 to 11 columns), nor does one of NegEx's 1,170 clinical report sentences.
_MIMIC_IDS = {"row_id": (_NUMBER_ID, True), "subject_id": (_NUMBER_ID, True), "hadm_id": (_NUMBER_ID, False)}
_ACI_IDS = {"dataset": (_ACI_ID, True), "encounter_id": (_ACI_ID, False)}
# File types named (by extension only) in the warning about the files of a notes folder that are not read;
# any other suffix is "other", as a suffix may be part of a name ("Doe.Jane") and a file name may hold the
# patient's name.
_NAMED_TYPES = frozenset({
    ".bak", ".csv", ".dat", ".doc", ".docx", ".gz", ".htm", ".html", ".jpeg", ".jpg", ".json", ".log", ".md",
    ".odt", ".pdf", ".png", ".rtf", ".text", ".tif", ".tiff", ".tmp", ".tsv", ".xls", ".xlsx", ".xml", ".zip",
})
# Byte-order marks of the wide encodings, UTF-32's first: its little-endian mark begins with UTF-16's.
_WIDE_BOMS = ((b"\xff\xfe\x00\x00", "UTF-32LE"), (b"\x00\x00\xfe\xff", "UTF-32BE"),
              (b"\xff\xfe", "UTF-16LE"), (b"\xfe\xff", "UTF-16BE"))

# The year of a CHARTDATE, written "2151-07-16" (MIMIC), "2151-07-16 10:00:00" or "07/16/2151": four digits
# standing alone; "1234567" has none, and the note is then kept without a year.
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_LONE_SURROGATE = re.compile(r"[\udc80-\udcff]")


def _raise_field_size_limit() -> None:
    """Let one CSV field hold a whole discharge summary (the csv default is 128 KiB)."""
    limit = sys.maxsize
    while True:
        try:
            csv.field_size_limit(limit)
            return
        except OverflowError:  # C long is 32-bit on some platforms
            limit //= 2


def is_csv(path: Path) -> bool:
    """A notes CSV (``.csv`` or ``.csv.gz``), many notes in one file, not one note's own file."""
    return path.name.lower().endswith((".csv", ".csv.gz"))


def iter_notes(path: str | Path, *, key: bytes) -> Iterator[Document | Deletion | Quarantine]:
    """Stream the notes under ``path`` as Documents, Quarantines for unusable records, and Deletions
    for notes MIMIC flags as written in error (``ISERROR=1``): such a note is withdrawn, and one an
    earlier run wrote leaves the graph and its patient's findings.

    ``path`` is a folder (every ``*.txt`` below it, one note per file), a MIMIC-III
    NOTEEVENTS-style CSV, or an ACI-Bench CSV; the CSV flavour is told from its header.

    Raises
    ------
    SourceError
        ``path`` does not exist, is not a notes folder or CSV, is a folder without .txt notes, or a
        CSV lacks required columns.
    """
    p = Path(path)
    if p.is_dir():
        yield from _iter_txt_folder(p, key)
    elif p.is_file() and is_csv(p):
        yield from _iter_csv(p, key)
    elif p.exists():
        raise SourceError(Errors.E210, path=p)
    else:
        raise SourceError(Errors.E211, path=p)


def locate_note(root: str | Path, doc_id: str, *, key: bytes) -> Path:
    """The ``.txt`` file under ``root`` whose note id is ``doc_id`` (``NOTE:note_...`` or ``note_...``):
    a quarantine names only the folder and the id, so this is how the operator finds the file.

    ``root`` must be the folder that was ingested, and ``key`` the key it was ingested with: the id
    is the pseudonym of the file's path relative to that folder.

    Raises
    ------
    SourceError
        ``root`` is not a folder that holds .txt notes, or none of its notes has that id.
    """
    root = Path(root)
    if not root.exists():
        raise SourceError(Errors.E211, path=root)
    if not root.is_dir():
        raise SourceError(Errors.E210, path=root)
    wanted = f"NOTE:{doc_id.strip().removeprefix('NOTE:')}"
    found = next((file for file, note_id in _txt_notes(root, key) if note_id == wanted), None)
    if found is None:
        raise SourceError(Errors.E217, path=root, doc_id=wanted)
    return found


def _txt_notes(root: Path, key: bytes, files: Sequence[Path] | None = None) -> list[tuple[Path, str]]:
    """Each ``.txt`` note under ``root`` (of ``files``, every file below ``root`` if not given) and its note
    id, the pseudonym of its path relative to ``root``."""
    if files is None:
        files = _files(root)
    notes = sorted(f for f in files if f.suffix.lower() == ".txt" and not _hidden(root, f))
    if not notes:
        raise SourceError(Errors.E215, path=root)
    return [(file, f"NOTE:{pseudonymize(file.relative_to(root).as_posix(), key, 'note')}") for file in notes]


def _files(root: Path) -> list[Path]:
    return [f for f in root.rglob("*") if f.is_file()]


def _hidden(root: Path, file: Path) -> bool:
    """Whether ``file`` or a folder it is in below ``root`` is hidden (``._note.txt``, ``.git/``): no note."""
    return any(part.startswith(".") for part in file.relative_to(root).parts)


def _iter_txt_folder(root: Path, key: bytes) -> Iterator[Document | Quarantine]:
    # Where a note is said to be: the folder given and the note's id, never the file's name or its
    # subfolders, which in real exports hold the patient's name and MRN (locate_note finds the file).
    folder = str(root) if str(root).endswith(os.sep) else f"{root}{os.sep}"
    files = _files(root)
    for file, doc_id in _txt_notes(root, key, files):
        try:
            data = file.read_bytes()
        except OSError as exc:
            # str(exc) names the file: the reason gets the operating system's words only
            error = exc.strerror or type(exc).__name__
            yield Quarantine(file=folder, record=doc_id, reason=Errors.E321.reason(error=error), id=doc_id)
            continue
        if encoding := _wide_encoding(data[:64]):
            yield Quarantine(file=folder, record=doc_id, reason=Errors.E327.reason(encoding=encoding), id=doc_id)
            continue
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            yield Quarantine(file=folder, record=doc_id, reason=Errors.E320.reason(byte=exc.start), id=doc_id)
            continue
        if "\0" in text:  # valid UTF-8, but no text file holds a NUL: a binary file named .txt
            yield Quarantine(file=folder, record=doc_id, reason=Errors.E320.reason(byte=data.index(b"\0")),
                             id=doc_id)
            continue
        text = _normalise(text)
        if not _has_content(text):
            yield Quarantine(file=folder, record=doc_id, reason=Errors.E322.reason(), id=doc_id)
            continue
        yield Document(id=doc_id, source="note", text=text, origin=(folder, doc_id))
    # Said after the notes, not before: read_files opens the folder once to check it, then again to read it.
    _warn_not_read(root, folder, files)


def _warn_not_read(root: Path, folder: str, files: Sequence[Path]) -> None:
    """Warn of the files under ``root`` that are not ``.txt`` notes and so were not read, by count and
    type only: their names may hold a patient's name. A hidden ``.txt`` file (macOS's ``._note.txt``) looks
    like a note and is counted as "hidden .txt"; other hidden files and folders (``.DS_Store``, ``.git``) are no
    notes a person put there and are not counted."""
    other = [f for f in files if f.suffix.lower() != ".txt" and not _hidden(root, f)]
    other += [f for f in files if f.suffix.lower() == ".txt" and _hidden(root, f)]
    if not other:
        return
    types = Counter("hidden .txt" if f.suffix.lower() == ".txt"
                    else f.suffix.lower() if f.suffix.lower() in _NAMED_TYPES else "other" if f.suffix else "no extension"
                    for f in other)
    named = ", ".join(t for t, _ in sorted(types.items(), key=lambda item: (-item[1], item[0]))[:5])
    if len(types) > 5:
        named += ", ..."
    if len(other) == 1:
        log.warning("1 file in %s is not a .txt note and was not read (%s)", folder, named)
    else:
        log.warning("%d files in %s are not .txt notes and were not read (%s)", len(other), folder, named)


def _wide_encoding(head: bytes) -> str | None:
    """UTF-16 or UTF-32, told from the byte-order mark or, without one, from text that starts in ASCII
    (a CSV header, most notes): every second (or second to fourth) byte a NUL, the others not."""
    for bom, encoding in _WIDE_BOMS:
        if head.startswith(bom):
            return encoding
    for width, name in ((4, "UTF-32"), (2, "UTF-16")):
        units = [head[i:i + width] for i in range(0, len(head) - len(head) % width, width)]
        if len(units) < 2:
            continue
        if all(u[0] and not any(u[1:]) for u in units):
            return f"{name}LE"
        if all(u[-1] and not any(u[:-1]) for u in units):
            return f"{name}BE"
    return None


def _has_content(text: str) -> bool:
    """Whether ``text`` holds a letter or a digit: a note of blanks, punctuation or zero-width spaces is empty."""
    return any(c.isalnum() for c in text)


def _open_csv(path: Path) -> IO[str]:
    """The CSV as UTF-8 text. A UTF-16 or UTF-32 file (Excel's "Unicode text", Windows PowerShell's default)
    would be read as bytes that are not UTF-8 and fail as a header without the columns (E213, its header
    shown as garbage): it is refused before that, naming its encoding.

    Raises
    ------
    RecordError
        E327: the file is UTF-16 or UTF-32.
    """
    gz = path.name.lower().endswith(".gz")
    with (gzip.open(path, "rb") if gz else path.open("rb")) as raw:
        head = raw.read(64)
    if encoding := _wide_encoding(head):
        raise RecordError(Errors.E327, file=str(path), record="line 1", encoding=encoding)
    # surrogateescape turns invalid UTF-8 into lone surrogates instead of aborting the
    # file, so the offending row alone can be quarantined.
    if gz:
        return gzip.open(path, "rt", encoding="utf-8-sig", errors="surrogateescape", newline="")
    return path.open(encoding="utf-8-sig", errors="surrogateescape", newline="")


class _Lines:
    """A CSV file's lines for ``csv.reader``, numbered; the lines of the row being read are kept, so
    that after a malformed row the reader can start again at the line after the row's first."""

    def __init__(self, fh: IO[str]) -> None:
        self._fh = fh
        self._again: deque[str] = deque()  # lines to hand out again before reading on
        self._row: list[str] = []
        self.first = 1  # number of the row's first line
        self.last = 0  # number of the last line handed out

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self._again.popleft() if self._again else next(self._fh)
        self._row.append(line)
        self.last += 1
        return line

    @property
    def row_start(self) -> str:
        """The first line of the row being read."""
        return self._row[0] if self._row else ""

    def next_row(self) -> None:
        self._row, self.first = [], self.last + 1

    def back(self) -> None:
        """Hand out the row's lines again from its second: the next row is looked for there."""
        self._again.extendleft(reversed(self._row[1:]))
        self.last = self.first
        self.next_row()


def _iter_csv(path: Path, key: bytes) -> Iterator[Document | Deletion | Quarantine]:
    _raise_field_size_limit()
    row_no = 0
    columns: dict[str, int] = {}
    # a malformed row's first line, error and note id, until a row follows
    damaged: tuple[int, csv.Error, str | None] | None = None
    try:
        with _open_csv(path) as fh:
            lines = _Lines(fh)
            reader = csv.reader(lines, strict=True)  # a stray quote is an error, not rows merged into one note
            header = next(reader, None)
            if header is None:
                raise SourceError(Errors.E212, path=path)
            columns = {name.strip().lower(): i for i, name in enumerate(header)}
            is_aci = any(m in columns for m in _ACI_MARKERS)
            required = ACI_REQUIRED if is_aci else MIMIC_REQUIRED
            missing = [c for c in required if c not in columns]
            if missing:
                layout = "ACI-Bench" if is_aci else "MIMIC NOTEEVENTS"
                raise SourceError(
                    Errors.E213, path=path, layout=layout, missing=", ".join(missing), header=", ".join(header)
                )
            to_record = _aci_record if is_aci else _mimic_record
            ids = [(columns[name], id_, tells) for name, (id_, tells) in (_ACI_IDS if is_aci else _MIMIC_IDS).items()
                   if name in columns]
            id_column = columns["encounter_id" if is_aci else "row_id"]
            while True:
                lines.next_row()
                try:
                    row = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    damaged = damaged or (lines.first, exc, _leading_id(lines.row_start, id_column, is_aci, key))
                    lines.back()
                    continue
                if damaged:
                    if (len(row) != len(header)
                            or not all(id_.fullmatch(row[i]) or not row[i].strip() for i, id_, _ in ids)
                            or not any(tells and id_.fullmatch(row[i]) for i, id_, tells in ids)):
                        lines.back()
                        continue
                    row_no += 1
                    yield _malformed(path, row_no, damaged, lines.first - 1)
                    damaged = None
                if not any(cell.strip() for cell in row):
                    continue  # a blank line: no note
                row_no += 1
                if len(row) != len(header):
                    # The id is read where the header puts it, and only if it looks like one: the delimiter
                    # missing or extra is in practice in the note text, MIMIC's last column, after the id.
                    note_id = _readable_id(row[id_column], is_aci, key) if id_column < len(row) else None
                    yield Quarantine(file=str(path), record=f"row {row_no}", reason=Errors.E329.reason(
                        count=len(row), expected=len(header), lines=_lines(lines.first, lines.last)), id=note_id)
                    continue
                fields = {name: row[i] for name, i in columns.items() if name != "dialogue"}
                bad_column = next((n for n, v in fields.items() if _LONE_SURROGATE.search(v)), None)
                if bad_column:
                    yield Quarantine(
                        file=str(path),
                        record=f"row {row_no}",
                        reason=Errors.E324.reason(column=bad_column),
                        id=_readable_id(row[id_column], is_aci, key),
                    )
                    continue
                if nul_columns := [n for n, v in fields.items() if "\0" in v]:
                    # No text holds a NUL (a .txt note with one is binary, E320); in a cell of a row read whole it
                    # is a stray byte that breaks tools downstream (C strings end at it), and it is dropped.
                    log.warning("NUL characters dropped from %s of %s row %d", ", ".join(nul_columns), path, row_no)
                    fields = {n: v.replace("\0", "") for n, v in fields.items()}
                yield to_record(fields, path, row_no, key)
            if damaged:
                yield _malformed(path, row_no + 1, damaged, lines.last)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        if not columns:
            raise SourceError(Errors.E214, path=path, error=exc) from exc
        if damaged:
            row_no += 1
            yield _malformed(path, row_no, damaged, lines.last)
        yield Quarantine(
            file=str(path),
            record=f"after row {row_no}",
            reason=Errors.E325.reason(error=exc),
        )


def _malformed(path: Path, row_no: int, damaged: tuple[int, csv.Error, str | None], last: int) -> Quarantine:
    """The quarantine of a malformed row and the lines after it up to ``last``, where no row starts."""
    first, error, note_id = damaged
    return Quarantine(file=str(path), record=f"row {row_no}",
                      reason=Errors.E323.reason(error=error, lines=_lines(first, last)), id=note_id)


def _leading_id(line: str, column: int, is_aci: bool, key: bytes) -> str | None:
    """The note id of a malformed row (E323), read from the row's first line where the cells up to its id
    column are plain (no quote, or quoted whole): the damage is in a later cell, the note text."""
    cells = line.split(",", column + 1)
    if len(cells) <= column:
        return None
    for i, cell in enumerate(cells[:column + 1]):
        if '"' in cell:
            quoted = re.fullmatch(r'"([^"]*)"', cell.rstrip("\r\n"))
            if quoted is None:
                return None
            cells[i] = quoted.group(1)
    return _readable_id(cells[column], is_aci, key)


def _lines(first: int, last: int) -> str:
    return f"line {first}" if first == last else f"lines {first}-{last}"


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _empty(text: str, path: Path, row_no: int, doc_id: str) -> Quarantine | None:
    if _has_content(text):
        return None
    return Quarantine(file=str(path), record=f"row {row_no}", reason=Errors.E322.reason(), id=doc_id)


def _mimic_int(value: str) -> str:
    """A MIMIC integer (an id, ISERROR) as its digits: ``101.0`` (pandas' float column) is ``101``, and an id
    gets its pseudonym, so a re-saved CSV names the same notes, patients and admissions, not new ones, and
    withdraws the same notes (``ISERROR=1.0``); a value that is not an integer, or one written ``101`` as
    MIMIC writes them, is kept as it is."""
    match = _NUMBER_ID.fullmatch(value)
    return match.group(1) if match else value


def _note_id(value: str, key: bytes) -> str:
    return f"NOTE:{pseudonymize(value, key, 'note')}"


def _readable_id(value: str, is_aci: bool, key: bytes) -> str | None:
    """The note id of a row quarantined before its fields are read (E323, E324, E329), when its id cell holds an id
    (not invalid UTF-8, not note text): the ledger then knows the note and says that the version of it
    written before stays in the graph."""
    value = value.strip()
    if is_aci:
        return _note_id(value, key) if _ACI_ID.fullmatch(value) else None
    return _note_id(_mimic_int(value), key) if _NUMBER_ID.fullmatch(value) else None


def _mimic_record(
    fields: dict[str, str], path: Path, row_no: int, key: bytes
) -> Document | Deletion | Quarantine:
    row_id, subject_id = _mimic_int(fields["row_id"].strip()), _mimic_int(fields["subject_id"].strip())
    if not row_id or not subject_id:
        return Quarantine(file=str(path), record=f"row {row_no}", reason=Errors.E326.reason(),
                          id=_note_id(row_id, key) if row_id else None)
    doc_id = _note_id(row_id, key)
    if _mimic_int(fields.get("iserror", "").strip()) == "1":  # written in error: withdrawn, also from an earlier graph
        return Deletion(id=doc_id)
    text = _normalise(fields["text"])
    empty = _empty(text, path, row_no, doc_id)
    if empty:
        return empty
    category = fields.get("category", "").strip()
    metadata: dict[str, str | int] = {
        "patient": pseudonymize(subject_id, key, "pt"),
        "category": category,
        "dataset": "noteevents",
    }
    hadm_id = _mimic_int(fields.get("hadm_id", "").strip())
    if hadm_id:
        metadata["encounter"] = pseudonymize(hadm_id, key, "enc")
    year = _YEAR.search(fields.get("chartdate", ""))
    if year:
        metadata["year"] = int(year.group(1))
    return Document(id=doc_id, source="note", text=text, title=category, metadata=metadata,
                    origin=(str(path), f"row {row_no}"))


def _aci_record(fields: dict[str, str], path: Path, row_no: int, key: bytes) -> Document | Quarantine:
    encounter_id = fields["encounter_id"].strip()
    if not encounter_id:
        return Quarantine(file=str(path), record=f"row {row_no}", reason=Errors.E328.reason())
    doc_id = _note_id(encounter_id, key)
    text = _normalise(fields["note"])
    empty = _empty(text, path, row_no, doc_id)
    if empty:
        return empty
    # ACI-Bench has one note per encounter and no patient id, so the encounter stands in
    # for the patient.
    metadata = {
        "patient": pseudonymize(encounter_id, key, "pt"),
        "encounter": pseudonymize(encounter_id, key, "enc"),
        "category": "",
        "dataset": fields["dataset"].strip(),
    }
    return Document(id=doc_id, source="note", text=text, metadata=metadata, origin=(str(path), f"row {row_no}"))
