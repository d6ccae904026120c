"""Monitoring: the SMC's own post stream, scored in batches; flagged posts become monitoring
cases that wait for review, with the author's recent posts kept (encrypted) for it."""
