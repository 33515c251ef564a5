"""Request handlers, one module per area of the service; each asks `access` before acting."""
