"""Page routers, one module per audience or subject."""
