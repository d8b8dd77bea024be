#!/usr/bin/env python3
"""Cross-check `aigis model convert` outputs with the real safetensors package.

    python samples/check_safetensors.py CASEDIR

For every case of CASEDIR/cases.json that was converted, CASEDIR/out/FILE.safetensors
is loaded with `safetensors.numpy.load_file` (BF16 tensors, which numpy lacks,
through `safetensors.deserialize`) and every tensor must have the dtype, shape and
bytes the generator intended, and the metadata the case lists. Prints what differs;
exits 1 if anything does.
"""

import json
import os
import sys

import numpy as np
import safetensors
from safetensors import safe_open
from safetensors.numpy import load_file

ST_TO_NP = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I16": "<i2",
            "I8": "i1", "U64": "<u8", "U32": "<u4", "U16": "<u2", "U8": "u1", "BOOL": "bool"}


def check(path, case):
    bad = []
    want = case["tensors"]
    if any(t["dtype"] == "BF16" for t in want.values()):
        with open(path, "rb") as f:
            got = {name: (info["dtype"], list(info["shape"]), bytes(info["data"]))
                   for name, info in safetensors.deserialize(f.read())}
    else:
        got = {name: (a.dtype, list(a.shape), a.tobytes()) for name, a in load_file(path).items()}
    if sorted(got) != sorted(want):
        bad.append(f"names {sorted(got)} != {sorted(want)}")
    for name, t in want.items():
        if name not in got:
            continue
        dtype, shape, raw = got[name]
        if isinstance(dtype, str):  # from deserialize: "bfloat16" or "BF16" by version
            same = dtype.lower() in (t["dtype"].lower(), {"BF16": "bfloat16"}.get(t["dtype"], "?"))
        else:
            same = dtype == np.dtype(ST_TO_NP[t["dtype"]])
        if not same or shape != t["shape"] or raw.hex() != t["hex"]:
            bad.append(f"{name}: got {dtype} {shape} {raw.hex()}, want {t['dtype']} {t['shape']} {t['hex']}")
    with safe_open(path, framework="numpy") as f:
        meta = f.metadata() or {}
    if meta != case["metadata"]:
        bad.append(f"metadata {meta} != {case['metadata']}")
    return bad


def main():
    root = sys.argv[1]
    with open(os.path.join(root, "cases.json")) as f:
        cases = json.load(f)
    failed = 0
    checked = 0
    for case in cases:
        if case["expect"] != "converted":
            continue
        path = os.path.join(root, "out", case["file"] + ".safetensors")
        try:
            bad = check(path, case)
        except Exception as e:  # a load failure is a finding, not a crash
            bad = [f"{type(e).__name__}: {e}"]
        checked += 1
        for b in bad:
            failed += 1
            print(f"{case['file']}: {b}")
    print(f"checked {checked} files, {failed} problems")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
