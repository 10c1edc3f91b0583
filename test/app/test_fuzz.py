"""Property-based fuzz of the REST API: 10,000 generated malformed requests (Hypothesis).

Every request is one the API must refuse or merely read: bodies that are no JSON object,
objects whose fields have the wrong type or length, ids that do not exist, unknown routes and
methods, junk query strings and headers. The properties: no answer in the 5xx range (no
unhandled error either, see conftest's no_unhandled_errors), every refusal is a JSON error, and
the data is exactly what it was before (every row of every table).
"""
import json
import re
import shutil
import sqlite3
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import operator_app
from hbnb.db import engine_of

from demo_ids import DEMO_IDS

# The budget: 10,000 requests in all. Generating an example costs Hypothesis more than a request
# costs the app, so each generated payload is sent several ways (its fan-out): to every route it
# fits, with every method, with real ids and unknown ones.
SHAPES = {
    # shape: (examples, requests per example)
    "bad_bodies": (150, 24),
    "bad_fields": (225, 12),
    "search": (400, 4),
    "unknown_routes": (150, 8),
    "junk_reads": (60, 15),
}
TOTAL = 10_000
assert sum(examples * fanout for examples, fanout in SHAPES.values()) == TOTAL

# Deterministic (the same requests on every run, so CI cannot fail by chance), no example
# database written into the repository, no per-example deadline (a slow CI is no bug).
FUZZ = settings(
    max_examples=100,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def fuzz_settings(shape):
    """The fuzz's settings for one shape: its number of examples."""
    return settings(FUZZ, max_examples=SHAPES[shape][0])


IDS = DEMO_IDS

# Routes that write, with the fields their body may set and the check each field has.
TEXT, OPTIONAL_TEXT, COUNT, LATITUDE, LONGITUDE = "text", "optional text", "count", "lat", "lng"
WRITES = [
    ("POST", "/states", {"name": TEXT}),
    ("PUT", "/states/{state}", {"name": TEXT}),
    ("POST", "/states/{state}/cities", {"name": TEXT}),
    ("PUT", "/cities/{city}", {"name": TEXT}),
    ("POST", "/amenities", {"name": TEXT}),
    ("PUT", "/amenities/{amenity}", {"name": TEXT}),
    ("POST", "/users", {"email": TEXT, "password": TEXT}),
    ("PUT", "/users/{user}", {"password": TEXT, "first_name": OPTIONAL_TEXT, "last_name": OPTIONAL_TEXT}),
    ("POST", "/cities/{city}/places", {"user_id": "id", "name": TEXT}),
    (
        "PUT",
        "/places/{place}",
        {
            "name": TEXT,
            "description": OPTIONAL_TEXT,
            "number_rooms": COUNT,
            "number_bathrooms": COUNT,
            "max_guest": COUNT,
            "price_by_night": COUNT,
            "latitude": LATITUDE,
            "longitude": LONGITUDE,
        },
    ),
    ("POST", "/places/{place}/reviews", {"user_id": "id", "text": TEXT}),
    ("PUT", "/reviews/{review}", {"text": TEXT}),
]
READ_ROUTES = [
    "/status",
    "/stats",
    "/states",
    "/states/{state}",
    "/states/{state}/cities",
    "/cities/{city}",
    "/cities/{city}/places",
    "/amenities",
    "/amenities/{amenity}",
    "/users",
    "/users/{user}",
    "/places/{place}",
    "/places/{place}/reviews",
    "/places/{place}/amenities",
    "/reviews/{review}",
]

# Text with a lone surrogate (one of U+D800-U+DFFF between characters that are none: a high one
# followed by a low one would be a pair, i.e. one valid character). JSON may escape them
# (json.dumps does), and Python decodes them into strings no database can store. Hypothesis's
# text() never makes them.
surrogate_text = st.tuples(
    st.text(max_size=5), st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), st.text(max_size=5)
).map("".join)
texts = st.text(max_size=20) | surrogate_text

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=8,
)


def not_an_object(data):
    try:
        return not isinstance(json.loads(data), dict)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return True


