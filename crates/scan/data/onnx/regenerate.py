#!/usr/bin/env python3
"""Rewrite standard_ops.txt from the installed `onnx` package's operator
schemas (every version ever defined), plus the experimental operators that
onnx removed in 1.5 but old exported models still use.

    python3 crates/scan/data/onnx/regenerate.py   # needs `pip install onnx`
"""

import pathlib

import onnx
import onnx.defs

# Experimental ops of onnx <= 1.4, dropped from the spec; model-zoo files of
# that era (e.g. tiny-yolov2 with ImageScaler) still carry them.
REMOVED_EXPERIMENTAL = [
    "Affine", "ConstantFill", "Crop", "DynamicSlice", "GRUUnit", "GivenTensorFill",
    "ImageScaler", "ParametricSoftplus", "Scale", "ScaledTanh",
]

ops = {(s.domain or "ai.onnx", s.name) for s in onnx.defs.get_all_schemas_with_history()}
ops |= {("ai.onnx", n) for n in REMOVED_EXPERIMENTAL}
out = pathlib.Path(__file__).with_name("standard_ops.txt")
lines = [
    f"# ONNX standard operators: onnx {onnx.__version__} schemas (all versions), plus",
    "# experimental ops removed in onnx 1.5. Written by regenerate.py; one",
    "# `domain op_type` per line, the default domain (\"\") written as ai.onnx.",
]
lines += [f"{d} {n}" for d, n in sorted(ops)]
out.write_text("\n".join(lines) + "\n")
print(f"{out}: {len(ops)} operators")
