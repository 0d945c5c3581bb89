"""Lightroom Classic catalogs for tests, built on Lightroom's own schema.

The DDL below is the column set `sqlite3 .schema` prints for a Lightroom
Classic 13 catalog (transcribed from the dump in TurbulentRice/lr-ai-editor
`docs/example_lrcat_schema.sql`): untyped columns, Lightroom's defaults and
indexes. Values are written the way Lightroom writes them: ratings and picks
REAL, `touchTime` REAL seconds since 2001-01-01, `captureTime` ISO text with
hundredths, keyword `genealogy` as "/" + length-prefixed ids (lrcat-extractor's
notes on the lrcat format), `id_global` UUIDs, the root keyword with a NULL name and its id
in Adobe_variablesTable `AgLibraryKeyword_rootTagID`.
"""

from __future__ import annotations

import sqlite3
import uuid
from datetime import datetime
from pathlib import Path

SCHEMA = """
CREATE TABLE Adobe_variablesTable (
    id_local INTEGER PRIMARY KEY, id_global UNIQUE NOT NULL, name, type,
    value NOT NULL DEFAULT '');
CREATE TABLE AgLibraryRootFolder (
    id_local INTEGER PRIMARY KEY, id_global UNIQUE NOT NULL,
    absolutePath UNIQUE NOT NULL DEFAULT '', name NOT NULL DEFAULT '',
    relativePathFromCatalog);
CREATE TABLE AgLibraryFolder (
    id_local INTEGER PRIMARY KEY, id_global UNIQUE NOT NULL, parentId INTEGER,
    pathFromRoot NOT NULL DEFAULT '', rootFolder INTEGER NOT NULL DEFAULT 0,
    visibility INTEGER);
CREATE UNIQUE INDEX index_AgLibraryFolder_rootFolderAndPath
    ON AgLibraryFolder( rootFolder, pathFromRoot );
CREATE TABLE AgLibraryFile (
    id_local INTEGER PRIMARY KEY, id_global UNIQUE NOT NULL, baseName NOT NULL DEFAULT '',
    errorMessage, errorTime, extension NOT NULL DEFAULT '', externalModTime,
    folder INTEGER NOT NULL DEFAULT 0, idx_filename NOT NULL DEFAULT '', importHash,
    lc_idx_filename NOT NULL DEFAULT '', lc_idx_filenameExtension NOT NULL DEFAULT '',
    md5, modTime, originalFilename NOT NULL DEFAULT '', sidecarExtensions);
CREATE UNIQUE INDEX index_AgLibraryFile_nameAndFolder
    ON AgLibraryFile( lc_idx_filename, folder );
CREATE TABLE Adobe_images (
    id_local INTEGER PRIMARY KEY, id_global UNIQUE NOT NULL,
    aspectRatioCache NOT NULL DEFAULT -1, bitDepth NOT NULL DEFAULT 0, captureTime,
    colorChannels NOT NULL DEFAULT 0, colorLabels NOT NULL DEFAULT '',
    colorMode NOT NULL DEFAULT -1, copyCreationTime NOT NULL DEFAULT -63113817600,
    copyName, copyReason, developSettingsIDCache, editLock INTEGER NOT NULL DEFAULT 0,
    fileFormat NOT NULL DEFAULT 'unset', fileHeight, fileWidth,
    hasMissingSidecars INTEGER, masterImage INTEGER, orientation, originalCaptureTime,
    originalRootEntity INTEGER, panningDistanceH, panningDistanceV,
    pick NOT NULL DEFAULT 0, positionInFolder NOT NULL DEFAULT 'z', propertiesCache,
    pyramidIDCache, rating, rootFile INTEGER NOT NULL DEFAULT 0, sidecarStatus,
    touchCount NOT NULL DEFAULT 0, touchTime NOT NULL DEFAULT 0);
CREATE INDEX index_Adobe_images_rootFile ON Adobe_images( rootFile );
CREATE INDEX index_Adobe_images_masterImage ON Adobe_images( masterImage );
CREATE TABLE AgLibraryKeyword (
    id_local INTEGER PRIMARY KEY, id_global UNIQUE NOT NULL,
    dateCreated NOT NULL DEFAULT '', genealogy NOT NULL DEFAULT '',
    imageCountCache DEFAULT -1, includeOnExport INTEGER NOT NULL DEFAULT 1,
    includeParents INTEGER NOT NULL DEFAULT 1, includeSynonyms INTEGER NOT NULL DEFAULT 1,
    keywordType, lastApplied, lc_name, name, parent INTEGER);
CREATE UNIQUE INDEX index_AgLibraryKeyword_parentAndLcName
    ON AgLibraryKeyword( parent, lc_name );
CREATE TABLE AgLibraryKeywordImage (
    id_local INTEGER PRIMARY KEY, image INTEGER NOT NULL DEFAULT 0,
    tag INTEGER NOT NULL DEFAULT 0);
CREATE TABLE AgLibraryIPTC (
    id_local INTEGER PRIMARY KEY, altTextAccessibility, caption, copyright,
    extDescrAccessibility, image INTEGER NOT NULL DEFAULT 0);
"""

COCOA_EPOCH = datetime(2001, 1, 1)


def cocoa(when: datetime) -> float:
    """Lightroom's touchTime for a naive UTC time."""
    return (when - COCOA_EPOCH).total_seconds()


