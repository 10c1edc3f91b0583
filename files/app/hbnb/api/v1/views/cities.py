"""`/states/<id>/cities` and `/cities/<id>`: CRUD for City."""
from hbnb.api.v1.blueprint import api_v1
from hbnb.api.v1.payload import Text, checked, json_body, require
from hbnb.api.v1.resources import created, deleted, listed, shown, updated
from hbnb.db import get_or_404
from hbnb.models import City, State

# state_id comes from the URL and never changes (the original ignores it on update).
FIELDS = {"name": Text(128)}


@api_v1.route("/states/<state_id>/cities", methods=["GET"])
def list_cities(state_id):
    return listed(get_or_404(State, state_id).cities)


@api_v1.route("/states/<state_id>/cities", methods=["POST"])
def create_city(state_id):
    state = get_or_404(State, state_id)
    data = json_body()
    require(data, "name")
    return created(City(state_id=state.id, **checked(data, FIELDS)))


@api_v1.route("/cities/<city_id>", methods=["GET"])
def get_city(city_id):
    return shown(get_or_404(City, city_id))


@api_v1.route("/cities/<city_id>", methods=["PUT"])
def update_city(city_id):
    city = get_or_404(City, city_id)
    return updated(city, checked(json_body(), FIELDS))


@api_v1.route("/cities/<city_id>", methods=["DELETE"])
def delete_city(city_id):
    return deleted(get_or_404(City, city_id))
