"""An Amenity (Wifi, Pool...) that places offer."""
from sqlalchemy import Column, String
from sqlalchemy.orm import relationship

from hbnb.models.base import Base, BaseModel
from hbnb.models.place import place_amenity


class Amenity(BaseModel, Base):
    __tablename__ = "amenities"

    name = Column(String(128), nullable=False)

    # Declared on both sides so that deleting an amenity also removes its links to places.
    places = relationship("Place", secondary=place_amenity, back_populates="amenities")
