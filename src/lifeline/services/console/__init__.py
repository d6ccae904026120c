"""Console: the operator desk's use cases (queue, case page, notes, phone alerts) and the
district map."""
