"""The People view (issue 50 §3): a face tile per person, naming, merging, a wrong face out."""
