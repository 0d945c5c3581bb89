"""The client galleries' migrations (issue 81: a proofing gallery the client
opens in a browser, whose hearts come back into the catalog): v32 the
galleries, their photos and the client's hearts and comments. Numbered and
append-only as the rest (`catalog.migrations`)."""
