"""`/cities/<id>/places` and `/places/<id>`: CRUD for Place."""
from hbnb.api.v1.blueprint import api_v1
from hbnb.api.v1.payload import Coordinate, Count, Text, checked, id_field, json_body, require
from hbnb.api.v1.resources import created, deleted, listed, shown, updated
from hbnb.db import get_or_404
from hbnb.models import City, Place, User

# city_id (from the URL) and user_id (the owner) never change once the place exists.
FIELDS = {
    "name": Text(128),
    "description": Text(1024, optional=True),
    "number_rooms": Count(),
    "number_bathrooms": Count(),
    "max_guest": Count(),
    "price_by_night": Count(),
    "latitude": Coordinate(90),
    "longitude": Coordinate(180),
}


@api_v1.route("/cities/<city_id>/places", methods=["GET"])
def list_places(city_id):
    city = get_or_404(City, city_id)
    return listed(sorted(city.places, key=lambda place: (place.name, place.id)))


@api_v1.route("/cities/<city_id>/places", methods=["POST"])
def create_place(city_id):
    city = get_or_404(City, city_id)
    # The original's order of checks: body, owner given, owner exists, then name.
    data = json_body()
    owner = get_or_404(User, id_field(data, "user_id"))
    require(data, "name")
    return created(Place(city_id=city.id, user_id=owner.id, **checked(data, FIELDS)))


@api_v1.route("/places/<place_id>", methods=["GET"])
def get_place(place_id):
    return shown(get_or_404(Place, place_id))


@api_v1.route("/places/<place_id>", methods=["PUT"])
def update_place(place_id):
    place = get_or_404(Place, place_id)
    return updated(place, checked(json_body(), FIELDS))


@api_v1.route("/places/<place_id>", methods=["DELETE"])
def delete_place(place_id):
    return deleted(get_or_404(Place, place_id))
