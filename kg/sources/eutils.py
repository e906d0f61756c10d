"""PubMed over NCBI E-utilities: esearch on the history server, then efetch in batches.

NCBI blocks clients that exceed 3 requests/s (10 with an API key) and answers overload with
429 or 5xx, so every request goes through one minimum-interval limiter and is retried with
exponential backoff, honouring ``Retry-After``. Each efetch batch is downloaded to a
temporary file and parsed by :func:`kg.sources.pubmed.iter_pubmed`, the same parser that
reads baseline files, so records fetched live and records from a download are identical.
"""

from __future__ import annotations

import json
import logging
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from kg.config import Settings
from kg.errors import Errors, EutilsError, SourceError
from kg.models import Deletion, Document, Quarantine
from kg.sources.pubmed import iter_pubmed

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
MAX_BATCH = 10_000  # efetch's retmax ceiling
PUBMED_SEARCH_CAP = 10_000  # PubMed's E-utilities page through at most this many hits
MAX_RETRY_AFTER_S = 60.0
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
# Quarantines of a whole batch file, not of one of its records: the parser stopped reading it (E301, E302).
# Those of a file damaged between records or cut short after one (E314, E316) name a line, not a record.
_FILE_STOPS = tuple(f"{m.code}:" for m in (Errors.E301, Errors.E302))


