#!/usr/bin/env python3
"""Seed corpora for the `tar`, `compress` and `onnx` fuzz targets (standard
library only). Writes small, valid inputs into fuzz/corpus/<target>/ (gitignored), so
that the fuzzer starts past checksums and CRCs instead of finding them:

- tar: ustar, GNU (long name and link), pax (path, size, global header),
  v7, base-256 size, links, devices, unknown and sparse type flags, and
  gzip/bz2/xz-wrapped tarballs;
- compress: every joblib wrapper (zlib, gzip, bz2, xz, lzma-alone, lz4
  frame, `ZF` with and without the extra space), concatenated streams, and
  small zero bombs;
- onnx: the ONNX builders of samples/gen_onnx.py — a CNN with initializers,
  If subgraphs with a contrib op and a model-local function, PyOp, a custom
  domain in a Loop body, external data, pickles in metadata, a truncation.

Usage: python3 fuzz/seeds.py  (then cargo fuzz run tar / compress / onnx)
"""

import bz2
import gzip
import io
import lzma
import pathlib
import struct
import tarfile
import zlib

HERE = pathlib.Path(__file__).resolve().parent
PICKLE = b"\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00\x8c\x05posix\x8c\x06system\x93."
BLOCK = 512


def trim(data: bytes) -> bytes:
    """tarfile pads archives to 10 KiB; keep the members and two zero blocks."""
    body = data.rstrip(b"\0")
    body += b"\0" * (-len(body) % BLOCK)
    return body + b"\0" * (2 * BLOCK)


def reseal(block: bytearray) -> None:
    block[148:156] = b" " * 8
    block[148:156] = b"%06o\0 " % sum(block)


def info(name, kind=tarfile.REGTYPE, data=b"", link=""):
    ti = tarfile.TarInfo(name)
    ti.type = kind
    ti.size = len(data)
    ti.linkname = link
    return ti, io.BytesIO(data) if data else None


def archive(fmt, members, pax_headers=None) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=fmt, pax_headers=pax_headers or {}) as tf:
        for ti, fileobj in members:
            tf.addfile(ti, fileobj)
    return trim(out.getvalue())


def tar_seeds() -> dict:
    seeds = {}
    seeds["ustar"] = archive(
        tarfile.USTAR_FORMAT,
        [
            info("model/data.pkl", data=PICKLE),
            info("model", tarfile.DIRTYPE),
            info("model/link", tarfile.SYMTYPE, link="../../etc/passwd"),
            info("model/hard", tarfile.LNKTYPE, link="model/data.pkl"),
            info("fifo", tarfile.FIFOTYPE),
            info("tty", tarfile.CHRTYPE),
            info("a" * 120 + "/prefixed.txt", data=b"x" * 700),
        ],
    )
    seeds["torch-legacy"] = archive(
        tarfile.USTAR_FORMAT,
        [info(n, data=PICKLE) for n in ("sys_info", "pickle", "tensors", "storages")],
    )
    seeds["gnu-long"] = archive(
        tarfile.GNU_FORMAT,
        [
            info("long/" + "n" * 300 + ".pkl", data=PICKLE),
            info("l", tarfile.SYMTYPE, link="t" * 200),
        ],
    )
    seeds["pax"] = archive(
        tarfile.PAX_FORMAT,
        [info("päx/" + "p" * 150, data=PICKLE), info("ok", data=b"data")],
        pax_headers={"comment": "global"},
    )
    odd = bytearray(archive(tarfile.USTAR_FORMAT, [info("s", data=b"sparse" * 100), info("z", data=PICKLE)]))
    odd[156] = ord("S")
    block = odd[:BLOCK]
    reseal(block)
    odd[:BLOCK] = block
    second = 3 * BLOCK  # header, then 600 bytes of data padded to 1024
    odd[second + 156] = ord("Z")
    block = odd[second : second + BLOCK]
    reseal(block)
    odd[second : second + BLOCK] = block
    seeds["unknown-types"] = bytes(odd)

    v7 = bytearray(archive(tarfile.USTAR_FORMAT, [info("v7.pkl", data=PICKLE)]))
    block = v7[:BLOCK]
    block[257:BLOCK] = b"\0" * (BLOCK - 257)
    reseal(block)
    v7[:BLOCK] = block
    seeds["v7"] = bytes(v7)

    b256 = bytearray(archive(tarfile.USTAR_FORMAT, [info("b256", data=PICKLE)]))
    block = b256[:BLOCK]
    block[124:136] = b"\x80" + len(PICKLE).to_bytes(11, "big")
    reseal(block)
    b256[:BLOCK] = block
    seeds["base256"] = bytes(b256)

    plain = seeds["ustar"]
    seeds["ustar.gz"] = gzip.compress(plain)
    seeds["ustar.bz2"] = bz2.compress(plain)
    seeds["ustar.xz"] = lzma.compress(plain)
    return seeds


