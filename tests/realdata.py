"""Small inputs cut from the real shared files, for integration tests."""

import gzip

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
