"""`POST /places_search`: the places in some states or cities having all some amenities."""
from flask import request
from sqlalchemy import or_, select

from hbnb.api.v1.blueprint import api_v1
from hbnb.api.v1.payload import json_body
from hbnb.api.v1.resources import listed
from hbnb.db import get_session
from hbnb.errors import ApiError
from hbnb.models import Amenity, City, Place

FILTERS = ("states", "cities", "amenities")


def id_list(data, name):
    """The list of ids under `name`; absent or null counts as empty."""
    ids = data.get(name)
    if ids is None:
        return []
    if not isinstance(ids, list) or not all(isinstance(item, str) for item in ids):
        raise ApiError(400, f"{name} must be a list of ids")
    return ids


@api_v1.route("/places_search", methods=["POST"])
def places_search():
    """As the original: no filter, all places; states and cities add up (a union);
    amenities keep the places having every one of them. Unknown ids match nothing."""
    # An empty body is a search with no filter, like `{}`.
    data = json_body() if request.get_data() else {}
    states, cities, amenities = (id_list(data, name) for name in FILTERS)

    query = select(Place).order_by(Place.name, Place.id)
    if states or cities:
        query = query.where(
            or_(Place.city_id.in_(cities), Place.city.has(City.state_id.in_(states)))
        )
    for amenity_id in set(amenities):
        query = query.where(Place.amenities.any(Amenity.id == amenity_id))
    return listed(get_session().scalars(query))
