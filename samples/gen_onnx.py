"""ONNX samples for generate.py: benign and malicious models written byte by
byte with a small protobuf writer (stdlib only), and, under --real, models
written by the `onnx` package itself (onnx.helper, onnx.save with external
data) that aigis must call clean.

Field numbers are onnx-ml.proto's (IR version 14). Nothing here loads a
model; the payloads are the harmless ones of generate.py.
"""

import os
import struct

# ---- protobuf writer -------------------------------------------------------


def varint(n):
    if n < 0:
        n += 1 << 64
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def key(tag, wire):
    return varint(tag << 3 | wire)


def ld(tag, data):
    if isinstance(data, str):
        data = data.encode()
    return key(tag, 2) + varint(len(data)) + data


def vint(tag, n):
    return key(tag, 0) + varint(n)


# ---- ONNX messages ---------------------------------------------------------

FLOAT, INT64 = 1, 7
A_INT, A_STRING, A_GRAPH, A_INTS = 2, 3, 5, 7


def entry(k, v):
    return ld(1, k) + ld(2, v)


def attr_int(name, i):
    return ld(1, name) + vint(3, i) + vint(20, A_INT)


def attr_ints(name, ints):
    return ld(1, name) + b"".join(vint(8, i) for i in ints) + vint(20, A_INTS)


def attr_str(name, s):
    return ld(1, name) + ld(4, s) + vint(20, A_STRING)


def attr_graph(name, g):
    return ld(1, name) + ld(6, g) + vint(20, A_GRAPH)


def node(op, inputs, outputs, name, domain="", attrs=()):
    b = b"".join(ld(1, i) for i in inputs) + b"".join(ld(2, o) for o in outputs)
    b += ld(3, name) + ld(4, op) + b"".join(ld(5, a) for a in attrs)
    if domain:
        b += ld(7, domain)
    return b


def tensor(name, dims, values, dtype=FLOAT):
    fmt = "<%d%s" % (len(values), "f" if dtype == FLOAT else "q")
    b = b"".join(vint(1, d) for d in dims) + vint(2, dtype) + ld(8, name)
    return b + ld(9, struct.pack(fmt, *values))


def external_tensor(name, dims, location, offset, length):
    b = b"".join(vint(1, d) for d in dims) + vint(2, FLOAT) + ld(8, name)
    b += ld(13, entry("location", location))
    b += ld(13, entry("offset", str(offset))) + ld(13, entry("length", str(length)))
    return b + vint(14, 1)


def value_info(name, dims, dtype=FLOAT):
    shape = b"".join(ld(1, vint(1, d)) for d in dims)
    return ld(1, name) + ld(2, ld(1, vint(1, dtype) + ld(2, shape)))


def graph(nodes, name, inputs, outputs, inits=()):
    b = b"".join(ld(1, n) for n in nodes) + ld(2, name)
    b += b"".join(ld(5, t) for t in inits)
    b += b"".join(ld(11, v) for v in inputs) + b"".join(ld(12, v) for v in outputs)
    return b


def opset(domain, version):
    return (ld(1, domain) if domain else b"") + vint(2, version)


def function(name, domain, inputs, outputs, nodes, opsets):
    b = ld(1, name) + b"".join(ld(4, i) for i in inputs) + b"".join(ld(5, o) for o in outputs)
    b += b"".join(ld(7, n) for n in nodes) + b"".join(ld(9, o) for o in opsets) + ld(10, domain)
    return b


def model(g, opsets=(("", 17),), ir=8, doc="", metadata=(), functions=()):
    b = vint(1, ir) + ld(2, "aigis-samples") + ld(3, "1.0")
    if doc:
        b += ld(6, doc)
    b += ld(7, g) + b"".join(ld(8, opset(d, v)) for d, v in opsets)
    b += b"".join(ld(14, entry(k, v)) for k, v in metadata)
    return b + b"".join(ld(25, f) for f in functions)


# ---- the samples -----------------------------------------------------------

X = value_info("x", [1, 3, 8, 8])
Y = value_info("y", [1, 10])


