"""Partial fetches: a snapshot's commits and trees without blobs, and the few blobs a seed reads, by id.

A create-only seed decides what is missing from the tree listing alone: a path that exists is
never overwritten, and an existing file equal to the template has the template's blob id. So a
snapshot asks the server for ``filter blob:none`` (git's partial clone: protocol v2 ``fetch``
with the ``filter`` feature, which git servers offer when ``uploadpack.allowFilter`` is on),
and reads only the blobs whose content matters (a file that differs from its template, a seed
record that differs from the one this seed would write) afterwards, in one round, by id.

The fallback, where the server does not offer the filter (or only speaks protocol v0/v1, where
dulwich sends no filter): the server sends the head's blobs anyway, as to a depth-1 clone. A warm
object cache (see ``cache.py``) fetches nothing at all; a fetch into memory or into an empty cache
drops those blobs unread on arrival. Where a server refuses a ``want`` of a blob by id (protocol
v0/v1 without ``uploadpack.allowAnySHA1InWant``), the blobs come with an unfiltered fetch of the
heads instead.

A fetch that sends no ``have`` (into memory, or into an empty cache) is parsed once, here: each
object inflated once and kept parsed, and, when nothing was dropped, the pack kept as received
with its index entries (no ``have``: the server sends a self-contained pack), so a cache can
store it as it is.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from dulwich.client import GitClient
from dulwich.errors import GitProtocolError
from dulwich.object_format import DEFAULT_OBJECT_FORMAT
from dulwich.object_store import ObjectStoreGraphWalker
from dulwich.objects import Blob, ShaFile, sha_to_hex
from dulwich.pack import OFS_DELTA, DeltaChainIterator, PackData, PackIndexEntry, UnpackedObject, UnresolvedDeltas

from .transport import Remote

DetermineWants = Callable[..., list[bytes]]
"""dulwich's ``determine_wants(refs, depth=None) -> [sha, ...]``."""
BLOB_FILTER = b"blob:none"
"""The object filter of a snapshot's fetch: commits and trees only."""
_ZERO = b"0" * 40


@dataclass
class Received:
    """What one fetch without ``have``s brought."""

    refs: dict[bytes, bytes]
    """Every ref the remote advertised (zero ids left out)."""
    objects: dict[bytes, ShaFile] = field(default_factory=dict)
    """Each object kept, parsed, by hex id."""
    pack: bytes = b""
    """The pack as received, when every object in it was kept (else b"")."""
    entries: list[PackIndexEntry] = field(default_factory=list)
    """(binary id, offset, crc32) of each object in ``pack``: its index."""
    shallow: set[bytes] = field(default_factory=set)
    """Commits received without their parents (depth 1)."""
    count: int = 0
    """Objects in the pack received (kept or not)."""


class _Parsed(DeltaChainIterator[tuple[ShaFile, PackIndexEntry]]):
    """Each object of a pack inflated once: the parsed object and its index entry."""

    _compute_crc32 = True

    def _result(self, unpacked: UnpackedObject) -> tuple[ShaFile, PackIndexEntry]:
        assert unpacked.obj_type_num is not None and unpacked.obj_chunks is not None and unpacked.offset is not None
        sha = unpacked.sha()
        obj = ShaFile.from_raw_chunks(unpacked.obj_type_num, unpacked.obj_chunks, sha_to_hex(sha))
        return obj, (sha, unpacked.offset, unpacked.crc32)  # type: ignore[return-value]


class _ParsedWithoutBlobs(_Parsed):
    """As `_Parsed`, but blobs (and deltas on them, by offset) are neither resolved nor kept."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self._dropped: set[int] = set()

    def record(self, unpacked: UnpackedObject) -> None:
        kind, offset = unpacked.pack_type_num, unpacked.offset
        assert offset is not None
        base = offset - unpacked.delta_base if kind == OFS_DELTA else None  # type: ignore[operator]
        if kind == Blob.type_num or base in self._dropped:
            self._dropped.add(offset)
            return
        super().record(unpacked)


def parse_pack(data: bytes, *, blobs: bool = True) -> tuple[dict[bytes, ShaFile], list[PackIndexEntry]]:
    """Objects (by hex id) and their index entries of a self-contained pack; ChecksumMismatch when it is damaged.

    Without ``blobs``, blobs are dropped unread. A pack whose deltas refer to a dropped blob by id rather
    than by offset (git sends offsets) is read whole instead."""
    with PackData.from_file(io.BytesIO(data), DEFAULT_OBJECT_FORMAT, len(data)) as pack:
        pack.check()  # the trailing checksum: a truncated or damaged pack is refused
        walker = _Parsed if blobs else _ParsedWithoutBlobs
        objects, entries = {}, []
        try:
            for obj, entry in walker.for_pack_data(pack):  # no resolve_ext_ref: a thin pack is refused
                objects[obj.id] = obj
                entries.append(entry)
        except UnresolvedDeltas:
            if blobs:
                raise
            return parse_pack(data)
    return objects, entries


def receive(
    client: GitClient, remote: Remote, determine_wants: DetermineWants, *, partial: bool, depth: int | None = 1
) -> Received:
    """Fetch what ``determine_wants`` picks, sending no ``have``; depth 1 by default.

    ``partial``: no blobs, left out by the server where it offers the filter, else dropped on arrival."""
    buffer = io.BytesIO()
    walker = ObjectStoreGraphWalker([], lambda _sha: [], shallow=set())
    result = client.fetch_pack(
        remote.path,
        determine_wants,
        walker,
        buffer.write,
        depth=depth,
        filter_spec=BLOB_FILTER if partial else None,
    )
    refs = {name: sha for name, sha in result.refs.items() if sha and sha != _ZERO}
    data = buffer.getvalue()
    if not data:
        return Received(refs)
    objects, entries = parse_pack(data, blobs=not partial)
    count = int.from_bytes(data[8:12], "big")  # the pack header's
    whole = len(entries) == count  # every object kept: the pack can be stored as it came
    shallow = set(result.new_shallow or ())
    return Received(refs, objects, data if whole else b"", entries if whole else [], shallow, count)


def wanting(shas: Sequence[bytes]) -> DetermineWants:
    """A ``determine_wants`` that asks for ``shas`` whatever the refs are."""
    chosen = list(dict.fromkeys(shas))
    return lambda _refs, depth=None: chosen


def fetch_blobs(
    client: GitClient, remote: Remote, shas: Sequence[bytes], heads: Sequence[bytes]
) -> Mapping[bytes, ShaFile]:
    """The objects ``shas`` (blobs a partial fetch left out), asked for by id in one round.

    No ``have`` is sent: the server would leave out whatever the client's commits reach, and these
    blobs are reached by them. A server that refuses (not our ref) or sends less is asked for the
    ``heads`` (commits these blobs are in) at depth 1 without a filter instead. KeyError when even
    that lacks one of them."""
    shas = list(dict.fromkeys(shas))
    if not shas:
        return {}
    try:
        got = receive(client, remote, wanting(shas), partial=False, depth=None).objects
        if all(sha in got for sha in shas):
            return {sha: got[sha] for sha in shas}
    except GitProtocolError:
        pass  # refused (a v0/v1 server that only serves advertised tips): the heads, whole, below
    got = receive(client, remote, wanting(heads), partial=False).objects
    return {sha: got[sha] for sha in shas}
