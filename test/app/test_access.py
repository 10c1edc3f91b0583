"""Who may write: the API token (apiWriteAccess token, the default) or anyone (open); reads stay
public but for the users; other origins may read and search, never write; one user per email."""
import shutil

import pytest

from conftest import API_TOKEN, sqlite_url
from demo_ids import DEMO_IDS

STATE = {"name": "Oregon"}
# Every kind of write, and the reads of personal data, by the routes of the demo rows.
NEEDS_TOKEN = [
    ("POST", "/api/v1/states", {"json": STATE}),
    ("PUT", "/api/v1/states/{state}", {"json": STATE}),
    ("DELETE", "/api/v1/states/{state}", {}),
    ("POST", "/api/v1/users", {"json": {"email": "new@example.com", "password": "pw"}}),
    ("PUT", "/api/v1/users/{user}", {"json": {"password": "stolen"}}),
    ("DELETE", "/api/v1/places/{place}", {}),
    ("POST", "/api/v1/places/{place}/amenities/{amenity}", {}),
    ("GET", "/api/v1/users", {}),
    ("GET", "/api/v1/users/{user}", {}),
]
PUBLIC = [
    ("GET", "/api/v1/states", {}),
    ("GET", "/api/v1/places/{place}", {}),
    ("GET", "/api/v1/stats", {}),
    ("POST", "/api/v1/places_search", {"json": {}}),
]


@pytest.fixture
def anonymous(seeded_app):
    """A client without the token, as a visitor or an attacker."""
    client = seeded_app.test_client()
    del client.environ_base["HTTP_AUTHORIZATION"]
    return client


def send(client, ids, method, path, kwargs, **extra):
    return client.open(path.format(**DEMO_IDS), method=method, **kwargs, **extra)


@pytest.mark.parametrize("method, path, kwargs", NEEDS_TOKEN)
@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token", f"Basic {API_TOKEN}", f"Bearer {API_TOKEN}x", "Bearer"],
)
def test_writes_and_user_reads_need_the_token(anonymous, seeded_client, ids, method, path, kwargs, authorization):
    before = seeded_client.get("/api/v1/stats").get_json()
    headers = {"Authorization": authorization} if authorization else {}
    response = send(anonymous, ids, method, path, kwargs, headers=headers)
    assert (response.status_code, response.get_json()) == (
        401,
        {"error": "Unauthorized: send the API token as Authorization: Bearer <token>"},
    )
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="hbnb"'
    assert seeded_client.get("/api/v1/stats").get_json() == before


@pytest.mark.parametrize("method, path, kwargs", NEEDS_TOKEN)
def test_the_token_writes(seeded_client, ids, method, path, kwargs):
    response = send(seeded_client, ids, method, path, kwargs)
    assert response.status_code in (200, 201)


@pytest.mark.parametrize("method, path, kwargs", PUBLIC)
def test_reads_and_searches_need_no_token(anonymous, ids, method, path, kwargs):
    assert send(anonymous, ids, method, path, kwargs).status_code == 200


@pytest.mark.parametrize("method, path, kwargs", NEEDS_TOKEN)
def test_open_lets_anyone_write_as_in_the_classic_exercise(make_app, seeded_database, tmp_path, ids, method, path, kwargs):
    copy = tmp_path / "open.db"
    shutil.copyfile(seeded_database, copy)
    app = make_app(DATABASE_URL=sqlite_url(copy), API_WRITE_ACCESS="open", API_TOKEN=None)
    client = app.test_client()
    del client.environ_base["HTTP_AUTHORIZATION"]
    assert send(client, ids, method, path, kwargs).status_code in (200, 201)


def test_without_a_token_configured_the_api_is_read_only(make_app, seeded_database, tmp_path):
    copy = tmp_path / "ro.db"
    shutil.copyfile(seeded_database, copy)
    client = make_app(DATABASE_URL=sqlite_url(copy), API_TOKEN=None).test_client()
    response = client.post("/api/v1/states", json=STATE)
    assert (response.status_code, response.get_json()) == (401, {"error": "This API is read-only: no token is configured"})
    assert client.get("/api/v1/states").status_code == 200


@pytest.mark.parametrize(
    "method, path, allowed",
    [
        # No Access-Control-Allow-Methods: the browser does not send the request at all.
        ("DELETE", "/api/v1/states/x", None),
        ("PUT", "/api/v1/users/x", None),
        ("POST", "/api/v1/states", None),
        ("POST", "/api/v1/places_search", "POST"),
    ],
)
def test_other_origins_may_read_and_search_only(anonymous, method, path, allowed):
    # A browser's preflight before a cross-origin request that is no simple GET (a JSON POST,
    # a PUT, a DELETE).
    response = anonymous.options(
        path,
        headers={
            "Origin": "https://evil.example",
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "content-type, authorization",
        },
    )
    assert response.headers.get("Access-Control-Allow-Methods") == allowed
    assert response.headers.get("Access-Control-Allow-Headers", "").lower() in ("", "content-type")


def test_an_email_is_one_user(api):
    first = api.create("/users", {"email": "Ada@example.com", "password": "pw"})
    response = api.call("POST", "/users", json={"email": "ada@EXAMPLE.com", "password": "other"})
    assert (response.status_code, response.get_json()) == (409, {"error": "Email already used"})
    assert [user["id"] for user in api.get("/users")] == [first["id"]]