def xxh32_short(data: bytes, seed: int = 0) -> int:
    """xxHash32 for inputs under 16 bytes (the lz4 frame descriptor)."""
    assert len(data) < 16
    m = 0xFFFFFFFF
    p1, p2, p3, p4, p5 = 2654435761, 2246822519, 3266489917, 668265263, 374761393

    def rotl(x, r):
        return ((x << r) | (x >> (32 - r))) & m

    h = (seed + p5 + len(data)) & m
    i = 0
    while i + 4 <= len(data):
        h = (h + struct.unpack_from("<I", data, i)[0] * p3) & m
        h = (rotl(h, 17) * p4) & m
        i += 4
    for b in data[i:]:
        h = (h + b * p5) & m
        h = (rotl(h, 11) * p1) & m
    h ^= h >> 15
    h = (h * p2) & m
    h ^= h >> 13
    h = (h * p3) & m
    h ^= h >> 16
    return h


def lz4_frame(blocks) -> bytes:
    """An lz4 frame (no checksums) of raw blocks: (bytes, compressed?)."""
    descriptor = bytes([0x60, 0x40])  # version 1, independent blocks; 64 KiB
    out = b"\x04\x22\x4d\x18" + descriptor + bytes([(xxh32_short(descriptor) >> 8) & 0xFF])
    for data, compressed in blocks:
        size = len(data) | (0 if compressed else 0x80000000)
        out += struct.pack("<I", size) + data
    return out + b"\0\0\0\0"


def zfile(data: bytes, extra_space: bool) -> bytes:
    head = b"ZF" + ("%-19s" % hex(len(data))).encode()
    return head + (b" " if extra_space else b"") + zlib.compress(data)


def compress_seeds() -> dict:
    # "abc", then a 20-byte match at offset 3, then 5 closing literals.
    lz4_block = bytes([0x3F]) + b"abc" + b"\x03\x00" + bytes([1]) + bytes([0x50]) + b"abcab"
    zeros = b"\0" * (64 << 10)
    seeds = {
        "zlib": zlib.compress(PICKLE),
        "gzip-two-members": gzip.compress(PICKLE) + gzip.compress(b"second"),
        "bz2": bz2.compress(PICKLE),
        "xz-two-streams": lzma.compress(PICKLE) + lzma.compress(b"second"),
        "lzma-alone": lzma.compress(PICKLE, format=lzma.FORMAT_ALONE),
        "lz4-raw": lz4_frame([(PICKLE, False)]),
        "lz4-compressed": lz4_frame([(lz4_block, True), (PICKLE, False)]),
        "zfile": zfile(PICKLE, False),
        "zfile-py2": zfile(PICKLE, True),
        "zlib-zeros": zlib.compress(zeros, 9),
        "bz2-zeros": bz2.compress(zeros),
        "xz-zeros": lzma.compress(zeros),
    }
    for name, data in tar_seeds().items():
        if name.startswith("ustar."):
            seeds["tar-" + name] = data
    return seeds


def onnx_seeds() -> dict:
    import sys

    sys.path.insert(0, str(HERE.parent / "samples"))
    import gen_onnx as g

    cnn = g.model(g.tiny_cnn_graph(), doc="tiny", metadata=[("author", "aigis")])
    then_g = g.graph([g.node("Relu", ["y"], ["t"], "then/Relu")], "then", [], [])
    flow = [
        g.node("If", ["c"], ["z"], "/if", attrs=[g.attr_graph("then_branch", then_g)]),
        g.node("FastGelu", ["z"], ["q"], "/gelu", domain="com.microsoft"),
        g.node("Block", ["q"], ["o"], "/block", domain="local"),
    ]
    fn = g.function("Block", "local", ["a"], ["b"], [g.node("Sigmoid", ["a"], ["b"], "s")], [g.opset("", 17)])
    body = g.graph([g.node("Exfil", ["y"], ["z"], "x", domain="evil.ops")], "body", [], [])
    pyop = g.node("PyOp", ["y"], ["z"], "/py", domain="p", attrs=[g.attr_str("module", "os"), g.attr_str("class_name", "system")])
    ext = g.external_tensor("w", [10], "../../etc/passwd", 0, 40)
    return {
        "cnn": cnn,
        "control-flow": g.model(g.tiny_cnn_graph(flow), functions=[fn]),
        "loop-custom": g.model(g.graph([g.node("Loop", ["", "c"], ["l"], "/loop", attrs=[g.attr_graph("body", body)])], "m", [], [])),
        "pyop": g.model(g.graph([pyop], "m", [], [])),
        "external": g.model(g.graph([], "m", [], [], [ext])),
        "metadata-pickle": g.model(g.graph([], "m", [], []), metadata=[("config", PICKLE)]),
        "truncated": cnn[: len(cnn) // 2],
    }


def write(target: str, seeds: dict) -> None:
    folder = HERE / "corpus" / target
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in seeds.items():
        (folder / ("seed-" + name)).write_bytes(data)
    print(f"{target}: {len(seeds)} seeds in {folder}")


if __name__ == "__main__":
    write("tar", tar_seeds())
    write("compress", compress_seeds())
    write("onnx", onnx_seeds())
