"""Organisations, sites, networks and streams (offers and needs)."""
