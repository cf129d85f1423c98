"""Alembic migrations of the mapping store; shipped inside the package so an installed wheel can migrate."""
