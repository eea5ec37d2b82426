"""A Hugging Face Hub that lists models, on 127.0.0.1, for the ``mrm3 harvest`` tests.

It answers ``GET /api/models`` as the real Hub does for ``huggingface_hub``'s ``list_models``: one JSON array per
page, the next page named in a GitHub-style ``Link: <URL>; rel="next"`` header, and the query parameters
``filter``, ``author``, ``search`` (a substring of the id), ``pipeline_tag`` and ``limit`` (the page size) honoured.

The models come from :func:`generate_models`, a deterministic generator that gives every ``co2_eq_emissions`` form
found on real cards and says, for each model, how many grams the graph must hold: that expectation is written here
from the generator's own numbers, never by parsing a card. Faults are injected on purpose: statuses on chosen
request numbers (429 with ``Retry-After``, 503), malformed entries, and a page that stalls until the test releases
it, so a test can kill the harvesting process midway. Every request's path, query and Authorization header is kept.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.fake_hub import served

CO2_TAG = "co2_eq_emissions"
MAX_PAGE = 1000
"""The real Hub's largest page; also its page size when the request gives no ``limit``."""

ORGS = ("acme", "borealis", "cirrus", "dunlin", "eider")
PIPELINE_TAGS = ("text-classification", "token-classification", "translation", "image-classification", "summarization")
LICENSES = ("mit", "apache-2.0", "cc-by-4.0")
LIBRARIES = ("transformers", "timm", "sentence-transformers")

FORMS = (
    "number",
    "integer",
    "numeric-string",
    "kg-string",
    "g-string",
    "mapping",
    "mapping-kg",
    "zero",
    "mapping-without-emissions",
    "one-key-maps",
)
"""Every ``co2_eq_emissions`` form of real cards; tagged model ``i`` has form ``FORMS[i % len(FORMS)]``."""

_EPOCH = datetime(2023, 1, 2, 3, 4, 5)


@dataclass
class ListedModel:
    """One model of the listing: the JSON entry the Hub returns and what the graph must hold for it."""

    index: int
    """Its number in the generator (tagged and untagged models are numbered apart)."""
    entry: dict[str, Any]
    grams: float | None
    """``ModelTraining.carbonFootprint`` expected in the graph; None when the card gives no mass."""
    form: str | None
    """The ``co2_eq_emissions`` form (one of :data:`FORMS`); None for a model without the tag."""

    @property
    def id(self) -> str:
        """The repository id, ``ORG/NAME``."""
        return str(self.entry["id"])

    @property
    def card(self) -> dict[str, Any]:
        """The card's front matter, as the Hub lists it in ``cardData``."""
        return dict(self.entry["cardData"])

    @property
    def sha(self) -> str | None:
        """The commit the Hub names, when it names one."""
        return self.entry.get("sha")


def _base_value(i: int) -> float:
    """A number of grams from 0.5 to 250.25 in steps of 0.25, spread over the models."""
    return (i * 37 % 1000) / 4 + 0.5


def co2_value(form: str, i: int) -> tuple[Any, float | None]:
    """The ``co2_eq_emissions`` value of model ``i`` in ``form``, and its grams as the graph must store them.

    Kilograms are kept between 1 and 1.25 kg, so that a threshold read on the published number (huggingface_hub's
    rule, 1.0-1.25) and one read in grams (1,000-1,250 g) agree on every range the tests use.
    """
    grams = _base_value(i)
    kg = round(1 + grams / 1000, 5)
    values: dict[str, tuple[Any, float | None]] = {
        "number": (grams, grams),
        "integer": (int(grams * 4) + 1, float(int(grams * 4) + 1)),
        "numeric-string": (str(grams), grams),
        "kg-string": (f"{kg} kg", kg * 1000),
        "g-string": (f"{int(grams)} g", float(int(grams))),
        "mapping": (
            {
                "emissions": grams,
                "source": "CodeCarbon",
                "training_type": "fine-tuning",
                "geographical_location": "Ljubljana, Slovenia",
                "hardware_used": "1 x NVIDIA Example-GPU 40GB",
            },
            grams,
        ),
        "mapping-kg": ({"emissions": f"{kg} kg", "source": "AutoTrain"}, kg * 1000),
        "zero": (0, 0.0),
        "mapping-without-emissions": ({"source": "CodeCarbon", "training_type": "pre-training"}, None),
        "one-key-maps": ([{"emissions": grams}, {"source": "CodeCarbon"}], grams),
    }
    return values[form]


