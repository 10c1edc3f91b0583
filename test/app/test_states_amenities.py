"""CRUD for /states and /amenities: two resources with just a name."""
import time

import pytest

RESOURCES = pytest.mark.parametrize("resource, cls", [("/states", "State"), ("/amenities", "Amenity")])


@RESOURCES
def test_create_returns_201_and_the_object(api, resource, cls):
    created = api.create(resource, {"name": "Nevada"})
    assert created["__class__"] == cls
    assert created["name"] == "Nevada"
    assert set(created) == {"__class__", "id", "name", "created_at", "updated_at"}
    assert api.get(f"{resource}/{created['id']}") == created


@RESOURCES
def test_list_is_sorted_by_name(api, resource, cls):
    assert api.get(resource) == []
    for name in ("Wyoming", "Alaska", "Maine"):
        api.create(resource, {"name": name})
    assert [item["name"] for item in api.get(resource)] == ["Alaska", "Maine", "Wyoming"]


@RESOURCES
def test_update_changes_the_name_and_ignores_protected_fields(api, resource, cls):
    created = api.create(resource, {"name": "Nevada"})
    time.sleep(0.01)
    updated = api.update(
        f"{resource}/{created['id']}",
        {
            "name": "Nevada!",
            "id": "new-id",
            "created_at": "2000-01-01T00:00:00.000000",
            "updated_at": "2000-01-01T00:00:00.000000",
            "unknown": "ignored",
        },
    )
    assert updated["name"] == "Nevada!"
    assert updated["id"] == created["id"]
    assert updated["created_at"] == created["created_at"]
    assert updated["updated_at"] > created["updated_at"]
    assert "unknown" not in updated
    assert api.get(f"{resource}/{created['id']}") == updated


@RESOURCES
def test_empty_update_is_accepted(api, resource, cls):
    created = api.create(resource, {"name": "Nevada"})
    assert api.update(f"{resource}/{created['id']}", {})["name"] == "Nevada"


@RESOURCES
def test_delete_returns_empty_object_then_404(api, resource, cls):
    created = api.create(resource, {"name": "Nevada"})
    api.delete(f"{resource}/{created['id']}")
    assert api.get(f"{resource}/{created['id']}", status=404) == {"error": "Not found"}
    assert api.get(resource) == []


@RESOURCES
def test_ids_are_uuid4(api, resource, cls):
    import uuid

    created = api.create(resource, {"name": "Nevada"})
    assert uuid.UUID(created["id"]).version == 4


def test_deleting_a_state_deletes_its_cities_places_and_reviews(seeded_api, ids):
    california = ids("State", "California")
    seeded_api.delete(f"/states/{california}")
    stats = seeded_api.stats()
    # California holds 3 cities, 3 places and 4 reviews of the demo data.
    assert stats["states"] == 9
    assert stats["cities"] == 19
    assert stats["places"] == 9
    assert stats["reviews"] == 9
    assert seeded_api.get(f"/cities/{ids('City', 'California', 'San Francisco')}", status=404)


def test_deleting_an_amenity_unlinks_it_from_places(seeded_api, ids):
    wifi = ids("Amenity", "Wifi")
    loft = ids("Place", "Sunny loft near the bay")
    seeded_api.delete(f"/amenities/{wifi}")
    names = [amenity["name"] for amenity in seeded_api.get(f"/places/{loft}/amenities")]
    assert names == ["Heating", "Kitchen", "Washer"]
    assert seeded_api.stats()["places"] == 12


def test_unicode_names_round_trip(api):
    created = api.create("/states", {"name": "Île-de-France ✓"})
    assert api.get(f"/states/{created['id']}")["name"] == "Île-de-France ✓"
