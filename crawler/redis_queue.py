"""The Redis side of a distributed crawl (`nianbao crawl --redis`, `nianbao worker`, `nianbao writer`): key
names, what travels on the two streams, and the few atomic steps every role shares.

    crawlers (scrapy-redis scheduler + dupefilter)            workers                      the one writer
      ──Request (bytes + provenance)──▶ nianbao:documents ──▶ prepare ──Analysed──▶ nianbao:archive ──▶ SQLite
      ──events, wrapper pages, stats─────────────────────────────────────────────▶ nianbao:archive

Both streams are read in consumer groups (Redis streams: an entry stays *pending* for its consumer until it
is acknowledged). A worker acknowledges a document in the same MULTI/EXEC as it adds the analysis to the
writer's stream; the writer acknowledges an entry only once its batch is committed. An entry whose consumer
died stays pending and is claimed again by another consumer after ``claim_after`` seconds (XAUTOCLAIM):
at-least-once delivery. What comes twice (a re-claimed entry, a request re-done after its crawler died)
ends in the writer, which takes one entry per URL per run (crawler/redis_writer.py).

Requests: scrapy-redis keeps the shared request queue (a sorted set) and the dupefilter's set; a request
popped by a crawler is moved, in one Lua script, into that crawler's *in-flight* hash and removed from it
once Scrapy is done with it (downloaded, parsed, its items on the streams, its new requests queued). A
crawler whose heartbeat key expired is dead: its in-flight requests go back to the queue
(``requeue_dead``), so a crawler killed mid-request loses nothing either.

The run: the writer opens it (``RUN`` holds its id, ``CACHE`` the conditional-GET cache it publishes from the
archive, the truth); the first crawler to take ``SEEDED`` seeds the queue from the registry; the run is over
when it is seeded, the queue and every in-flight hash are empty, no crawler is alive and both streams are
drained (``run_done``). The writer then deletes the run's keys, so the next run starts afresh.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from typing import Any, Literal, cast

import redis
from redis.typing import EncodableT, FieldT

PREFIX = "nianbao:"
RUN = PREFIX + "run"  #: the archive's run id, set by the writer
SEEDED = PREFIX + "seeded"  #: "seeding" (a crawler is seeding) then "done"
CACHE = PREFIX + "cache"  #: url → JSON [etag, last_modified, links]: the archive's conditional-GET cache
QUEUE = PREFIX + "requests"  #: scrapy-redis SCHEDULER_QUEUE_KEY (a sorted set of serialised requests)
SEEN = PREFIX + "seen"  #: scrapy-redis SCHEDULER_DUPEFILTER_KEY
TURNS = PREFIX + "turns"  #: host → how many requests for it were queued this run (crawler/redis_pipeline.py FairQueue)
CLAIMS = PREFIX + "claims"  #: request key's fingerprint → the crawler that claimed it (PortalSpider._claim)
CRAWLERS = PREFIX + "crawlers"  #: ids of crawlers that registered this run
ALIVE = PREFIX + "alive:"  #: + crawler id: a heartbeat key that expires when the crawler stops beating
INFLIGHT = PREFIX + "inflight:"  #: + crawler id: serialised request → its queue score
DOCUMENTS = PREFIX + "documents"  #: stream: fetched documents for the workers
ARCHIVE = PREFIX + "archive"  #: stream: analysed documents and crawl events for the writer
WORKERS_GROUP = "workers"
WRITER_GROUP = "writer"

Kind = Literal["document", "analysed", "remember", "event", "portals", "stats"]

#: Pop the best request from the queue into a crawler's in-flight hash, atomically: a request is always
#: either queued or in flight, never only in a process's memory.
_POP = """
local popped = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #popped == 0 then return false end
redis.call('ZREM', KEYS[1], popped[1])
redis.call('HSET', KEYS[2], popped[1], popped[2])
return popped[1]
"""
#: Put a dead crawler's in-flight requests back in the queue (with their scores) and forget the crawler.
_REQUEUE = """
local held = redis.call('HGETALL', KEYS[2])
for i = 1, #held, 2 do redis.call('ZADD', KEYS[1], held[i + 1], held[i]) end
redis.call('DEL', KEYS[2])
redis.call('SREM', KEYS[3], ARGV[1])
return #held / 2
"""


#: Claim a request key for a crawler: 1 when it is new, or its claimant's heartbeat has stopped. A crawler
#: killed after claiming the links of a listing but before queueing them would otherwise lose them: its listing
#: request goes back to the queue (requeue_dead), and whoever reads it again must be able to claim them.
_CLAIM = """
local owner = redis.call('HGET', KEYS[1], ARGV[1])
if owner == ARGV[2] then return 0 end
if owner and redis.call('EXISTS', ARGV[3] .. owner) == 1 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
"""


def claim(server: redis.Redis, fingerprint: str, crawler: str) -> bool:
    """Claim a request for ``crawler`` (one atomic step across crawlers): True when it is this crawler's to
    make. A request claimed by a crawler that died since is claimed again: asked twice at worst, which the
    writer's one entry per URL per run absorbs, never lost."""
    return int(cast(int, server.eval(_CLAIM, 1, CLAIMS, fingerprint, crawler, ALIVE))) == 1


