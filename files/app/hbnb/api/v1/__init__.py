"""REST API v1, mounted at /api/v1 with the original's routes and status codes."""
from hbnb.api.v1.blueprint import api_v1
# Imported for their side effect: each module adds its routes to api_v1.
from hbnb.api.v1.views import (  # noqa: F401
    amenities,
    cities,
    index,
    place_amenities,
    places,
    places_search,
    reviews,
    states,
    users,
)

__all__ = ["api_v1"]
