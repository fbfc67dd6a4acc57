"""Search across every plan, on every store: the right events found for what a
journalist would type, best first, whatever they type, and kept current by the
projector as the record grows, is corrected, or describes its sources."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from tracker.application import (
    AnnounceCommitment,
    PublishPlan,
    RecordEvent,
    RegisterSource,
    open_tracker,
    parse_event,
)
from tracker.datafiles import load
from tracker.domain.dates import PartialDate
from tracker.domain.errors import InvalidInputError
from tracker.domain.sources import Source
from tracker.readmodels import Projector, ReadModel, readmodel_engine
from tracker.readmodels import schema as t
from tracker.readmodels.fulltext import FTS
from tracker.readmodels.searchtext import parse_query

PLAN = "london-policing-action-plan-2020"
BWV = "body-worn-video-research"
LDRS = "ldrs-haringey-community-press-2023-11-18"
OTHER = "lantern-plan-2024"
HOSTILE = [
    'body "worn',
    "NEAR(",
    "NEAR(body worn, 2)",
    "stud*",
    "-study",
    "body AND OR NOT video",
    "title:body",
    "^study",
    "'; DROP TABLE rm_search; --",
    "ünïcödé Ω 北京 🚓",
    "x" * 200,
    "word " * 40,
]


@pytest.fixture
def store(database_url, bundled_plan):
    tracker = open_tracker(database_url)
    load(tracker, [bundled_plan])
    engine = readmodel_engine(database_url)
    projector = Projector(tracker, engine)
    projector.create_tables()
    projector.catch_up()
    yield tracker, projector, ReadModel(engine)
    tracker.close()
    engine.dispose()


def hits(read, words, limit=50):
    return read.search(parse_query(words), limit).hits


def where(hit):
    return (hit.plan, hit.commitment, hit.number, hit.field)


def record(tracker, commitment, plan=PLAN, **fields):
    sources = tracker.plan(plan).sources
    fields.setdefault("source", LDRS if plan == PLAN else "src")
    spec = parse_event(fields, sources)
    return tracker.execute([RecordEvent(plan, commitment, spec)], "test")[0]


def second_plan(tracker):
    """A second plan beside the first, its one commitment titled with a rare word."""
    source = Source.create("City Hall", "Lantern plan launched", "2024-01-10", None)
    announced = parse_event(
        {"type": "announced", "date": "2024-01-10", "source": "src", "summary": "Lamps."},
        {"src": source},
    )
    tracker.execute(
        [
            PublishPlan(OTHER, "Lantern plan", "City Hall", PartialDate.parse("2024-01-10")),
            RegisterSource(OTHER, "src", source),
            AnnounceCommitment(OTHER, "lantern-audit", "Audit of every lantern", announced),
        ],
        "test",
    )


def test_body_worn_video_finds_the_study_commitment_first(store):
    _, _, read = store
    found = hits(read, "body-worn video")
    assert where(found[0]) == (PLAN, BWV, 1, "title")
    assert found[0].commitment_title.endswith("body worn video footage")
    assert found[0].snippet.marks  # the matched words are marked


def test_a_word_only_in_a_quote_finds_that_event(store):
    _, _, read = store
    assert [where(h) for h in hits(read, "incapacitant")] == [(PLAN, BWV, 4, "quote")]


def test_a_source_title_word_finds_the_events_that_cite_it(store):
    tracker, _, read = store
    found = hits(read, "slams")
    citing = [
        (PLAN, c.slug, e.number)
        for c in tracker.commitments(PLAN)
        for e in c.entries
        if e.source.title.startswith("Lib Dem candidate slams")
    ]
    citing += [
        (PLAN, None, i.entry.number)
        for i in read.plan_items(PLAN)
        if i.entry.source.title.startswith("Lib Dem candidate slams")
    ]
    assert {where(h)[:3] for h in found} == set(citing)
    assert {h.field for h in found} == {"source"}


def test_a_correction_is_found_and_the_corrected_event_is_marked(store):
    tracker, projector, read = store
    receipt = record(
        tracker, BWV, type="correction", date="2024", corrects=6, note="Misdated zeppelin."
    )
    projector.catch_up()

    [correction] = hits(read, "zeppelin")
    assert (correction.type, correction.corrects, correction.field) == ("correction", 6, "note")
    [paused] = [h for h in hits(read, "indefinitely") if h.number == 6 and h.field == "note"]
    assert paused.corrected_by == receipt.version == correction.number


def test_a_second_plan_is_searched_beside_the_first(store):
    tracker, projector, read = store
    second_plan(tracker)
    projector.catch_up()
    assert [where(h) for h in hits(read, "lantern audit")] == [(OTHER, "lantern-audit", 1, "title")]
    record(tracker, BWV, type="progress_reported", date="2024", note="A lantern was lit.")
    projector.catch_up()
    assert {h.plan for h in hits(read, "lantern")} == {PLAN, OTHER}


def test_a_title_match_ranks_before_a_note_match(store):
    tracker, projector, read = store
    record(tracker, BWV, type="progress_reported", date="2024", note="Talk of a lantern audit.")
    second_plan(tracker)
    projector.catch_up()
    assert [h.field for h in hits(read, "lantern audit")] == ["title", "note"]


@pytest.mark.parametrize("typed", ["STUDIES", "Studying", "Study"])
def test_stemming_and_case_do_not_matter(store, typed):
    _, _, read = store
    assert (PLAN, BWV, 6, "note") in {where(h) for h in hits(read, typed)}  # "the study"


@pytest.mark.parametrize("typed", HOSTILE)
def test_hostile_input_is_read_as_words_and_never_breaks_the_query(store, typed):
    _, _, read = store
    found = read.search(parse_query(typed), 50)
    assert found.total >= len(found.hits)


@pytest.mark.parametrize(
    "typed", ["", "   ", "x" * 201, "x" * 2000, "***", "a\x00b", "--", '"', '""', "(((", "*"]
)
def test_empty_overlong_or_wordless_input_is_refused_naming_q(typed):
    with pytest.raises(InvalidInputError) as refused:
        parse_query(typed)
    assert refused.value.field == "q"


def test_the_index_follows_new_events_after_projection(store):
    tracker, projector, read = store
    record(tracker, BWV, type="progress_reported", date="2024", note="A xylophone study.")
    assert hits(read, "xylophone") == []
    projector.catch_up()
    assert [where(h) for h in hits(read, "xylophone")] == [(PLAN, BWV, 10, "note")]


def test_the_index_follows_a_source_described_later(store):
    tracker, projector, read = store
    source = tracker.plan(PLAN).sources[LDRS]
    before = {where(h)[:3] for h in hits(read, "slams")}
    assert hits(read, "quokka") == []

    described = source.described("press", "Copy kept by the quokka desk")
    tracker.execute([RegisterSource(PLAN, LDRS, described)], "test")
    projector.catch_up()

    assert {where(h)[:3] for h in hits(read, "quokka")} == before
    assert {where(h)[:3] for h in hits(read, "slams")} == before  # replaced, not added


def test_a_rebuild_gives_the_same_results(store):
    tracker, projector, read = store
    record(tracker, BWV, type="correction", date="2024", corrects=6, note="Misdated.")
    projector.catch_up()
    queries = ["body-worn video", "study", "slams", "misdated", "Casey review"]
    before = {q: read.search(parse_query(q), 50) for q in queries}
    projector.rebuild()
    assert {q: read.search(parse_query(q), 50) for q in queries} == before


def test_pages_of_hits_follow_one_another_without_overlap(store):
    _, _, read = store
    query = parse_query("stop search")
    everything = read.search(query, 500)
    pages = [read.search(query, 7, offset).hits for offset in range(0, everything.total, 7)]
    assert [h for page in pages for h in page] == everything.hits
    assert read.search(query, 7, everything.total + 7).hits == []


def test_creating_the_tables_again_is_harmless_and_dropping_them_drops_the_index(store):
    _, projector, read = store
    projector.create_tables()
    projector.create_tables()
    assert hits(read, "incapacitant")
    engine = projector.engine
    t.metadata.drop_all(engine)
    with engine.connect() as conn:
        schema = conn.schema_for_object(t.search)
        assert not inspect(conn).has_table(t.search.name, schema=schema)
        if engine.dialect.name == "sqlite":
            sql = text("SELECT count(*) FROM sqlite_master WHERE name LIKE 'rm_search%'")
            assert conn.scalar(sql) == 0, FTS
