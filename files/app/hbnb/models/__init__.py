"""The HBnB models; importing this package registers every table on Base.metadata."""
from hbnb.models.amenity import Amenity
from hbnb.models.base import Base
from hbnb.models.city import City
from hbnb.models.generation import Generation
from hbnb.models.place import Place, place_amenity
from hbnb.models.review import Review
from hbnb.models.state import State
from hbnb.models.user import User

__all__ = ["Amenity", "Base", "City", "Generation", "Place", "Review", "State", "User", "place_amenity"]
