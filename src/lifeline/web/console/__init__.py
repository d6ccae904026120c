"""Server-rendered operator console (see the console issue)."""
