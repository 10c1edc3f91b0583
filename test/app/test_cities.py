"""CRUD for cities: /states/<id>/cities and /cities/<id>."""


def test_cities_of_a_state_sorted_by_name(seeded_api, ids):
    cities = seeded_api.get(f"/states/{ids('State', 'California')}/cities")
    assert [city["name"] for city in cities] == ["Los Angeles", "San Diego", "San Francisco"]
    assert {city["state_id"] for city in cities} == {ids("State", "California")}
    assert all(city["__class__"] == "City" for city in cities)


def test_create_get_update_delete_city(api):
    state = api.create("/states", {"name": "Utah"})
    other = api.create("/states", {"name": "Idaho"})
    city = api.create(f"/states/{state['id']}/cities", {"name": "Moab", "state_id": other["id"]})
    # The state comes from the URL, whatever the body says.
    assert city["state_id"] == state["id"]
    assert city["name"] == "Moab"
    assert api.get(f"/cities/{city['id']}") == city

    updated = api.update(f"/cities/{city['id']}", {"name": "Moab City", "state_id": other["id"]})
    assert updated["name"] == "Moab City"
    assert updated["state_id"] == state["id"]

    api.delete(f"/cities/{city['id']}")
    assert api.get(f"/states/{state['id']}/cities") == []


def test_deleting_a_city_deletes_its_places(seeded_api, ids):
    seeded_api.delete(f"/cities/{ids('City', 'Arizona', 'Sedona')}")
    assert seeded_api.get(f"/places/{ids('Place', 'Red rock cabin')}", status=404) == {"error": "Not found"}
    assert seeded_api.stats()["places"] == 11


def test_cities_of_an_unknown_state_are_404(api):
    assert api.get("/states/nope/cities", status=404) == {"error": "Not found"}