def connect(url: str) -> redis.Redis:
    """A client for ``redis://HOST:PORT/N`` (raw bytes in and out: payloads are pickles)."""
    return redis.Redis.from_url(url, decode_responses=False)


def encode(kind: Kind, payload: object) -> dict[FieldT, EncodableT]:
    """A stream entry: its kind and the pickled payload (the project's own dataclasses, read only by our
    own processes: the Redis server is trusted as the archive is)."""
    return {b"k": kind.encode(), b"p": pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)}


def decode(fields: dict[bytes, bytes]) -> tuple[Kind, Any]:
    return cast(Kind, fields[b"k"].decode()), pickle.loads(fields[b"p"])


def ensure_group(server: redis.Redis, stream: str, group: str) -> None:
    """Create the consumer group (and the stream) unless it exists: every role may start first."""
    try:
        server.xgroup_create(stream, group, id="0", mkstream=True)
    except redis.ResponseError as error:
        if "BUSYGROUP" not in str(error):
            raise


@dataclass
class Entry:
    id: bytes
    kind: Kind
    payload: Any


def take(
    server: redis.Redis, stream: str, group: str, consumer: str, count: int, block_ms: int, claim_after: float
) -> list[Entry]:
    """Entries for ``consumer``: first those another consumer left pending for ``claim_after`` seconds (it
    died, or is stuck), then new ones (waiting up to ``block_ms``)."""
    claimed: Any = server.xautoclaim(stream, group, consumer, int(claim_after * 1000), "0-0", count=count)
    messages = list(claimed[1]) if claimed else []
    if not messages:
        answer: Any = server.xreadgroup(group, consumer, {stream: ">"}, count=count, block=block_ms)
        messages = list(answer[0][1]) if answer else []
    return [Entry(entry_id, *decode(fields)) for entry_id, fields in messages if fields]


def done(server: redis.Redis, stream: str, group: str, ids: list[bytes]) -> None:
    """Acknowledge and delete entries (a stream keeps acknowledged entries until they are deleted)."""
    if ids:
        with server.pipeline(transaction=True) as pipe:
            pipe.xack(stream, group, *ids)
            pipe.xdel(stream, *ids)
            pipe.execute()


def pop_request(server: redis.Redis, crawler: str) -> bytes | None:
    """The best queued request, now in ``crawler``'s in-flight hash; None when the queue is empty."""
    popped = cast(bytes | None, server.eval(_POP, 2, QUEUE, INFLIGHT + crawler))
    return bytes(popped) if popped else None


def crawlers(server: redis.Redis) -> list[str]:
    """The crawlers registered this run (alive or not yet found dead)."""
    members = cast(set[bytes], server.smembers(CRAWLERS))
    return sorted(member.decode() for member in members)


def requeue_dead(server: redis.Redis) -> int:
    """Requests held by crawlers whose heartbeat expired go back to the queue; how many."""
    requeued = 0
    for crawler in crawlers(server):
        if not server.exists(ALIVE + crawler):
            requeued += int(cast(int, server.eval(_REQUEUE, 3, QUEUE, INFLIGHT + crawler, CRAWLERS, crawler)))
    return requeued


def in_flight(server: redis.Redis) -> int:
    """Requests some crawler is working on (or held when it died and not yet requeued)."""
    return sum(int(cast(int, server.hlen(INFLIGHT + crawler))) for crawler in crawlers(server))


def alive(server: redis.Redis) -> int:
    return len([crawler for crawler in crawlers(server) if server.exists(ALIVE + crawler)])


def drained(server: redis.Redis, stream: str) -> bool:
    """Every entry of the stream was read and acknowledged (entries are deleted once acknowledged)."""
    return int(server.xlen(stream)) == 0


def crawl_idle(server: redis.Redis) -> bool:
    """No request is left to any crawler: seeded, the queue empty, none in flight (dead crawlers' requeued)."""
    requeue_dead(server)
    return server.get(SEEDED) == b"done" and int(server.zcard(QUEUE)) == 0 and in_flight(server) == 0


def run_done(server: redis.Redis) -> bool:
    """The run is over: the crawl idle, no crawler alive, both streams drained."""
    return crawl_idle(server) and alive(server) == 0 and drained(server, DOCUMENTS) and drained(server, ARCHIVE)


def end_run(server: redis.Redis) -> None:
    """Delete the run's keys: the next run seeds afresh (and the dupefilter forgets this run's URLs)."""
    members = crawlers(server)
    per_crawler = [INFLIGHT + crawler for crawler in members] + [ALIVE + crawler for crawler in members]
    server.delete(RUN, SEEDED, CACHE, QUEUE, SEEN, TURNS, CLAIMS, CRAWLERS, DOCUMENTS, ARCHIVE, *per_crawler)
