"""A catalog brought to the latest schema: the backup before a migration,
copied in steps that report progress (`progress`), and the upgrade done
ahead of an open, on the caller's thread (`prepare`: the window runs it on a
worker). The migrations themselves stay `catalog.db`'s and
`catalog.migrations`'."""
