"""The blueprint every v1 view registers its routes on."""
from flask import Blueprint

from hbnb.api.v1.access import check_access

api_v1 = Blueprint("api_v1", __name__, url_prefix="/api/v1")
api_v1.before_request(check_access)
