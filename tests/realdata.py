"""Small inputs cut from the real shared files, for integration tests."""

import gzip
import re

from kg.config import SHARED_DATA

BASELINE = SHARED_DATA / "pubmed" / "pubmed20n0014.xml.gz"
UPDATE = SHARED_DATA / "pubmed" / "pubmed21n1298.sample.xml.gz"


def first_citations_xml(path, n: int, extra: str = "") -> bytes:
    """The first ``n`` PubmedArticle records of a real file, as a small PubmedArticleSet."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        out, inside, count = [], False, 0
        for line in fh:
            if "<PubmedArticle>" in line:
                inside = True
            if inside:
                out.append(line)
            if "</PubmedArticle>" in line:
                inside = False
                count += 1
                if count == n:
                    break
    return ("<?xml version=\"1.0\"?>\n<PubmedArticleSet>\n" + "".join(out) + extra + "</PubmedArticleSet>\n").encode()


def _records(n: int) -> tuple[list[str], list[str]]:
    xml = first_citations_xml(BASELINE, n).decode()
    records = re.findall(r"<PubmedArticle>.*?</PubmedArticle>", xml, flags=re.S)
    return records, [re.search(r"<PMID Version=\"1\">(\d+)</PMID>", r).group(1) for r in records]


def _revised(record: str, said: str = "Revised abstract.") -> str:
    return (re.sub(r'<PMID Version="1">', '<PMID Version="2">', record, count=1)
            .replace("<AbstractText", f"<AbstractText>{said}</AbstractText><AbstractText", 1))


def _article_set(body: str) -> bytes:
    return f'<?xml version="1.0"?>\n<PubmedArticleSet>\n{body}</PubmedArticleSet>\n'.encode()


def revised_input(n: int = 30) -> bytes:
    """``n`` real citations; then new versions of three of them (2-4), the deletion of two (6, 7), one of
    those (6) again and the first version of a revised one again (3), whose revision alone names
    thalidomide and phocomelia: both older than what the graph holds by then (a deleted Version, an
    earlier Version), so they change nothing."""
    records, pmids = _records(n)
    revised = [_revised(records[2]), _revised(records[3], "Thalidomide caused phocomelia."), _revised(records[4])]
    deletions = "<DeleteCitation>" + "".join(f'<PMID Version="1">{p}</PMID>' for p in pmids[6:8]) + "</DeleteCitation>"
    return _article_set("".join(records) + "".join(revised) + deletions + records[6] + records[3])


def revised_input_outcome(n: int = 30) -> bytes:
    """What :func:`revised_input` leaves, as one plain file: the citations in their latest version,
    without the deleted ones."""
    records, _ = _records(n)
    latest = {2: _revised(records[2]), 3: _revised(records[3], "Thalidomide caused phocomelia."), 4: _revised(records[4])}
    last = [latest.get(i, r) for i, r in enumerate(records) if i not in (6, 7)]
    return _article_set("".join(last))
