"""CRUD for places: /cities/<id>/places and /places/<id>."""
import pytest

PLACE_KEYS = {
    "__class__", "id", "created_at", "updated_at", "city_id", "user_id", "name", "description",
    "number_rooms", "number_bathrooms", "max_guest", "price_by_night", "latitude", "longitude",
}


@pytest.fixture
def city_and_owner(api):
    state = api.create("/states", {"name": "Utah"})
    city = api.create(f"/states/{state['id']}/cities", {"name": "Moab"})
    owner = api.create("/users", {"email": "owner@example.com", "password": "pw"})
    return city, owner


def test_create_place_with_all_fields(api, city_and_owner):
    city, owner = city_and_owner
    body = {
        "user_id": owner["id"], "name": "Canyon tent", "description": "Stars all night.",
        "number_rooms": 1, "number_bathrooms": 0, "max_guest": 2, "price_by_night": 60,
        "latitude": 38.57, "longitude": -109.55,
    }
    place = api.create(f"/cities/{city['id']}/places", body)
    assert set(place) == PLACE_KEYS
    assert place["__class__"] == "Place"
    assert place["city_id"] == city["id"]
    assert {key: place[key] for key in body} == body
    assert api.get(f"/places/{place['id']}") == place
    assert api.get(f"/cities/{city['id']}/places") == [place]


def test_place_defaults(api, city_and_owner):
    city, owner = city_and_owner
    place = api.create(f"/cities/{city['id']}/places", {"user_id": owner["id"], "name": "Plain"})
    assert place["number_rooms"] == 0
    assert place["number_bathrooms"] == 0
    assert place["max_guest"] == 0
    assert place["price_by_night"] == 0
    assert place["description"] is None
    assert place["latitude"] is None and place["longitude"] is None


def test_integer_coordinates_are_stored_as_numbers(api, city_and_owner):
    city, owner = city_and_owner
    place = api.create(
        f"/cities/{city['id']}/places",
        {"user_id": owner["id"], "name": "Pole", "latitude": 90, "longitude": -180},
    )
    assert place["latitude"] == 90.0 and place["longitude"] == -180.0


def test_update_place_ignores_protected_fields(api, city_and_owner):
    city, owner = city_and_owner
    place = api.create(f"/cities/{city['id']}/places", {"user_id": owner["id"], "name": "Tent"})
    other_user = api.create("/users", {"email": "other@example.com", "password": "pw"})
    updated = api.update(
        f"/places/{place['id']}",
        {
            "name": "Big tent", "price_by_night": 75, "description": None, "latitude": None,
            "user_id": other_user["id"], "city_id": "elsewhere", "id": "x",
            "created_at": "1999-01-01T00:00:00.000000",
        },
    )
    assert updated["name"] == "Big tent"
    assert updated["price_by_night"] == 75
    assert updated["user_id"] == owner["id"]
    assert updated["city_id"] == city["id"]
    assert updated["id"] == place["id"]
    assert updated["created_at"] == place["created_at"]


def test_delete_place_deletes_its_reviews_and_links(seeded_api, ids):
    loft = ids("Place", "Sunny loft near the bay")
    seeded_api.delete(f"/places/{loft}")
    assert seeded_api.get(f"/places/{loft}", status=404) == {"error": "Not found"}
    assert seeded_api.stats()["reviews"] == 11
    assert seeded_api.stats()["amenities"] == 12


def test_places_of_a_city_sorted_by_name(seeded_api, ids):
    places = seeded_api.get(f"/cities/{ids('City', 'California', 'San Francisco')}/places")
    assert [place["name"] for place in places] == ["Sunny loft near the bay"]


def test_places_of_an_unknown_city_are_404(api):
    assert api.get("/cities/nope/places", status=404) == {"error": "Not found"}
