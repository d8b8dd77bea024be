#!/usr/bin/env python3
"""Write the fixtures for `aigis model convert` and what each must become.

    python3 samples/convert_cases.py OUTDIR

Writes checkpoints built byte by byte with generate.py's pickle writer (the
way torch.save writes them: zip and legacy formats, shared storages, slices,
transposed views, every storage dtype, nested dicts, a malicious one) and
.npy/.npz files (hand-built, and with real numpy when it is importable:
np.save, np.savez, np.savez_compressed). Real PyTorch is not used (too big to
install for the tests); the writers follow torch/serialization.py.

OUTDIR/cases.json lists every file:

    {"file": name, "expect": "converted" | "refused" | "error",
     "reason": substring of the refusal,
     "tensors": {name: {"dtype": "F32", "shape": [...], "hex": row-major little-endian bytes}},
     "metadata": {key: value}}

Stdlib only, apart from the optional real-numpy cases. Nothing is loaded.
"""

import json
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate as g  # noqa: E402

STORAGE = {  # storage class: (safetensors dtype, struct code)
    "FloatStorage": ("F32", "f"), "DoubleStorage": ("F64", "d"), "HalfStorage": ("F16", "e"),
    "BFloat16Storage": ("BF16", "H"), "LongStorage": ("I64", "q"), "IntStorage": ("I32", "i"),
    "ShortStorage": ("I16", "h"), "CharStorage": ("I8", "b"), "ByteStorage": ("U8", "B"),
    "BoolStorage": ("BOOL", "?"),
}


class Store:
    """Storages by key: class and values; packs them in either byte order."""

    def __init__(self):
        self.items = {}

    def add(self, key, cls, values):
        self.items[key] = (cls, list(values))
        return key

    def raw(self, key, order="<"):
        cls, values = self.items[key]
        return struct.pack(order + "%d%s" % (len(values), STORAGE[cls][1]), *values)

    def pairs(self, order="<"):
        return [(k, self.raw(k, order)) for k in self.items]


def tensor(p, store, key, offset, shape, stride, legacy=False, param=False):
    """_rebuild_tensor_v2(('storage', cls, key, 'cpu', numel), offset, shape, stride, False, OrderedDict())."""
    cls, values = store.items[key]
    if param:
        p.glob("torch._utils", "_rebuild_parameter")
    p.glob("torch._utils", "_rebuild_tensor_v2")
    p.mark()
    pid = ("storage", g.Glob("torch", cls), key, "cpu", len(values)) + ((None,) if legacy else ())
    p.tup(pid).binpersid()
    p.int(offset).tup(tuple(shape)).tup(tuple(stride)).bool(False)
    p.call("collections", "OrderedDict")
    p.tuple().reduce()
    if param:
        p.bool(True).call("collections", "OrderedDict").raw(b"\x87").reduce()
    return p


def expected(store, key, offset, shape, stride):
    """The view's elements, row-major, as little-endian bytes (computed independently)."""
    cls, values = store.items[key]
    out = []

    def walk(dim, base):
        if dim == len(shape):
            out.append(values[base])
            return
        for i in range(shape[dim]):
            walk(dim + 1, base + i * stride[dim])

    walk(0, offset)
    raw = struct.pack("<%d%s" % (len(out), STORAGE[cls][1]), *out)
    return {"dtype": STORAGE[cls][0], "shape": list(shape), "hex": raw.hex()}


def contiguous(shape):
    stride, acc = [], 1
    for s in reversed(shape):
        stride.insert(0, acc)
        acc *= s
    return tuple(stride)


def views_pickle(store, views, proto=2, legacy=False, extra=None):
    """An OrderedDict state_dict of (name, key, offset, shape, stride[, param]) views;
    the first tensor is memoized under 90 (for `extra` to GET)."""
    p = g.Pk(proto)
    p.call("collections", "OrderedDict")
    p.mark()
    for i, (name, key, offset, shape, stride, *param) in enumerate(views):
        p.str(name)
        tensor(p, store, key, offset, shape, stride, legacy=legacy, param=bool(param and param[0]))
        if i == 0:
            p.put(90)
    p.setitems()
    if extra:
        extra(p)
    return p.stop().data()


def expect_views(store, views):
    return {name: expected(store, key, off, shape, stride) for name, key, off, shape, stride, *_ in views}


class Cases:
    def __init__(self, out):
        self.out = out
        self.list = []

    def add(self, file, data, expect="converted", tensors=None, metadata=None, reason=""):
        with open(os.path.join(self.out, file), "wb") as f:
            f.write(data)
        self.list.append({"file": file, "expect": expect, "reason": reason,
                          "tensors": tensors or {}, "metadata": metadata or {}})


