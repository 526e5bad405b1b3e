"""The answers the server keeps (web/answers.py): a bounded LRU, shared by the same question
however it is written, and never stale: an upload of a version empties it."""

from __future__ import annotations

import shutil
from pathlib import Path

from web_helpers import api_client

from termsheet.web.answers import AnswerCache

DEAL = Path(__file__).parent / "documents" / "scoped-licence"

# pharmaco uses helix-model in Italy for healthcare on 2026-07-01.
# Under 2025-06-01: eu-exclusive licenses it in eu = {de, fr, it} for healthcare, 2026-01-01 ..
# 2028-12-31, so the use is covered: allowed.
# The amendment 2026-06-01 (effective that day) narrows eu-exclusive to [de, fr]; the other
# licence, rest-non-exclusive, excludes eu (it is in eu) and gives retail only: nothing covers
# use in it from 2026-06-01, so the same question is denied.
USE_IN_ITALY = {"subject": {"type": "party", "id": "pharmaco"},
                "action": {"name": "use-license"},
                "resource": {"type": "product", "id": "helix-model",
                             "properties": {"licensor": "helix", "territory": "it",
                                            "field": "healthcare"}},
                "context": {"date": "2026-07-01"}}


def amendment() -> str:
    text = (DEAL / "2025-06-01.md").read_text(encoding="utf-8")
    return (text.replace("version: 2025-06-01", "version: 2026-06-01")
            .replace("effective: 2025-06-01", "effective: 2026-06-01\namends: 2025-06-01")
            .replace("territories: [eu]\n", "territories: [de, fr]\n"))


def test_an_uploaded_version_is_decided_at_once_not_answered_from_before(tmp_path):
    from termsheet.web import Settings, create_app
    folder = tmp_path / "agreements" / "helix-pharmaco"
    shutil.copytree(DEAL, folder)
    app = create_app(Settings(agreements=tmp_path / "agreements"))
    batch = {"evaluations": [USE_IN_ITALY, USE_IN_ITALY]}
    with api_client(app) as client:
        for _ in range(2):    # decided, then answered from the kept answers
            assert client.post("/access/v1/evaluation", json=USE_IN_ITALY).json()["decision"]
            answers = client.post("/access/v1/evaluations", json=batch).json()["evaluations"]
            assert [a["decision"] for a in answers] == [True, True]
        kept = app.state.catalog.answers
        assert len(kept) > 0
        created = client.post("/api/agreements", json={"text": amendment(),
                                                       "path": "2026-06-01.md"})
        assert created.status_code == 201, created.text
        # the very same bytes as before: answered under the new version
        one = client.post("/access/v1/evaluation", json=USE_IN_ITALY).json()
        assert one["decision"] is False and one["context"]["version"] == "2026-06-01"
        answers = client.post("/access/v1/evaluations", json=batch).json()["evaluations"]
        assert [a["decision"] for a in answers] == [False, False]
        assert app.state.catalog.answers is not kept and len(kept) == 3   # a new cache
        # and a day before the amendment, 2025-06-01 still decides: allowed
        before = {**USE_IN_ITALY, "context": {"date": "2026-05-31"}}
        assert client.post("/access/v1/evaluation", json=before).json()["decision"] is True


def test_the_same_question_written_otherwise_is_answered_alike(tmp_path):
    from termsheet.web import Settings, create_app
    app = create_app(Settings(agreements=DEAL))
    reordered = ('{"context":{"date":"2026-07-01"},  "resource":{"properties":{"field":'
                 '"healthcare","territory":"it","licensor":"helix"},"id":"helix-model",'
                 '"type":"product"},"action":{"name":"use-license"},'
                 '"subject":{"id":"pharmaco","type":"party"}}')
    with api_client(app) as client:
        first = client.post("/access/v1/evaluation", json=USE_IN_ITALY)
        kept = len(app.state.catalog.answers)     # under its bytes and as understood
        second = client.post("/access/v1/evaluation", content=reordered,
                             headers={"content-type": "application/json"})
        assert second.content == first.content and first.json()["decision"] is True
        assert len(app.state.catalog.answers) == kept + 1    # its bytes only: understood alike
        # in a batch, the question as a default and the item as the rest
        split = {"subject": USE_IN_ITALY["subject"], "action": USE_IN_ITALY["action"],
                 "evaluations": [{"resource": USE_IN_ITALY["resource"],
                                  "context": USE_IN_ITALY["context"]}]}
        answers = client.post("/access/v1/evaluations", json=split).json()["evaluations"]
        assert answers == [first.json()]


def test_the_answer_cache_drops_the_least_recently_used():
    cache = AnswerCache(size=3)
    for key in "abc":
        cache.put(key, (True, key.encode()))
    assert cache.get("a") == (True, b"a")     # a is now the most recently used
    cache.put("d", (False, b"d"))
    assert "b" not in cache and [k for k in "acd" if k in cache] == ["a", "c", "d"]
    cache.put("e", (False, b"e"))
    assert "c" not in cache and len(cache) == 3
    cache.clear()
    assert len(cache) == 0 and cache.get("a") is None
