#!/usr/bin/env python3
"""Seed corpora for the fuzz targets (standard library only, deterministic).
Writes small inputs into fuzz/corpus/<target>/ (gitignored), so that the
fuzzer starts past magics, grammars, checksums and CRCs instead of having to
find them (without a sanitizer libFuzzer cannot guess `\x93NUMPY`):

- npy: version 1.0/2.0/3.0 headers with simple, structured (titles, field
  shapes, padding), subarray, comma-string and object dtypes, Fortran order,
  scalar and big shapes, the literal syntax numpy's `ast.literal_eval`
  accepts (prefixes, escapes, comments, hex and `L` integers), and a few
  almost-valid ones (bad version, missing or extra key, short header, ...);
- zip: stored and deflated zips from `zipfile`, a PyTorch layout
  (archive/data.pkl, archive/data/0, archive/version, 64-byte aligned),
  npz, zip64 records and extras, data descriptors, prepended data, a
  comment, and tampered ones (bad CRC, names that differ, duplicates, odd
  methods and flags, wrong entry counts);
- pickle: `pickle.dumps` of plain builtin containers at protocols 0-5, and
  hand-assembled streams: GLOBAL/STACK_GLOBAL/REDUCE/BUILD/NEWOBJ(_EX)/
  INST/OBJ/EXT1-4/FRAME, every memo opcode, persistent ids, a torch state
  dict (OrderedDict of `torch._utils._rebuild_tensor_v2` with BINPERSID),
  numpy and joblib arrays, out-of-band buffers, several streams in a row;
- tar: ustar, GNU (long name and link), pax (path, size, global header),
  v7, base-256 size, links, devices, unknown and sparse type flags, and
  gzip/bz2/xz-wrapped tarballs;
- compress: every joblib wrapper (zlib, gzip, bz2, xz, lzma-alone, lz4
  frame, `ZF` with and without the extra space), concatenated streams, and
  small zero bombs.
- safetensors, gguf, jinja: every file and chat template of the sample
  generator's tensor-file set (samples/tensor_files.py), benign and hostile;
- hdf5: h5py-written files (tests/data of the formats crate: superblocks 0
  and 3, a user block, continuation chunks, dense attributes) and the sample
  generator's legacy Keras `.h5` models, plus Keras configs (JSON) appended
  as a second half for the target's wrapped-config path;
- sevenz: Python's standard library cannot write 7z, so the seeds are the
  files under fuzz/seeds/sevenz/ (committed, written by sevenz-rust2's
  encoder: LZMA2 members with pickles, a traversal name and a symlink, an
  npy, a truncation);
- pycode: the Python fixtures of the code rules and the demo project, and
  f-string, decorator and import shapes the prefilter must follow;
- proc_net: the /proc/net tables of the host-check fixtures
  (crates/deploy/tests/fixtures/host), real lines, IPv6 and malformed ones;
- dockerfile, nginx, k8s_yaml: the files of samples/deploy by kind, and a
  few hand-written edge cases (heredocs, escape directive, JSON forms,
  includes, aliases, multi-document streams, `kind: List`);
- ipynb: nbformat 4 (indented, compact, ASCII-escaped) and 3 notebooks with
  stream, image, JSON and error outputs;
- crypt_header: the known-answer vectors of docs/model-encryption.md;
- convert: the torch zips and state dict above, npy/npz seeds, and every
  fixture of samples/convert_cases.py (zip and legacy checkpoints with
  shared, sliced and transposed views, every dtype, big-endian, nested
  dicts, refusals);
- onnx: models from the ONNX sample builders (samples/gen_onnx.py): a CNN
  with initializers, If subgraphs with a contrib op and a model-local
  function, PyOp, a custom domain in a Loop body, external data, a pickle in
  metadata, a truncation.
- tflite: every model of the TFLite sample builder (samples/gen_tflite.py):
  builtin-only, stock and unknown custom ops, Flex file, Python and
  standard ops, an unknown builtin code, cut and broken files.

Nothing is unpickled or executed: pickles are only ever written.

Usage:
    python3 fuzz/seeds.py [--samples DIR]

With --samples, the files under DIR (as written by
`python3 samples/generate.py DIR`, without --real) are also copied, cut to
64 KiB, into the pickle, zip or npy corpus by their first bytes. Then e.g.
`cd fuzz && cargo fuzz run -s none npy`; see fuzz/README.md.
"""

import argparse
import bz2
import gzip
import io
import json
import lzma
import pathlib
import pickle
import re
import struct
import sys
import tarfile
import zipfile
import zlib

HERE = pathlib.Path(__file__).resolve().parent
PICKLE = b"\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00\x8c\x05posix\x8c\x06system\x93."
BLOCK = 512
# Longest prefix of a sample file copied with --samples.
MAX_SAMPLE = 64 << 10


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
    seeds["ustar.gz"] = gzip.compress(plain, mtime=0)
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
        "gzip-two-members": gzip.compress(PICKLE, mtime=0) + gzip.compress(b"second", mtime=0),
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


# --------------------------------------------------------------------------
# npy
# --------------------------------------------------------------------------

NPY_PREAMBLE = {1: ("<H", "latin1"), 2: ("<I", "latin1"), 3: ("<I", "utf-8")}


def npy(header: str, version=1, data=b"", align=64, terminate=True) -> bytes:
    """An .npy file around a header literal, padded the way numpy pads it."""
    fmt, encoding = NPY_PREAMBLE[version]
    raw = header.encode(encoding)
    prefix = 6 + 2 + struct.calcsize(fmt)
    if terminate:
        raw += b" " * (-(prefix + len(raw) + 1) % align) + b"\n"
    return b"\x93NUMPY" + bytes([version, 0]) + struct.pack(fmt, len(raw)) + raw + data


def npy_dict(descr: str, shape: str, fortran="False") -> str:
    return "{'descr': %s, 'fortran_order': %s, 'shape': %s, }" % (descr, fortran, shape)


