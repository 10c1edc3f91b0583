"""`POST /places_search`: the places in some states or cities having all some amenities,
a page at a time."""
from flask import request
from sqlalchemy import func, or_, select

from hbnb.api.v1.blueprint import api_v1
from hbnb.api.v1.paging import after_cursor, next_page, page_limit
from hbnb.api.v1.payload import json_body, text
from hbnb.api.v1.resources import listed
from hbnb.db import get_session
from hbnb.errors import ApiError
from hbnb.models import City, Place
from hbnb.models.place import place_amenity

FILTERS = ("states", "cities", "amenities")
# The most ids one filter may list. The page sends the boxes a visitor ticked; a longer list is
# no search a person makes, and each id is a bound value the database must compare.
MAX_IDS = 1000


def id_list(data, name):
    """The distinct ids under `name`; absent or null counts as empty."""
    ids = data.get(name)
    if ids is None:
        return []
    if not isinstance(ids, list) or not all(isinstance(item, str) and text(item) for item in ids):
        raise ApiError(400, f"{name} must be a list of ids")
    if len(ids) > MAX_IDS:
        raise ApiError(400, f"{name} may list at most {MAX_IDS} ids")
    return sorted(set(ids))


@api_v1.route("/places_search", methods=["POST"])
def places_search():
    """As the original: no filter, all places; states and cities add up (a union);
    amenities keep the places having every one of them. Unknown ids match nothing.

    One page of them, by name then id (hbnb/api/v1/paging.py): `limit` places (a default
    when absent), from after the `after` cursor; the body stays a JSON list, and the cursor
    of the next page, if any, comes in the X-Next-Page header."""
    # An empty body is a search with no filter, like `{}`.
    data = json_body() if request.get_data() else {}
    states, cities, amenities = (id_list(data, name) for name in FILTERS)
    limit = page_limit(data)
    after = after_cursor(data)

    query = select(Place)
    if states or cities:
        # One list of cities: those named and those of the states named.
        in_states = select(City.id).where(City.state_id.in_(states))
        query = query.where(or_(Place.city_id.in_(cities), Place.city_id.in_(in_states)))
    if amenities:
        # One condition whatever the number of ids: the places linked to as many of them as
        # were asked for. (A condition per id made a tree of thousands of nodes.)
        having_all = (
            select(place_amenity.c.place_id)
            .where(place_amenity.c.amenity_id.in_(amenities))
            .group_by(place_amenity.c.place_id)
            .having(func.count() == len(amenities))
        )
        query = query.where(Place.id.in_(having_all))
    places, cursor = next_page(get_session(), query, limit, after)
    response = listed(places)
    if cursor is not None:
        response.headers["X-Next-Page"] = cursor
    return response
