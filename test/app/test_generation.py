"""GET /-/generation and the X-Hbnb-Release header: what Nginx keys its cache of answers by.

The cache is only as good as this number: every committed change must move it on, and
nothing else may (or the cache would never hit)."""
import pytest
from sqlalchemy import delete

from hbnb.db import engine_of, make_engine
from hbnb.models import Generation
from hbnb.seed import create_schema, seed


def generation(client):
    response = client.get("/-/generation")
    assert response.status_code == 204
    assert response.data == b""
    assert response.headers["Cache-Control"] == "no-store"
    release, _, value = response.headers["X-Hbnb-Generation"].rpartition(".")
    assert release == response.headers["X-Hbnb-Release"]
    return int(value)


def test_names_the_release_and_starts_at_zero(make_app, tmp_path):
    (tmp_path / "RELEASE").write_text("r-0123456789ab\n")
    app = make_app()
    create_schema(engine_of(app))
    response = app.test_client().get("/-/generation")
    assert response.headers["X-Hbnb-Generation"] == "r-0123456789ab.0"
    assert response.headers["X-Hbnb-Release"] == "r-0123456789ab"


def test_every_write_moves_it_on_and_nothing_else_does(seeded_api, seeded_client, ids):
    loft, pool = ids("Place", "Sunny loft near the bay"), ids("Amenity", "Pool")
    texas = ids("State", "Texas")
    before = generation(seeded_client)
    writes = [
        lambda: seeded_api.create("/states", {"name": "Oregon"}),
        lambda: seeded_api.update(f"/states/{texas}", {"name": "Lone Star"}),
        lambda: seeded_api.call("POST", f"/places/{loft}/amenities/{pool}"),
        lambda: seeded_api.call("DELETE", f"/places/{loft}/amenities/{pool}"),
        lambda: seeded_api.delete(f"/places/{loft}"),
    ]
    for number, write in enumerate(writes, start=1):
        write()
        assert generation(seeded_client) == before + number
    moved = generation(seeded_client)
    # Reads, searches, the page, refused writes: the data did not change, nor does the number.
    seeded_api.get("/states")
    seeded_api.get("/stats")
    assert seeded_api.call("POST", "/places_search", json={}).status_code == 200
    assert seeded_client.get("/").status_code == 200
    assert seeded_api.call("POST", "/states", json={"nom": "x"}).status_code == 400
    assert seeded_api.call("PUT", "/states/nope", json={"name": "x"}).status_code == 404
    assert seeded_api.call("DELETE", f"/places/{loft}").status_code == 404
    assert generation(seeded_client) == moved


def test_a_write_by_another_worker_is_seen(seeded_app, make_app):
    # Two apps on one database file, as two Gunicorn workers: each keeps its connections in
    # a pool, and a pooled connection still sees what the other committed.
    other = make_app(DATABASE_URL=seeded_app.config["DATABASE_URL"])
    reader, writer = seeded_app.test_client(), other.test_client()
    before = generation(reader)
    states = len(reader.get("/api/v1/states").get_json())
    assert writer.post("/api/v1/states", json={"name": "Oregon"}).status_code == 201
    assert generation(reader) == before + 1
    assert len(reader.get("/api/v1/states").get_json()) == states + 1


def test_without_its_row_the_answer_is_503_so_nginx_does_not_cache(app):
    with engine_of(app).begin() as connection:
        connection.execute(delete(Generation))
    response = app.test_client().get("/-/generation")
    assert response.status_code == 503
    assert response.get_json() == {"error": "No data generation"}
    assert "X-Hbnb-Generation" not in response.headers


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


def test_without_its_table_the_answer_is_503_too(app):
    with engine_of(app).begin() as connection:
        Generation.__table__.drop(connection)
    response = app.test_client().get("/-/generation")
    assert response.status_code == 503
    assert response.get_json() == {"error": "No data generation"}


def test_each_seed_moves_it_on(seeded_app, seeded_client):
    # A rollback may have run a release that changed rows without moving the generation: the
    # deploy's seed makes sure no cached answer outlives that.
    before = generation(seeded_client)
    seed(engine_of(seeded_app))
    assert generation(seeded_client) == before + 1
