"""Tags across the catalog: their counts over the photos a view shows (`counts`),
for `curator tags` and the window's tag cloud."""
