"""HTTP entrypoint: JSON API (versioned) and, later, the console."""
