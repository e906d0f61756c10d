"""PubTator: the plain-text format of the annotated corpora (BC5CDR, NCBI-disease, BioRED).

One document is a ``PMID|t|title`` line, a ``PMID|a|abstract`` line, tab-separated mention
lines ``PMID start end text type [ids [extra...]]`` and relation lines
``PMID type id1 id2 [novelty]``, then a blank line. Offsets count characters of
``title + " " + abstract``, which is why :attr:`PubtatorDocument.text` builds exactly that.

The three corpora disagree on details, and the reader keeps every one of them so that
``write_pubtator(read_pubtator(f))`` reproduces what was read:

- ids are joined by ``|`` (BC5CDR, NCBI composite mentions), ``+`` (NCBI combined concepts)
  or ``,`` (BioRED); the separator is kept in ``id_sep``. ``-1`` (BC5CDR "no MeSH id") is kept
  as an id; :attr:`PubtatorAnnotation.concept_ids` leaves it out.
- variant ids (``c|DEL|657|5``, ``rs74805019``) contain ``|`` themselves and are never split.
- BC5CDR composite mentions carry a 7th column (the component texts): kept in ``extra``.
"""

from __future__ import annotations

import gzip
import io
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from pydantic import BaseModel, ConfigDict, Field

from kg.errors import Errors, Message, RecordError, SourceError
from kg.models import Document, Quarantine