# Arrays nested deeper than Python's parser recurses (about 1,000 levels), open or closed.
deep_nesting = st.tuples(st.integers(min_value=1_000, max_value=50_000), st.booleans()).map(
    lambda nested: "[" * nested[0] + ("]" * nested[0] if nested[1] else "")
)

# A body that is no JSON object: random bytes, text, JSON of another type, or nesting too deep
# to parse; sent with a JSON content type, another one, or none.
raw_bodies = st.one_of(
    st.binary(max_size=200).filter(not_an_object),
    st.text(max_size=200).filter(not_an_object),
    json_values.filter(lambda value: not isinstance(value, dict)).map(json.dumps),
    deep_nesting,
)
content_types = st.sampled_from(
    ["application/json", "application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded", None]
)


def wrong_value(kind):
    """A value the field's check refuses."""
    not_text = st.one_of(
        st.integers(), st.floats(), st.booleans(), st.lists(st.text(max_size=3), max_size=3), surrogate_text
    )
    # Longer than the longest text field (1024 characters), so too long for every one of them.
    too_long = st.integers(min_value=1025, max_value=3000).map(lambda n: "é" * n)
    if kind == TEXT:
        return st.one_of(not_text, st.none(), st.just(""), too_long)
    if kind == OPTIONAL_TEXT:
        return st.one_of(not_text, too_long)
    if kind == COUNT:
        return st.one_of(
            st.integers(max_value=-1), st.integers(min_value=2**31), st.floats(), st.booleans(), st.text(max_size=5), st.none()
        )
    if kind in (LATITUDE, LONGITUDE):
        limit = 90 if kind == LATITUDE else 180
        return st.one_of(
            st.floats(min_value=limit, exclude_min=True),
            st.floats(max_value=-limit, exclude_max=True),
            st.sampled_from([float("nan"), float("inf"), float("-inf")]),
            st.booleans(),
            st.text(max_size=5),
        )
    # An id field (user_id): present but no string, or no text.
    return st.one_of(st.integers(), st.none(), st.booleans(), st.lists(st.integers(), max_size=2), surrogate_text)


def random_ids():
    """Path segments that are no id of any row."""
    return st.text(alphabet=string.ascii_letters + string.digits + "-_.~%", min_size=1, max_size=40).filter(
        lambda s: s not in IDS.values() and s not in (".", "..")
    )


def snapshot(path):
    """Every row of every table, in a stable order."""
    with sqlite3.connect(path) as db:
        tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {table: sorted(db.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr) for table in tables}


# The classes of input that once answered 500, and how to tell a body of each: the fuzz must
# keep generating them.
CLASSES = {
    "lone surrogate": lambda body: re.search(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}", body),
    "deep nesting": lambda body: body.count("[") >= 1_000 and not body.startswith('{"amenities": ["id-'),
    "id list over 1,000": lambda body: body.count('"id-') > 1_000,
}


class Fuzz:
    def __init__(self, app, path):
        self.client = app.test_client()
        self.path = path
        self.before = snapshot(path)
        self.sent = 0
        self.statuses = {}
        self.classes = dict.fromkeys(CLASSES, 0)

    def send(self, method, path, **kwargs):
        response = self.client.open(path, method=method, **kwargs)
        self.sent += 1
        body = kwargs.get("data")
        if isinstance(body, str):
            for name, matches in CLASSES.items():
                self.classes[name] += bool(matches(body))
        self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
        assert response.status_code < 500, (method, path, kwargs, response.status_code, response.get_data()[:200])
        if response.status_code >= 400 and method != "HEAD":
            assert response.is_json and "error" in response.get_json(), (method, path, response.get_data()[:200])
        return response


