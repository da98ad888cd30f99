"""Immutable documents in GridFS (PyMongo's async bucket): the creditor's proofs and the generated
letters. Each file is written once under a fresh id, with its SHA-256 and media type in its
metadata, and never replaced nor deleted by the service."""

from __future__ import annotations

import hashlib
import uuid

from gridfs import AsyncGridFSBucket
from gridfs.errors import NoFile

from chassis.mongo import IndexSpec, MongoDatabase, ascending
from recovery.ports import StoredDocument

BUCKET = "documents"
# What the GridFS specification's drivers would create on first write; declared so they exist at start.
INDEXES: list[IndexSpec] = [
    ascending(f"{BUCKET}.files", "filename", "uploadDate"),
    ascending(f"{BUCKET}.chunks", "files_id", "n", unique=True),
]


class GridFsDocumentStore:
    """Implements `recovery.ports.DocumentStore`."""

    def __init__(self, db: MongoDatabase) -> None:
        self._bucket = AsyncGridFSBucket(db, bucket_name=BUCKET)
        self._files = db[f"{BUCKET}.files"]

    async def put(self, content: bytes, *, media_type: str, name: str) -> StoredDocument:
        digest = hashlib.sha256(content).hexdigest()
        document_id = uuid.uuid4().hex
        await self._bucket.upload_from_stream_with_id(
            document_id, name, content, metadata={"sha256": digest, "media_type": media_type}
        )
        return StoredDocument(document_id, digest, len(content), media_type, name)

    async def get(self, document_id: str) -> bytes:
        try:
            stream = await self._bucket.open_download_stream(document_id)
        except NoFile:
            raise KeyError(document_id) from None
        content: bytes = await stream.read()
        return content

    async def describe(self, document_id: str) -> StoredDocument | None:
        """The stored document's name, size, media type and SHA-256, or None."""
        file = await self._files.find_one({"_id": document_id})
        if file is None:
            return None
        metadata = file.get("metadata") or {}
        return StoredDocument(
            document_id,
            str(metadata.get("sha256", "")),
            int(file["length"]),
            str(metadata.get("media_type", "")),
            str(file["filename"]),
        )
