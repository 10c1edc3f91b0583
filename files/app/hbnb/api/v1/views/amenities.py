"""`/amenities`: CRUD for Amenity."""
from sqlalchemy import select

from hbnb.api.v1.blueprint import api_v1
from hbnb.api.v1.payload import Text, checked, json_body, require
from hbnb.api.v1.resources import created, deleted, listed, shown, updated
from hbnb.db import get_or_404, get_session
from hbnb.models import Amenity

FIELDS = {"name": Text(128)}


@api_v1.route("/amenities", methods=["GET"])
def list_amenities():
    return listed(get_session().scalars(select(Amenity).order_by(Amenity.name, Amenity.id)))


@api_v1.route("/amenities", methods=["POST"])
def create_amenity():
    data = json_body()
    require(data, "name")
    return created(Amenity(**checked(data, FIELDS)))


@api_v1.route("/amenities/<amenity_id>", methods=["GET"])
def get_amenity(amenity_id):
    return shown(get_or_404(Amenity, amenity_id))


@api_v1.route("/amenities/<amenity_id>", methods=["PUT"])
def update_amenity(amenity_id):
    amenity = get_or_404(Amenity, amenity_id)
    return updated(amenity, checked(json_body(), FIELDS))


@api_v1.route("/amenities/<amenity_id>", methods=["DELETE"])
def delete_amenity(amenity_id):
    return deleted(get_or_404(Amenity, amenity_id))
