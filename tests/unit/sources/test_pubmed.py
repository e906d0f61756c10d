"""The PubMed XML source: a hand-written fixture per case, the shared files for the real thing."""

from __future__ import annotations

import gzip
import itertools
import re
from pathlib import Path

import pytest

from kg.config import SHARED_DATA
from kg.errors import SourceError
from kg.models import Deletion, Document, Quarantine
from kg.sources import read_files
from kg.sources.pubmed import iter_pubmed
from realdata import first_citations_xml

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "pubmed"
PUBMED = SHARED_DATA / "pubmed"


def _shared(name: str) -> Path:
    path = PUBMED / name
    if not path.exists():
        pytest.skip(f"shared data file {path} is missing (see /work/shared/data/README.md)")
    return path


def count_pubmed(path: Path) -> dict[str, int]:
    """What ``iter_pubmed`` yields for ``path``, tallied."""
    counts = {"documents": 0, "with_abstract": 0, "deletions": 0, "quarantined": 0}
    for item in iter_pubmed(path):
        if isinstance(item, Document):
            counts["documents"] += 1
            counts["with_abstract"] += bool(item.metadata["has_abstract"])
        else:
            counts["deletions" if isinstance(item, Deletion) else "quarantined"] += 1
    return counts


def _by_id(items: list) -> dict[str, Document]:
    return {d.id: d for d in items if isinstance(d, Document)}


def _section_texts(doc: Document) -> dict[str, str]:
    return {s.label: doc.text[s.start : s.end] for s in doc.sections}


@pytest.fixture(scope="module")
def articles() -> list:
    return list(iter_pubmed(FIXTURES / "articles.xml"))


def test_structured_abstract_sections_point_at_their_text(articles: list) -> None:
    doc = _by_id(articles)["PMID:1000001"]
    assert doc.source == "pubmed"
    assert doc.version == 2
    assert doc.title == "Effect of Escherichia coli on Ca2+ levels."
    assert doc.text == (
        "Effect of Escherichia coli on Ca2+ levels. "
        "Calcium matters. We measured Ca2+ in E. coli. It rose."
    )
    assert [s.label for s in doc.sections] == ["title", "BACKGROUND", "METHODS", "CONCLUSIONS"]
    assert _section_texts(doc) == {
        "title": doc.title,
        "BACKGROUND": "Calcium matters.",
        "METHODS": "We measured Ca2+ in E. coli.",
        "CONCLUSIONS": "It rose.",
    }
    # PubTator layout: the abstract starts one space after the title.
    assert doc.sections[1].start == len(doc.title) + 1


def test_metadata_of_a_full_citation(articles: list) -> None:
    meta = _by_id(articles)["PMID:1000001"].metadata
    assert meta == {
        "pmid": "1000001",
        "journal": "Journal of Test Medicine",
        "journal_abbrev": "J Test Med",
        "pub_date": "2020-02-07",
        "year": 2020,
        "date_revised": "2021-11-09",
        "date_completed": "2020-03-05",
        "mesh": [
            {"ui": "D002118", "name": "Calcium", "major": True},
            {"ui": "D004926", "name": "Escherichia coli", "major": True},
            {"ui": "D006801", "name": "Humans", "major": False},
        ],
        "chemicals": [{"ui": "D002118", "name": "Calcium"}],
        "publication_types": ["Journal Article", "Research Support, Non-U.S. Gov't"],
        "doi": "10.1000/test.1",
        "language": "eng",
        "has_abstract": True,
    }


def test_title_only_citation_is_a_document_with_medline_date(articles: list) -> None:
    doc = _by_id(articles)["PMID:1000002"]
    assert doc.text == doc.title == "A title-only citation."
    assert doc.version == 1
    assert doc.sections == (doc.sections[0],) and doc.sections[0].label == "title"
    assert doc.metadata["has_abstract"] is False
    assert doc.metadata["pub_date"] == "1979-06"
    assert doc.metadata["year"] == 1979
    assert doc.metadata["doi"] == "10.1000/test.2"
    assert doc.metadata["language"] == "fre"
    assert doc.metadata["date_revised"] is None
    assert doc.metadata["mesh"] == []


def test_unlabelled_abstract_is_one_section(articles: list) -> None:
    doc = _by_id(articles)["PMID:1000003"]
    assert [s.label for s in doc.sections] == ["title", "abstract"]
    assert _section_texts(doc)["abstract"] == "First paragraph. Second paragraph."
    assert doc.metadata["pub_date"] == "1998"


def test_bad_records_are_quarantined_and_the_file_goes_on(articles: list) -> None:
    quarantined = [q for q in articles if isinstance(q, Quarantine)]
    assert len(quarantined) == 2
    no_pmid, empty = quarantined
    assert no_pmid.record == "#4" and no_pmid.id is None and no_pmid.reason == "E306: <PubmedArticle> has no PMID"
    assert empty.record == "#5 PMID 1000005" and empty.id == "PMID:1000005"
    assert empty.reason == "E309: citation has neither a title nor an abstract"
    assert all(q.file.endswith("articles.xml") for q in quarantined)
    # The record after the bad ones is still read; an empty ArticleTitle falls back to the
    # vernacular one.
    assert _by_id(articles)["PMID:1000006"].text == "Briefsammlung."
    kinds = [type(x).__name__ for x in articles]
    assert kinds == ["Document"] * 3 + ["Quarantine"] * 2 + ["Document"]