class _MinInterval:
    """Spaces calls at least ``interval`` seconds apart (NCBI counts requests per second)."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            if now < self._next:
                time.sleep(self._next - now)
                now = time.monotonic()
            self._next = now + self.interval


class EutilsClient:
    """A polite E-utilities client for PubMed.

    Parameters
    ----------
    base_url
        Where the E-utilities are (``eutils_base_url``: a mirror or a proxy); a ``/`` is added if missing.
    api_key
        NCBI API key; raises the allowed rate from 3 to 10 requests per second.
    email, tool
        Sent with every request, as NCBI asks, so they can contact you before blocking.
    max_retries
        Retries after the first attempt on 429, 5xx and connection errors.
    backoff
        First retry delay in seconds; doubles on each retry (``Retry-After`` wins if longer).
    http
        An ``httpx.Client`` to use (tests inject one); otherwise one is created and closed
        by :meth:`close`.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        api_key: str | None = None,
        email: str | None = None,
        tool: str = "medkg",
        max_retries: int = 5,
        backoff: float = 0.5,
        http: httpx.Client | None = None,
    ) -> None:
        url = urlsplit(base_url)
        if url.scheme not in ("http", "https") or not url.netloc or url.query or url.fragment:
            raise EutilsError(Errors.E248, url=base_url)
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.api_key = api_key
        self.email = email
        self.tool = tool
        self.max_retries = max_retries
        self.backoff = backoff
        self._own_http = http is None
        self._http = http or httpx.Client(timeout=httpx.Timeout(120.0, connect=15.0))
        self._limiter = _MinInterval(1.0 / (10 if api_key else 3))

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> EutilsClient:
        """A client with the base URL (``MEDKG_EUTILS_BASE_URL``), API key (``NCBI_API_KEY``) and e-mail from
        ``settings``."""
        key = settings.ncbi_api_key.get_secret_value() if settings.ncbi_api_key else None
        return cls(base_url=settings.eutils_base_url or DEFAULT_BASE_URL, api_key=key or None,
                   email=settings.ncbi_email, **kwargs)

    def close(self) -> None:
        if self._own_http:
            self._http.close()

    def __enter__(self) -> EutilsClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def min_interval(self) -> float:
        """Seconds between two requests: 1/3 s without an API key, 1/10 s with one."""
        return self._limiter.interval

    def search(self, query: str, max_records: int | None = None) -> tuple[int, str, str]:
        """Run ``query`` on PubMed and keep the hits on NCBI's history server.

        Returns ``(count, webenv, query_key)``, where ``count`` is how many records
        :meth:`fetch` will retrieve: the hits, capped by ``max_records`` and by PubMed's
        10,000-record limit (logged when it bites, so a capped run is never silent).

        Raises
        ------
        EutilsError
            NCBI rejected the query or could not be reached after retries.
        """
        body = self._request(
            "esearch.fcgi",
            {"db": "pubmed", "term": query, "usehistory": "y", "retmode": "json", "retmax": "0"},
        )
        try:
            result = json.loads(body)["esearchresult"]
        except (ValueError, KeyError, TypeError) as exc:
            raise EutilsError(Errors.E240, query=query, body=body[:200]) from exc
        if not isinstance(result, dict):  # {"esearchresult": null} or a list: no search result at all
            raise EutilsError(Errors.E240, query=query, body=body[:200])
        if "ERROR" in result:
            raise EutilsError(Errors.E241, query=query, error=result["ERROR"])
        try:
            total = int(result["count"])
        except (KeyError, ValueError, TypeError) as exc:
            raise EutilsError(Errors.E242, query=query, result=result) from exc
        if total == 0:  # NCBI keeps no history for no hits: no webenv/querykey, and nothing to fetch
            if not_found := (result.get("errorlist") or {}).get("phrasesnotfound"):
                log.warning("%s", EutilsError(Errors.E247, query=query, phrases=", ".join(map(str, not_found))))
            log.info("esearch %r: no hits", query)
            return 0, "", ""
        try:
            webenv, query_key = result["webenv"], result["querykey"]
        except KeyError as exc:
            raise EutilsError(Errors.E242, query=query, result=result) from exc
        count = total if max_records is None else min(total, max_records)
        if count > PUBMED_SEARCH_CAP:
            log.warning("%s", EutilsError(Errors.E246, query=query, total=total, cap=PUBMED_SEARCH_CAP))
            count = PUBMED_SEARCH_CAP
        log.info("esearch %r: %d hits, fetching %d", query, total, count)
        return count, webenv, query_key

    def fetch(
        self, query: str, max_records: int | None = None, batch_size: int = MAX_BATCH
    ) -> Iterator[Document | Deletion | Quarantine]:
        """Stream the records matching ``query``, ``batch_size`` per efetch request.

        A batch that comes back short yields a Quarantine for each record missing, named by PMID,
        so run totals reconcile with the search count. The search runs at once, so a
        service that cannot be reached fails here, the efetch batches as the records are read.

        Raises
        ------
        EutilsError
            A request still fails after retries, or efetch answers with an error body.
        """
        return self.fetch_hits(query, *self.search(query, max_records), batch_size=batch_size)

    def fetch_hits(
        self, query: str, count: int, webenv: str, query_key: str, batch_size: int = MAX_BATCH
    ) -> Iterator[Document | Deletion | Quarantine]:
        """:meth:`fetch` for hits :meth:`search` already left on the history server: a caller searches
        first to fail fast (NCBI unreachable, query rejected) before it starts slow work."""
        batch_size = max(1, min(batch_size, MAX_BATCH))
        with tempfile.TemporaryDirectory(prefix="medkg-efetch-") as tmp:
            batch_file = Path(tmp) / "efetch.xml"
            for retstart in range(0, count, batch_size):
                retmax = min(batch_size, count - retstart)
                where = f"efetch {query!r} retstart={retstart}"
                self._request(
                    "efetch.fcgi",
                    {
                        "db": "pubmed",
                        "WebEnv": webenv,
                        "query_key": query_key,
                        "retstart": str(retstart),
                        "retmax": str(retmax),
                        "retmode": "xml",
                    },
                    into=batch_file,
                )
                returned: list[str | None] = []  # the id of each record of the batch; None: it has no PMID to read
                try:
                    for item in iter_pubmed(batch_file):
                        if isinstance(item, Quarantine):
                            item = item.model_copy(update={"file": where})
                        elif isinstance(item, Document) and item.origin:
                            item = item.model_copy(update={"origin": (where, item.origin[1])})
                        if _is_record(item):
                            returned.append(item.id)
                        yield item
                except SourceError as exc:
                    head = batch_file.read_bytes()[:300].decode("utf-8", "replace")
                    raise EutilsError(Errors.E243, where=where, error=exc.reason, head=head) from exc
                if len(returned) < retmax:
                    yield from self._missing(where, webenv, query_key, retstart, retmax, returned)

    def _missing(
        self, where: str, webenv: str, query_key: str, retstart: int, retmax: int, returned: list[str | None]
    ) -> Iterator[Quarantine]:
        """E330 for each record a short batch lacks, by PMID: the PMIDs of the page are asked of the history
        server (one more request, made only for a short batch) and those that did not come back are named.
        When what came back is the head of the page (NCBI cut it short), the records that came back without a
        PMID to read (damaged) are matched by position, so each record asked for has one outcome. Named by
        position instead when the page's PMIDs cannot be had (E249)."""
        reason = Errors.E330.reason(got=len(returned), asked=retmax)
        params = {"db": "pubmed", "WebEnv": webenv, "query_key": query_key, "retstart": str(retstart),
                  "retmax": str(retmax), "rettype": "uilist", "retmode": "text"}
        try:
            body = self._request("efetch.fcgi", params)
            pmids, error = body.split(), f"unexpected answer {body[:200]!r}"
        except EutilsError as exc:
            pmids, error = [], exc.reason
        if len(pmids) != retmax or not all(p.isdigit() for p in pmids):
            log.warning("%s", EutilsError(Errors.E249, where=where, error=error))
            yield Quarantine(file=where, record=f"records {retstart + len(returned) + 1}-{retstart + retmax}",
                             reason=reason)
            return
        asked = [f"PMID:{p}" for p in pmids]
        if all(got is None or got == want for got, want in zip(returned, asked)):
            missing = asked[len(returned):]
        else:
            came = set(returned)
            missing = [doc_id for doc_id in asked if doc_id not in came]
        for doc_id in missing:
            yield Quarantine(file=where, record=doc_id.replace(":", " "), reason=reason, id=doc_id)

    def _request(self, endpoint: str, params: dict[str, str], into: Path | None = None) -> str:
        """GET ``endpoint`` with retries; the body as text, or streamed into ``into``."""
        params = {**params, "tool": self.tool}
        if self.email:
            params["email"] = self.email
        if self.api_key:
            params["api_key"] = self.api_key
        url = self.base_url + endpoint
        last = ""
        for attempt in range(self.max_retries + 1):
            if attempt:
                log.info("%s: retry %d/%d after %s", endpoint, attempt, self.max_retries, last)
            self._limiter.wait()
            retry_after: float | None = None
            try:
                with self._http.stream("GET", url, params=params) as resp:
                    if resp.status_code == 200:
                        if into is None:
                            return resp.read().decode("utf-8", "replace")
                        with into.open("wb") as out:
                            for chunk in resp.iter_bytes():
                                out.write(chunk)
                        return ""
                    detail = resp.read()[:200].decode("utf-8", "replace")
                    if self.api_key:  # NCBI repeats the key in its 400 and 429 bodies ("api-key":"...")
                        detail = detail.replace(self.api_key, "***")
                    last = f"HTTP {resp.status_code}: {detail}"
                    if resp.status_code not in _RETRY_STATUS:
                        raise EutilsError(Errors.E244, endpoint=endpoint, error=last)
                    retry_after = _retry_after(resp.headers.get("Retry-After"))
            except httpx.TransportError as exc:
                last = f"{type(exc).__name__}: {exc}"
            if attempt < self.max_retries:
                delay = self.backoff * 2**attempt
                time.sleep(min(max(delay, retry_after or 0.0), MAX_RETRY_AFTER_S))
        raise EutilsError(Errors.E245, endpoint=endpoint, attempts=self.max_retries + 1, error=last)


def _is_record(item: Document | Deletion | Quarantine) -> bool:
    """Whether ``item`` is one of the citations a batch returned, read or quarantined (its quarantine names it
    ``#3`` or ``#3 PMID 123``), not a deletion or a quarantine of the whole batch file."""
    if isinstance(item, Quarantine):
        return item.record.startswith("#") and not item.reason.startswith(_FILE_STOPS)
    return isinstance(item, Document)


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (NCBI sends seconds; HTTP dates are ignored)."""
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
