"""The gallery's reads: which photos it shows, in which order (`lists`)."""
