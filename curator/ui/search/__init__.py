"""The toolbar's search box and the controller that runs `curator.search` off the
UI thread."""
