"""The Place <-> Amenity links: /places/<id>/amenities[/<id>]."""
import pytest


@pytest.fixture
def loft(ids):
    return ids("Place", "Sunny loft near the bay")


def names(amenities):
    return [amenity["name"] for amenity in amenities]


def test_list_amenities_of_a_place(seeded_api, loft):
    amenities = seeded_api.get(f"/places/{loft}/amenities")
    assert names(amenities) == ["Heating", "Kitchen", "Washer", "Wifi"]
    assert all(amenity["__class__"] == "Amenity" for amenity in amenities)


def test_get_a_linked_amenity(seeded_api, loft, ids):
    wifi = ids("Amenity", "Wifi")
    assert seeded_api.get(f"/places/{loft}/amenities/{wifi}")["name"] == "Wifi"
    pool = ids("Amenity", "Pool")
    assert seeded_api.get(f"/places/{loft}/amenities/{pool}", status=404) == {"error": "Not found"}


def test_link_then_link_again_then_unlink(seeded_api, loft, ids):
    pool = ids("Amenity", "Pool")
    first = seeded_api.call("POST", f"/places/{loft}/amenities/{pool}")
    assert first.status_code == 201
    assert first.get_json()["name"] == "Pool"
    again = seeded_api.call("POST", f"/places/{loft}/amenities/{pool}")
    assert again.status_code == 200
    assert again.get_json() == first.get_json()
    assert names(seeded_api.get(f"/places/{loft}/amenities")) == [
        "Heating", "Kitchen", "Pool", "Washer", "Wifi",
    ]

    seeded_api.delete(f"/places/{loft}/amenities/{pool}")
    assert "Pool" not in names(seeded_api.get(f"/places/{loft}/amenities"))
    # The amenity itself stays.
    assert seeded_api.get(f"/amenities/{pool}")["name"] == "Pool"
    gone = seeded_api.call("DELETE", f"/places/{loft}/amenities/{pool}")
    assert gone.status_code == 404
    assert gone.get_json() == {"error": "Not found"}


def test_unknown_place_or_amenity_is_404(seeded_api, loft, ids):
    wifi = ids("Amenity", "Wifi")
    for method in ("GET", "POST", "DELETE"):
        for path in (f"/places/nope/amenities/{wifi}", f"/places/{loft}/amenities/nope"):
            response = seeded_api.call(method, path)
            assert response.status_code == 404, (method, path)
            assert response.get_json() == {"error": "Not found"}
    assert seeded_api.get("/places/nope/amenities", status=404) == {"error": "Not found"}