def torch_cases(c):
    # The scanner's benign state_dict (generate.py), zip and legacy.
    store = Store()
    views = []
    for i, (name, key, shape) in enumerate(g.BENIGN_TENSORS):
        n = 1
        for s in shape:
            n *= s
        store.add(key, "FloatStorage", [(j % 7) * 0.125 - 0.25 + i for j in range(n)])
        views.append((name, key, 0, shape, contiguous(shape)))
    c.add("benign_zip.pt", g.benign_torch_zip(), tensors=expect_views(store, views))
    legacy = g.torch_legacy(g.torch_state_dict_pickle(g.BENIGN_TENSORS, legacy=True), g.benign_storages())
    c.add("benign_legacy.pt", legacy, tensors=expect_views(store, views))

    # Shared storages, slices, transposed and strided views, a parameter.
    s = Store()
    s.add("0", "FloatStorage", [i * 0.5 for i in range(12)])
    views = [
        ("full", "0", 0, (3, 4), (4, 1)),
        ("row1", "0", 4, (4,), (1,)),
        ("transposed", "0", 0, (4, 3), (1, 4)),
        ("every_other", "0", 1, (2, 3), (6, 2)),
        ("column", "0", 2, (3, 1), (4, 1)),
        ("scalar", "0", 7, (), ()),
        ("empty", "0", 0, (0, 4), (4, 1)),
        ("param", "0", 0, (2, 2), (4, 1), True),
    ]

    def tied(p):
        # model["tied"] = model["full"], the same tensor object through the memo.
        p.raw(b"(").str("tied").get(90).setitems()

    t = expect_views(s, views)
    t["tied"] = t["full"]
    c.add("views_zip.pt", g.torch_zip(views_pickle(s, views, extra=tied), s.pairs()), tensors=t)
    c.add("views_legacy.pt", g.torch_legacy(views_pickle(s, views, legacy=True), s.pairs()),
          tensors=expect_views(s, views))

    # Every storage dtype, protocol 4 (frames are not needed: opcodes suffice).
    d = Store()
    d.add("f64", "DoubleStorage", [1.5, -2.25, 1e300])
    d.add("f16", "HalfStorage", [1.0, -0.5, 65504.0, 0.0])
    d.add("bf16", "BFloat16Storage", [0x3F80, 0xBF00, 0x7F80])
    d.add("i64", "LongStorage", [2**62, -5, 0])
    d.add("i32", "IntStorage", [2**31 - 1, -(2**31)])
    d.add("i16", "ShortStorage", [-32768, 7])
    d.add("i8", "CharStorage", [-128, 127, 0])
    d.add("u8", "ByteStorage", [0, 255, 9])
    d.add("b", "BoolStorage", [True, False, True])
    dviews = [(k, k, 0, (len(v),), (1,)) for k, (_, v) in d.items.items()]
    c.add("dtypes_zip.pt", g.torch_zip(views_pickle(d, dviews, proto=4), d.pairs()),
          tensors=expect_views(d, dviews))
    # The same in a big-endian checkpoint (byteorder record "big").
    big = g.torch_zip(views_pickle(d, dviews), d.pairs(">"),
                      tamper=lambda ents: [e.update(data=b"big") for e in ents if e["name"].endswith("/byteorder")])
    c.add("dtypes_bigendian_zip.pt", big, tensors=expect_views(d, dviews))

    # A training checkpoint: nested dicts, scalars and strings become metadata.
    n = Store()
    n.add("0", "FloatStorage", [1.0, 2.0, 3.0, 4.0])
    n.add("1", "LongStorage", [7])
    p = g.Pk(2)
    p.empty_dict().mark()
    p.str("state_dict").call("collections", "OrderedDict").mark()
    p.str("layer.weight")
    tensor(p, n, "0", 0, (2, 2), (2, 1))
    p.str("layer.num_batches")
    tensor(p, n, "1", 0, (), ())
    p.setitems()
    p.str("epoch").int(3).str("lr").float(0.5).str("arch").str("net").str("best").bool(True)
    p.str("note").none().str("device").call("torch", "device", "cpu")
    p.str("history").val([1, 2])
    p.setitems().stop()
    c.add("nested_zip.pt", g.torch_zip(p.data(), n.pairs()),
          tensors={"state_dict.layer.weight": expected(n, "0", 0, (2, 2), (2, 1)),
                   "state_dict.layer.num_batches": expected(n, "1", 0, (), ())},
          metadata={"epoch": "3", "lr": "0.5", "arch": "net", "best": "True", "note": "None",
                    "device": "cpu", "history.0": "1", "history.1": "2"})

    # torch.save(tensor): the bare tensor is named "tensor".
    b = Store()
    b.add("0", "FloatStorage", [0.25, 0.5])
    p = g.Pk(2)
    tensor(p, b, "0", 0, (2,), (1,)).stop()
    c.add("bare_zip.pt", g.torch_zip(p.data(), b.pairs()), tensors={"tensor": expected(b, "0", 0, (2,), (1,))})

    # Refusals.
    c.add("malicious_zip.pt", g.torch_zip(g.malicious_torch_pickle(), g.benign_storages()[:1]),
          expect="refused", reason="malicious")
    u = Store()
    u.add("0", "FloatStorage", [1.0])
    p = g.Pk(2).call("collections", "OrderedDict").mark().str("w")
    p.call("torch._utils", "_rebuild_sparse_tensor", 1).setitems().stop()
    c.add("unallowed_zip.pt", g.torch_zip(p.data(), u.pairs()), expect="refused",
          reason="torch._utils._rebuild_sparse_tensor is not an allowlisted tensor rebuild")
    p = g.Pk(2)
    p.glob("torch._utils", "_rebuild_tensor_v2").mark()
    p.tup(("storage", g.Glob("torch", "ComplexFloatStorage"), "0", "cpu", 1)).binpersid()
    p.int(0).tup((1,)).tup((1,)).bool(False).call("collections", "OrderedDict").tuple().reduce().stop()
    c.add("complex_zip.pt", g.torch_zip(p.data(), u.pairs()), expect="refused",
          reason="torch.ComplexFloatStorage")
    over = views_pickle(u, [("w", "0", 0, (10,), (1,))])
    c.add("out_of_bounds_zip.pt", g.torch_zip(over, u.pairs()), expect="refused", reason="view reaches byte 40")
    c.add("short_storage_zip.pt", g.torch_zip(views_pickle(u, [("w", "0", 0, (1,), (1,))]), [("0", b"\0\0")]),
          expect="refused", reason="holds 2 bytes")
    c.add("not_a_checkpoint.pt", b"hello, world\n", expect="error", reason="not a PyTorch checkpoint")