def test_book_articles() -> None:
    docs = _by_id(list(iter_pubmed(FIXTURES / "book.xml")))
    chapter = docs["PMID:20301295"]
    assert chapter.title == "CFTR-Related Disorders"
    assert _section_texts(chapter) == {
        "title": "CFTR-Related Disorders",
        "CLINICAL CHARACTERISTICS": "Cystic fibrosis affects the lungs.",
        "DIAGNOSIS/TESTING": "Sweat chloride is raised.",
    }
    assert chapter.metadata["publication_types"] == ["Review"]
    assert chapter.metadata["year"] == 1993
    assert chapter.metadata["journal"] is None
    whole = docs["PMID:20301296"]
    assert whole.text == "Whole Book Without Chapter Title A book abstract."
    assert whole.metadata["pub_date"] == "2004"


def test_delete_citation_yields_one_deletion_per_pmid() -> None:
    items = list(iter_pubmed(FIXTURES / "deletions.xml"))
    assert isinstance(items[0], Document)
    assert items[1:] == [
        Deletion(id="PMID:31688362", version=1),
        Deletion(id="PMID:31764432", version=1),
        Deletion(id="PMID:31895213", version=1),
    ]
    assert count_pubmed(FIXTURES / "deletions.xml") == {
        "documents": 1,
        "with_abstract": 0,
        "deletions": 3,
        "quarantined": 0,
    }


def test_malformed_xml_quarantines_the_damaged_record_and_reads_the_rest() -> None:
    items = list(iter_pubmed(FIXTURES / "malformed.xml"))
    assert [d.id for d in items if isinstance(d, Document)] == ["PMID:3000001", "PMID:3000002", "PMID:3000004"]
    (bad,) = [q for q in items if isinstance(q, Quarantine)]
    assert items.index(bad) == 2 and bad.file.endswith("malformed.xml")
    assert (bad.record, bad.id) == ("#3 PMID 3000003", "PMID:3000003")
    assert bad.reason.startswith("E304: malformed XML at line 10 of the XML: Opening and ending tag mismatch")


def _record(n: int, title: str | None = None, pad: int = 0) -> str:
    return (f'<PubmedArticle><MedlineCitation><PMID Version="1">{n}</PMID><Article>'
            f"<ArticleTitle>{title or f'Title {n}'}{' padding' * pad}</ArticleTitle></Article></MedlineCitation>"
            "</PubmedArticle>\n")


def _article_set(body: str) -> bytes:
    return f'<?xml version="1.0"?>\n<PubmedArticleSet>\n{body}</PubmedArticleSet>\n'.encode()


@pytest.mark.parametrize("compress", [False, True])
def test_damage_deep_in_a_large_file_loses_only_the_damaged_records(tmp_path: Path, compress: bool) -> None:
    # ~5 MB: the file is read in several chunks, so record boundaries fall across reads
    body = "".join(_record(n, "Broken <i>title" if n in (700, 2300) else None, pad=200) for n in range(1, 3001))
    path = tmp_path / "big.xml"
    path.write_bytes(gzip.compress(_article_set(body)) if compress else _article_set(body))
    items = list(iter_pubmed(path))
    assert [d.id for d in items if isinstance(d, Document)] == [f"PMID:{n}" for n in range(1, 3001) if n not in (700, 2300)]
    bad = [q for q in items if isinstance(q, Quarantine)]
    assert [(q.record, q.reason.split(":")[:2]) for q in bad] == [
        ("#700 PMID 700", ["E304", " malformed XML at line 702 of the XML"]),
        ("#2300 PMID 2300", ["E304", " malformed XML at line 2302 of the XML"]),
    ]
    assert [items.index(q) for q in bad] == [699, 2299]


def test_a_record_cut_off_at_the_end_and_damage_between_records_are_reported(tmp_path: Path) -> None:
    cut = tmp_path / "cut.xml"
    cut.write_bytes(_article_set(_record(1) + _record(2))[:-60])
    items = list(iter_pubmed(cut))
    assert isinstance(items[0], Document) and items[0].id == "PMID:1"
    assert (items[1].record, items[1].id) == ("#2 PMID 2", "PMID:2")  # the file, not the record, is cut: E316
    assert items[1].reason == (f"E316: {cut} ends early, at line 4, inside the record starting at line 4, which has "
                               "no end tag: the file is cut short, and what came after the cut was not read")
    assert len(items) == 2
    for junk in ("<oops>\n", "</oops>\n"):  # the stream parser fails at the end of the file, and at once
        between = tmp_path / "between.xml"
        between.write_bytes(_article_set(_record(1) + junk + _record(2) + _record(3)))
        assert _items(list(iter_pubmed(between))) == [
            "PMID:1",
            ("line 4", f"E314: malformed XML at line 4, between records: unexpected {junk.strip()!r}; it holds no record",
             None),
            "PMID:2",
            "PMID:3",
        ]


def _items(items: list) -> list:
    return [x.id if isinstance(x, (Document, Deletion)) else (x.record, x.reason, x.id) for x in items]


def test_a_record_cut_off_mid_file_is_quarantined_alone_and_each_record_after_it_read_once(tmp_path: Path) -> None:
    # The stream parser reads the records after the cut one as its children: they must be
    # read once, from their own bytes, and the cut one must not vanish.
    cut = _record(3).replace("</ArticleTitle></Article></MedlineCitation></PubmedArticle>", "")
    deletion = "<DeleteCitation><PMID>7</PMID><PMID>8</PMID></DeleteCitation>\n"
    path = tmp_path / "cut.xml"
    path.write_bytes(_article_set(_record(1) + _record(2) + cut + _record(4) + deletion + _record(5)))
    assert _items(list(iter_pubmed(path))) == [
        "PMID:1",
        "PMID:2",
        ("#3 PMID 3", "E313: the record starting at line 5 is cut off: no end tag", "PMID:3"),
        "PMID:4",
        "PMID:7",
        "PMID:8",
        "PMID:5",
    ]


