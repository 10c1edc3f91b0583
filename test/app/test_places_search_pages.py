"""places_search a page at a time: `limit` and `after` in the body, X-Next-Page in the answer."""
import base64

import pytest
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from hbnb.api.v1.paging import DEFAULT_LIMIT, MAX_LIMIT
from hbnb.db import engine_of
from hbnb.models import Amenity, Place
from hbnb.seed import create_indexes, demo_id

# Places added to the demo's 12: more than the default page, under the maximum.
EXTRA = 250
# Every fifth extra place is in Austin, Texas; every third has a pool; pairs share a name, so
# that the id decides their order, across the ends of pages too.
AUSTIN, POOL, WIFI = demo_id("City", "Texas", "Austin"), demo_id("Amenity", "Pool"), demo_id("Amenity", "Wifi")


@pytest.fixture
def grown_app(seeded_app):
    """The demo database with EXTRA more places, inserted directly as the bench does."""
    with Session(engine_of(seeded_app)) as session:
        owner = session.scalar(text("SELECT id FROM users ORDER BY id LIMIT 1"))
        pool, wifi = session.get(Amenity, POOL), session.get(Amenity, WIFI)
        portland = demo_id("City", "Oregon", "Portland")
        for i in range(EXTRA):
            place = Place(name=f"Grown place {i // 2:03d}", city_id=AUSTIN if i % 5 == 0 else portland, user_id=owner)
            session.add(place)
            place.amenities.extend([pool, wifi] if i % 3 == 0 else [wifi])
        session.commit()
    return seeded_app


@pytest.fixture
def grown_api(grown_app, seeded_api):
    """The API of grown_app (the seeded app, grown)."""
    return seeded_api


def page(api, body, status=200):
    response = api.call("POST", "/places_search", json=body)
    assert response.status_code == status, response.get_json()
    return response.get_json(), response.headers.get("X-Next-Page")


def walk(api, body, cursor=None):
    """Every page of a search from `cursor` on, following X-Next-Page: the places' ids and the
    pages' sizes."""
    ids, sizes = [], []
    while True:
        places, cursor = page(api, {**body, "after": cursor})
        ids += [place["id"] for place in places]
        sizes.append(len(places))
        if cursor is None:
            return ids, sizes


def everything(api, body):
    """The ids of one search in one page of the maximum, in order."""
    places, cursor = page(api, {**body, "limit": MAX_LIMIT})
    assert cursor is None
    return [place["id"] for place in places]


def ordered(api, ids_found):
    """The places' (name, id) in the order the search must give them."""
    keys = [(api.get(f"/places/{place_id}")["name"], place_id) for place_id in ids_found]
    return sorted(keys) == keys


def test_the_classic_body_gets_the_first_page_of_the_default_size(grown_api):
    every = everything(grown_api, {})
    assert len(every) == 12 + EXTRA
    assert ordered(grown_api, every)
    for body in ({}, {"states": [], "cities": [], "amenities": []}):
        places, cursor = page(grown_api, body)
        assert [place["id"] for place in places] == every[:DEFAULT_LIMIT]
        assert cursor is not None


def test_no_next_page_when_everything_fits(seeded_api):
    places, cursor = page(seeded_api, {})
    assert (len(places), cursor) == (12, None)
    # Exactly a page's worth: the last page, no empty one after it.
    places, cursor = page(seeded_api, {"limit": 12})
    assert (len(places), cursor) == (12, None)