def numpy_cases(c):
    vals = [0.5, 1.5, -2.0, 3.25, 4.0, 5.5]
    f4 = struct.pack("<6f", *vals)
    c.add("array.npy", g.npy_build("<f4", (2, 3), f4),
          tensors={"tensor": {"dtype": "F32", "shape": [2, 3], "hex": f4.hex()}})
    # Fortran order: the file holds columns; the output is row-major.
    cols = struct.pack("<6d", *[vals[r * 3 + k] for k in range(3) for r in range(2)])
    c.add("fortran.npy", g.npy_build("<f8", (2, 3), cols, fortran=True),
          tensors={"tensor": {"dtype": "F64", "shape": [2, 3], "hex": struct.pack("<6d", *vals).hex()}})
    ints = [1, -2, 3]
    c.add("bigendian.npy", g.npy_build(">i4", (3,), struct.pack(">3i", *ints)),
          tensors={"tensor": {"dtype": "I32", "shape": [3], "hex": struct.pack("<3i", *ints).hex()}})
    members = [{"name": "a.npy", "data": g.npy_build("<f4", (2, 3), f4)},
               {"name": "mask.npy", "data": g.npy_build("|b1", (2,), b"\x01\x00"), "method": 8},
               {"name": "u.npy", "data": g.npy_build("<u2", (1,), struct.pack("<H", 65535))}]
    c.add("arrays.npz", g.zip_build(members),
          tensors={"a": {"dtype": "F32", "shape": [2, 3], "hex": f4.hex()},
                   "mask": {"dtype": "BOOL", "shape": [2], "hex": "0100"},
                   "u": {"dtype": "U16", "shape": [1], "hex": "ffff"}})
    c.add("object.npy", g.npy_build("|O", (1,), g.Pk(2).val([1]).stop().data()), expect="refused",
          reason="object array")
    c.add("complex.npy", g.npy_build("<c8", (1,), b"\0" * 8), expect="refused", reason="no equivalent")


def real_numpy_cases(c):
    try:
        import numpy as np
    except ImportError:
        return
    import io

    def npy(arr):
        buf = io.BytesIO()
        np.save(buf, arr, allow_pickle=False)
        return buf.getvalue()

    def exp(arr):
        a = np.ascontiguousarray(arr)
        a = a.astype(a.dtype.newbyteorder("<"))
        st = {"f8": "F64", "f4": "F32", "f2": "F16", "i8": "I64", "i4": "I32", "i2": "I16", "i1": "I8",
              "u8": "U64", "u4": "U32", "u2": "U16", "u1": "U8", "b1": "BOOL"}[a.dtype.str[1:]]
        return {"dtype": st, "shape": list(a.shape), "hex": a.tobytes().hex()}

    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 3
    c.add("real_np_save.npy", npy(x), tensors={"tensor": exp(x)})
    xf = np.asfortranarray(np.arange(12, dtype=np.int64).reshape(3, 4) - 5)
    c.add("real_np_fortran.npy", npy(xf), tensors={"tensor": exp(xf)})
    arrays = {"weights": np.linspace(-1, 1, 10, dtype=np.float16), "ids": np.array([1, 2, 3], dtype=np.uint32),
              "flags": np.array([[True, False]]), "big": np.array([1.5, 2.5], dtype=">f8")}
    for name, saver in (("real_np_savez.npz", np.savez), ("real_np_savez_compressed.npz", np.savez_compressed)):
        buf = io.BytesIO()
        saver(buf, **arrays)
        c.add(name, buf.getvalue(), tensors={k: exp(v) for k, v in arrays.items()})


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    c = Cases(out)
    torch_cases(c)
    numpy_cases(c)
    real_numpy_cases(c)
    with open(os.path.join(out, "cases.json"), "w") as f:
        json.dump(c.list, f, indent=1)


if __name__ == "__main__":
    main()
