"""The graph server: the driver connection, the embedded server process, schema introspection, stats."""
