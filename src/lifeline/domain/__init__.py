"""Pure domain model: entities, the case lifecycle, events and errors. Standard library only."""