def _card(i: int, org: str, co2: Any | None) -> dict[str, Any]:
    """Front matter of model ``i``: license, library, task, tags, datasets; a base model and results on some."""
    pipeline_tag = PIPELINE_TAGS[i % len(PIPELINE_TAGS)]
    card: dict[str, Any] = {
        "license": LICENSES[i % len(LICENSES)],
        "library_name": LIBRARIES[i % len(LIBRARIES)],
        "pipeline_tag": pipeline_tag,
        "tags": ["synthetic-listing", f"family-{i % 3}"],
        "datasets": [f"{org}/data-{i % 11}"],
    }
    if co2 is not None:
        card["co2_eq_emissions"] = co2
    if i % 3 == 0:
        card["base_model"] = f"base/base-{i % 13}"
    if i % 4 == 0:
        card["model-index"] = [
            {
                "name": f"m{i:05d}",
                "results": [
                    {
                        "task": {"type": pipeline_tag},
                        "dataset": {"name": f"data {i % 11}", "type": f"{org}/data-{i % 11}", "split": "test"},
                        "metrics": [{"type": "accuracy", "value": accuracy_of(i)}],
                    }
                ],
            }
        ]
    return card


def accuracy_of(i: int) -> float:
    """The accuracy that model ``i``'s ``model-index`` gives (models with ``i % 4 == 0`` have results)."""
    return round(0.5 + (i % 50) / 100, 2)


def _sha(repo_id: str, version: int) -> str:
    return hashlib.sha1(f"{repo_id}@{version}".encode()).hexdigest()


def _timestamp(hours: int) -> str:
    """The Hub's format, ``2024-01-02T03:04:05.000Z``."""
    return f"{_EPOCH + timedelta(hours=hours):%Y-%m-%dT%H:%M:%S}.000Z"


def _entry(repo_id: str, i: int, card: dict[str, Any]) -> dict[str, Any]:
    """The JSON the Hub lists for a model: its card in ``cardData`` and tags derived from the card."""
    tags = [card["library_name"], card["pipeline_tag"], *card["tags"], f"license:{card['license']}"]
    tags += [f"dataset:{name}" for name in card["datasets"]]
    if "base_model" in card:
        tags.append(f"base_model:{card['base_model']}")
    if "co2_eq_emissions" in card:
        tags.append(CO2_TAG)
    tags.append("region:us")
    entry: dict[str, Any] = {
        "_id": hashlib.md5(repo_id.encode()).hexdigest()[:24],
        "id": repo_id,
        "modelId": repo_id,
        "author": repo_id.split("/")[0],
        "sha": _sha(repo_id, 1),
        "lastModified": _timestamp(i + 24),
        "createdAt": _timestamp(i),
        "private": False,
        "downloads": i * 7 % 5000,
        "likes": i % 50,
        "tags": tags,
        "pipeline_tag": card["pipeline_tag"],
        "library_name": card["library_name"],
        "cardData": card,
    }
    if i % 97 == 13:  # a few listings name no commit
        del entry["sha"]
    return entry


def tagged_model(i: int) -> ListedModel:
    """Model ``i`` with the ``co2_eq_emissions`` tag, in form ``FORMS[i % len(FORMS)]``."""
    form = FORMS[i % len(FORMS)]
    org = ORGS[i % len(ORGS)]
    co2, grams = co2_value(form, i)
    repo_id = f"{org}/m{i:05d}-{form}"
    return ListedModel(i, _entry(repo_id, i, _card(i, org, co2)), grams, form)


def untagged_model(i: int) -> ListedModel:
    """Model ``i`` without emissions: listed only when the request sends no filter."""
    org = ORGS[i % len(ORGS)]
    repo_id = f"{org}/plain{i:05d}"
    return ListedModel(i, _entry(repo_id, i, _card(i, org, None)), None, None)


def generate_models(tagged: int, untagged: int = 0) -> list[ListedModel]:
    """``tagged`` models reporting emissions, then ``untagged`` ones without; the same every time."""
    return [tagged_model(i) for i in range(tagged)] + [untagged_model(i) for i in range(untagged)]


def malformed_entries() -> list[dict[str, Any]]:
    """Three tagged entries that ``huggingface_hub.hf_api.ModelInfo(**entry)`` refuses, each differently."""
    no_id = tagged_model(0).entry | {"_id": "0000000000000000000000b0", "modelId": "broken/no-id"}
    del no_id["id"]
    bad_date = tagged_model(1).entry | {"id": "broken/bad-created-at", "modelId": "broken/bad-created-at"}
    bad_date["createdAt"] = "yesterday"
    bad_siblings = tagged_model(2).entry | {"id": "broken/bad-siblings", "modelId": "broken/bad-siblings"}
    bad_siblings["siblings"] = "x"
    return [no_id, bad_date, bad_siblings]


MALFORMED_AT = (5, 20, 40)
"""Where the malformed entries sit in the unfiltered listing of tagged models."""


@dataclass(frozen=True)
class Request:
    """One request the Hub received."""

    path: str
    query: dict[str, list[str]]
    authorization: str | None


