"""A table of bad requests: each gets its exact status and JSON error, and changes nothing."""
import json

import pytest

from hbnb.seed import demo_id

from demo_ids import DEMO_IDS

INT_ERROR = "must be an integer from 0 to 2147483647"
HUGE = "x" * (1024 * 1024 + 1)

# {state} and the like in paths and bodies stand for the ids of demo rows.
PLACEHOLDERS = {**DEMO_IDS, "unlinked_amenity": demo_id("Amenity", "Pool")}


def fill(value):
    """`value` with the placeholders replaced, in strings and in lists and dicts of them."""
    if isinstance(value, str):
        return value.format(**PLACEHOLDERS)
    if isinstance(value, list):
        return [fill(item) for item in value]
    if isinstance(value, dict):
        return {key: fill(item) for key, item in value.items()}
    return value


def place(**fields):
    """A place body that is valid but for `fields`."""
    return {"user_id": "{user}", "name": "Tent", **fields}


def raw(text, content_type="application/json"):
    return {"data": text, "content_type": content_type}


CASES = [
    # Bodies that are no JSON object.
    ("POST", "/api/v1/states", raw("name=Utah"), 400, "Not a JSON"),
    ("POST", "/api/v1/states", raw('{"name": "Utah"'), 400, "Not a JSON"),
    ("POST", "/api/v1/states", raw('{"name": "Utah"}', "text/plain"), 400, "Not a JSON"),
    ("POST", "/api/v1/states", raw('{"name": "Utah"}', "application/x-www-form-urlencoded"), 400, "Not a JSON"),
    ("POST", "/api/v1/states", {"json": ["name", "Utah"]}, 400, "Not a JSON"),
    ("POST", "/api/v1/states", {"json": "Utah"}, 400, "Not a JSON"),
    ("POST", "/api/v1/states", raw("null"), 400, "Not a JSON"),
    ("POST", "/api/v1/states", {}, 400, "Not a JSON"),
    ("POST", "/api/v1/states", raw(b"\xff\xfe\x00"), 400, "Not a JSON"),
    ("PUT", "/api/v1/states/{state}", raw("not json"), 400, "Not a JSON"),
    ("PUT", "/api/v1/users/{user}", {"json": [1]}, 400, "Not a JSON"),
    ("POST", "/api/v1/states/{state}/cities", raw("x"), 400, "Not a JSON"),
    ("POST", "/api/v1/cities/{city}/places", raw("x"), 400, "Not a JSON"),
    ("POST", "/api/v1/places/{place}/reviews", raw("x", "text/plain"), 400, "Not a JSON"),
    ("POST", "/api/v1/places_search", raw("states"), 400, "Not a JSON"),
    ("POST", "/api/v1/places_search", {"json": []}, 400, "Not a JSON"),
    # Missing required fields, in the original's order of checks.
    ("POST", "/api/v1/states", {"json": {}}, 400, "Missing name"),
    ("POST", "/api/v1/states", {"json": {"Name": "Utah"}}, 400, "Missing name"),
    ("POST", "/api/v1/amenities", {"json": {"id": "x"}}, 400, "Missing name"),
    ("POST", "/api/v1/states/{state}/cities", {"json": {}}, 400, "Missing name"),
    ("POST", "/api/v1/users", {"json": {"password": "pw"}}, 400, "Missing email"),
    ("POST", "/api/v1/users", {"json": {"email": "a@example.com"}}, 400, "Missing password"),
    ("POST", "/api/v1/cities/{city}/places", {"json": {"name": "Tent"}}, 400, "Missing user_id"),
    ("POST", "/api/v1/cities/{city}/places", {"json": {"user_id": "{user}"}}, 400, "Missing name"),
    ("POST", "/api/v1/places/{place}/reviews", {"json": {"text": "Nice"}}, 400, "Missing user_id"),
    ("POST", "/api/v1/places/{place}/reviews", {"json": {"user_id": "{user}"}}, 400, "Missing text"),
    # Wrong types and values, named in the error.
    ("POST", "/api/v1/states", {"json": {"name": 5}}, 400, "name must be a string"),
    ("POST", "/api/v1/states", {"json": {"name": None}}, 400, "name must be a string"),
    ("POST", "/api/v1/states", {"json": {"name": ["Utah"]}}, 400, "name must be a string"),
    ("POST", "/api/v1/states", {"json": {"name": ""}}, 400, "name must not be empty"),
    ("POST", "/api/v1/states", {"json": {"name": "x" * 129}}, 400, "name must be at most 128 characters"),
    ("PUT", "/api/v1/states/{state}", {"json": {"name": {"en": "Utah"}}}, 400, "name must be a string"),
    ("POST", "/api/v1/amenities", {"json": {"name": True}}, 400, "name must be a string"),
    ("PUT", "/api/v1/cities/{city}", {"json": {"name": 1.5}}, 400, "name must be a string"),
    ("POST", "/api/v1/users", {"json": {"email": 1, "password": "pw"}}, 400, "email must be a string"),
    ("POST", "/api/v1/users", {"json": {"email": "a@example.com", "password": 1234}}, 400, "password must be a string"),
    ("POST", "/api/v1/users", {"json": {"email": "a@example.com", "password": "pw", "first_name": 3}}, 400, "first_name must be a string"),
    ("PUT", "/api/v1/users/{user}", {"json": {"password": ""}}, 400, "password must not be empty"),
    ("PUT", "/api/v1/users/{user}", {"json": {"last_name": False}}, 400, "last_name must be a string"),
    ("POST", "/api/v1/cities/{city}/places", {"json": place(user_id=7)}, 400, "user_id must be a string"),
    ("POST", "/api/v1/cities/{city}/places", {"json": place(name=42)}, 400, "name must be a string"),
    ("POST", "/api/v1/cities/{city}/places", {"json": place(price_by_night="100")}, 400, "price_by_night " + INT_ERROR),
    ("POST", "/api/v1/cities/{city}/places", {"json": place(price_by_night=-1)}, 400, "price_by_night " + INT_ERROR),
    ("POST", "/api/v1/cities/{city}/places", {"json": place(price_by_night=2**31)}, 400, "price_by_night " + INT_ERROR),
    ("POST", "/api/v1/cities/{city}/places", {"json": place(price_by_night=10**30)}, 400, "price_by_night " + INT_ERROR),
    ("POST", "/api/v1/cities/{city}/places", {"json": place(number_rooms=1.5)}, 400, "number_rooms " + INT_ERROR),
    ("POST", "/api/v1/cities/{city}/places", {"json": place(number_bathrooms=True)}, 400, "number_bathrooms " + INT_ERROR),
    ("POST", "/api/v1/cities/{city}/places", {"json": place(max_guest=None)}, 400, "max_guest " + INT_ERROR),
    ("POST", "/api/v1/cities/{city}/places", {"json": place(latitude="north")}, 400, "latitude must be a number from -90 to 90"),
    ("POST", "/api/v1/cities/{city}/places", {"json": place(latitude=90.5)}, 400, "latitude must be a number from -90 to 90"),
    ("POST", "/api/v1/cities/{city}/places", {"json": place(longitude=-181)}, 400, "longitude must be a number from -180 to 180"),
    ("PUT", "/api/v1/places/{place}", raw('{"latitude": NaN}'), 400, "latitude must be a number from -90 to 90"),
    ("PUT", "/api/v1/places/{place}", raw('{"longitude": Infinity}'), 400, "longitude must be a number from -180 to 180"),
    ("PUT", "/api/v1/places/{place}", {"json": {"description": 5}}, 400, "description must be a string"),
    ("PUT", "/api/v1/places/{place}", {"json": {"description": "x" * 1025}}, 400, "description must be at most 1024 characters"),
    ("PUT", "/api/v1/places/{place}", {"json": {"max_guest": "2"}}, 400, "max_guest " + INT_ERROR),
    ("POST", "/api/v1/places/{place}/reviews", {"json": {"user_id": ["{user}"], "text": "x"}}, 400, "user_id must be a string"),
    ("POST", "/api/v1/places/{place}/reviews", {"json": {"user_id": "{user}", "text": 10}}, 400, "text must be a string"),
    ("PUT", "/api/v1/reviews/{review}", {"json": {"text": ""}}, 400, "text must not be empty"),
    ("POST", "/api/v1/places_search", {"json": {"states": "{state}"}}, 400, "states must be a list of ids"),
    ("POST", "/api/v1/places_search", {"json": {"cities": {"id": "{city}"}}}, 400, "cities must be a list of ids"),
    ("POST", "/api/v1/places_search", {"json": {"amenities": [1]}}, 400, "amenities must be a list of ids"),
    ("POST", "/api/v1/places_search", {"json": {"amenities": [[]]}}, 400, "amenities must be a list of ids"),
    ("POST", "/api/v1/places_search", {"json": {"amenities": ["x"] * 1001}}, 400, "amenities may list at most 1000 ids"),
    ("POST", "/api/v1/places_search", {"json": {"cities": [str(i) for i in range(1001)]}}, 400, "cities may list at most 1000 ids"),
    # JSON's \ud800 escapes decode to lone surrogates, which no database stores: a 400, never a 500.
    ("POST", "/api/v1/states", raw('{"name": "\\ud800"}'), 400, "name must be text (no lone surrogates)"),
    ("PUT", "/api/v1/users/{user}", raw('{"password": "pw\\udfff"}'), 400, "password must be text (no lone surrogates)"),
    ("POST", "/api/v1/places/{place}/reviews", raw('{"user_id": "\\ud800", "text": "x"}'), 400, "user_id must be a string"),
    ("POST", "/api/v1/places_search", raw('{"amenities": ["\\ud800"]}'), 400, "amenities must be a list of ids"),
    # Nested deeper than Python's parser recurses: no JSON it can read.
    ("POST", "/api/v1/states", raw("[" * 100_000), 400, "Not a JSON"),
    ("POST", "/api/v1/places_search", raw('{"amenities": ' + "[" * 5000 + "]" * 5000 + "}"), 400, "Not a JSON"),
    # Unknown ids: 404, checked before the body.
    ("GET", "/api/v1/states/nope", {}, 404, "Not found"),
    ("PUT", "/api/v1/states/nope", {"json": {"name": "x"}}, 404, "Not found"),
    ("PUT", "/api/v1/states/nope", raw("not json"), 404, "Not found"),
    ("DELETE", "/api/v1/states/nope", {}, 404, "Not found"),
    ("GET", "/api/v1/amenities/nope", {}, 404, "Not found"),
    ("DELETE", "/api/v1/amenities/nope", {}, 404, "Not found"),
    ("GET", "/api/v1/cities/nope", {}, 404, "Not found"),
    ("POST", "/api/v1/states/nope/cities", {"json": {"name": "x"}}, 404, "Not found"),
    ("GET", "/api/v1/users/nope", {}, 404, "Not found"),
    ("PUT", "/api/v1/users/nope", {"json": {"first_name": "x"}}, 404, "Not found"),
    ("GET", "/api/v1/places/nope", {}, 404, "Not found"),
    ("DELETE", "/api/v1/places/nope", {}, 404, "Not found"),
    ("POST", "/api/v1/cities/nope/places", {"json": place()}, 404, "Not found"),
    ("POST", "/api/v1/cities/{city}/places", {"json": place(user_id="nope")}, 404, "Not found"),
    ("GET", "/api/v1/reviews/nope", {}, 404, "Not found"),
    ("PUT", "/api/v1/reviews/nope", {"json": {"text": "x"}}, 404, "Not found"),
    ("POST", "/api/v1/places/nope/reviews", {"json": {"user_id": "{user}", "text": "x"}}, 404, "Not found"),
    ("POST", "/api/v1/places/{place}/reviews", {"json": {"user_id": "nope", "text": "x"}}, 404, "Not found"),
    ("GET", "/api/v1/places/nope/amenities", {}, 404, "Not found"),
    ("POST", "/api/v1/places/{place}/amenities/nope", {}, 404, "Not found"),
    ("DELETE", "/api/v1/places/{place}/amenities/{unlinked_amenity}", {}, 404, "Not found"),
    # Unknown routes and wrong methods.
    ("GET", "/api/v1/nope", {}, 404, "Not found"),
    ("GET", "/api/v2/status", {}, 404, "Not found"),
    ("GET", "/api/v1/states/{state}/nope", {}, 404, "Not found"),
    ("DELETE", "/api/v1/states", {}, 405, "Method not allowed"),
    ("PATCH", "/api/v1/states/{state}", {"json": {"name": "x"}}, 405, "Method not allowed"),
    ("PUT", "/api/v1/stats", {}, 405, "Method not allowed"),
    ("POST", "/api/v1/status", {}, 405, "Method not allowed"),
    ("GET", "/api/v1/places_search", {}, 405, "Method not allowed"),
    ("PUT", "/api/v1/places/{place}/amenities/{amenity}", {}, 405, "Method not allowed"),
    # Bodies over HBNB_MAX_CONTENT_LENGTH (1 MiB by default).
    ("POST", "/api/v1/states", {"json": {"name": HUGE}}, 413, "Request body too large"),
    ("PUT", "/api/v1/places/{place}", {"json": {"description": HUGE}}, 413, "Request body too large"),
    ("POST", "/api/v1/places_search", raw(HUGE), 413, "Request body too large"),
    ("POST", "/api/v1/users", raw(HUGE, "text/plain"), 413, "Request body too large"),
]


def case_id(case):
    method, path, kwargs, status, _error = case
    body = json.dumps(kwargs.get("json", kwargs.get("data", "")), default=repr)
    return f"{method} {path} {body[:40]} -> {status}"


@pytest.mark.parametrize("method, path, kwargs, status, error", CASES, ids=[case_id(c) for c in CASES])
def test_bad_request_gets_exact_json_error(seeded_client, method, path, kwargs, status, error):
    before = seeded_client.get("/api/v1/stats").get_json()
    snapshot = seeded_client.get(fill("/api/v1/places/{place}")).get_json()

    if "json" in kwargs:
        # Raw bodies (data=) are sent as written: only JSON bodies hold placeholders.
        kwargs = {**kwargs, "json": fill(kwargs["json"])}
    response = seeded_client.open(fill(path), method=method, **kwargs)

    assert response.status_code == status
    assert response.content_type == "application/json"
    assert response.get_json() == {"error": error}
    # Nothing was written.
    assert seeded_client.get("/api/v1/stats").get_json() == before
    assert seeded_client.get(fill("/api/v1/places/{place}")).get_json() == snapshot


def test_405_lists_the_allowed_methods(client):
    response = client.delete("/api/v1/states")
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}
