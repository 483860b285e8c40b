#!/usr/bin/env python3
"""Deterministic datasets for benchmarks/compare.sh (see benchmarks/README.md).

  datasets.py mixed DIR SCALE    ~1.6 GB x SCALE: incompressible, log-like text, duplicate and
                                 near-duplicate files of mixed sizes, and a few thousand small files
  datasets.py small DIR SCALE    300,000 x SCALE small files (64 B .. 8 KiB) in directories of 1,000
  datasets.py change DIR SAVE    the "1% change": rewrites 4 KiB of 1% of the files (and appends a line),
                                 and adds new random files of 1% of the bytes; keeps the originals in SAVE
  datasets.py revert DIR SAVE    undoes `change` (contents and mtimes of the changed files)

Everything comes from fixed seeds: the same SCALE gives the same bytes on every machine (Python >= 3.9).
DIR must not exist yet for mixed and small.
"""

import json
import math
import os
import random
import shutil
import sys
import time

VERSION = 1  # compare.sh regenerates cached datasets made by another version

LEVELS = ["INFO "] * 6 + ["DEBUG"] * 3 + ["WARN ", "ERROR"]
METHODS = ["GET", "GET", "POST", "PUT"]
STATUSES = [200, 200, 200, 404, 500]
COMPONENTS = ["http", "db", "auth", "storage", "scheduler", "gc", "rpc", "cache", "mailer", "billing"]
WORDS = ("request served user session opened closed timeout retry cache miss hit upload download checksum "
         "verified connection reset pool worker queue latency backend shard replica commit rollback index "
         "segment compaction flush token expired granted denied payload bytes status client server").split()
PATHS = ["/api/v1/items", "/api/v1/users", "/login", "/static/app.js", "/health", "/api/v2/search",
         "/upload", "/download/report.pdf", "/metrics", "/admin/settings"]


def log_uniform(rnd, low, high):
    return int(math.exp(rnd.uniform(math.log(low), math.log(high))))