class LrcatBuilder:
    """A Lightroom catalog being filled in, row by row, as Lightroom would."""

    def __init__(self, path: Path, version: str = "1300025"):
        self.path = path
        self.conn = sqlite3.connect(path)
        self.conn.executescript(SCHEMA)
        self._next = 100
        self._folders: dict[tuple[int, str], int] = {}
        self._keywords: dict[tuple[int, str], int] = {}
        self.var("Adobe_DBVersion", version)
        self.root_tag = self._id()
        self.conn.execute(
            "INSERT INTO AgLibraryKeyword (id_local, id_global, genealogy, name, parent) "
            "VALUES (?, ?, ?, NULL, NULL)",
            (self.root_tag, self._uuid(), self._genealogy([self.root_tag])),
        )
        self.var("AgLibraryKeyword_rootTagID", str(self.root_tag))

    def _id(self) -> int:
        self._next += 1
        return self._next

    @staticmethod
    def _uuid() -> str:
        return str(uuid.uuid4()).upper()

    @staticmethod
    def _genealogy(ids: list[int]) -> str:
        return "".join(f"/{len(str(i))}{i}" for i in ids)

    def var(self, name: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO Adobe_variablesTable (id_local, id_global, name, value) "
            "VALUES (?, ?, ?, ?)",
            (self._id(), self._uuid(), name, value),
        )

    def root(self, absolute: str) -> int:
        rid = self._id()
        name = absolute.rstrip("/").rsplit("/", 1)[-1]
        self.conn.execute(
            "INSERT INTO AgLibraryRootFolder (id_local, id_global, absolutePath, name) "
            "VALUES (?, ?, ?, ?)",
            (rid, self._uuid(), absolute if absolute.endswith("/") else absolute + "/", name),
        )
        return rid

    def folder(self, root: int, path_from_root: str) -> int:
        key = (root, path_from_root)
        if key not in self._folders:
            fid = self._id()
            self.conn.execute(
                "INSERT INTO AgLibraryFolder (id_local, id_global, pathFromRoot, rootFolder) "
                "VALUES (?, ?, ?, ?)",
                (fid, self._uuid(), path_from_root, root),
            )
            self._folders[key] = fid
        return self._folders[key]

    def image(
        self,
        root: int,
        path_from_root: str,
        file_name: str,
        *,
        rating: float | None = None,
        pick: float = 0.0,
        label: str = "",
        touched: datetime | None = None,
        captured: datetime | None = None,
        size: tuple[int, int] | None = None,
        sidecars: str | None = None,
        master: int | None = None,
        copy_name: str | None = None,
        caption: str | None = None,
    ) -> int:
        """An Adobe_images row (and its AgLibraryFile unless it is a virtual copy)."""
        if master is None:
            fid = self._id()
            base, _, ext = file_name.rpartition(".")
            self.conn.execute(
                "INSERT INTO AgLibraryFile (id_local, id_global, baseName, extension, folder, "
                "idx_filename, lc_idx_filename, lc_idx_filenameExtension, originalFilename, "
                "sidecarExtensions) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    fid,
                    self._uuid(),
                    base,
                    ext,
                    self.folder(root, path_from_root),
                    file_name,
                    file_name.lower(),
                    ext.lower(),
                    file_name,
                    sidecars or "",
                ),
            )
        else:
            fid = self.conn.execute(
                "SELECT rootFile FROM Adobe_images WHERE id_local = ?", (master,)
            ).fetchone()[0]
        iid = self._id()
        self.conn.execute(
            "INSERT INTO Adobe_images (id_local, id_global, captureTime, colorLabels, copyName, "
            "fileFormat, fileHeight, fileWidth, masterImage, pick, rating, rootFile, touchTime) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                iid,
                self._uuid(),
                captured.strftime("%Y-%m-%dT%H:%M:%S.00") if captured else None,
                label,
                copy_name,
                file_name.rpartition(".")[2].upper(),
                size[1] if size else None,
                size[0] if size else None,
                master,
                float(pick),
                float(rating) if rating is not None else None,
                fid,
                cocoa(touched) if touched else 0,
            ),
        )
        if caption:
            self.conn.execute(
                "INSERT INTO AgLibraryIPTC (id_local, caption, image) VALUES (?, ?, ?)",
                (self._id(), caption, iid),
            )
        return iid

    def keyword(self, path: str, *, include_on_export: bool = True) -> int:
        """A keyword "Places|London|St Paul's" with its parents (created as needed)."""
        parent, ids = self.root_tag, [self.root_tag]
        kid = parent
        for name in path.split("|"):
            key = (parent, name.lower())
            if key not in self._keywords:
                kid = self._id()
                ids_here = [*ids, kid]
                self.conn.execute(
                    "INSERT INTO AgLibraryKeyword (id_local, id_global, dateCreated, genealogy, "
                    "includeOnExport, lc_name, name, parent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        kid,
                        self._uuid(),
                        cocoa(datetime(2024, 1, 1)),
                        self._genealogy(ids_here),
                        1,
                        name.lower(),
                        name,
                        parent,
                    ),
                )
                self._keywords[key] = kid
            kid = self._keywords[key]
            ids.append(kid)
            parent = kid
        if not include_on_export:
            self.conn.execute(
                "UPDATE AgLibraryKeyword SET includeOnExport = 0 WHERE id_local = ?", (kid,)
            )
        return kid

    def tag(self, image: int, keyword: int) -> None:
        self.conn.execute(
            "INSERT INTO AgLibraryKeywordImage (id_local, image, tag) VALUES (?, ?, ?)",
            (self._id(), image, keyword),
        )

    def close(self) -> Path:
        self.conn.commit()
        self.conn.close()
        return self.path
