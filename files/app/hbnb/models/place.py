"""A Place to stay: in a City, owned by a User, with reviews and amenities."""
from sqlalchemy import Column, Float, ForeignKey, Index, Integer, String, Table
from sqlalchemy.orm import relationship

from hbnb.models.base import Base, BaseModel

# The Place <-> Amenity many-to-many link, named as in the original's MySQL schema.
place_amenity = Table(
    "place_amenity",
    Base.metadata,
    Column("place_id", String(60), ForeignKey("places.id"), primary_key=True),
    Column("amenity_id", String(60), ForeignKey("amenities.id"), primary_key=True),
    # places_search by amenity reads the links of those amenities: found by amenity here,
    # where the primary key (place first) would make it read every link. (MySQL indexes a
    # foreign key by itself; SQLite does not.)
    Index("ix_place_amenity_amenity", "amenity_id", "place_id"),
)


class Place(BaseModel, Base):
    __tablename__ = "places"
    # places_search's order and the seek to a page's cursor (hbnb/api/v1/paging.py); and the
    # places of some cities (SQLite indexes no foreign key by itself).
    __table_args__ = (
        Index("ix_places_name_id", "name", "id"),
        Index("ix_places_city_id", "city_id"),
    )

    city_id = Column(String(60), ForeignKey("cities.id"), nullable=False)
    user_id = Column(String(60), ForeignKey("users.id"), nullable=False)
    name = Column(String(128), nullable=False)
    description = Column(String(1024), nullable=True)
    number_rooms = Column(Integer, nullable=False, default=0)
    number_bathrooms = Column(Integer, nullable=False, default=0)
    max_guest = Column(Integer, nullable=False, default=0)
    price_by_night = Column(Integer, nullable=False, default=0)
    latitude = Column(Float, nullable=True)
    longitude = Column(Float, nullable=True)

    city = relationship("City", back_populates="places")
    user = relationship("User", back_populates="places")
    reviews = relationship("Review", back_populates="place", cascade="all, delete-orphan")
    amenities = relationship(
        "Amenity", secondary=place_amenity, back_populates="places", order_by="Amenity.name"
    )
