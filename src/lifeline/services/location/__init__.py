"""Location: from what an alert says about place to the case's one place, and the jurisdiction
registry."""
