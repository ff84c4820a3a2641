"""Code lists (LoW/EWC, R/D operations, NACE, resource kinds) and units."""