def npy_seeds() -> dict:
    seeds = {}
    simple = [
        ("f8", "'<f8'", "(3,)", struct.pack("<3d", 1.0, 2.0, 3.0)),
        ("b1", "'|b1'", "(2, 2)", b"\1\0\0\1"),
        ("i4-be", "'>i4'", "(2,)", b"\0\0\0\1\0\0\0\2"),
        ("u2", "'<u2'", "()", b"\1\0"),
        ("c16", "'<c16'", "(1,)", b"\0" * 16),
        ("f2", "'<f2'", "(0,)", b""),
        ("U5", "'<U5'", "(1,)", "hello".encode("utf-32-le")),
        ("S3", "'|S3'", "(2,)", b"abcdef"),
        ("V4", "'|V4'", "(1,)", b"\0\1\2\3"),
        ("M8", "'<M8[ns]'", "(1,)", b"\0" * 8),
        ("m8", "'<m8[D]'", "(1,)", b"\0" * 8),
        ("g", "'<f16'", "(1,)", b"\0" * 16),
        ("G", "'<c32'", "(1,)", b"\0" * 32),
        ("named", "'float32'", "(1,)", b"\0" * 4),
        ("object", "'|O'", "(2,)", b"\x80\x02]q\x00(K\x01K\x02e."),
        ("stringdtype", "'T'", "(1,)", b"\x80\x05N."),
        ("comma", "'i4, O'", "(1,)", b"\x80\x02N."),
        ("repeat", "'(2,3)f8'", "(1,)", b"\0" * 48),
        ("unrecognised", "'<x9'", "(1,)", b"\0"),
    ]
    for name, descr, shape, data in simple:
        seeds["v1-" + name] = npy(npy_dict(descr, shape), 1, data)
    seeds["v1-fortran"] = npy(npy_dict("'<f4'", "(2, 3)", "True"), 1, b"\0" * 24)
    seeds["v2-f8"] = npy(npy_dict("'<f8'", "(1,)"), 2, b"\0" * 8)
    seeds["v3-utf8"] = npy(npy_dict("[('\u00e9t\u00e9', '<i8'), ('\u03c0', '<f4')]", "(1,)"), 3, b"\0" * 12)

    structured = (
        "[('a', '<f4'), ('b', '|O'), (('Title', 'c'), '<i8', (2, 3)), ('', '|V4'), "
        "('d', [('x', '<u1'), ('y', '>i2')]), ['e', '<f8', 2]]"
    )
    seeds["v1-structured"] = npy(npy_dict(structured, "(2,)"), 1, b"\0" * 64)
    seeds["v1-structured-plain"] = npy(npy_dict("[('x', '<f8'), ('y', '<i4', (3,))]", "(1,)"), 1, b"\0" * 20)
    seeds["v1-subarray"] = npy(npy_dict("('<f8', (2, 2))", "(3,)"), 1, b"\0" * 96)
    seeds["v1-subarray-object"] = npy(npy_dict("(('|O', (2,)), 3)", "(1,)"), 1, b"\x80\x02N.")

    seeds["v1-big"] = npy(npy_dict("'<f8'", "(1099511627776,)"), 1)
    seeds["v1-over-limit"] = npy(npy_dict("'<f8'", "(1048576, 1048576)"), 1)
    seeds["v1-overflow"] = npy(npy_dict("'<f8'", "(4294967296, 4294967296, 4294967296)"), 1)
    seeds["v1-object-huge"] = npy(npy_dict("'|O'", "(18446744073709551615,)"), 1, b"\x80\x02N.")
    seeds["v1-64-dims"] = npy(npy_dict("'<u1'", "(" + "1, " * 64 + ")"), 1, b"\0")
    seeds["v2-long-header"] = npy(npy_dict("'<f8'", "(1,)") + " " * 10001, 2, b"\0" * 8)

    # The literal syntax ast.literal_eval accepts.
    seeds["v1-syntax"] = npy(
        '{"descr": u"<" "f8", # comment\n \'fortran_order\': False, \\\n'
        "'shape': (0x2, 0o1, 0b1, 1_0, True,)}",
        1, b"\0" * 160)
    seeds["v1-escapes"] = npy("{'descr': '\\x3cf\\70', 'fortran_order': False, 'shape': (1,)}", 1, b"\0" * 8)
    seeds["v1-prefix-adjacent"] = npy(npy_dict("'<' r'f' B'8'", "(1,)"), 1, b"\0" * 8)
    seeds["v1-bytes-str"] = npy("{b'descr': '<f8', 'fortran_order': False, 'shape': (1,)}", 1)
    seeds["v1-long-suffix"] = npy(npy_dict("'<f8'", "(3L, 2L)"), 1, b"\0" * 48)
    seeds["v1-duplicate-key"] = npy(
        "{'descr': '<i4', 'descr': '<f8', 'fortran_order': False, 'shape': (1,)}", 1)
    seeds["v1-int-shape"] = npy(npy_dict("'<f8'", "3"), 1, b"\0" * 24)
    seeds["v1-misaligned"] = npy(npy_dict("'<f8'", "(1,)"), 1, b"\0" * 8, align=1)
    seeds["v1-trailing"] = npy(npy_dict("'<u1'", "(1,)"), 1, b"\0" + PICKLE)
    seeds["v1-truncated-data"] = npy(npy_dict("'<f8'", "(100,)"), 1, b"\0" * 8)
    seeds["v1-nested"] = npy(npy_dict("[('a', " * 12 + "'<f8'" + ")]" * 12, "(1,)"), 1)

    # Almost valid.
    seeds["bad-version"] = b"\x93NUMPY\x01\x01" + npy(npy_dict("'<f8'", "(1,)"))[8:]
    seeds["bad-v3-long"] = npy(npy_dict("'<f8'", "(1L,)"), 3)
    seeds["bad-v3-latin1"] = npy(npy_dict("'\u00e9'", "(1,)"), 1).replace(b"\x01\x00", b"\x03\x00", 1)
    seeds["bad-short-header"] = npy(npy_dict("'<f8'", "(1,)"))[:40]
    seeds["bad-header-len"] = b"\x93NUMPY\x02\x00\xff\xff\xff\x7f{'descr': '<f8'}"
    seeds["bad-missing-key"] = npy("{'descr': '<f8', 'shape': (1,)}")
    seeds["bad-extra-key"] = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}")
    seeds["bad-fortran"] = npy(npy_dict("'<f8'", "(1,)", "1"))
    seeds["bad-shape-list"] = npy(npy_dict("'<f8'", "[1, 2]"))
    seeds["bad-negative"] = npy(npy_dict("'<f8'", "(-1,)"))
    seeds["bad-unterminated"] = npy("{'descr': '<f8, 'fortran_order': False, 'shape': (1,)}")
    seeds["bad-name"] = npy("{'descr': dtype('<f8'), 'fortran_order': False, 'shape': (1,)}")
    seeds["bad-not-dict"] = npy("['descr', '<f8']")
    seeds["bad-field"] = npy(npy_dict("[('a',)]", "(1,)"))
    seeds["bad-deep"] = npy("{'descr': " + "[" * 40 + "]" * 40 + "}")
    seeds["magic-only"] = b"\x93NUMPY"
    return seeds