NIL_ID = "-1"  # what medkg writes for a mention with no concept, as BC5CDR and NCBI-disease do
NIL_IDS = frozenset({NIL_ID, "-"})  # BioRED writes "-"
_TEXT_LINE = re.compile(r"^(?P<pmid>[^\t|]+)\|(?P<kind>[ta])\|")
ID_SEPARATORS = ("|", ",", "+")
# Types whose ids are structured strings with "|" inside (tmVar notation), not lists of ids.
VARIANT_TYPES = frozenset({"SequenceVariant", "DNAMutation", "ProteinMutation", "SNP", "Variant"})


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PubtatorAnnotation(_Frozen):
    """One mention line. ``ids`` are as written (no prefix added), ``"-1"`` included."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str
    type: str
    ids: tuple[str, ...] = ()
    id_sep: str = "|"
    extra: tuple[str, ...] = ()

    @property
    def concept_ids(self) -> tuple[str, ...]:
        """The ids that name a concept: without the NIL markers (``-1``, BioRED's ``-``) and empty strings."""
        return tuple(i for i in self.ids if i and i not in NIL_IDS)


class PubtatorRelation(_Frozen):
    """A document-level relation between two concept ids (BC5CDR CID, BioRED types)."""

    type: str
    id1: str
    id2: str
    novelty: str | None = None


class PubtatorDocument(_Frozen):
    pmid: str
    title: str
    abstract: str
    annotations: tuple[PubtatorAnnotation, ...] = ()
    relations: tuple[PubtatorRelation, ...] = ()

    @property
    def text(self) -> str:
        return f"{self.title} {self.abstract}"

    def to_document(self) -> Document:
        return Document(id=f"PMID:{self.pmid}", source="pubtator", text=self.text, title=self.title)


def _open_text(path: Path) -> IO[str]:
    """The file as text: gzip told by its magic bytes (not by the name), a UTF-8 byte-order mark dropped."""
    try:
        with path.open("rb") as fh:
            gzipped = fh.read(2) == b"\x1f\x8b"
        raw = gzip.open(path, "rb") if gzipped else path.open("rb")
        return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise SourceError(Errors.E220, path=path, error=exc) from exc


def _split_ids(raw: str, type_: str) -> tuple[tuple[str, ...], str]:
    raw = raw.strip()
    if not raw:
        return (), "|"
    if type_ in VARIANT_TYPES:
        return (raw,), "|"
    for sep in ID_SEPARATORS:
        if sep in raw:
            return tuple(part.strip() for part in raw.split(sep)), sep
    return (raw,), "|"


class _Invalid(Exception):
    """A malformed line or document; ``read_pubtator`` turns it into a RecordError naming file and PMID."""

    def __init__(self, message: Message, **fields: object) -> None:
        super().__init__(message.code)
        self.message = message
        self.fields = fields


class _Builder:
    """Collects the lines of one document; ``build`` checks them against each other."""

    def __init__(self, pmid: str, line_no: int) -> None:
        self.pmid = pmid
        self.first_line = line_no
        self.title: str | None = None
        self.abstract: str | None = None
        self.annotations: list[PubtatorAnnotation] = []
        self.relations: list[PubtatorRelation] = []
        self.error: tuple[int, _Invalid] | None = None  # the line it was found at, and what it is

    def build(self) -> PubtatorDocument:
        if self.title is None:
            raise _Invalid(Errors.E350)
        doc = PubtatorDocument(
            pmid=self.pmid,
            title=self.title,
            abstract=self.abstract or "",
            annotations=tuple(self.annotations),
            relations=tuple(self.relations),
        )
        text = doc.text
        for ann in doc.annotations:
            if ann.end > len(text) or ann.start >= ann.end:
                raise _Invalid(Errors.E351, text=ann.text, start=ann.start, end=ann.end, length=len(text))
        return doc


def _parse_line(builder: _Builder, line: str) -> None:
    if m := _TEXT_LINE.match(line):
        if m["pmid"] != builder.pmid:
            raise _Invalid(Errors.E352, found=m["pmid"], pmid=builder.pmid)
        if m["kind"] == "t":
            builder.title = line[m.end() :]
        else:
            builder.abstract = line[m.end() :]
        return
    cols = line.split("\t")
    if len(cols) < 4:
        raise _Invalid(Errors.E353, line=line[:80])
    if cols[0] != builder.pmid:
        raise _Invalid(Errors.E352, found=cols[0], pmid=builder.pmid)
    if cols[1].isdigit() and cols[2].isdigit():
        if len(cols) < 5:
            raise _Invalid(Errors.E354, count=len(cols))
        ids, sep = _split_ids(cols[5], cols[4]) if len(cols) > 5 else ((), "|")
        builder.annotations.append(
            PubtatorAnnotation(
                start=int(cols[1]),
                end=int(cols[2]),
                text=cols[3],
                type=cols[4],
                ids=ids,
                id_sep=sep,
                extra=tuple(cols[6:]),
            )
        )
    elif len(cols) in (4, 5):
        builder.relations.append(
            PubtatorRelation(
                type=cols[1], id1=cols[2], id2=cols[3], novelty=cols[4] if len(cols) == 5 else None
            )
        )
    else:
        raise _Invalid(Errors.E355, count=len(cols))


def read_pubtator(
    path: str | Path, *, quarantine: list[Quarantine] | None = None
) -> Iterator[PubtatorDocument]:
    """Stream the documents of a PubTator file (plain or ``.gz``).

    A malformed document raises :class:`RecordError` naming file, PMID and line, unless a
    ``quarantine`` list is given: then the document is recorded there and reading goes on.
    """
    path = Path(path)
    fh = _open_text(path)
    builder: _Builder | None = None

    def finish(b: _Builder) -> PubtatorDocument | None:
        problem = b.error
        if problem is None:
            try:
                return b.build()
            except _Invalid as exc:
                problem = (b.first_line, exc)
            except ValueError as exc:  # pydantic's ValidationError
                problem = (b.first_line, _Invalid(Errors.E356, error=exc))
        line, invalid = problem
        err = RecordError(
            invalid.message,
            file=str(path),
            record=f"PMID {b.pmid} at line {line}",
            doc_id=f"PMID:{b.pmid}" if b.pmid.isdigit() else None,
            **invalid.fields,
        )
        if quarantine is None:
            raise err
        quarantine.append(Quarantine(file=str(path), record=f"line {b.first_line}", reason=err.reason, id=err.doc_id))
        return None

    with fh:
        line_no = 0
        try:
            for raw in fh:
                line_no += 1
                line = raw.rstrip("\r\n")
                if not line.strip():
                    if builder is not None:
                        if (doc := finish(builder)) is not None:
                            yield doc
                        builder = None
                    continue
                m = _TEXT_LINE.match(line)
                pmid = m["pmid"] if m else line.split("\t", 1)[0]
                if builder is not None and m and m["kind"] == "t" and pmid != builder.pmid:
                    # No blank line between documents: a new title starts the next one.
                    if (doc := finish(builder)) is not None:
                        yield doc
                    builder = None
                if builder is None:
                    builder = _Builder(pmid, line_no)
                if builder.error is not None:
                    continue
                try:
                    _parse_line(builder, line)
                except _Invalid as exc:
                    builder.error = (line_no, exc)
                except (ValueError, IndexError) as exc:  # pydantic's ValidationError, a short line
                    builder.error = (line_no, _Invalid(Errors.E356, error=exc))
        except (UnicodeDecodeError, EOFError, OSError, gzip.BadGzipFile) as exc:
            raise SourceError(Errors.E221, path=path, line=line_no, error=exc) from exc
        if builder is not None and (doc := finish(builder)) is not None:
            yield doc


def format_pubtator(doc: PubtatorDocument) -> str:
    """One document in PubTator layout, ending with the blank separator line."""
    lines = [f"{doc.pmid}|t|{doc.title}", f"{doc.pmid}|a|{doc.abstract}"]
    for a in doc.annotations:
        cols = [doc.pmid, str(a.start), str(a.end), a.text, a.type, a.id_sep.join(a.ids), *a.extra]
        lines.append("\t".join(cols))
    for r in doc.relations:
        cols = [doc.pmid, r.type, r.id1, r.id2] + ([r.novelty] if r.novelty is not None else [])
        lines.append("\t".join(cols))
    return "\n".join(lines) + "\n\n"


def write_pubtator(docs: Iterable[PubtatorDocument], path_or_file: str | Path | IO[str]) -> int:
    """Write ``docs`` (gzip when the path ends in ``.gz``); returns how many were written."""
    if isinstance(path_or_file, (str, Path)):
        path = Path(path_or_file)
        opener = gzip.open(path, "wt", encoding="utf-8") if path.suffix == ".gz" else path.open("w", encoding="utf-8")
        with opener as fh:
            return write_pubtator(docs, fh)
    n = 0
    for doc in docs:
        path_or_file.write(format_pubtator(doc))
        n += 1
    return n