def _multiline(n: int) -> str:
    """A record over several lines, as PubMed writes them: a damaged start tag has a line of its own."""
    return (f'<PubmedArticle>\n<MedlineCitation>\n<PMID Version="1">{n}</PMID>\n<Article><ArticleTitle>Title {n}'
            "</ArticleTitle></Article>\n</MedlineCitation>\n</PubmedArticle>\n")


@pytest.mark.parametrize("where", [1, 2, 4])
@pytest.mark.parametrize("damage", ["<PubmedArtic1e>", "", "<PubmedArticl>"])
@pytest.mark.parametrize("compress", [False, True])
def test_a_record_whose_start_tag_is_damaged_is_quarantined_by_its_pmid(
    tmp_path: Path, where: int, damage: str, compress: bool
) -> None:
    """QA's case: its bytes hold no record start tag, so they are glued to the record before it (or to the
    prolog), and the stream parser gave that record already. The record must be quarantined under its PMID,
    not dropped under an E314 that says every record was read."""
    records = [_multiline(n) for n in range(1, 5)]
    records[where - 1] = records[where - 1].replace("<PubmedArticle>", damage, 1)
    data = _article_set("".join(records))
    path = tmp_path / "flip.xml"
    path.write_bytes(gzip.compress(data) if compress else data)
    line = 3 + 6 * (where - 1) + (damage == "")  # the damaged start tag's line; when it is gone, the next one's
    assert _items(list(iter_pubmed(path))) == [
        f"PMID:{n}" if n != where else
        (f"#{n} PMID {n}", f"E317: the record at line {line} (PMID {n}) has a damaged or missing start tag: it was "
         "not read", f"PMID:{n}")
        for n in range(1, 5)
    ]


def test_damaged_start_and_end_tags_lose_only_their_own_records(tmp_path: Path) -> None:
    """Damage the stream parser passes over without a syntax error (a record's start and end tags renamed
    alike, records wrapped in another element, a record's end tag and the next one's start tag both gone:
    the parser reads one record with two citations) is found by counting the citations the bytes hold."""
    def read(body: str) -> list:
        path = tmp_path / "damaged.xml"
        path.write_bytes(_article_set(body))
        return _items(list(iter_pubmed(path)))

    renamed = _record(2).replace("PubmedArticle>", "PubmedArtic1e>")
    assert read(_record(1) + renamed + _record(3)) == [
        "PMID:1", "PMID:3",
        ("#3 PMID 2", "E317: the record at line 4 (PMID 2) has a damaged or missing start tag: it was not read", "PMID:2"),
    ]
    merged = _record(2).replace("</PubmedArticle>", "") + _record(3).replace("<PubmedArticle>", "")
    assert read(_record(1) + merged + _record(4)) == [
        "PMID:1", "PMID:2", "PMID:4",
        ("#4 PMID 3", "E317: the record at line 5 (PMID 3) has a damaged or missing start tag: it was not read", "PMID:3"),
    ]
    wrapped = read(_record(1) + "<Wrapper>\n" + _record(2) + _record(3) + "</Wrapper>\n" + _record(4))
    assert [i for i in wrapped if isinstance(i, str)] == ["PMID:1", "PMID:2", "PMID:3", "PMID:4"]  # each once
    assert [q[1].split(";")[0] for q in wrapped if not isinstance(q, str)] == [
        "E314: malformed XML at line 4, between records: unexpected '<Wrapper>'",
        "E314: malformed XML at line 7, between records: unexpected '</Wrapper>'",
    ]
    # its end tag damaged: the record is cut off there (E313), and the next one read
    assert read(_record(1) + _record(2).replace("</PubmedArticle>", "</PubmedArtic1e>") + _record(3)) == [
        "PMID:1", ("#2 PMID 2", "E313: the record starting at line 4 is cut off: no end tag", "PMID:2"), "PMID:3",
    ]
    # both of its start tags damaged: no citation to name, but its PMIDs are
    both = _record(2).replace("<PubmedArticle><MedlineCitation>", "<PubmedArtic1e><MedlineCitatio1>")
    assert read(_record(1) + both + _record(3)) == [
        "PMID:1",
        ("line 4", "E318: damaged XML at line 4, outside any record, holds the PMIDs '2': they were not read", None),
        "PMID:3",
    ]


def test_a_lt_after_the_slash_of_an_end_tag_invents_no_record(tmp_path: Path) -> None:
    """A "<" put in right after an end tag's "</" ("</<PubmedArticle>") makes its name look like a start tag: of a
    record, a citation or a PMID that is not there. Three real citations, the middle one damaged so at each of its end
    tags in turn: each record is accounted for once. So is a DeleteCitation block damaged so, and each of its PMIDs."""
    xml = first_citations_xml(_shared("pubmed20n0014.xml.gz"), 3).decode()
    path = tmp_path / "lt.xml"
    path.write_text(xml)
    pmids = [d.id for d in iter_pubmed(path)]
    first_end, last_start = xml.index("</PubmedArticle>"), xml.rindex("<PubmedArticle>")
    places = [m.end() for m in re.finditer("</", xml) if first_end < m.start() < last_start]
    assert len(places) > 50
    for at in places:
        path.write_text(xml[:at] + "<" + xml[at:])
        items = list(iter_pubmed(path))
        assert [d.id for d in items if isinstance(d, Document)] == [pmids[0], pmids[2]], xml[at - 2 : at + 20]
        assert [q.id in (pmids[1], None) for q in items if isinstance(q, Quarantine)] == [True], xml[at - 2 : at + 20]
    for block, read in [
        ("<DeleteCitation><PMID>7</<PMID><PMID>8</PMID></DeleteCitation>\n",
         ["PMID:8", "E315: DeleteCitation block at line 4 is damaged (expected '>', line 4, column 26): 1 of its 2 PMIDs "
          "were deleted, not read: #1 '7'"]),
        ("<DeleteCitation><PMID>7</PMID><PMID>8</PMID></<DeleteCitation>\n",
         ["PMID:7", "PMID:8", "E315: DeleteCitation block at line 4 is damaged (no end tag): 2 of its 2 PMIDs were "
          "deleted, not read: none"]),
    ]:
        path.write_bytes(_article_set(_record(1) + block + _record(2)))
        items = _items(list(iter_pubmed(path)))
        assert [i if isinstance(i, str) else i[1] for i in items] == ["PMID:1", *read, "PMID:2"]


