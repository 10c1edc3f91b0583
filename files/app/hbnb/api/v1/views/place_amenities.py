"""`/places/<id>/amenities[/<id>]`: the amenities a place offers, linked and unlinked."""
from flask import abort, jsonify

from hbnb.api.v1.blueprint import api_v1
from hbnb.api.v1.resources import listed, shown
from hbnb.db import get_or_404, get_session
from hbnb.models import Amenity, Place


def place_and_amenity(place_id, amenity_id):
    """The place and the amenity, or 404 if either is unknown."""
    return get_or_404(Place, place_id), get_or_404(Amenity, amenity_id)


@api_v1.route("/places/<place_id>/amenities", methods=["GET"])
def list_place_amenities(place_id):
    return listed(get_or_404(Place, place_id).amenities)


@api_v1.route("/places/<place_id>/amenities/<amenity_id>", methods=["GET"])
def get_place_amenity(place_id, amenity_id):
    place, amenity = place_and_amenity(place_id, amenity_id)
    if amenity not in place.amenities:
        abort(404)
    return shown(amenity)


@api_v1.route("/places/<place_id>/amenities/<amenity_id>", methods=["POST"])
def link_place_amenity(place_id, amenity_id):
    place, amenity = place_and_amenity(place_id, amenity_id)
    # Linking twice is no error: 200 says the link was already there, 201 that it is new.
    if amenity in place.amenities:
        return shown(amenity)
    place.amenities.append(amenity)
    get_session().commit()
    return jsonify(amenity.to_dict()), 201


@api_v1.route("/places/<place_id>/amenities/<amenity_id>", methods=["DELETE"])
def unlink_place_amenity(place_id, amenity_id):
    place, amenity = place_and_amenity(place_id, amenity_id)
    if amenity not in place.amenities:
        abort(404)
    place.amenities.remove(amenity)
    get_session().commit()
    return jsonify({}), 200
