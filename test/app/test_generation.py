"""The data's generation and its link, and the X-Hbnb-Release header: what Nginx keys its cache
of answers by (files/nginx/data-cache.conf.njk).

The cache is only as good as these: every committed change must move the link on before its
request answers, a change behind the app's back within the watcher's poll, and reads must not
(or the cache would never hit)."""
import os
import sqlite3
import time

import pytest

from hbnb import generation_link
from hbnb.db import engine_of, make_engine
from hbnb.generation_link import GENERATION_QUERY, publish
from hbnb.seed import create_schema, seed


def generation(app):
    with engine_of(app).connect() as connection:
        return connection.exec_driver_sql(GENERATION_QUERY).scalar()


def link(directory):
    """The token the link names now (what Nginx's $realpath_root ends with)."""
    target = os.path.realpath(directory / "generation")
    assert os.path.dirname(target) == str(directory / "generations")
    return os.path.basename(target)


def until(what, check, seconds=10):
    """Polls CHECK until true; fails after SECONDS (a generous bound, not the watcher's)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"{what}: not within {seconds} s")


@pytest.fixture
def published(make_app, seeded_database, tmp_path):
    """A seeded app that publishes its generation in tmp_path/run, its watcher polling."""
    path = tmp_path / "hbnb.db"
    path.write_bytes(seeded_database.read_bytes())
    run = tmp_path / "run"
    run.mkdir()
    app = make_app(DATABASE_URL=f"sqlite:///{path}", GENERATION_DIR=str(run))
    assert app.extensions["hbnb.generation_watcher"].ready.wait(10)
    return app, run, path


def test_every_write_moves_the_generation_and_the_link_on_and_nothing_else_does(published, ids):
    app, run, _ = published
    # Only the app's own publishing here: the watcher, stopped, moves nothing (its own part is
    # the tests below).
    app.extensions["hbnb.generation_watcher"].stopped.set()
    client = app.test_client()
    api = lambda method, path, **kw: client.open(f"/api/v1{path}", method=method, **kw)  # noqa: E731
    loft, pool = ids("Place", "Sunny loft near the bay"), ids("Amenity", "Pool")
    sf = ids("City", "California", "San Francisco")
    user = api("GET", "/users").get_json()[0]["id"]
    before, tokens = generation(app), {link(run)}
    writes = [
        lambda: api("POST", f"/cities/{sf}/places", json={"user_id": user, "name": "E2E"}),
        lambda: api("PUT", f"/places/{loft}", json={"name": "Renamed loft"}),
        lambda: api("POST", f"/places/{loft}/amenities/{pool}"),
        lambda: api("DELETE", f"/places/{loft}/amenities/{pool}"),
        lambda: api("DELETE", f"/places/{loft}"),
    ]
    for number, write in enumerate(writes, start=1):
        assert write().status_code in (200, 201)
        # Moved on by the time the request has answered: no wait.
        assert generation(app) == before + number
        assert link(run) not in tokens
        tokens.add(link(run))
    moved, token = generation(app), link(run)
    # Reads, searches, the page, refused writes: the data did not change, nor does anything.
    assert api("GET", "/states").status_code == 200
    assert api("POST", "/places_search", json={}).status_code == 200
    assert client.get("/").status_code == 200
    assert api("POST", "/states", json={"nom": "x"}).status_code == 400
    assert api("PUT", "/states/nope", json={"name": "x"}).status_code == 404
    assert api("DELETE", f"/places/{loft}").status_code == 404
    assert (generation(app), link(run)) == (moved, token)


def test_a_write_the_app_published_is_not_published_again_by_the_watcher(published, ids):
    # The write moves the generation row and the file on too: a watcher that took that for a
    # change behind the app's back would move the link again, and the next page would miss.
    app, run, _ = published
    watcher = app.extensions["hbnb.generation_watcher"]
    client = app.test_client()
    token = link(run)
    assert client.put(f"/api/v1/places/{ids('Place', 'Sunny loft near the bay')}", json={"name": "Once"}).status_code == 200
    written = link(run)
    assert written != token
    polls = watcher.polls
    until("the watcher has looked twice since the write", lambda: watcher.polls >= polls + 2)
    assert link(run) == written


def test_a_row_changed_behind_the_apps_back_moves_the_link(published):
    _, run, path = published
    token = link(run)
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE states SET name = 'Changed directly' WHERE name = 'Texas'")
    until("the link moved", lambda: link(run) != token)


def test_a_restore_of_the_file_moves_the_link(published, seeded_database):
    _, run, path = published
    token = link(run)
    # A restore through SQLite's backup API, as `sqlite3 hbnb.db ".restore backup.db"` does.
    with sqlite3.connect(seeded_database) as backup, sqlite3.connect(path) as live:
        backup.backup(live)
    until("the link moved", lambda: link(run) != token)


def test_publish_makes_a_new_token_that_nginx_can_reach_and_drops_old_ones(tmp_path, monkeypatch):
    monkeypatch.setattr(generation_link, "KEEP_SECONDS", 0)
    first = publish(tmp_path)
    second = publish(tmp_path)
    assert first != second
    assert link(tmp_path) == second
    # Others may pass through (Nginx's user is not in the app's group), not list.
    assert (tmp_path / "generations").stat().st_mode & 0o777 == 0o711
    assert sorted(os.listdir(tmp_path / "generations")) == [second]


def test_without_a_directory_nothing_is_published(app, tmp_path):
    assert app.config["GENERATION_DIR"] is None
    assert "hbnb.generation_watcher" not in app.extensions
    assert app.test_client().post("/api/v1/states", json={"name": "Oregon"}).status_code == 201


def test_names_the_release_and_starts_at_zero(make_app, tmp_path):
    (tmp_path / "RELEASE").write_text("r-0123456789ab\n")
    app = make_app()
    create_schema(engine_of(app))
    assert generation(app) == 0
    assert app.test_client().get("/api/v1/status").headers["X-Hbnb-Release"] == "r-0123456789ab"


def test_a_write_by_another_worker_is_seen(seeded_app, make_app):
    # Two apps on one database file, as two Gunicorn workers: each keeps its connections in
    # a pool, and a pooled connection still sees what the other committed.
    other = make_app(DATABASE_URL=seeded_app.config["DATABASE_URL"])
    reader, writer = seeded_app.test_client(), other.test_client()
    before = generation(seeded_app)
    states = len(reader.get("/api/v1/states").get_json())
    assert writer.post("/api/v1/states", json={"name": "Oregon"}).status_code == 201
    assert generation(seeded_app) == before + 1
    assert len(reader.get("/api/v1/states").get_json()) == states + 1


def test_every_answer_names_its_release_errors_too(make_app, tmp_path):
    (tmp_path / "RELEASE").write_text("r-00000000000a\n")
    client = make_app().test_client()
    for path in ("/api/v1/status", "/api/v1/nothing-here", "/static/styles/common.css"):
        assert client.get(path).headers["X-Hbnb-Release"] == "r-00000000000a"


@pytest.mark.parametrize(
    "url, pooled",
    [("sqlite:///{tmp}/hbnb.db", True), ("sqlite://", False), ("sqlite:///:memory:", False)],
)
def test_a_file_database_keeps_its_connections(tmp_path, url, pooled):
    engine = make_engine(url.format(tmp=tmp_path))
    assert (type(engine.pool).__name__ == "QueuePool") is pooled
    engine.dispose()


def test_each_seed_moves_it_on(seeded_app):
    # A rollback may have run a release that changed rows without moving the generation: the
    # deploy's seed makes sure no cached answer outlives that.
    before = generation(seeded_app)
    seed(engine_of(seeded_app))
    assert generation(seeded_app) == before + 1