@pytest.mark.parametrize("damage", ["<DeleteCitatio1>", ""])
def test_a_delete_citation_block_whose_start_tag_is_damaged_still_deletes(tmp_path: Path, damage: str) -> None:
    deletion = "<DeleteCitation>\n<PMID>7</PMID>\n<PMID>8</PMID>\n</DeleteCitation>\n".replace("<DeleteCitation>", damage)
    path = tmp_path / "update.xml"
    path.write_bytes(_article_set(_record(1) + _record(2) + deletion))
    line = 5 + (damage == "")  # the damaged start tag's line; when it is gone, the first PMID's
    assert _items(list(iter_pubmed(path))) == [
        "PMID:1", "PMID:2", "PMID:7", "PMID:8",
        (f"DeleteCitation at line {line}", f"E315: DeleteCitation block at line {line} is damaged (its start tag is "
         "damaged or missing): 2 of its 2 PMIDs were deleted, not read: none", None),
    ]


def test_a_deletion_names_the_version_it_deletes_or_none(tmp_path: Path) -> None:
    """``<PMID Version="2">`` deletes Version 2 only; a PMID without Version deletes whichever is held; a
    Version that is not a number is quarantined (E308), in a whole block and in a damaged one alike."""
    block = ('<DeleteCitation><PMID Version="2">21</PMID><PMID>22</PMID><PMID Version=" 3 ">23</PMID>'
             '<PMID Version="x">24</PMID></DeleteCitation>\n')
    path = tmp_path / "deletions.xml"
    path.write_bytes(_article_set(_record(1) + block))
    items = list(iter_pubmed(path))
    assert items[1:4] == [Deletion(id="PMID:21", version=2), Deletion(id="PMID:22"), Deletion(id="PMID:23", version=3)]
    assert isinstance(items[4], Quarantine) and items[4].reason == "E308: PMID Version 'x' is not a number"
    damaged = tmp_path / "damaged.xml"
    damaged.write_bytes(_article_set(_record(1) + block.replace("<PMID>22", "<PMID>22 &") + _record(2)))
    items = list(iter_pubmed(damaged))
    assert [i for i in items if isinstance(i, Deletion)] == [Deletion(id="PMID:21", version=2),
                                                             Deletion(id="PMID:23", version=3)]
    (q,) = [i for i in items if isinstance(i, Quarantine)]
    assert "2 of its 4 PMIDs were deleted" in q.reason and "#4 '24' Version 'x'" in q.reason


def test_a_damaged_delete_citation_block_deletes_the_pmids_that_can_be_read(tmp_path: Path) -> None:
    deletion = ('<DeleteCitation>\n<PMID Version="1">11</PMID>\n<PMID>12</PMID>\n<PMID>13 & 14</PMID>\n'
                "<PMID>abc</PMID>\n<PMID> 15 </PMID>\n</DeleteCitation>\n")
    path = tmp_path / "deletions.xml"
    path.write_bytes(_article_set(_record(1) + deletion + _record(2)))
    assert _items(list(iter_pubmed(path))) == [
        "PMID:1",
        "PMID:11",
        "PMID:12",
        "PMID:15",
        ("DeleteCitation at line 4", ("E315: DeleteCitation block at line 4 is damaged (xmlParseEntityRef: no name, "
         "line 7, column 11): 3 of its 5 PMIDs were deleted, not read: #3 '13 & 14', #4 'abc'"), None),
        "PMID:2",
    ]
    cut = tmp_path / "cut.xml"
    cut.write_bytes(_article_set(_record(1) + deletion)[:-47])  # cut inside the fifth PMID
    assert _items(list(iter_pubmed(cut)))[1:] == [
        "PMID:11",
        "PMID:12",
        ("DeleteCitation at line 4", ("E315: DeleteCitation block at line 4 is damaged (no end tag): "
         "2 of its 5 PMIDs were deleted, not read: #3 '13 & 14', #4 'abc', #5 ' 15'"), None),
        ("line 9", (f"E316: {cut} ends early, at line 9, inside the DeleteCitation block starting at line 4, "
                    "which has no end tag: the file is cut short, and what came after the cut was not read"), None),
    ]


