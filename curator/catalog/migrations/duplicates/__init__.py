"""The near-duplicates' migrations (issue 83)."""