# --------------------------------------------------------------------------
# zip
# --------------------------------------------------------------------------

ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def zipfile_archive(members, method=zipfile.ZIP_STORED, comment=b"") -> bytes:
    """A zip written by Python's zipfile, with fixed timestamps."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in members:
            zi = zipfile.ZipInfo(name, ZIP_TIME)
            zi.compress_type = method
            zf.writestr(zi, data)
        zf.comment = comment
    return out.getvalue()


def deflate(data: bytes) -> bytes:
    co = zlib.compressobj(6, zlib.DEFLATED, -15)
    return co.compress(data) + co.flush()


def zip_member(name, data, method=0, **kw) -> dict:
    """One member for `zip_build`. Keywords override what is written: crc,
    flags, local_name, body (the stored bytes), zip64, descriptor."""
    body = kw.pop("body", deflate(data) if method == 8 else data)
    member = {"name": name, "method": method, "body": body, "size": len(data),
              "crc": zlib.crc32(data), "flags": 0, "local_name": name,
              "zip64": False, "descriptor": False}
    member.update(kw)
    return member


def zip_build(members, prefix=b"", align=0, zip64=False, comment=b"", count=None) -> bytes:
    """A zip assembled by hand. `align` pads stored data with an extra field
    the way PyTorch does; `zip64` writes zip64 end records; a member's
    `zip64` marks its sizes and offset and puts them in extras."""
    out = bytearray(prefix)
    central = bytearray()
    for m in members:
        offset = len(out) - len(prefix)
        name, local_name = m["name"].encode(), m["local_name"].encode()
        flags = m["flags"] | (8 if m["descriptor"] else 0)
        csize, usize = len(m["body"]), m["size"]
        local_extra = central_extra = b""
        lc, lu, co = csize, usize, offset
        if m["zip64"]:
            local_extra = struct.pack("<HHQQ", 1, 16, usize, csize)
            central_extra = struct.pack("<HHQQQ", 1, 24, usize, csize, offset)
            lc = lu = co = 0xFFFFFFFF
        crc = m["crc"]
        lcrc = 0 if m["descriptor"] else crc
        if m["descriptor"] and not m["zip64"]:
            lc = lu = 0
        if align:
            start = len(out) + 30 + len(local_name) + len(local_extra) + 4
            pad = -start % align
            local_extra += b"FB" + struct.pack("<H", pad) + b"Z" * pad
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 45 if m["zip64"] else 20, flags, m["method"],
                           0, 0x21, lcrc, lc, lu, len(local_name), len(local_extra))
        out += local_name + local_extra + m["body"]
        if m["descriptor"]:
            out += struct.pack("<IIII", 0x08074B50, crc, csize, usize)
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0x031E, 45 if m["zip64"] else 20,
                               flags, m["method"], 0, 0x21, crc,
                               0xFFFFFFFF if m["zip64"] else csize,
                               0xFFFFFFFF if m["zip64"] else usize,
                               len(name), len(central_extra), 0, 0, 0, 0o100644 << 16, co)
        central += name + central_extra
    n = len(members) if count is None else count
    cd_offset = len(out) - len(prefix)
    out += central
    if zip64:
        end64_at = len(out) - len(prefix)
        out += struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, n, n, len(central), cd_offset)
        out += struct.pack("<IIQI", 0x07064B50, 0, end64_at, 1)
        out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF,
                           len(comment))
    else:
        out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, len(central), cd_offset, len(comment))
    return bytes(out + comment)


def torch_zip(archive="archive", pkl=None, **kw) -> bytes:
    members = [
        zip_member(f"{archive}/data.pkl", pkl or torch_state_dict()),
        zip_member(f"{archive}/.format_version", b"1"),
        zip_member(f"{archive}/byteorder", b"little"),
        zip_member(f"{archive}/data/0", struct.pack("<6f", 0, 1, 2, 3, 4, 5)),
        zip_member(f"{archive}/version", b"3\n"),
        zip_member(f"{archive}/.data/serialization_id", b"0123456789" * 4),
    ]
    return zip_build(members, align=64, **kw)


def zip_seeds() -> dict:
    npy_member = npy(npy_dict("'<f8'", "(2,)"), 1, b"\0" * 16)
    npy_object = npy(npy_dict("'|O'", "(1,)"), 1, PICKLE)
    text = b"model weights " * 40
    seeds = {
        "stored": zipfile_archive([("data.pkl", PICKLE), ("readme.txt", b"hi")]),
        "deflated": zipfile_archive([("data.pkl", PICKLE), ("text", text), ("empty", b"")],
                                    zipfile.ZIP_DEFLATED),
        "comment": zipfile_archive([("a", b"a")], comment=b"archive comment"),
        "comment-fake-end": zipfile_archive([("a", b"a")], comment=b"PK\x05\x06" + b"\0" * 18),
        "empty": zipfile_archive([]),
        "npz": zipfile_archive([("arr_0.npy", npy_member), ("obj.npy", npy_object)], zipfile.ZIP_DEFLATED),
        "torch": torch_zip(),
        "torch-other-root": torch_zip("my_model"),
        "torch-prepended": b"#!/bin/sh\nexit 0\n" + torch_zip(),
        "torch-zip64": torch_zip(zip64=True),
        "zip64-members": zip_build(
            [zip_member("archive/data.pkl", PICKLE, zip64=True),
             zip_member("archive/data/0", text, 8, zip64=True)], zip64=True, comment=b"z64"),
        "descriptor": zip_build(
            [zip_member("data.pkl", PICKLE, 8, descriptor=True), zip_member("b", text, 8, descriptor=True)]),
        "descriptor-zip64": zip_build([zip_member("data.pkl", PICKLE, descriptor=True, zip64=True)],
                                      zip64=True),
        "prepended": b"\0" * 100 + zipfile_archive([("data.pkl", PICKLE)], zipfile.ZIP_DEFLATED),
        "tamper-crc": zip_build([zip_member("data.pkl", PICKLE, crc=0x12345678)]),
        "tamper-names": zip_build([zip_member("data.pkl", PICKLE, local_name="other.pkl"),
                                   zip_member("DATA.PKL", b"\x80\x02N.")]),
        "tamper-duplicate": zip_build([zip_member("archive/data.pkl", b"\x80\x02N."),
                                       zip_member("archive/data.pkl", PICKLE)]),
        "tamper-flags": zip_build([zip_member("enc", b"x", flags=1), zip_member("strong", b"y", flags=0x41),
                                   zip_member("masked", b"z", flags=0x2000),
                                   zip_member("utf8-\u00e9", b"w", flags=0x800)]),
        "tamper-methods": zip_build([zip_member("bz2", b"x", 12, body=bz2.compress(b"x")),
                                     zip_member("lzma", b"y", 14),
                                     zip_member("bad-deflate", text, 8, body=b"\xff" * 8)]),
        "tamper-count": zip_build([zip_member("a", b"a"), zip_member("b", b"b")], count=1),
        "tamper-count-high": zip_build([zip_member("a", b"a")], count=3),
        "tamper-paths": zip_build([zip_member("../../etc/passwd", b"x"), zip_member("/abs", b"y"),
                                   zip_member("c:\\win", b"z"), zip_member("dir/", b"")]),
        "tamper-sizes": zip_build([zip_member("big", text, 8, size=1 << 31)]),
        "bomb": zip_build([zip_member("zeros", b"\0" * (1 << 20), 8)]),
    }
    cut = seeds["torch"]
    seeds["truncated"] = cut[: len(cut) // 2] + cut[-22:]
    return seeds


# --------------------------------------------------------------------------
# pickle
# --------------------------------------------------------------------------


class Asm:
    """Writes pickle opcodes by hand; nothing here ever loads one."""

    def __init__(self, proto=2):
        self.out = bytearray(b"\x80" + bytes([proto]) if proto >= 2 else b"")

    def op(self, raw: bytes):
        self.out += raw
        return self

    def line(self, code: bytes, *parts: str):
        return self.op(code + b"".join(p.encode() + b"\n" for p in parts))

    def glob(self, mod: str, name: str):
        return self.line(b"c", mod, name)

    def str(self, s: str):
        raw = s.encode()
        if len(raw) < 256:
            return self.op(b"\x8c" + bytes([len(raw)]) + raw)
        return self.op(b"X" + struct.pack("<I", len(raw)) + raw)

    def ustr(self, s: str):
        """BINUNICODE, as protocols 1-3 write strings."""
        raw = s.encode()
        return self.op(b"X" + struct.pack("<I", len(raw)) + raw)

    def int(self, n: int):
        if 0 <= n < 256:
            return self.op(b"K" + bytes([n]))
        if 0 <= n < 65536:
            return self.op(b"M" + struct.pack("<H", n))
        return self.op(b"J" + struct.pack("<i", n))

    def stack_global(self, mod: str, name: str):
        return self.str(mod).op(b"\x94").str(name).op(b"\x94\x93\x94")

    def bytes(self) -> bytes:
        return bytes(self.out)


def framed(proto: int, body: bytes) -> bytes:
    return b"\x80" + bytes([proto]) + b"\x95" + struct.pack("<Q", len(body)) + body


def tensor(p: Asm, key: str, shape, storage="FloatStorage") -> None:
    """torch._utils._rebuild_tensor_v2((storage persid), 0, size, stride, False, OrderedDict())."""
    stride, acc = [], 1
    for s in reversed(shape):
        stride.insert(0, acc)
        acc *= s
    p.glob("torch._utils", "_rebuild_tensor_v2").op(b"(")
    p.op(b"(").ustr("storage").glob("torch", storage).ustr(key).ustr("cpu").int(acc).op(b"tQ")
    p.int(0).op(b"(")
    for s in shape:
        p.int(s)
    p.op(b"t(")
    for s in stride:
        p.int(s)
    p.op(b"t\x89").glob("collections", "OrderedDict").op(b")RtR")


def torch_state_dict() -> bytes:
    """An OrderedDict state dict with `_metadata`, as torch.save writes it."""
    p = Asm(2).glob("collections", "OrderedDict").op(b"q\x00)Rq\x01(")
    p.ustr("fc.weight")
    tensor(p, "0", (2, 3))
    p.ustr("fc.bias")
    tensor(p, "1", (2,), "HalfStorage")
    p.op(b"u}(").ustr("_metadata").op(b"h\x00)R(").ustr("").op(b"}(").ustr("version").int(1)
    return p.op(b"uuub.").bytes()


def numpy_array(proto=3) -> bytes:
    """numpy's ndarray.__reduce__: _reconstruct, then BUILD with a dtype."""
    p = Asm(proto).glob("numpy.core.multiarray", "_reconstruct").glob("numpy", "ndarray")
    p.int(0).op(b"\x85C\x01b\x87R(").int(1).int(3).op(b"\x85").glob("numpy", "dtype")
    p.ustr("f8").op(b"\x89\x88\x87R(").int(3).ustr("<").op(b"NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xff")
    p.int(0).op(b"tb\x89C\x18" + b"\0" * 24 + b"tb.")
    return p.bytes()


