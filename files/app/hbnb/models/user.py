"""A User owns places and writes reviews; only a hash of the password is stored."""
from sqlalchemy import Column, String
from sqlalchemy.orm import relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from hbnb.models.base import Base, BaseModel


class User(BaseModel, Base):
    __tablename__ = "users"
    hidden_fields = ("password",)

    email = Column(String(128), nullable=False)
    # 256: Werkzeug's scrypt hashes (its default from 3.0) are longer than 128 characters.
    password = Column(String(256), nullable=False)
    first_name = Column(String(128), nullable=True)
    last_name = Column(String(128), nullable=True)

    places = relationship("Place", back_populates="user", cascade="all, delete-orphan")
    reviews = relationship("Review", back_populates="user", cascade="all, delete-orphan")

    @validates("password")
    def _hash_password(self, _key, plain_password):
        # Every write goes through here (API and seed alike), so no caller can store it plain.
        return generate_password_hash(plain_password)

    def check_password(self, plain_password):
        return check_password_hash(self.password, plain_password)