@pytest.mark.parametrize("compress", [False, True])
def test_xml_that_ends_before_its_root_end_tag_is_cut_short(tmp_path: Path, compress: bool) -> None:
    """QA's case: a valid gzip of XML cut inside the last citation, before its DeleteCitation block.
    The file, not one record, is damaged: what followed the cut (deletions too) is lost, so the reader
    says E316 (a file read in part, as E301), never E313 (a record that loses itself only)."""
    deletion = "<DeleteCitation><PMID>7</PMID><PMID>8</PMID></DeleteCitation>\n"
    whole = _article_set(_record(1) + _record(2) + _record(3) + deletion)
    path = tmp_path / ("cut.xml.gz" if compress else "cut.xml")

    def read(data: bytes) -> list:
        path.write_bytes(gzip.compress(data) if compress else data)
        return _items(list(iter_pubmed(path)))

    assert read(whole) == ["PMID:1", "PMID:2", "PMID:3", "PMID:7", "PMID:8"]
    inside = read(whole[: whole.index(b"<DeleteCitation>") - 40])  # inside the third citation
    assert inside[:2] == ["PMID:1", "PMID:2"] and len(inside) == 3
    record, reason, doc_id = inside[2]
    assert (record, doc_id) == ("#3 PMID 3", "PMID:3")
    assert reason.startswith(f"E316: {path} ends early, at line 5, inside the record starting at line 5, which has")
    between = read(whole[: whole.index(b"<DeleteCitation>")])  # after the third citation, before the deletions
    assert between[:3] == ["PMID:1", "PMID:2", "PMID:3"] and len(between) == 4
    assert between[3][0] == "line 6" and between[3][1].startswith(
        f"E316: {path} ends early, at line 6, after its last complete record (from line 5), without the end tag")
    nothing = read(whole[: whole.index(b"<PubmedArticle>")])  # the root's start tag, then nothing
    assert [q[1][:5] for q in nothing] == ["E316:"] and "before its first record" in nothing[0][1]


@pytest.mark.parametrize(("end", "note"), [
    ("</PubmedArticleSet>\n", None),
    ("</PubmedArticleSet", "E314: malformed XML at line 7, between records: unexpected '</PubmedArticleSet'"),
    ("</Pub", "E314: malformed XML at line 7, between records: unexpected '</Pub'"),  # cut inside it
    ("</PubmedArticleSetX>\n<!-- end -->\n", "E314: malformed XML at line 7, between records: unexpected "
                                             "'</PubmedArticleSetX>'"),
    ("</PubmedArticl3Set >\n", "E314: malformed XML at line 7, between records: unexpected '</PubmedArticl3Set >'"),
    ("", "E316: {path} ends early, at line 7, after its last complete record (from line 6), without the end tag"),
    ("<PubmedArtic", "E316: {path} ends early, at line 7, after its last complete record (from line 6), without the"),
    ("</PubmedArticleSetX>\n<Pub", "E316: {path} ends early, at line 8, after its last complete record"),
])
@pytest.mark.parametrize("compress", [False, True])
def test_a_damaged_root_end_tag_loses_no_record(tmp_path: Path, end: str, note: str | None, compress: bool) -> None:
    """Every record read whole and the root's end tag there but damaged (misspelt, or cut inside it): nothing was
    lost, so the file is read whole (no E316, which has the daily flow read it again and hold back the files after
    it) and the damage is an E314 naming its line, not a record. A file that ends right after a record, or inside
    something that may be the next one, may have lost records (a DeleteCitation block, say): E316."""
    deletion = "<DeleteCitation><PMID>7</PMID></DeleteCitation>\n"
    data = _article_set(_record(1) + _record(2) + _record(3) + deletion).replace(b"</PubmedArticleSet>\n", end.encode())
    path = tmp_path / "end.xml"
    path.write_bytes(gzip.compress(data) if compress else data)
    items = _items(list(iter_pubmed(path)))
    assert items[:4] == ["PMID:1", "PMID:2", "PMID:3", "PMID:7"] and len(items) == 4 + (note is not None)
    if note:  # a note of the file at a line, not a record's quarantine
        record, reason, doc_id = items[4]
        assert record == f"line {8 if end.endswith('<Pub') else 7}" and doc_id is None
        assert reason.startswith(note.format(path=path))


def test_a_damaged_root_end_tag_is_reported_after_a_record_whose_start_tag_is_damaged(tmp_path: Path) -> None:
    """The root's end tag is then in the bytes glued to the record before (the E317 record's): reported all the same."""
    body = _record(1) + _record(2) + _record(3).replace("<PubmedArticle>", "<PubmedArtic1e>")
    path = tmp_path / "end.xml"
    path.write_bytes(_article_set(body).replace(b"</PubmedArticleSet>", b"</PubmedArticleSetX>"))
    assert _items(list(iter_pubmed(path))) == [
        "PMID:1", "PMID:2",
        ("#3 PMID 3", "E317: the record at line 5 (PMID 3) has a damaged or missing start tag: it was not read",
         "PMID:3"),
        ("line 6", "E314: malformed XML at line 6, between records: unexpected '</PubmedArticleSetX>'; it holds no "
         "record", None),
    ]


def _citing(n: int, flaws: dict[int, str]) -> str:
    """A record over several lines that cites its neighbours' PMIDs (as errata and comments do), with ``flaws`` put
    in at these places: 0 its start tag, 1 its citation's start tag, 2 its PMID's start tag, 3 text and 4 end tag,
    5 its title, 6 the PMID it cites first, 7 its end tag."""
    f = [flaws.get(i, "") for i in range(8)]
    return (f'<PubmedArtic{f[0]}le>\n<MedlineCitation{f[1]} Status="MEDLINE">\n'
            f'<PMID Version="1"{f[2]}>{n // 10}{f[3]}{n % 10}</PMI{f[4]}D>\n'
            f"<Article><ArticleTitle>Title {f[5]}{n}</ArticleTitle></Article>\n<CommentsCorrectionsList>\n"
            f'<CommentsCorrections RefType="CommentOn"><PMID Version="1">{n - 1}{f[6]}</PMID></CommentsCorrections>\n'
            f'<CommentsCorrections RefType="ErratumIn"><PMID Version="1">{n + 1}</PMID></CommentsCorrections>\n'
            f"</CommentsCorrectionsList>\n</MedlineCitation>\n</PubmedArtic{f[7]}le>\n")