def joblib_array(object_dtype=False) -> bytes:
    """joblib's NumpyArrayWrapper: the raw array follows its BUILD in the stream."""
    p = Asm(4).stack_global("joblib.numpy_pickle", "NumpyArrayWrapper").op(b")\x81}(")
    p.str("subclass").stack_global("numpy", "ndarray").str("shape").int(3).op(b"\x85")
    p.str("order").str("C").str("dtype").stack_global("numpy", "dtype")
    p.str("O8" if object_dtype else "i8").op(b"\x89\x88\x87R(").int(3).str("|" if object_dtype else "<")
    p.op(b"NNN").op(b"J\xff\xff\xff\xffJ\xff\xff\xff\xff").int(63 if object_dtype else 0).op(b"tb")
    p.str("allow_mmap").op(b"\x89").str("numpy_array_alignment_bytes").int(16).op(b"ub")
    if object_dtype:
        p.op(pickle.dumps([1, "two", 3.0], protocol=4))
    else:
        p.op(b"\x07" + b"\0" * 7 + struct.pack("<3q", 1, 2, 3))
    return p.op(b".").bytes()


def dumps_seeds() -> dict:
    """Python's own pickler on plain builtin containers (deterministic: no str sets)."""
    shared = [1, 2]
    value = {
        "ints": [0, 1, -1, 255, 256, 65535, 65536, 2**31 - 1, -(2**31), 2**31, 2**64, -(2**70), 10**300],
        "floats": [0.0, -1.5, 1e308, float("inf")],
        "strings": ["", "a", "\u00e9\u20ac\U0001f600", "x" * 300, "line\nbreak\\"],
        "bytes": [b"", b"\0\xff", b"y" * 300, bytearray(b"ba")],
        "containers": [(), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4), [], {}, set(), {1, 2}, frozenset({3})],
        "shared": (shared, shared),
        "flags": [None, True, False],
        1: {2: {3: {4: [[[]]]}}},
    }
    recursive = []
    recursive.append(recursive)
    seeds = {}
    for proto in range(6):
        seeds[f"dumps-p{proto}"] = pickle.dumps(value, protocol=proto)
        seeds[f"dumps-p{proto}-recursive"] = pickle.dumps(recursive, protocol=proto)
        seeds[f"dumps-p{proto}-long-list"] = pickle.dumps(list(range(1200)), protocol=proto)
    return seeds


