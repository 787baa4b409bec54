"""Fuzz run: mutated copies of the small fixtures through extraction, identification and parsing.

Every mutant (bit flips, truncation, byte insertions, a corrupted or hostile member inside a DOCX's ZIP, hostile
runs spliced into text) must either give a document whose record can be made, or fail with an ExtractionError
whose reason is one non-empty line: no other exception, none over the deadline, none over the memory ceiling.
The functions are called directly (no CLI, no serialisation), in two worker processes forked from the test so
that both cores work and each has its own SIGALRM deadline and RLIMIT_AS ceiling. The run is deterministic
(seed NIANBAO_FUZZ_SEED, default 12) and split into batches of CI size; a failure names the mutant, and
``python tests/test_fuzz_inputs.py BATCH INDEX OUT`` writes its bytes for a look.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import random
import resource
import signal
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.pool import Pool
from pathlib import Path
from types import FrameType

import pytest

from parsers.document import ExtractionError
from parsers.extract import extract
from parsers.identity import identify
from parsers.record import parse
from tests.conftest import RENDERED, SEEDS

FIXTURES = Path(__file__).parent / "fixtures"
#: LibreOffice converts a DOC in ~1 s, too slow for a thousand mutants: DOC bytes are left out.
BASES = sorted(
    path
    for folder in (FIXTURES / "extraction", RENDERED, SEEDS)
    for path in folder.iterdir()
    if path.suffix in (".pdf", ".docx", ".html", ".txt")
)
SEED = int(os.environ.get("NIANBAO_FUZZ_SEED", "12"))
BATCHES = 10
PER_BATCH = 100  # 1,000 mutants in all
DEADLINE_S = 10
WORKERS = 2
#: Address space a worker may take beyond what it had when forked (RLIMIT_AS): the fixtures need ~70 MB; a
#: mutant needing more than this runs out (MemoryError), which the test counts as over the ceiling.
MEMORY_HEADROOM = 1 << 30
Mutation = Callable[[bytes, random.Random], bytes]


def flip_bits(data: bytes, rng: random.Random) -> bytes:
    mutant = bytearray(data)
    for _ in range(rng.randint(1, 24)):
        mutant[rng.randrange(len(mutant))] ^= 1 << rng.randrange(8)
    return bytes(mutant)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(1, len(data))]


def insert_bytes(data: bytes, rng: random.Random) -> bytes:
    """Random bytes, or a copy of another stretch of the file, at a random place."""
    at = rng.randrange(len(data))
    if rng.random() < 0.5:
        piece = rng.randbytes(rng.randint(1, 64))
    else:
        start = rng.randrange(len(data))
        piece = data[start : start + rng.randint(1, 4096)]
    return data[:at] + piece + data[at:]


#: Runs that once made a path super-linear or a list huge, spliced into text, markup or XML.
HOSTILE_RUNS = [
    "（" * 3000 + "年度报告",
    "(" * 3000,
    " " * 20000,
    '<w:gridSpan w:val="2000000000"/>',
    "<w:vMerge/>",
    '<td colspan="2000000000" rowspan="2000000000">x</td>',
    "<table><tr><td>" * 200,
    "\n" * 5000,
    "www." * 2000,
    "2022年" * 2000,
]


def splice_hostile(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data))
    return data[:at] + rng.choice(HOSTILE_RUNS).encode() + data[at:]


def corrupt_member(data: bytes, rng: random.Random) -> bytes:
    """A DOCX rebuilt with one member mutated but a valid CRC, so that the mutation reaches the XML parser."""
    source = zipfile.ZipFile(io.BytesIO(data))
    infos = source.infolist()
    documents = [info for info in infos if info.filename == "word/document.xml"]
    target = documents[0] if documents and rng.random() < 0.7 else rng.choice(infos)
    mutate = rng.choice([flip_bits, truncate, insert_bytes, splice_hostile])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in infos:
            content = source.read(info)
            if info is target and content:
                content = mutate(content, rng)
            archive.writestr(info, content)
    return out.getvalue()


MUTATIONS: dict[str, list[Mutation]] = {
    ".docx": [flip_bits, truncate, insert_bytes, corrupt_member, corrupt_member, corrupt_member],
    ".pdf": [flip_bits, flip_bits, truncate, insert_bytes, splice_hostile],
    ".html": [flip_bits, truncate, insert_bytes, splice_hostile],
    ".txt": [flip_bits, truncate, insert_bytes, splice_hostile],
}


@dataclass
class Mutant:
    name: str
    data: bytes


def mutant(batch: int, index: int) -> Mutant:
    """One mutant, the same on every run: made by its own seeded generator."""
    rng = random.Random(SEED * 1_000_003 + batch * PER_BATCH + index)
    base = rng.choice(BASES)
    mutation = rng.choice(MUTATIONS[base.suffix])
    return Mutant(f"batch {batch} #{index}: {mutation.__name__}({base.name})", mutation(base.read_bytes(), rng))


class Hang(Exception):
    """A document took longer than DEADLINE_S."""


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise Hang


def read(found: Mutant) -> None:
    """What the archive does with a document: extract, then identify and parse what was extracted. A refusal
    must be an ExtractionError with a one-line reason; anything else propagates."""
    try:
        document = extract(found.data)
    except ExtractionError as error:
        reason = str(error)
        assert reason.strip() and "\n" not in reason, f"reason {reason!r}"
        assert "MemoryError" not in reason, f"over the memory ceiling: {reason}"
        return
    identify(document.text, title_hint=document.title, metadata=document.metadata)
    parse(document)
    assert all(warning.strip() for warning in document.warnings), f"an empty warning in {document.warnings}"


def check(where: tuple[int, int]) -> str | None:
    """Read one mutant under a SIGALRM deadline (in a pool worker's main thread): None, or what went wrong."""
    found = mutant(*where)
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(DEADLINE_S)
    started = time.monotonic()
    try:
        read(found)
    except Hang:
        return f"{found.name}: over the {DEADLINE_S} s deadline"
    except Exception as error:  # the point of the test: nothing but ExtractionError may escape
        return f"{found.name}: {type(error).__name__}: {error}"
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    elapsed = time.monotonic() - started
    return f"{found.name}: took {elapsed:.1f} s" if elapsed > DEADLINE_S else None


def _limit_memory() -> None:
    """A pool worker's memory ceiling: its address space when forked, plus MEMORY_HEADROOM."""
    size = int(Path("/proc/self/status").read_text().split("VmSize:")[1].split()[0]) * 1024
    resource.setrlimit(resource.RLIMIT_AS, (size + MEMORY_HEADROOM, resource.getrlimit(resource.RLIMIT_AS)[1]))


@pytest.fixture(scope="module")
def workers() -> Iterator[Pool]:
    """Two worker processes (the test machine has two cores), forked with the parsers already imported."""
    with multiprocessing.get_context("fork").Pool(WORKERS, initializer=_limit_memory) as pool:
        yield pool


@pytest.mark.slow
@pytest.mark.parametrize("batch", range(BATCHES))
def test_mutated_fixtures(batch: int, workers: Pool) -> None:
    problems = workers.map(check, [(batch, index) for index in range(PER_BATCH)], chunksize=5)
    assert [problem for problem in problems if problem] == []


if __name__ == "__main__":  # python tests/test_fuzz_inputs.py BATCH INDEX OUT: write one mutant's bytes
    written = mutant(int(sys.argv[1]), int(sys.argv[2]))
    Path(sys.argv[3]).write_bytes(written.data)
    print(written.name)