class LogWriter:
    """Application-log-like text, which zstd level 3 makes 3-5 times smaller.

    Lines are drawn at random from a pool of 300,000 distinct lines (about 27 MB), so that a chunk of a
    megabyte repeats few of its lines, as in real logs where the ids and numbers differ from line to line.
    """

    POOL = 300_000

    def __init__(self, seed):
        self.rnd = random.Random(seed)
        self.pool = None

    def _make_pool(self):
        rnd = self.rnd
        randrange, choice, choices, getrandbits = rnd.randrange, rnd.choice, rnd.choices, rnd.getrandbits
        pool = []
        millis = 1_764_000_000_000
        second, stamp = -1, ""
        for _ in range(self.POOL):
            millis += randrange(40)
            secs, ms = divmod(millis, 1000)
            if secs != second:
                second, stamp = secs, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs))
            kind = randrange(4)
            if kind == 0:
                msg = "%s %s %d %dms ip=10.%d.%d.%d" % (
                    choice(METHODS), choice(PATHS), choice(STATUSES), randrange(900), randrange(256),
                    randrange(256), randrange(256))
            elif kind == 1:
                msg = " ".join(choices(WORDS, k=4 + randrange(9)))
            elif kind == 2:
                msg = "%s id=%016x user=%d took=%dms" % (
                    choice(WORDS), getrandbits(64), randrange(100000), randrange(5000))
            else:
                msg = "%s %s: %d of 1000 done, queue=%d" % (choice(WORDS), choice(WORDS), randrange(1000), randrange(64))
            line = "%s.%03dZ %s [%s-%d] %s\n" % (stamp, ms, choice(LEVELS), choice(COMPONENTS), randrange(8), msg)
            pool.append(line.encode("ascii"))
        return pool

    def block(self, size):
        if self.pool is None:
            self.pool = self._make_pool()
        # Lines average about 90 bytes: draw a few more than needed and cut.
        parts = self.rnd.choices(self.pool, k=size // 80 + 16)
        data = b"".join(parts)
        while len(data) < size:
            data += b"".join(self.rnd.choices(self.pool, k=size // 80 + 16))
        return data[:size]


def random_bytes(rnd, size):
    parts = []
    while size > 0:
        n = min(size, 1 << 20)
        parts.append(rnd.randbytes(n))
        size -= n
    return b"".join(parts)


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def write_random(rnd, path, size):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        while size > 0:
            n = min(size, 1 << 20)
            f.write(rnd.randbytes(n))
            size -= n


def write_log(logs, path, size):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        while size > 0:
            n = min(size, 1 << 20)
            f.write(logs.block(n))
            size -= n


def mixed(root, scale):
    rnd = random.Random(1001)
    logs = LogWriter(1002)
    made = []  # (path, size) of the originals that copies are made from
    total = 0

    def originals(budget, low, high, name, write_file):
        """Files of log-uniform sizes in [low, high) until budget bytes; returns the bytes written."""
        written, n = 0, 0
        while budget > 0:
            size = min(budget, log_uniform(rnd, low, high))
            path = name(n)
            write_file(path, size)
            made.append((path, size))
            budget -= size
            written += size
            n += 1
        return written

    # Incompressible: media, archives, encrypted files.
    total += originals(int(600e6 * scale), 64 << 10, 48 << 20,
                       lambda n: os.path.join(root, "media", "d%02d" % (n % 12), "blob%04d.bin" % n),
                       lambda path, size: write_random(rnd, path, size))
    # Compressible: application logs.
    total += originals(int(520e6 * scale), 16 << 10, 32 << 20,
                       lambda n: os.path.join(root, "logs", "svc%02d" % (n % 9), "app-%04d.log" % n),
                       lambda path, size: write_log(logs, path, size))

    def copies(budget, make):
        """Picks originals at random and calls make(n, path, size) -> bytes written, until the budget is spent."""
        nonlocal total
        n = 0
        while budget > 0:
            src, size = rnd.choice(made)
            if size > budget and n > 0:
                break
            written = make(n, src)
            budget -= written
            total += written
            n += 1

    # Exact duplicates of some of the files above, elsewhere and under other names.
    def copy(n, src):
        path = os.path.join(root, "copies", "c%02d" % (n % 7), "copy%04d-%s" % (n, os.path.basename(src)))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        shutil.copyfile(src, path)
        return os.path.getsize(src)

    copies(int(200e6 * scale), copy)

    # Near-duplicates: copies with a few bytes inserted, overwritten and deleted (edited documents,
    # patched binaries): content-defined chunking keeps most of their chunks.
    def edit(n, src):
        with open(src, "rb") as f:
            data = bytearray(f.read())
        for _ in range(1 + rnd.randrange(6)):
            at = rnd.randrange(len(data) + 1)
            op = rnd.randrange(3)
            if op == 0:
                data[at:at] = rnd.randbytes(1 + rnd.randrange(200))
            elif op == 1:
                k = len(data[at:at + 1 + rnd.randrange(4000)])
                data[at:at + k] = rnd.randbytes(k)
            else:
                del data[at:at + 1 + rnd.randrange(2000)]
        path = os.path.join(root, "versions", "v%02d" % (n % 7), "edit%04d-%s" % (n, os.path.basename(src)))
        write(path, bytes(data))
        return len(data)

    copies(int(200e6 * scale), edit)

    # Small files: source code, configs, thumbnails.
    for i in range(int(6000 * scale)):
        size = log_uniform(rnd, 100, 64 << 10)
        path = os.path.join(root, "src", "pkg%02d" % (i % 60), "file%05d.%s" % (i, "txt" if i % 3 else "dat"))
        write(path, logs.block(size) if i % 3 else rnd.randbytes(size))
        total += size
    return total


def small(root, scale):
    rnd = random.Random(2001)
    logs = LogWriter(2002)
    # Content is cut from two 16 MiB pools at random offsets: unique files at generator speed.
    text = logs.block(16 << 20)
    noise = random_bytes(rnd, 16 << 20)
    count = int(300_000 * scale)
    total = 0
    for i in range(count):
        size = log_uniform(rnd, 64, 8 << 10)
        pool = noise if i % 10 < 3 else text
        at = rnd.randrange(len(pool) - size)
        d = os.path.join(root, "t%02d" % (i // 10000), "d%03d" % (i // 1000 % 10))
        if i % 1000 == 0:
            os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "f%06d.%s" % (i, "txt" if pool is text else "bin")), "wb") as f:
            f.write(pool[at:at + size])
        total += size
    return total


def all_files(root):
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            out.append(os.path.join(dirpath, name))
    return out


def change(root, save):
    if os.path.exists(save):
        sys.exit("datasets.py: %s exists: revert the previous change first" % save)
    os.makedirs(save)
    rnd = random.Random(3001)
    files = all_files(root)
    total = sum(os.path.getsize(p) for p in files)
    picked = rnd.sample(files, max(1, len(files) // 100))
    changed = []
    for i, path in enumerate(picked):
        keep = os.path.join(save, "%06d" % i)
        shutil.copy2(path, keep)
        changed.append([os.path.relpath(path, root), keep])
        size = os.path.getsize(path)
        with open(path, "r+b") as f:
            n = min(size, 4096)
            f.seek(rnd.randrange(size - n + 1))
            f.write(rnd.randbytes(n))
            f.seek(0, os.SEEK_END)
            f.write(b"changed\n")
    added = []
    budget = total // 100 - len(picked) * 4096
    n = 0
    while budget > 0:
        size = min(budget, log_uniform(rnd, 4 << 10, 8 << 20))
        rel = os.path.join("added-by-change", "new%05d.bin" % n)
        write_random(rnd, os.path.join(root, rel), size)
        added.append(rel)
        budget -= size
        n += 1
    with open(os.path.join(save, "manifest.json"), "w") as f:
        json.dump({"changed": changed, "added": added}, f)
    print("changed %d of %d files, added %d files" % (len(picked), len(files), len(added)))


def revert(root, save):
    with open(os.path.join(save, "manifest.json")) as f:
        manifest = json.load(f)
    for rel, keep in manifest["changed"]:
        shutil.copy2(keep, os.path.join(root, rel))
    shutil.rmtree(os.path.join(root, "added-by-change"), ignore_errors=True)
    shutil.rmtree(save)


def main(argv):
    if len(argv) != 4 or argv[1] not in ("mixed", "small", "change", "revert"):
        sys.exit(__doc__)
    what, root = argv[1], argv[2]
    if what in ("mixed", "small"):
        scale = float(argv[3])
        if os.path.exists(root):
            sys.exit("datasets.py: %s exists already" % root)
        started = time.time()
        total = (mixed if what == "mixed" else small)(root, scale)
        print("%s: %d bytes in %.0f s" % (root, total, time.time() - started))
    elif what == "change":
        change(root, argv[3])
    else:
        revert(root, argv[3])


if __name__ == "__main__":
    main(sys.argv)
