"""Looking after the catalog from the GUI: backups, the purge of rejected photos,
the Failed lane and the error log."""
