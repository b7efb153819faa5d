"""Sessions: one per call, with its transcript, and the REST API that serves them."""
