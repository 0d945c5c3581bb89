"""Tags across the catalog: their counts over the photos a view shows (`counts`),
the edits of many photos at once by name (`edits`), for `curator tags`,
`curator tag` and the window's tag cloud, and keywords as another tool wrote
them beside the tags they became (`keywords`)."""
