"""`/states`: CRUD for State."""
from sqlalchemy import select

from hbnb.api.v1.blueprint import api_v1
from hbnb.api.v1.payload import Text, checked, json_body, require
from hbnb.api.v1.resources import created, deleted, listed, shown, updated
from hbnb.db import get_or_404, get_session
from hbnb.models import State

FIELDS = {"name": Text(128)}


@api_v1.route("/states", methods=["GET"])
def list_states():
    return listed(get_session().scalars(select(State).order_by(State.name, State.id)))


@api_v1.route("/states", methods=["POST"])
def create_state():
    data = json_body()
    require(data, "name")
    return created(State(**checked(data, FIELDS)))


@api_v1.route("/states/<state_id>", methods=["GET"])
def get_state(state_id):
    return shown(get_or_404(State, state_id))


@api_v1.route("/states/<state_id>", methods=["PUT"])
def update_state(state_id):
    state = get_or_404(State, state_id)
    return updated(state, checked(json_body(), FIELDS))


@api_v1.route("/states/<state_id>", methods=["DELETE"])
def delete_state(state_id):
    return deleted(get_or_404(State, state_id))