def test_a_walk_sees_every_place_once_in_order(grown_api):
    every = everything(grown_api, {})
    found, sizes = walk(grown_api, {"limit": 7})
    assert found == every
    assert sizes == [7] * (len(every) // 7) + [len(every) % 7]


def test_the_default_walk_too(grown_api):
    found, sizes = walk(grown_api, {})
    assert found == everything(grown_api, {})
    assert sizes == [100, 100, 62]


@pytest.mark.parametrize(
    "body",
    [
        {"amenities": [POOL]},
        {"amenities": [POOL, WIFI]},
        {"cities": [AUSTIN]},
        {"states": [demo_id("State", "Oregon")], "amenities": [POOL]},
        {"states": [demo_id("State", "Oregon")], "cities": [AUSTIN], "amenities": [WIFI]},
    ],
    ids=["one-amenity", "two-amenities", "city", "state-and-amenity", "state-city-amenity"],
)
def test_filters_a_page_at_a_time(grown_api, body):
    every = everything(grown_api, body)
    assert len(every) > 10
    found, _ = walk(grown_api, {**body, "limit": 10})
    assert found == every


def test_a_walk_is_stable_while_places_come_and_go(grown_api, grown_app):
    before = everything(grown_api, {})
    first, cursor = page(grown_api, {"limit": 50})
    # Meanwhile: a place added before the cursor, one after it, one not yet seen deleted.
    owner = grown_api.get("/users")[0]["id"]
    early = grown_api.create(f"/cities/{AUSTIN}/places", {"user_id": owner, "name": "A first place"})
    late = grown_api.create(f"/cities/{AUSTIN}/places", {"user_id": owner, "name": "Zz last place"})
    gone = before[120]
    grown_api.delete(f"/places/{gone}")
    rest, _ = walk(grown_api, {"limit": 50}, cursor)
    seen = [place["id"] for place in first] + rest
    assert seen == [place_id for place_id in before if place_id != gone] + [late["id"]]
    assert early["id"] not in seen


def test_a_cursor_outlives_its_place(grown_api):
    before = everything(grown_api, {})
    first, cursor = page(grown_api, {"limit": 30})
    grown_api.delete(f"/places/{first[-1]['id']}")
    rest, _ = walk(grown_api, {}, cursor)
    assert [place["id"] for place in first] + rest == before


def test_the_maximum_in_one_page(grown_api):
    places, cursor = page(grown_api, {"limit": MAX_LIMIT})
    assert (len(places), cursor) == (12 + EXTRA, None)
    places, cursor = page(grown_api, {"limit": 1})
    assert (len(places), cursor is not None) == (1, True)


LIMIT_ERROR = f"limit must be an integer from 1 to {MAX_LIMIT}, not "


@pytest.mark.parametrize(
    "value, shown",
    [(0, "0"), (-1, "-1"), (MAX_LIMIT + 1, str(MAX_LIMIT + 1)), (2.5, "2.5"), ("10", '"10"'), (True, "true"), ([5], "[5]")],
)
def test_a_bad_limit_is_a_400_naming_the_range(seeded_api, value, shown):
    assert page(seeded_api, {"limit": value}, status=400)[0] == {"error": LIMIT_ERROR + shown}


def test_null_limit_and_after_mean_none_given(grown_api):
    assert page(grown_api, {"limit": None, "after": None}) == page(grown_api, {})


def cursor_of(raw):
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


@pytest.mark.parametrize(
    "value",
    [
        12,
        "",
        "not a cursor!",
        cursor_of(b"not json"),
        cursor_of(b'["only a name"]'),
        cursor_of(b'{"name": "x", "id": "y"}'),
        cursor_of(b'["x", 1]'),
        cursor_of(b"\xff\xfe"),
        cursor_of(b'["\\ud800", "x"]'),
        "A" * 1025,
    ],
    ids=["number", "empty", "not-base64", "not-json", "one-part", "object", "not-strings", "not-utf8",
         "lone-surrogate", "too-long"],
)
def test_a_bad_cursor_is_a_400_saying_where_cursors_come_from(seeded_api, value):
    assert page(seeded_api, {"after": value}, status=400)[0] == {
        "error": "after must be the X-Next-Page header of an earlier answer to the same search"
    }


def test_another_origin_may_read_the_cursor(grown_app):
    response = grown_app.test_client().post(
        "/api/v1/places_search", json={}, headers={"Origin": "https://elsewhere.example"}
    )
    assert response.headers["X-Next-Page"]
    assert response.headers["Access-Control-Expose-Headers"] == "X-Next-Page"


def plans(app, api, body):
    """SQLite's plan of each statement on places that one search runs."""
    engine, statements = engine_of(app), []

    def keep(_conn, _cursor, statement, parameters, _context, _many):
        if "FROM places" in statement:
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        page(api, body)
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    with engine.connect() as connection:
        return [
            [row[3] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]
            for statement, parameters in statements
        ]


def test_a_page_is_read_from_the_index_not_sorted(grown_app, grown_api):
    # Page 2 seeks to its cursor in the (name, id) index and reads it in order: its cost does
    # not grow with the places before it, and no sort of every place happens.
    _, cursor = page(grown_api, {"limit": 10})
    assert plans(grown_app, grown_api, {"limit": 10, "after": cursor}) == [
        ["SEARCH places USING INDEX ix_places_name_id (name>?)"]
    ]


def test_an_amenity_reads_only_its_own_links(grown_app, grown_api):
    [plan] = plans(grown_app, grown_api, {"amenities": [POOL], "limit": 10})
    assert "SEARCH place_amenity USING COVERING INDEX ix_place_amenity_amenity (amenity_id=?)" in plan


def test_an_older_database_gets_the_indexes(seeded_app):
    engine = engine_of(seeded_app)
    with engine.begin() as connection:
        for name in ("ix_places_name_id", "ix_places_city_id", "ix_place_amenity_amenity"):
            connection.exec_driver_sql(f"DROP INDEX {name}")
    assert sorted(create_indexes(engine)) == ["ix_place_amenity_amenity", "ix_places_city_id", "ix_places_name_id"]
    assert create_indexes(engine) == []
