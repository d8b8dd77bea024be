#!/usr/bin/env python3
"""Big benign inputs for the speed/memory benchmark (needs numpy for the 256 MB one).

    make_big.py OUTDIR

  ints_15mb.pkl        one list of 3,000,000 small ints, pickle protocol 4 (~15 MB)
  numpy_256mb.pkl      one float64 ndarray of 32 Mi elements, pickle protocol 4 (256 MiB of data)
  torch_2gb.pt         torch.save zip layout, 8 float32 tensors of 256 MiB each (stored,
                       64-byte aligned), tensor bytes are zeros written as sparse holes
"""
import os
import pickle
import struct
import sys
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "samples"))
from generate import Pk, torch_tensor, DOS_DATE, DOS_TIME  # noqa: E402


def ints(path):
    data = [(i * 7919) % 1_000_000 for i in range(3_000_000)]
    with open(path, "wb") as f:
        pickle.dump(data, f, protocol=4)


def numpy_big(path):
    import numpy as np
    a = np.arange(32 * 1024 * 1024, dtype=np.float64)
    with open(path, "wb") as f:
        pickle.dump(a, f, protocol=4)


def torch_big(path, n=8, tensor_bytes=256 << 20):
    numel = tensor_bytes // 4
    p = Pk(2)
    p.call("collections", "OrderedDict").mark()
    for i in range(n):
        p.str(f"layers.{i}.weight")
        torch_tensor(p, str(i), (numel // 4096, 4096))
    p.setitems().stop()
    crc_zero = 0
    chunk = b"\0" * (1 << 24)
    for _ in range(tensor_bytes // len(chunk)):
        crc_zero = zlib.crc32(chunk, crc_zero)
    members = [("archive/data.pkl", p.data(), None), ("archive/byteorder", b"little", None)]
    members += [(f"archive/data/{i}", None, tensor_bytes) for i in range(n)]
    members += [("archive/version", b"3\n", None)]
    central = bytearray()
    with open(path, "wb") as f:
        for name, data, hole in members:
            nm = name.encode()
            off = f.tell()
            pad = (-(off + 30 + len(nm) + 4)) % 64
            extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
            size = len(data) if data is not None else hole
            crc = zlib.crc32(data) if data is not None else crc_zero
            f.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, DOS_TIME, DOS_DATE, crc, size, size,
                                len(nm), len(extra)) + nm + extra)
            if data is not None:
                f.write(data)
            else:
                f.seek(hole, 1)
            central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0x031E, 20, 0, 0, DOS_TIME, DOS_DATE, crc,
                                   size, size, len(nm), 0, 0, 0, 0, 0o100644 << 16, off) + nm
        cd = f.tell()
        f.write(central)
        f.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), cd, 0))


def main(out):
    os.makedirs(out, exist_ok=True)
    jobs = [("ints_15mb.pkl", ints), ("numpy_256mb.pkl", numpy_big), ("torch_2gb.pt", torch_big)]
    for name, fn in jobs:
        path = os.path.join(out, name)
        if not os.path.exists(path):
            fn(path + ".tmp")
            os.rename(path + ".tmp", path)
        print(f"{name}: {os.path.getsize(path) / 1e6:.1f} MB")


if __name__ == "__main__":
    main(sys.argv[1])
