"""The ids of one demo row of each class, by the names the tests' paths use ({state}, ...)."""
from hbnb.seed import demo_id

DEMO_IDS = {
    "state": demo_id("State", "California"),
    "city": demo_id("City", "California", "San Francisco"),
    "user": demo_id("User", "betty@example.com"),
    "place": demo_id("Place", "Sunny loft near the bay"),
    "review": demo_id("Review", "Sunny loft near the bay", "grace@example.com"),
    "amenity": demo_id("Amenity", "Wifi"),
}