# Three flaws in one record, at three of its eight places (each choice once), in turn in each of the three records.
_FLAWS = ("&", "</b>", "\xff")  # a bad entity, a mismatched tag, a byte that is not UTF-8 (written below)
_THREE_FLAWS = [(where % 3, dict(zip(places, _FLAWS[where % 3:] + _FLAWS[: where % 3])))
                for where, places in enumerate(itertools.combinations(range(8), 3))]


@pytest.mark.parametrize(("where", "flaws"), _THREE_FLAWS)
def test_damage_in_one_record_is_credited_to_that_record_only(tmp_path: Path, where: int, flaws: dict) -> None:
    """The quarantine of a damaged record names its PMID, read from its own PMID element (its citation's first)
    when that is whole, or none: never one it cites, its neighbours' here. Every record is accounted for once."""
    pmids = [101, 102, 103]
    body = "".join(_citing(n, flaws if i == where else {}) for i, n in enumerate(pmids))
    path = tmp_path / "flaws.xml"
    path.write_bytes(_article_set(body).replace("\xff".encode(), b"\xff"))
    items = list(iter_pubmed(path))
    damaged = pmids[where]
    assert [d.id for d in items if isinstance(d, Document)] == [f"PMID:{n}" for n in pmids if n != damaged]
    quarantined = [q for q in items if isinstance(q, Quarantine)]
    assert {q.id for q in quarantined} <= {f"PMID:{damaged}", None}
    assert all(f"PMID {n}" not in q.record for q in quarantined for n in pmids if n != damaged)
    (own,) = [q for q in quarantined if q.record.startswith("#") or q.reason.startswith("E318")]  # the record's
    if not {1, 2, 3, 4} & set(flaws):  # its PMID element whole, its citation's start tag too: the PMID is known
        assert own.id == f"PMID:{damaged}"


def test_damage_outside_any_record_names_only_pmids_that_can_be_its_records(tmp_path: Path) -> None:
    """E318 names the PMIDs in damaged bytes outside any record that can be records of this file (a citation's own,
    here one whose start tags are both damaged), never those of the articles a record cites or comments on
    (CommentsCorrections): those were never in the file, and 101 and 103 are read. Where none is left, the bytes
    are part of a record whose own PMID cannot be read: the rest of one quarantined before them (an end tag put in
    too early) or one whose start tags and PMID are all damaged, which the bytes cannot tell apart, so E319 says
    both (never E314's "nothing was lost")."""
    def read(body: str) -> list:
        path = tmp_path / "cited.xml"
        path.write_bytes(_article_set(_citing(101, {}) + body + _citing(103, {})))
        return _items(list(iter_pubmed(path)))

    assert read(_citing(102, {0: "1", 1: "1"})) == [  # <PubmedArtic1le>, <MedlineCitation1 ...>
        "PMID:101",
        ("line 13", "E318: damaged XML at line 13, outside any record, holds the PMIDs '102': they were not read", None),
        "PMID:103",
    ]
    early = read(_citing(102, {}).replace("</Article>", "</PubmedArticle>"))
    assert [i if isinstance(i, str) else i[:2] for i in early] == [
        "PMID:101",
        ("#2 PMID 102", "E304: malformed XML at line 16 of the XML: Opening and ending tag mismatch: Article line 16 "
         "and PubmedArticle, line 16, column 64"),
        ("line 17", "E319: damaged XML at line 17, outside any record, holds part of a record whose own PMID cannot "
         "be read (it cites PMID '101', '103'): the rest of a record quarantined before it, or a record whose start "
         "tags are damaged, which was not read"),
        "PMID:103",
    ]
    lost = read(_citing(102, {0: "1", 1: "1"}).replace('<PMID Version="1">102', '<PMXD Version="1">102', 1))
    assert [i if isinstance(i, str) else i[1].split(":")[0] for i in lost] == ["PMID:101", "E319", "PMID:103"]


