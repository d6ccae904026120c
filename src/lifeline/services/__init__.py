"""Use cases and the ports they need. Services import only the domain."""
