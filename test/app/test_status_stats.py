"""GET /api/v1/status and /api/v1/stats, and the slash-insensitive routes."""
import pytest


def test_status_is_exactly_ok(api):
    response = api.call("GET", "/status")
    assert response.status_code == 200
    assert response.get_json() == {"status": "OK"}
    assert response.content_type == "application/json"


def test_stats_of_an_empty_database_are_zero(api):
    assert api.stats() == {
        "amenities": 0, "cities": 0, "places": 0, "reviews": 0, "states": 0, "users": 0,
    }


def test_stats_count_the_demo_data(seeded_api):
    assert seeded_api.stats() == {
        "amenities": 12, "cities": 22, "places": 12, "reviews": 13, "states": 10, "users": 4,
    }


def test_stats_follow_creations_and_deletions(api):
    state = api.create("/states", {"name": "Utah"})
    api.create(f"/states/{state['id']}/cities", {"name": "Moab"})
    api.create("/amenities", {"name": "Sauna"})
    assert api.stats() == {
        "amenities": 1, "cities": 1, "places": 0, "reviews": 0, "states": 1, "users": 0,
    }
    api.delete(f"/states/{state['id']}")
    assert api.stats()["cities"] == 0


@pytest.mark.parametrize("path", ["/api/v1/status", "/api/v1/status/", "/api/v1/states", "/api/v1/states/"])
def test_api_routes_answer_with_or_without_trailing_slash(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "Location" not in response.headers


def test_cors_headers_on_the_api(client):
    response = client.get("/api/v1/status", headers={"Origin": "https://elsewhere.example"})
    # flask-cors echoes the origin (with Vary: Origin) where "*" is allowed.
    assert response.headers["Access-Control-Allow-Origin"] in {"*", "https://elsewhere.example"}


def test_cors_preflight(client):
    response = client.options(
        "/api/v1/places_search",
        headers={
            "Origin": "https://elsewhere.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] in {"*", "https://elsewhere.example"}
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
