"""Files on disk, safely, for every room that reads or writes the user's
folders: can a folder be read (`folders`), names safe on every disk
(`names`), a temporary name published without overwriting (`publish`).
Imports no other curator room (no Qt, no catalog): the import's scan,
export and ingest all stand on it."""