def test_truncated_gzip_is_quarantined_after_the_records_before_the_cut(tmp_path: Path) -> None:
    # Enough records that some decompress before the cut, written as a real gzip.
    body = "".join(
        f'<PubmedArticle><MedlineCitation><PMID Version="1">{n}</PMID><Article>'
        f"<ArticleTitle>Title {n} {'padding ' * 50}</ArticleTitle></Article></MedlineCitation>"
        "</PubmedArticle>\n"
        for n in range(1, 2001)
    )
    xml = f'<?xml version="1.0"?>\n<PubmedArticleSet>\n{body}</PubmedArticleSet>\n'
    data = gzip.compress(xml.encode(), compresslevel=1)
    cut = tmp_path / "cut.xml.gz"
    cut.write_bytes(data[: len(data) // 2])
    items = list(iter_pubmed(cut))
    docs = [d for d in items if isinstance(d, Document)]
    assert 0 < len(docs) < 2000
    assert [d.id for d in docs] == [f"PMID:{n}" for n in range(1, len(docs) + 1)]
    stop = items[-1]
    assert isinstance(stop, Quarantine)
    assert "gzip stream is truncated or corrupt" in stop.reason
    assert f"last good PMID {len(docs)}" in stop.reason


def test_gzip_is_detected_by_content_not_name(tmp_path: Path) -> None:
    xml = (FIXTURES / "deletions.xml").read_bytes()
    misnamed_gzip = tmp_path / "looks_plain.xml"
    misnamed_gzip.write_bytes(gzip.compress(xml))
    misnamed_plain = tmp_path / "looks_gzipped.xml.gz"
    misnamed_plain.write_bytes(xml)
    assert [x.model_dump() for x in iter_pubmed(misnamed_gzip)] == [x.model_dump() for x in iter_pubmed(misnamed_plain)]
    assert count_pubmed(misnamed_gzip)["deletions"] == 3


def test_invalid_utf8_is_quarantined(tmp_path: Path) -> None:
    good = (FIXTURES / "deletions.xml").read_bytes()
    bad = good.replace(
        b"<DeleteCitation>",
        b'<PubmedArticle><MedlineCitation><PMID>2000002</PMID><Article><ArticleTitle>Caf\xe9\xff'
        b"</ArticleTitle></Article></MedlineCitation></PubmedArticle>\n<DeleteCitation>",
    )
    path = tmp_path / "latin1.xml"
    path.write_bytes(bad)
    items = list(iter_pubmed(path))
    assert [type(x).__name__ for x in items] == ["Document", "Quarantine", "Deletion", "Deletion", "Deletion"]
    assert items[1].record == "#2 PMID 2000002"
    assert items[1].reason.startswith("E303: invalid UTF-8 at line 9 of the XML")


@pytest.mark.parametrize("words", [220_000, 2_200_000])
def test_huge_abstracts_are_kept_whole(tmp_path: Path, words: int) -> None:
    # 1.1 MB, and 11 MB: past libxml2's 10 MB text-node limit, so this needs huge_tree.
    # Length limits belong to the pipeline, not to the reader.
    abstract = ("word " * words).strip()
    path = tmp_path / "huge.xml"
    path.write_text(
        '<?xml version="1.0"?><PubmedArticleSet><PubmedArticle><MedlineCitation>'
        '<PMID Version="1">4000001</PMID><Article><ArticleTitle>Huge.</ArticleTitle>'
        f"<Abstract><AbstractText>{abstract}</AbstractText></Abstract></Article>"
        "</MedlineCitation></PubmedArticle></PubmedArticleSet>",
        encoding="utf-8",
    )
    (doc,) = list(iter_pubmed(path))
    assert isinstance(doc, Document)
    assert doc.text == "Huge. " + abstract


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "E202: .* is empty"),
        (b"PMID\tTITLE\n123\tnot xml\n", "E203: .* is not XML"),
        (
            b'<?xml version="1.0"?>\n<ICD10CM.tabular><chapter/></ICD10CM.tabular>',
            "E204: .* root element is <ICD10CM.tabular>",
        ),
        (gzip.compress(b"just some text"), "E203: .* is not XML"),
    ],
)
def test_unreadable_files_raise_source_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "input.xml"
    path.write_bytes(content)
    with pytest.raises(SourceError, match=message) as info:
        list(iter_pubmed(path))
    assert str(path) in str(info.value)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
@pytest.mark.parametrize("compress", [False, True])
def test_utf16_and_utf32_with_a_byte_order_mark_are_read(tmp_path: Path, encoding: str, compress: bool) -> None:
    """Re-saved by an editor as "Unicode": read as the UTF-8 it was, damage found on the same lines."""
    body = _record(1) + _record(2, "Caf\u00e9 \u03b2-blocker &") + _record(3, "\u6e2c\u5b9a")
    text = _article_set(body).decode().replace('version="1.0"?>', f'version="1.0" encoding="{encoding.upper()}"?>')
    # Python's utf-16-be writes no byte order mark: prepend it, as editors do
    data = (b"\xfe\xff" if encoding == "utf-16-be" else b"") + text.encode(encoding)
    path = tmp_path / "unicode.xml"
    path.write_bytes(gzip.compress(data) if compress else data)
    items = list(iter_pubmed(path))
    assert _items(items)[0::2] == ["PMID:1", "PMID:3"] and items[2].title == "\u6e2c\u5b9a"
    assert items[1].reason.startswith("E304: malformed XML at line 4 of the XML") and items[1].id == "PMID:2"


def test_utf16_without_a_byte_order_mark_and_a_folder_are_refused_saying_why(tmp_path: Path) -> None:
    path = tmp_path / "nomark.xml"
    path.write_bytes(_article_set(_record(1)).decode().encode("utf-16-le"))
    with pytest.raises(SourceError, match="E203: .* is not XML: .*UTF-16 or UTF-32 without the byte order mark"):
        list(iter_pubmed(path))
    with pytest.raises(SourceError, match="E201: .*: it is a folder, .*pass its files, e.g. .*/\\*.xml.gz") as info:
        list(iter_pubmed(tmp_path))
    assert "shell glob" in info.value.hint


def test_missing_file_raises_source_error_naming_the_path(tmp_path: Path) -> None:
    path = tmp_path / "nope.xml.gz"
    with pytest.raises(SourceError, match="E201: cannot open PubMed file .*nope.xml.gz"):
        list(iter_pubmed(path))


def test_eutilities_single_record() -> None:
    (doc,) = list(iter_pubmed(_shared("pubmed-29768149.xml")))
    assert doc.id == "PMID:29768149"
    assert doc.title == "Inhaled Combined Budesonide-Formoterol as Needed in Mild Asthma."
    labels = [s.label for s in doc.sections]
    assert labels == ["title", "BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"]
    sections = _section_texts(doc)
    assert sections["BACKGROUND"].startswith("In patients with mild asthma, as-needed use")
    assert sections["CONCLUSIONS"].endswith("NCT02149199 .).")
    meta = doc.metadata
    assert meta["journal_abbrev"] == "N Engl J Med"
    assert meta["pub_date"] == "2018-05-17"
    assert meta["date_revised"] == "2022-04-10"
    assert meta["doi"] == "10.1056/NEJMoa1715274"
    assert "Randomized Controlled Trial" in meta["publication_types"]
    assert {"ui": "D019819", "name": "Budesonide"} in meta["chemicals"]
    assert any(m["name"] == "Asthma" and m["major"] for m in meta["mesh"])