def tiny_cnn_graph(extra_nodes=(), inits=None):
    """Conv -> Relu -> Flatten -> Gemm with float initializers."""
    if inits is None:
        inits = [
            tensor("conv.weight", [4, 3, 3, 3], [((i % 7) - 3) * 0.125 for i in range(108)]),
            tensor("conv.bias", [4], [0.5, -0.5, 0.25, 0.0]),
            tensor("fc.weight", [10, 256], [((i % 11) - 5) * 0.0625 for i in range(2560)]),
            tensor("fc.bias", [10], [0.0] * 10),
        ]
    nodes = [
        node("Conv", ["x", "conv.weight", "conv.bias"], ["c"], "/conv/Conv",
             attrs=[attr_ints("pads", [1, 1, 1, 1]), attr_ints("kernel_shape", [3, 3])]),
        node("Relu", ["c"], ["r"], "/relu/Relu"),
        node("Flatten", ["r"], ["f"], "/Flatten", attrs=[attr_int("axis", 1)]),
        node("Gemm", ["f", "fc.weight", "fc.bias"], ["y"], "/fc/Gemm", attrs=[attr_int("transB", 1)]),
    ] + list(extra_nodes)
    return graph(nodes, "main_graph", [X], [Y], inits)


def write(out, evil_pickle, cmd):
    """Synthetic ONNX samples (stdlib only)."""
    import base64

    B, M, U, E = "benign/onnx/", "malicious/onnx/", "unapproved/onnx/", "edge/onnx/"
    cnn = model(tiny_cnn_graph(), doc="Tiny CNN; call model.eval() before export.",
                metadata=[("author", "aigis samples"), ("license", "Apache-2.0")])
    out.add(B + "tiny_cnn.onnx", cnn, "clean", "onnx:benign",
            "Conv/Relu/Flatten/Gemm with raw float initializers, metadata, a doc string mentioning model.eval()")

    # External data next to the model, in one file (as onnx.save writes it).
    w = struct.pack("<108f", *[0.5] * 108) + struct.pack("<4f", 0.25, 0.25, 0.25, 0.25)
    fc = struct.pack("<2560f", *[0.125] * 2560) + struct.pack("<10f", *[0.0] * 10)
    data = w + fc
    inits, at = [], 0
    for name, dims in [("conv.weight", [4, 3, 3, 3]), ("conv.bias", [4]), ("fc.weight", [10, 256]), ("fc.bias", [10])]:
        n = 4
        for d in dims:
            n *= d
        inits.append(external_tensor(name, dims, "tiny_cnn.onnx.data", at, n))
        at += n
    out.add(B + "external/tiny_cnn.onnx", model(tiny_cnn_graph(inits=inits)), "clean", "onnx:external_data",
            "all initializers in tiny_cnn.onnx.data next to the model")
    out.add(B + "external/tiny_cnn.onnx.data", data, "skip", "onnx:external_data_file", "raw float32 weights")

    # If with two subgraphs, a com.microsoft contrib op, and a model-local function.
    then_g = graph([node("Relu", ["y"], ["t"], "then/Relu")], "then_graph", [], [value_info("t", [1, 10])])
    else_g = graph([node("Neg", ["y"], ["e"], "else/Neg")], "else_graph", [], [value_info("e", [1, 10])])
    flow = [
        node("ReduceSum", ["y"], ["s"], "/sum", attrs=[attr_int("keepdims", 0)]),
        node("Greater", ["s", "zero"], ["cond"], "/gt"),
        node("If", ["cond"], ["z"], "/if", attrs=[attr_graph("then_branch", then_g), attr_graph("else_branch", else_g)]),
        node("FastGelu", ["z"], ["g"], "/gelu", domain="com.microsoft"),
        node("Block", ["g"], ["out"], "/block", domain="aigis.local"),
    ]
    fn = function("Block", "aigis.local", ["a"], ["b"], [node("Sigmoid", ["a"], ["b"], "inner/Sigmoid")], [opset("", 17)])
    g = tiny_cnn_graph(flow)
    g += ld(5, tensor("zero", [], [0.0]))
    out.add(B + "control_flow_contrib_function.onnx",
            model(g, opsets=(("", 17), ("com.microsoft", 1), ("aigis.local", 1)), ir=8, functions=[fn]),
            "clean", "onnx:subgraphs", "If subgraphs, com.microsoft FastGelu, a call to a model-local function")

    # Custom operators and Python operators.
    custom = node("Exfil", ["y"], ["z"], "/exfil", domain="evil.ops")
    out.add(U + "custom_domain_op.onnx", model(tiny_cnn_graph([custom]), opsets=(("", 17), ("evil.ops", 1))),
            "unapproved", "onnx:custom_domain", "a node in domain evil.ops: needs a custom-op library")
    fake = node("ReadFileOp", ["y"], ["z"], "/read")
    out.add(U + "nonstandard_op_default_domain.onnx", model(tiny_cnn_graph([fake])), "unapproved",
            "onnx:unknown_standard_op", "ReadFileOp in the default domain: not an ONNX operator")
    loop_body = graph([node("Exfil", ["y"], ["z"], "body/exfil", domain="evil.ops")], "loop_body", [], [])
    loop = node("Loop", ["", "cond"], ["l"], "/loop", attrs=[attr_graph("body", loop_body)])
    out.add(U + "custom_op_in_loop_body.onnx", model(tiny_cnn_graph([loop]), opsets=(("", 17), ("evil.ops", 1))),
            "unapproved", "onnx:subgraph_custom_op", "custom op hidden in a Loop body subgraph")
    py = node("PyOp", ["y"], ["z"], "/py", domain="pyops", attrs=[
        attr_str("module", "mymodule"), attr_str("class_name", "Multi_1"), attr_ints("input_types", [1]),
        attr_ints("output_types", [1])])
    out.add(U + "pyop_module.onnx", model(tiny_cnn_graph([py]), opsets=(("", 17), ("pyops", 1))), "unapproved",
            "onnx:pyop", "onnxruntime PyOp importing mymodule.Multi_1")
    evil_py = node("PyOp", ["y"], ["z"], "/py", domain="pyops", attrs=[
        attr_str("module", "os"), attr_str("class_name", "system"), attr_str("compute", "compute")])
    out.add(M + "pyop_os_system.onnx", model(tiny_cnn_graph([evil_py]), opsets=(("", 17), ("pyops", 1))),
            "malicious", "onnx:pyop_gadget", "PyOp whose module/class_name is os.system")

    # External data that leaves the model's folder, or is missing.
    for stem, location in [("dotdot", "../../etc/passwd"), ("absolute", "/etc/passwd"),
                           ("windows_drive", "C:\\Windows\\win.ini")]:
        t = external_tensor("fc.bias", [10], location, 0, 40)
        g = tiny_cnn_graph(inits=[t])
        out.add(M + f"external_data_{stem}.onnx", model(g), "malicious", "onnx:external_traversal",
                f"initializer read from {location} (CVE-2022-25882 class)")
    link_dir = M + "external_symlink/"
    out.add(link_dir + "model.onnx", model(tiny_cnn_graph(inits=[external_tensor("fc.bias", [10], "weights.bin", 0, 40)])),
            "malicious", "onnx:external_symlink", "weights.bin is a symlink to a file outside the model folder")
    link = os.path.join(out.root, link_dir, "weights.bin")
    if os.path.lexists(link):
        os.remove(link)
    os.symlink("../../../manifest.json", link)
    out.add(U + "external_data_missing.onnx",
            model(tiny_cnn_graph(inits=[external_tensor("fc.bias", [10], "missing.bin", 0, 40)])),
            "unapproved", "onnx:external_missing", "external data file does not exist")

    # Payloads in metadata and doc strings.
    for stem, value in [("raw", evil_pickle), ("base64", base64.b64encode(evil_pickle))]:
        out.add(M + f"metadata_pickle_{stem}.onnx", model(tiny_cnn_graph(), metadata=[("config", value)]),
                "malicious", "onnx:metadata_pickle", f"metadata_props['config'] is an os.system pickle ({stem})")
    code = f"import os\nos.system({cmd!r})\n"
    out.add(U + "metadata_python_code.onnx", model(tiny_cnn_graph(), metadata=[("postprocess", code)]),
            "unapproved", "onnx:metadata_code", "metadata_props['postprocess'] is Python calling os.system")

    # Truncated and non-ONNX content named .onnx.
    out.add(E + "truncated.onnx", cnn[: len(cnn) * 2 // 3], "inconclusive", "edge:onnx_truncated",
            "benign tiny CNN cut at two thirds, inside the graph")
    out.add(E + "not_onnx.onnx", b"this is not a model\n" * 4, "inconclusive", "edge:onnx_garbage",
            "text named .onnx")


def write_real(out):
    """Models written by the onnx package (--real)."""
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    R = "real/onnx/"
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 10])
    rng = np.random.default_rng(0)
    inits = [
        numpy_helper.from_array(rng.standard_normal((4, 3, 3, 3)).astype(np.float32), "conv.weight"),
        numpy_helper.from_array(np.zeros(4, np.float32), "conv.bias"),
        numpy_helper.from_array(rng.standard_normal((10, 256)).astype(np.float32), "fc.weight"),
        numpy_helper.from_array(np.zeros(10, np.float32), "fc.bias"),
    ]
    nodes = [
        helper.make_node("Conv", ["x", "conv.weight", "conv.bias"], ["c"], name="/conv/Conv", pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["r"], name="/relu/Relu"),
        helper.make_node("Flatten", ["r"], ["f"], name="/Flatten", axis=1),
        helper.make_node("Gemm", ["f", "fc.weight", "fc.bias"], ["y"], name="/fc/Gemm", transB=1),
    ]
    m = helper.make_model(helper.make_graph(nodes, "main_graph", [x], [y], inits),
                          producer_name="aigis-real", opset_imports=[helper.make_opsetid("", 17)])
    helper.set_model_props(m, {"author": "aigis", "framework": "onnx.helper"})
    onnx.checker.check_model(m, full_check=True)
    out.add(R + "tiny_cnn.onnx", m.SerializeToString(), "clean", "real:onnx", "onnx.helper CNN, checked")

    # onnx.save with external data: writes the model and its .data file.
    d = os.path.join(out.root, R, "external")
    os.makedirs(d, exist_ok=True)
    ext = onnx.ModelProto()
    ext.CopyFrom(m)
    onnx.save_model(ext, os.path.join(d, "model.onnx"), save_as_external_data=True,
                    all_tensors_to_one_file=True, location="model.onnx.data", size_threshold=0)
    onnx.checker.check_model(os.path.join(d, "model.onnx"))
    for name, expect in [("model.onnx", "clean"), ("model.onnx.data", "skip")]:
        with open(os.path.join(d, name), "rb") as f:
            out.add(R + "external/" + name, f.read(), expect, "real:onnx_external", "onnx.save(save_as_external_data=True)")

    # Control flow, ai.onnx.ml, and a model-local function.
    then_g = helper.make_graph([helper.make_node("Relu", ["y"], ["t"])], "then", [],
                               [helper.make_tensor_value_info("t", TensorProto.FLOAT, [1, 10])])
    else_g = helper.make_graph([helper.make_node("Neg", ["y"], ["e"])], "else", [],
                               [helper.make_tensor_value_info("e", TensorProto.FLOAT, [1, 10])])
    fn = helper.make_function("aigis.local", "Block", ["a"], ["b"], [helper.make_node("Sigmoid", ["a"], ["b"])],
                              [helper.make_opsetid("", 17)])
    flow = nodes + [
        helper.make_node("ReduceSum", ["y"], ["s"], keepdims=0),
        helper.make_node("Greater", ["s", "zero"], ["cond"]),
        helper.make_node("If", ["cond"], ["z"], then_branch=then_g, else_branch=else_g),
        helper.make_node("Block", ["z"], ["b"], domain="aigis.local"),
        helper.make_node("Normalizer", ["b"], ["out"], domain="ai.onnx.ml", norm="L2"),
    ]
    out_vi = helper.make_tensor_value_info("out", TensorProto.FLOAT, [1, 10])
    g = helper.make_graph(flow, "flow", [x], [out_vi], inits + [numpy_helper.from_array(np.array(0, np.float32), "zero")])
    m2 = helper.make_model(g, producer_name="aigis-real", functions=[fn], opset_imports=[
        helper.make_opsetid("", 17), helper.make_opsetid("ai.onnx.ml", 3), helper.make_opsetid("aigis.local", 1)])
    onnx.checker.check_model(m2)
    out.add(R + "control_flow_ml_function.onnx", m2.SerializeToString(), "clean", "real:onnx",
            "If subgraphs, ai.onnx.ml Normalizer, a model-local function")

    # The models the onnx package ships for its backend tests: PyTorch
    # exports (converted modules and single operators), small model-zoo
    # networks ("light") and hand-made graphs.
    data = os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data")
    for root, _dirs, files in sorted(os.walk(data)):
        for name in sorted(files):
            if name.endswith(".onnx"):
                path = os.path.join(root, name)
                rel = os.path.relpath(path, data).replace(os.sep, "_")
                with open(path, "rb") as f:
                    out.add(R + "onnx-package/" + rel, f.read(), "clean", "real:onnx_package",
                            "a model shipped in the onnx wheel's backend test data")