def pickle_seeds() -> dict:
    seeds = dumps_seeds()
    cmd = "echo aigis-fuzz-seed"
    p4 = Asm(4).stack_global("posix", "system").str(cmd).op(b"\x85\x94R\x94.").bytes()
    seeds.update({
        "global-reduce-p0": b"cos\nsystem\n(S'" + cmd.encode() + b"'\ntR.",
        "global-reduce-p2": Asm(2).glob("builtins", "eval").ustr("1+1").op(b"\x85R.").bytes(),
        "stack-global-p4": p4,
        "stack-global-framed": framed(4, p4[2:]),
        "frame-straddle": b"\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00\x8c\x02os\x94\x95"
                          b"\x0c\x00\x00\x00\x00\x00\x00\x00\x8c\x06system\x94\x93N\x85R.",
        "inst": b"(S'" + cmd.encode() + b"'\nios\nsystem\n.",
        "obj": b"(cos\nsystem\nS'" + cmd.encode() + b"'\no.",
        "newobj": Asm(2).glob("argparse", "Namespace").op(b")\x81}").ustr("a").int(1).op(b"sb.").bytes(),
        "newobj-ex": Asm(4).stack_global("builtins", "object").op(b")}\x92.").bytes(),
        "build-on-global": Asm(2).glob("torch", "nn").op(b"}").ustr("x").op(b"Nsb.").bytes(),
        "build-slotstate": Asm(2).glob("argparse", "Namespace").op(b")R}}").ustr("s").int(2)
                           .op(b"s\x86b.").bytes(),
        "ext1": b"\x80\x02\x82\x01)R.",
        "ext2": b"\x80\x02\x83\x00\x01)R.",
        "ext4": b"\x80\x02\x84\x00\x00\x01\x00)R.",
        "persid": b"P0\n.",
        "binpersid": b"\x80\x02(X\x07\x00\x00\x00storageK\x00tQ.",
        "memo-p0": b"(lp0\nI1\nag0\naI01\naI00\naF1.5\naL5L\naS'a'\np1\nag1\na.",
        "memo-p1": b"]q\x00(K\x01h\x00r\x00\x01\x00\x00j\x00\x01\x00\x00e.",
        "memo-p4": b"\x80\x04]\x94(\x8c\x01a\x94h\x01\x94h\x02e.",
        "stack-ops": b"\x80\x02((K\x011K\x020K\x032\x86(K\x04ll.",
        "containers": b"\x80\x04(\x8f\x94(K\x01K\x02\x90(K\x0a\x91(K\x03K\x04d(K\x05K\x06t(l](K\x07e"
                      b"}(K\x08K\x09u}K\x0aK\x0bs]K\x0ca\x94l.",
        "numbers": b"\x80\x02(\x8a\x02\xff\x7f\x8b\x04\x00\x00\x00\x01\x02\x03\x04"
                   b"G?\xf0\x00\x00\x00\x00\x00\x00"
                   b"I-5\nL-10L\nF-2.5e3\nJ\x00\x00\x00\x80\x87l.",
        "strings": b"\x80\x03(S'q\\'s'\nT\x02\x00\x00\x00abU\x01cVd\\u00e9\nC\x01eB\x01\x00\x00\x00f"
                   b"\x8d\x01\x00\x00\x00\x00\x00\x00\x00g(tl.",
        "buffers-p5": b"\x80\x05\x96\x02\x00\x00\x00\x00\x00\x00\x00ab\x98\x94.",
        "next-buffer": b"\x80\x05\x97\x98.",
        "torch-state-dict": torch_state_dict(),
        "numpy-array": numpy_array(),
        "numpy-array-p4": numpy_array(4),
        "joblib-array": joblib_array(),
        "joblib-object-array": joblib_array(object_dtype=True),
        "nested-loads": Asm(2).glob("pickle", "loads").op(b"C" + bytes([len(p4)]) + p4 + b"\x85R.").bytes(),
        "getattr": Asm(2).glob("builtins", "getattr").glob("os", "path").ustr("join").op(b"\x86R.").bytes(),
        "bytesio": Asm(3).glob("io", "BytesIO").op(b"C\x05bytes\x85R.").bytes(),
        "multi-stream": PICKLE + b"\x80\x02N." + b"junk" + b"(lp0\n.",
        "truncated": PICKLE[:-4],
        "bad-proto": b"\x80\x09N.",
        "mark-underflow": b"\x80\x02(e1t.",
    })
    return seeds


# Opcodes a protocol 0 or 1 pickle may start with (a mark or a value).
TEXT_START = b"()]}FGIJKLMNPSTUVXci"


def classify_sample(head: bytes):
    if head.startswith(b"\x93NUMPY"):
        return "npy"
    if head.startswith(b"PK"):
        return "zip"
    if head[:1] == b"\x80" or (head[:1] and head[0] in TEXT_START):
        return "pickle"
    return None


def sample_seeds(root: pathlib.Path) -> dict:
    """Files generated by samples/generate.py, by target, cut to MAX_SAMPLE bytes."""
    found = {"pickle": {}, "zip": {}, "npy": {}}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path.name == "manifest.json":
            continue
        with open(path, "rb") as f:
            data = f.read(MAX_SAMPLE)
        target = classify_sample(data)
        if target:
            name = "sample-" + "_".join(path.relative_to(root).parts)
            found[target][name] = data
    return found