@dataclass
class HubListing:
    """What the Hub lists, the faults it plays, and what it was asked."""

    models: list[ListedModel]
    page_size: int = MAX_PAGE
    """Page size when the request gives no ``limit``."""
    faults: dict[int, int] = field(default_factory=dict)
    """Request number (1-based, over ``/api/models`` requests, retries included) -> the error status it gets."""
    retry_after: int = 0
    """``Retry-After`` seconds of an injected 429 (huggingface_hub sleeps this plus one second)."""
    malformed: bool = False
    """List :func:`malformed_entries` among the tagged models (at :data:`MALFORMED_AT`)."""
    stall_page: int | None = None
    """The page (1-based) whose request waits for :attr:`release` after setting :attr:`stalled`."""
    stalled: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    requests: list[Request] = field(default_factory=list)
    url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def listing_requests(self) -> list[Request]:
        """The ``/api/models`` requests, in order."""
        return [r for r in self.requests if r.path == "/api/models"]

    def model(self, repo_id: str) -> ListedModel:
        """The listed model ``repo_id``."""
        return next(m for m in self.models if m.id == repo_id)

    def mutate(self, repo_id: str, grams: float) -> ListedModel:
        """Give ``repo_id`` a new commit whose card reports ``grams`` g CO2eq (a bare number); return the new model."""
        index = next(n for n, m in enumerate(self.models) if m.id == repo_id)
        old = self.models[index]
        card = old.card | {"co2_eq_emissions": grams, "tags": [*old.card["tags"], "retrained"]}
        entry = old.entry | {"sha": _sha(repo_id, 2), "lastModified": _timestamp(100_000), "cardData": card}
        self.models[index] = ListedModel(old.index, entry, grams, "number")
        return self.models[index]

    def entries(self, query: dict[str, list[str]]) -> list[dict[str, Any]]:
        """The entries the query selects, in listing order, as the Hub filters them."""
        entries = [m.entry for m in self.models]
        if self.malformed:
            for offset, bad in zip(MALFORMED_AT, malformed_entries(), strict=True):
                entries.insert(offset, bad)
        return [e for e in entries if _selected(e, query)]

    def count(self, path: str, query: dict[str, list[str]], authorization: str | None) -> int:
        """Record a request; return its number among the listing requests."""
        with self._lock:
            self.requests.append(Request(path, query, authorization))
            return len(self.listing_requests())


def _selected(entry: dict[str, Any], query: dict[str, list[str]]) -> bool:
    """Whether the Hub lists ``entry`` for ``query``: every filter a tag, and author, task and search matching."""
    tags = entry.get("tags", [])
    repo_id = str(entry.get("id", entry.get("modelId", "")))
    checks = [
        all(value in tags for value in query.get("filter", [])),
        all(entry.get("author") == value for value in query.get("author", [])),
        all(entry.get("pipeline_tag") == value for value in query.get("pipeline_tag", [])),
        all(value.lower() in repo_id.lower() for value in query.get("search", [])),
    ]
    return all(checks)


def page_of(hub: HubListing, query: dict[str, list[str]]) -> tuple[list[dict[str, Any]], int, str | None]:
    """The page a query asks for, its 1-based number, and the next page's URL (None on the last page)."""
    size = min(int(query["limit"][0]), MAX_PAGE) if "limit" in query else hub.page_size
    cursor = int(query.get("cursor", ["0"])[0])
    entries = hub.entries(query)
    page = entries[cursor : cursor + size]
    following = None
    if cursor + size < len(entries):
        kept = [(key, value) for key, values in query.items() if key != "cursor" for value in values]
        following = f"{hub.url}/api/models?{urlencode([*kept, ('cursor', str(cursor + size))])}"
    return page, cursor // size + 1, following


def _handler(hub: HubListing) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            split = urlsplit(self.path)
            query = parse_qs(split.query, keep_blank_values=True)
            number = hub.count(split.path, query, self.headers.get("Authorization"))
            try:
                if split.path != "/api/models":
                    self._send(404, {"error": "Repository not found"}, {"X-Error-Code": "RepoNotFound"})
                elif number in hub.faults:
                    self._fault(hub.faults[number])
                else:
                    self._page(query)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the harvesting process was killed while this page was on its way

        def _fault(self, status: int) -> None:
            headers = {"Retry-After": str(hub.retry_after)} if status == 429 else {}
            self._send(status, {"error": f"injected {status}"}, headers)

        def _page(self, query: dict[str, list[str]]) -> None:
            page, number, following = page_of(hub, query)
            if hub.stall_page == number:
                hub.stalled.set()
                hub.release.wait(timeout=120)
            headers = {"Link": f'<{following}>; rel="next"'} if following else {}
            self._send(200, page, headers)

        def _send(self, status: int, payload: Any, headers: dict[str, str]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

    return Handler


@contextmanager
def serving(hub: HubListing) -> Iterator[HubListing]:
    """Serve ``hub`` on a free port of 127.0.0.1; ``hub.url`` is its endpoint (``HF_ENDPOINT``)."""
    with served(_handler(hub)) as url:
        hub.url = url
        try:
            yield hub
        finally:
            hub.release.set()  # a stalled page must not outlive its test (the shutdown waits for it)