@pytest.fixture(scope="module")
def fuzz(seeded_database, tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / "hbnb.db"
    shutil.copyfile(seeded_database, path)
    app = operator_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{path}"})
    yield Fuzz(app, path)
    engine_of(app).dispose()


@fuzz_settings("bad_bodies")
@given(body=raw_bodies, content_type=content_types, unknown=random_ids())
def test_bodies_that_are_no_json_object_are_refused(fuzz, body, content_type, unknown):
    # Every write route, with the ids of real rows and with an id that matches none.
    for ids in (IDS, dict.fromkeys(IDS, unknown)):
        for method, path, _ in WRITES:
            response = fuzz.send(method, f"/api/v1{path.format(**ids)}", data=body, content_type=content_type)
            assert response.status_code in (400, 404)


KINDS = (TEXT, OPTIONAL_TEXT, COUNT, LATITUDE, LONGITUDE, "id")


@fuzz_settings("bad_fields")
@given(
    junk=st.dictionaries(st.text(max_size=10), json_values, max_size=3),
    wrong=st.fixed_dictionaries({kind: wrong_value(kind) for kind in KINDS}),
    pick=st.integers(min_value=0, max_value=7),
)
def test_fields_of_the_wrong_type_or_size_are_refused(fuzz, junk, wrong, pick):
    # Every write route, with one of its own fields wrong (the others junk or absent).
    for method, path, fields in WRITES:
        bad = sorted(fields)[pick % len(fields)]
        # Python's JSON sends NaN and Infinity as such: the API must refuse them too.
        body = json.dumps({**junk, bad: wrong[fields[bad]]})
        response = fuzz.send(method, f"/api/v1{path.format(**IDS)}", data=body, content_type="application/json")
        assert response.status_code in (400, 404)


# Lists of ids around the longest a filter takes (1,000), or nested too deep to parse.
long_id_lists = st.integers(min_value=990, max_value=1_200).map(lambda n: json.dumps([f"id-{i}" for i in range(n)]))
filter_texts = st.one_of(long_id_lists, deep_nesting)


@fuzz_settings("search")
@given(value=json_values, text=filter_texts)
def test_any_search_answers_and_changes_nothing(fuzz, value, text):
    # The value as the whole body and as each filter; a long or deep list as two of them.
    bodies = [
        json.dumps(body) for body in (value, {"states": value}, {"cities": value, "amenities": value}, {"amenities": [value]})
    ]
    bodies[3] = f'{{"amenities": {text}, "cities": {json.dumps([value])}}}'
    for body in bodies:
        response = fuzz.send("POST", "/api/v1/places_search", data=body, content_type="application/json")
        assert response.status_code in (200, 400)


METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE"]


@fuzz_settings("unknown_routes")
@given(
    base=st.sampled_from(["/api/v1/", "/api/v1/states/", "/api/v1/places/", "/api/", "/api/v2/"]),
    segments=st.lists(random_ids(), min_size=1, max_size=4),
)
def test_unknown_routes_and_ids_are_refused(fuzz, base, segments):
    path = base + "/".join(segments)
    for method in METHODS:
        response = fuzz.send(method, path, data=b"{}", content_type="application/json")
        # OPTIONS is answered by Flask-CORS and Flask; every other method finds nothing there.
        allowed = (200, 204, 400, 404, 405) if method == "OPTIONS" else (400, 404, 405)
        assert response.status_code in allowed


@fuzz_settings("junk_reads")
@given(
    query=st.dictionaries(st.text(max_size=10), st.text(max_size=30), max_size=4),
    header=st.text(alphabet=string.printable.replace("\n", "").replace("\r", ""), max_size=60),
)
def test_reads_with_junk_query_and_headers_answer(fuzz, query, header):
    headers = {"Accept": header, "X-Forwarded-For": header, "If-Modified-Since": header, "Range": header}
    for route in READ_ROUTES:
        response = fuzz.send("GET", f"/api/v1{route.format(**IDS)}", query_string=query, headers=headers)
        assert response.status_code in (200, 206, 304, 400, 416)


def test_all_10000_requests_were_sent_and_the_data_is_unchanged(fuzz):
    assert fuzz.sent == TOTAL, fuzz.statuses
    assert all(status < 500 for status in fuzz.statuses), fuzz.statuses
    assert snapshot(fuzz.path) == fuzz.before
    # Each class that once answered 500 was sent many times (the same on every run).
    assert all(count >= 100 for count in fuzz.classes.values()), fuzz.classes
    print(f"\nfuzz: {fuzz.sent} requests, statuses {dict(sorted(fuzz.statuses.items()))}, classes {fuzz.classes}")