def tensor_file_seeds() -> dict:
    """Seeds per target from samples/tensor_files.py: files by extension,
    and its chat templates (benign and malicious) for the jinja target."""
    import sys

    sys.path.insert(0, str(HERE.parent / "samples"))
    import tensor_files as tf

    class Collect:
        items = {}

        def add(self, path, data, *_):
            self.items[path.replace("/", "-")] = data

    out = Collect()
    tf.write(out, lambda: PICKLE)
    seeds = {"safetensors": {}, "gguf": {}, "jinja": {}}
    for name, data in out.items.items():
        target = "gguf" if name.endswith(".gguf") else "safetensors"
        seeds[target][name] = data
    for name in ("LLAMA3", "MISTRAL", "CHATML", "GEMMA", "QWEN_TOOLS", "SUBCLASSES_WALK", "GLOBALS_WALK",
                 "OBFUSCATED_ITEMS", "ATTR_FILTER", "DYNAMIC_ATTR", "REVERSED_ITEMS"):
        seeds["jinja"][name.lower()] = getattr(tf, name).encode()
    return seeds


def hdf5_seeds() -> dict:
    import json
    import sys

    sys.path.insert(0, str(HERE.parent / "samples"))
    import generate as g

    seeds = {}
    for p in sorted((HERE.parent / "crates/formats/tests/data/hdf5").glob("*.h5")):
        seeds[p.stem] = p.read_bytes()
    dense = g.tf_keras_sequential([g.tf_keras_dense("d1"), g.tf_keras_lambda(lambda x: x * 2.0)])
    seeds["keras-h5"] = g.keras_h5(dense, {"loss": "mse"})
    seeds["weights"] = g.hdf5_file({"backend": "jax"})
    # A config as the second half: the target wraps it in a well-formed file.
    for name, cfg in (("lambda", dense),
                      ("module", g.tf_keras_sequential([g.keras_layer("keras.layers", "Dense", {
                          "name": "d", "units": 1, "activation": {"module": "os", "class_name": "function",
                                                                  "config": "system"}})]))):
        text = json.dumps(cfg).encode()
        seeds["json-" + name] = bytes(len(text)) + text
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
    loop = g.node("Loop", ["", "c"], ["l"], "/loop", attrs=[g.attr_graph("body", body)])
    pyop = g.node("PyOp", ["y"], ["z"], "/py", domain="p",
                  attrs=[g.attr_str("module", "os"), g.attr_str("class_name", "system")])
    ext = g.external_tensor("w", [10], "../../etc/passwd", 0, 40)
    return {
        "cnn": cnn,
        "control-flow": g.model(g.tiny_cnn_graph(flow), functions=[fn]),
        "loop-custom": g.model(g.graph([loop], "m", [], [])),
        "pyop": g.model(g.graph([pyop], "m", [], [])),
        "external": g.model(g.graph([], "m", [], [], [ext])),
        "metadata-pickle": g.model(g.graph([], "m", [], []), metadata=[("config", PICKLE)]),
        "truncated": cnn[: len(cnn) // 2],
    }


def tflite_seeds() -> dict:
    import sys

    sys.path.insert(0, str(HERE.parent / "samples"))
    import gen_tflite

    class Collect:
        def __init__(self):
            self.items = {}

        def add(self, path, data, *_):
            self.items[path.rsplit("/", 1)[-1].removesuffix(".tflite")] = data

    c = Collect()
    gen_tflite.write(c)
    return c.items


def convert_seeds() -> dict:
    """The converter's fixtures (samples/convert_cases.py, stdlib part) plus torch and npy seeds."""
    sys.path.insert(0, str(HERE.parent / "samples"))
    import convert_cases as cc

    class Collect(cc.Cases):
        def add(self, file, data, *args, **kw):
            self.files[file] = data

    c = Collect(None)
    c.files = {}
    cc.torch_cases(c)
    cc.numpy_cases(c)
    seeds = {"case-" + name: data for name, data in c.files.items()}
    seeds.update({k: v for k, v in zip_seeds().items() if k.startswith(("torch", "npz"))})
    seeds["state-dict"] = torch_state_dict()
    seeds.update({"npy-" + k: v for k, v in list(npy_seeds().items())[:12]})
    return seeds


def write(target: str, seeds: dict) -> None:
    folder = HERE / "corpus" / target
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in seeds.items():
        (folder / ("seed-" + name)).write_bytes(data)
    print(f"{target}: {len(seeds)} seeds in {folder}")


def ipynb_seeds() -> dict:
    """Notebooks as nbformat writes them (indent 1), v3 and v4, with stream,
    display (text and image), JSON and error outputs, escapes and surrogates."""
    cell_code = {
        "cell_type": "code", "execution_count": 1, "metadata": {},
        "source": ["import os\n", "x = \"tab\\there\" + '\u00e9\U0001F600'\n", "!pip install foo"],
        "outputs": [
            {"name": "stdout", "output_type": "stream", "text": ["token hf_abc\n", "done"]},
            {"output_type": "display_data", "metadata": {},
             "data": {"image/png": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB", "text/plain": ["<Figure>"]}},
            {"output_type": "execute_result", "execution_count": 1, "metadata": {},
             "data": {"application/json": {"k": ["v", {"d": "w"}], "n": 1.5e3}, "text/html": "<b>x</b>"}},
            {"output_type": "error", "ename": "ValueError", "evalue": "bad",
             "traceback": ["\u001b[0;31mValueError\u001b[0m: bad"]},
        ],
    }
    md = {"cell_type": "markdown", "metadata": {}, "source": "# Title\ntext"}
    v4 = {"cells": [md, cell_code], "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
          "nbformat": 4, "nbformat_minor": 5}
    v3 = {"worksheets": [{"cells": [{"cell_type": "code", "input": ["x = 1\n"],
                                     "outputs": [{"output_type": "pyout", "text": ["1"]}]}]}],
          "nbformat": 3, "metadata": {}}
    return {
        "v4-indent1": json.dumps(v4, indent=1).encode(),
        "v4-ascii": json.dumps(v4, indent=1, ensure_ascii=True).encode(),
        "v4-compact": json.dumps(v4, separators=(",", ":"), ensure_ascii=False).encode(),
        "v3": json.dumps(v3, indent=1).encode(),
        "empty": b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
    }


def pycode_seeds() -> dict:
    """Every Python fixture of the code rules and the demo project, plus
    f-string, decorator and import shapes the prefilter has to follow."""
    root = HERE.parent
    files = sorted((root / "crates" / "pycode" / "tests").rglob("*.py"))
    files += sorted((root / "demo" / "project").glob("*.py"))
    seeds = {f"{p.parent.name}-{p.name}": p.read_bytes() for p in files}
    seeds["fstrings"] = (b"import pickle\nx = f'{a!r:>{w}} {d[\"k\"]} {{lit}}'\n"
                         b"y = f\"\"\"{\n  pickle.loads(b)  # c\n}\"\"\"\n"
                         b"z = rf'\\N{x}' + f'\\N{EM DASH}'\n")
    seeds["decorator"] = (b"@app.get('/p')\ndef p(q):\n    try:\n        return m(q)\n"
                          b"    except Exception as e:\n        return str(e)\n")
    seeds["imports"] = b"from pandas import (\n    eval as pe,\n)\npe(q); df.query(q)\n1.compile(x)\n"
    return seeds


def deps_seeds() -> dict:
    """Seeds of the dependency readers: requirements (with includes after
    0xFF bytes), lock files (first byte picks the reader) and OSV records
    (the committed test records)."""
    data = HERE.parent / "crates" / "deps" / "tests" / "data" / "osv"
    reqs = {
        "plain": b"jinja2==2.10\ntorch==2.1.0+cu121 --hash=sha256:aa \\\n  --hash=sha256:bb\nnumpy>=1.24 ; python_version >= '3.9'  # c\n",
        "includes": b"-r a0.txt\n-c a1.txt\nx==1\n\xffy==2\n-r a1.txt\n\xffz==3\n-r ../requirements.txt\n",
        "targets": b"-e .\n-e git+https://github.com/o/r@v1#egg=r\nlib @ https://e.com/l.tar.gz ; os_name == 'nt'\n./local\n--index-url https://x\n",
    }
    locks = {
        "pyproject": b"\x00[project]\ndependencies = ['torch==2.1.0', 'numpy>=1']\n[tool.poetry.dependencies]\npython = '^3.10'\nscipy = '^1.10'\nx = { git = 'https://g' }\n",
        "poetry": b"\x01[[package]]\nname = 'jinja2'\nversion = '2.10'\n[package.source]\ntype = 'git'\nurl = 'u'\n",
        "uv": b"\x02version = 1\n[[package]]\nname = 'torch'\nversion = '2.1.0+cu121'\nsource = { registry = 'r' }\n",
        "pdm": b"\x03[[package]]\nname = 'requests'\nversion = '2.19.1'\n",
        "pylock": b"\x04lock-version = '1.0'\n[[packages]]\nname = 'numpy'\nversion = '1.21.0'\n[[packages]]\nname = 'm'\ndirectory = { path = '.' }\n",
        "pipfile": b'\x05{"default": {"requests": {"version": "==2.19.1"}, "l": {"git": "g"}}, "develop": {}}',
        "conda": b"\x06name: ml\ndependencies:\n  - python=3.10\n  - pytorch=2.1.0\n  - conda-forge::py-xgboost==1.7.5=cuda\n  - pip:\n    - keras==2.13.1\n",
    }
    records = {p.stem: p.read_bytes() for p in sorted(data.glob("*/*.json"))}
    return {"requirements": reqs, "lockfiles": locks, "osv_record": records}


def crypt_header_seeds() -> dict:
    """The known-answer vectors of docs/model-encryption.md: valid files under
    the fuzz target's key (00..1f), so mutations reach the segments; plus a
    tamper-oracle input (mode byte 0 and parameters before the plaintext)."""
    doc = (HERE.parent / "docs" / "model-encryption.md").read_text()
    seeds = {}
    for block in re.findall(r"```vector\n(.*?)```", doc, re.S):
        fields, last = {}, None
        for line in block.splitlines():
            if ":" in line:
                last, value = (part.strip() for part in line.split(":", 1))
                fields[last] = value
            elif line.strip():
                fields[last] += line.strip()
        seeds["vector-" + fields["name"]] = bytes.fromhex(fields["ciphertext"])
    seeds["oracle"] = b"\x00\x00\x10\x00\x03" + bytes(range(90))
    return seeds


def deploy_seeds() -> dict:
    """samples/deploy by kind plus edge cases of each reader."""
    root = HERE.parent / "samples" / "deploy"
    out = {"dockerfile": {}, "nginx": {}, "k8s_yaml": {}}
    for p in sorted(root.rglob("*")):
        if not p.is_file():
            continue
        kind = ("dockerfile" if p.name == "Dockerfile" else
                "nginx" if p.suffix == ".conf" else "k8s_yaml")
        out[kind]["sample-" + p.name] = p.read_bytes()
    out["dockerfile"].update({
        "heredoc": b"# syntax=docker/dockerfile:1\nFROM a:1 AS b\nRUN <<-EOF bash\n\tcurl x | sh\n\tEOF\nCOPY <<A <<B /x\na\nA\nb\nB\n",
        "escape": b"# escape=`\nFROM a\nRUN echo `\n  hi\nUSER root\n",
        "json": b'FROM a\nCMD ["a\\"b", "c"]\nENTRYPOINT ["x"\n',
    })
    out["nginx"].update({
        "include": b"http { include conf.d/*.conf; include x.missing; server { listen 80; location /v1/ { proxy_pass http://m; } } }",
        "quotes": b"server { add_header 'a;b' \"c\\\"d\" always; # c\n }",
    })
    out["k8s_yaml"].update({
        "list": b"apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  spec: {containers: [{name: a, image: b}]}\n",
        "aliases": b"a: &a {privileged: true}\nservices:\n  x: *a\n  y: {<<: *a}\n---\n{\"icc\": true}\n",
    })
    return out


def proc_net_seeds() -> dict:
    """The /proc/net tables of the host-check fixtures, each prefixed with
    the byte that makes the proc_net target read it as its own table."""
    root = HERE.parent / "crates" / "deploy" / "tests" / "fixtures" / "host"
    pick = {"tcp": 0, "tcp6": 1, "udp": 2, "udp6": 3}
    out = {}
    for p in sorted(root.glob("*/proc/net/*")):
        out[f"{p.parent.parent.parent.name}_{p.name}"] = bytes([pick[p.name]]) + p.read_bytes()
    return out


def audit_line_seeds() -> dict:
    """Lines of an aigis audit log: genesis, record, gap, checkpoint, and near misses."""
    import hashlib
    zero = "0" * 64
    genesis = '{"seq":0,"prev":"%s","genesis":{"version":1,"created":"2026-12-02T06:45:00.000Z"}}' % zero
    h0 = hashlib.sha256(genesis.encode()).hexdigest()
    record = ('{"seq":1,"prev":"%s","record":{"time":"2026-12-02T06:45:01.000Z","request_id":"r1",'
              '"identity":"key-1","role":"reader","model":"llama","route":"/v1/chat","method":"POST",'
              '"status":200,"latency_ms":3,"bytes_in":10,"bytes_out":20,"decision":"allow"}}' % h0)
    h1 = hashlib.sha256(record.encode()).hexdigest()
    gap = '{"seq":2,"prev":"%s","gap":{"dropped":5,"time":"2026-12-02T06:45:02.000Z"}}' % h1
    h2 = hashlib.sha256(gap.encode()).hexdigest()
    checkpoint = ('{"seq":3,"prev":"%s","checkpoint":{"seq":2,"hash":"%s","time":"2026-12-02T06:45:03.000Z",'
                  '"key_id":"sha256:0011223344556677","alg":"ES256"},"sig":"MEUCIQDx"}' % (h2, h2))
    return {
        "genesis": genesis.encode(),
        "record": record.encode(),
        "gap": gap.encode(),
        "checkpoint": checkpoint.encode(),
        "two_bodies": record.replace('"record"', '"gap":{"dropped":1,"time":"t"},"record"').encode(),
        "sig_without_checkpoint": record[:-1].encode() + b',"sig":"AA=="}',
        "bad_prev": genesis.replace(zero, "x" * 64).encode(),
        "deep": b"[" * 200,
    }


def jwt_parse_seeds() -> dict:
    """Compact JWS tokens (unsigned or with junk signatures) and JWKS documents."""
    import base64
    import json

    def b64(obj) -> str:
        raw = obj if isinstance(obj, bytes) else json.dumps(obj, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    claims = {"iss": "https://idp.test", "aud": "api", "sub": "alice", "exp": 4102444800}
    sig = b64(b"\x01" * 64)
    return {
        "eddsa": f"{b64({'alg': 'EdDSA', 'kid': 'k1'})}.{b64(claims)}.{sig}".encode(),
        "es256": f"{b64({'alg': 'ES256', 'kid': 'k2', 'typ': 'JWT'})}.{b64(claims)}.{sig}".encode(),
        "none": f"{b64({'alg': 'none'})}.{b64(claims)}.".encode(),
        "hs256": f"{b64({'alg': 'HS256', 'kid': 'k1'})}.{b64(claims)}.{sig}".encode(),
        "jwk_header": f"{b64({'alg': 'ES256', 'jwk': {'kty': 'EC'}})}.{b64(claims)}.{sig}".encode(),
        "crit": f"{b64({'alg': 'EdDSA', 'crit': ['b64'], 'b64': False})}.{b64(claims)}.{sig}".encode(),
        "five_parts": b"a.b.c.d.e",
        "jwks": json.dumps({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": b64(b"\x02" * 32)},
                                      {"kty": "oct", "k": "AAAA"},
                                      {"kty": "RSA", "n": b64(b"\xff" * 256), "e": "AQAB", "alg": "RS256"}]}).encode(),
    }


def gateway_config_seeds() -> dict:
    """The example gateway.toml, alone and with its [auth] tables uncommented,
    and small configs with JWT issuers and introspection."""
    example = (HERE.parent / "examples" / "gateway" / "gateway.toml").read_text()
    head, _, auth = example.partition("# Bearer tokens")
    uncommented = "".join(
        line[2:] + "\n" for line in auth.splitlines()
        if line.startswith("# ") and (line[2:3].islower() or line[2:3] == "[")
    )
    minimal = (
        'key_store = "k.db"\nkey_hash_secret = "env:S"\naudit_log = "a.jsonl"\n'
        '[listen]\npublic = "127.0.0.1:1"\n'
        '[[routes]]\nname = "r"\npath_prefix = "/"\nupstream = "http://127.0.0.1:2"\n'
        '[roles.a]\nroutes = ["r"]\nmethods = ["POST"]\n'
    )
    jwt = (
        '[[auth.jwt]]\nissuer = "https://i"\naudiences = ["x"]\njwks_url = "https://i/j"\n'
        'algorithms = ["ES256", "EdDSA"]\nleeway = "5s"\nrole_map = { g = "a" }\n'
    )
    intro = (
        '[auth.introspection]\nendpoint = "http://127.0.0.1:3/i"\nclient_id = "c"\n'
        'client_secret = "env:C"\ncache_ttl = "30s"\nnegative_cache_ttl = "5s"\n'
    )
    return {
        "example": example.encode(),
        "example_auth": (head + uncommented).encode(),
        "minimal": minimal.encode(),
        "jwt": (minimal + jwt).encode(),
        "jwt_file": (minimal + jwt.replace('jwks_url = "https://i/j"', 'jwks_file = "/dev/null"')).encode(),
        "introspection": (minimal + intro).encode(),
        "hs256": (minimal + jwt.replace('"ES256", "EdDSA"', '"HS256"')).encode(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=pathlib.Path, metavar="DIR",
                        help="also copy files written by samples/generate.py DIR")
    args = parser.parse_args()
    seeds = {
        "tar": tar_seeds(),
        "compress": compress_seeds(),
        "npy": npy_seeds(),
        "zip": zip_seeds(),
        "pickle": pickle_seeds(),
        "onnx": onnx_seeds(),
        "hdf5": hdf5_seeds(),
        "sevenz": {p.stem: p.read_bytes() for p in sorted((HERE / "seeds" / "sevenz").glob("*.7z"))},
        "tflite": tflite_seeds(),
        "convert": convert_seeds(),
        "ipynb": ipynb_seeds(),
        "pycode": pycode_seeds(),
        # Signatures written by the real model_signing 1.1.1 (key, certificate
        # chain, shards, single file) and by aigis; committed like sevenz's.
        "oms_bundle": {p.stem: p.read_bytes() for p in sorted((HERE / "seeds" / "oms_bundle").glob("*.sig"))},
        "crypt_header": crypt_header_seeds(),
        "audit_line": audit_line_seeds(),
        "jwt_parse": jwt_parse_seeds(),
        "gateway_config": gateway_config_seeds(),
    }
    seeds.update(tensor_file_seeds())
    seeds.update(deps_seeds())
    seeds.update(deploy_seeds())
    seeds["proc_net"] = proc_net_seeds()
    if args.samples:
        if not args.samples.is_dir():
            parser.error(f"{args.samples} is not a directory (run samples/generate.py {args.samples})")
        for target, found in sample_seeds(args.samples).items():
            seeds[target].update(found)
    for target, found in seeds.items():
        write(target, found)


if __name__ == "__main__":
    main()