@pytest.mark.slow
def test_shared_baseline_and_update_files_parse_completely() -> None:
    baseline = count_pubmed(_shared("pubmed20n0014.xml.gz"))
    assert baseline["documents"] == 30_000
    assert baseline["quarantined"] == 0 and baseline["deletions"] == 0
    assert 14_000 < baseline["with_abstract"] < 15_500  # README: ~14,800
    update = count_pubmed(_shared("pubmed21n1298.sample.xml.gz"))
    assert update["documents"] == 3_003
    assert update["deletions"] == 20
    assert update["quarantined"] == 0


@pytest.mark.slow
def test_update_file_versions_and_deletions() -> None:
    items = list(iter_pubmed(_shared("pubmed21n1298.sample.xml.gz")))
    # The 3 appended later versions plus 2 among the first 3,000
    # (`zcat ... | grep -B1 'PMID Version="[2-9]'` inside MedlineCitation).
    assert sum(isinstance(d, Document) and d.version > 1 for d in items) == 5
    assert items[-20:] == [d for d in items if isinstance(d, Deletion)]
    assert items[-20] == Deletion(id="PMID:31688362", version=1)


def _article(pmid: str, pub_types: list[str], comments: list[tuple[str, str]] = ()) -> str:
    types = "".join(f"<PublicationType>{t}</PublicationType>" for t in pub_types)
    refs = "".join(f'<CommentsCorrections RefType="{r}"><PMID>{p}</PMID></CommentsCorrections>' for r, p in comments)
    return (
        f"<PubmedArticle><MedlineCitation><PMID Version='1'>{pmid}</PMID><Article>"
        f"<ArticleTitle>Title {pmid}.</ArticleTitle><PublicationTypeList>{types}</PublicationTypeList></Article>"
        + (f"<CommentsCorrectionsList>{refs}</CommentsCorrectionsList>" if refs else "")
        + "</MedlineCitation></PubmedArticle>"
    )


def test_retracted_citations_are_flagged_and_notices_are_not(tmp_path: Path) -> None:
    xml = tmp_path / "retractions.xml"
    xml.write_text(
        "<PubmedArticleSet>"
        + _article("11", ["Journal Article", "Retracted Publication"])
        + _article("12", ["Journal Article"], [("RetractionIn", "13"), ("CommentIn", "99")])
        + _article("13", ["Retraction of Publication"], [("RetractionOf", "12")])
        + _article("14", ["Journal Article"], [("CommentIn", "99")])
        + "</PubmedArticleSet>"
    )
    docs = _by_id(list(iter_pubmed(xml)))
    assert docs["PMID:11"].metadata["retracted"] is True  # by publication type
    assert docs["PMID:12"].metadata["retracted"] is True  # by a RetractionIn comment
    notice = docs["PMID:13"].metadata
    assert "retracted" not in notice and notice["retraction_of"] == ["12"]
    # an ordinary citation gets neither key, so its content hash is what it was
    assert {"retracted", "retraction_of"}.isdisjoint(docs["PMID:14"].metadata)


def test_retraction_list_is_read_plain_or_gzipped(tmp_path: Path) -> None:
    from kg.sources.pubmed import read_retracted_pmids

    plain = tmp_path / "r.tsv"
    plain.write_text("pmid\n993\n160560\nnot-a-pmid\n\n")
    zipped = tmp_path / "r.tsv.gz"
    zipped.write_bytes(gzip.compress(plain.read_bytes()))
    assert read_retracted_pmids(plain) == read_retracted_pmids(zipped) == frozenset({"993", "160560"})
    (tmp_path / "bad.tsv").write_text("id\n1\n")
    with pytest.raises(SourceError, match="no 'pmid' column"):
        read_retracted_pmids(tmp_path / "bad.tsv")
    with pytest.raises(SourceError, match="cannot read"):
        read_retracted_pmids(tmp_path / "missing.tsv")


@pytest.mark.slow
def test_baseline_file_retractions_agree_with_the_retraction_list() -> None:
    from kg.sources.pubmed import read_retracted_pmids

    docs = [d for d in iter_pubmed(_shared("pubmed20n0014.xml.gz")) if isinstance(d, Document)]
    retracted = sorted(d.id for d in docs if d.metadata.get("retracted"))
    notices = sorted(d.id for d in docs if "retraction_of" in d.metadata)
    assert retracted == ["PMID:400712", "PMID:423962"]
    assert notices == ["PMID:400955", "PMID:400964"]
    listed = read_retracted_pmids(_shared("pubmed_retractions.tsv.gz"))
    assert len(listed) == 19_163  # the README says 19,162; the file has one more
    assert {d.id[5:] for d in docs} & listed == {"400712", "423962"}


def test_every_file_is_checked_before_the_first_item_is_read(tmp_path: Path) -> None:
    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"")
    good = FIXTURES / "articles.xml"
    with pytest.raises(SourceError, match="E202: .*empty.xml"):
        read_files([good, empty], iter_pubmed)  # raises here, before the good file's items are taken
    with pytest.raises(SourceError, match="E201: .*nope.xml"):
        read_files([good, tmp_path / "nope.xml"], iter_pubmed)
    both = list(read_files([good, FIXTURES / "deletions.xml"], iter_pubmed))
    assert both == list(iter_pubmed(good)) + list(iter_pubmed(FIXTURES / "deletions.xml"))
