"""TFLite samples for generate.py: models written byte by byte with a small
FlatBuffers writer (stdlib only): builtin-only benign models, custom
operators, Flex operators that read and write files or call Python, an
unknown builtin code, and broken files (cut short, an offset out of range).

Field ids are tensorflow/lite/schema/schema.fbs's (a union takes two ids).
Objects are laid out front to back — each table's vtable just before it,
children after their parent — which every FlatBuffers reader accepts.
Nothing here loads a model.
"""

import struct

# ---- FlatBuffers writer ----------------------------------------------------
# A table is a dict {field id: value}; a value is ("u8"|"u32"|"i32"|"u64", n),
# ("str", text), ("bytes", b), ("i32s", [n]), ("table", dict) or
# ("tables", [dict]).

SCALAR = {"u8": "<B", "u32": "<I", "i32": "<i", "u64": "<Q"}


def _pad(buf, align):
    while len(buf) % align:
        buf.append(0)


def _place(buf, kind, value, queue):
    _pad(buf, 4)
    at = len(buf)
    if kind in ("str", "bytes"):
        data = value.encode() if isinstance(value, str) else value
        buf += struct.pack("<I", len(data)) + data
        if kind == "str":
            buf.append(0)
    elif kind == "i32s":
        buf += struct.pack("<I", len(value)) + b"".join(struct.pack("<i", v) for v in value)
    elif kind == "tables":
        buf += struct.pack("<I", len(value))
        for t in value:
            queue.append((len(buf), "table", t))
            buf += b"\0\0\0\0"
    elif kind == "table":
        return _place_table(buf, value, queue)
    else:
        raise ValueError(kind)
    return at


def _place_table(buf, table, queue):
    n = max(table) + 1 if table else 0
    offsets, size = [], 4
    for i in range(n):
        if i not in table:
            offsets.append(0)
            continue
        kind = table[i][0]
        width = {"u8": 1, "u64": 8}.get(kind, 4)
        size = (size + min(width, 4) - 1) // min(width, 4) * min(width, 4)
        offsets.append(size)
        size += width
    size = (size + 3) // 4 * 4
    _pad(buf, 4)
    vt = len(buf)
    buf += struct.pack("<HH", 4 + 2 * n, size) + b"".join(struct.pack("<H", o) for o in offsets)
    _pad(buf, 4)
    at = len(buf)
    buf += struct.pack("<i", at - vt) + bytes(size - 4)
    for i, (kind, value) in sorted(table.items()):
        pos = at + offsets[i]
        if kind in SCALAR:
            struct.pack_into(SCALAR[kind], buf, pos, value)
        else:
            queue.append((pos, kind, value))
    return at


def finish(root, ident=b"TFL3"):
    buf = bytearray(4) + bytearray(ident)
    queue = [(0, "table", root)]
    while queue:
        at, kind, value = queue.pop(0)
        target = _place(buf, kind, value, queue)
        struct.pack_into("<I", buf, at, target - at)
    return bytes(buf)


# ---- TFLite model ------------------------------------------------------------

ADD, CONV_2D, FULLY_CONNECTED, RESHAPE, SOFTMAX, CUSTOM = 0, 3, 9, 22, 25, 32
FLOAT32 = 0


def opcode(code, custom=None, version=1):
    t = {0: ("u8", min(code, 127)), 2: ("i32", version), 3: ("i32", code)}
    if custom is not None:
        t[1] = ("str", custom)
    return t


def tensor(name, shape, buffer=0):
    return {0: ("i32s", shape), 1: ("u8", FLOAT32), 2: ("u32", buffer), 3: ("str", name)}


def operator(code_index, inputs, outputs, custom_options=None):
    t = {0: ("u32", code_index), 1: ("i32s", inputs), 2: ("i32s", outputs)}
    if custom_options is not None:
        t[5] = ("bytes", custom_options)
    return t


def subgraph(tensors, inputs, outputs, operators, name="main"):
    return {0: ("tables", tensors), 1: ("i32s", inputs), 2: ("i32s", outputs),
            3: ("tables", operators), 4: ("str", name)}


def model(codes, subgraphs, buffers, metadata=(), description="MLIR Converted."):
    """buffers: list of bytes (b"" for none); metadata: (name, buffer index)."""
    t = {0: ("u32", 3), 1: ("tables", codes), 2: ("tables", subgraphs), 3: ("str", description),
         4: ("tables", [{0: ("bytes", b)} if b else {} for b in buffers])}
    if metadata:
        t[6] = ("tables", [{0: ("str", n), 1: ("u32", i)} for n, i in metadata])
    return finish(t)


def f32(values):
    return struct.pack(f"<{len(values)}f", *values)


def dense_classifier(extra_codes=(), extra_ops=()):
    """input[1,4] -> FULLY_CONNECTED(w[3,4], b[3]) -> ADD(bias2) -> SOFTMAX -> output.
    Extra codes and operators (taking tensor 5, writing tensor 6) are appended."""
    tensors = [
        tensor("serving_default_input:0", [1, 4]),
        tensor("sequential/dense/MatMul", [3, 4], 1),
        tensor("sequential/dense/BiasAdd/ReadVariableOp", [3], 2),
        tensor("sequential/dense/BiasAdd", [1, 3]),
        tensor("sequential/add/y", [3], 3),
        tensor("sequential/add", [1, 3]),
        tensor("StatefulPartitionedCall:0", [1, 3]),
    ]
    codes = [opcode(FULLY_CONNECTED), opcode(ADD), opcode(SOFTMAX)] + list(extra_codes)
    ops = [operator(0, [0, 1, 2], [3]), operator(1, [3, 4], [5]), operator(2, [5], [6])] + list(extra_ops)
    buffers = [b"", f32([0.25] * 12), f32([0.0, 0.1, 0.2]), f32([0.5] * 3), b"1.5.0\0\0\0\0\0\0\0\0\0\0\0", b""]
    sub = subgraph(tensors, [0], [6], ops, name="serving_default")
    return model(codes, [sub], buffers, metadata=[("min_runtime_version", 4), ("CONVERSION_METADATA", 5)])


def write(out):
    """Synthetic TFLite samples (stdlib only)."""
    # Flex file and Python ops are unapproved like their TensorFlow-graph
    # counterparts (tf-file-op, tf-python-op), at high severity.
    B, U, E = "benign/tflite/", "unapproved/tflite/", "edge/tflite/"
    benign = dense_classifier()
    out.add(B + "dense_classifier.tflite", benign, "clean", "tflite:benign",
            "FULLY_CONNECTED/ADD/SOFTMAX with float weights and min_runtime_version metadata")
    ssd = model([opcode(CONV_2D), opcode(RESHAPE), opcode(CUSTOM, "TFLite_Detection_PostProcess")],
                [subgraph([tensor("image", [1, 8, 8, 3]), tensor("conv", [1, 8, 8, 4], 1),
                           tensor("boxes", [1, 10, 4]), tensor("detections", [1, 10, 4])],
                          [0], [3], [operator(0, [0, 1], [1]), operator(1, [1], [2]),
                                     operator(2, [2], [3], custom_options=b"\x01max_detections\x00")])],
                [b"", f32([0.5] * 16)])
    out.add(B + "ssd_postprocess.tflite", ssd, "clean", "tflite:stock_custom",
            "TFLite_Detection_PostProcess, a custom op the stock interpreter registers itself")
    flex_std = dense_classifier([opcode(CUSTOM, "FlexRFFT")], [operator(3, [5], [6])])
    out.add(B + "flex_rfft.tflite", flex_std, "clean", "tflite:flex_standard",
            "a Flex op of a standard, file-free TensorFlow op (RFFT)")

    custom = dense_classifier([opcode(CUSTOM, "AigisExfil")],
                              [operator(3, [5], [6], custom_options=b"/etc/passwd")])
    out.add(U + "custom_op.tflite", custom, "unapproved", "tflite:custom_op",
            "custom operator 'AigisExfil' with custom options naming a path")
    flex_fs = dense_classifier([opcode(CUSTOM, "FlexReadFile"), opcode(CUSTOM, "FlexWriteFile")],
                               [operator(3, [0], [5]), operator(4, [0, 5], [6])])
    out.add(U + "flex_read_write_file.tflite", flex_fs, "unapproved", "tflite:flex_file_ops",
            "FlexReadFile and FlexWriteFile: TensorFlow file ops run by the Select-TF-ops delegate")
    flex_py = dense_classifier([opcode(CUSTOM, "FlexEagerPyFunc")], [operator(3, [5], [6])])
    out.add(U + "flex_pyfunc.tflite", flex_py, "unapproved", "tflite:flex_python",
            "FlexEagerPyFunc: a Python callback of the loading process")
    flex_unknown = dense_classifier([opcode(CUSTOM, "FlexAigisFastDecode")], [operator(3, [5], [6])])
    out.add(U + "flex_not_a_tf_op.tflite", flex_unknown, "unapproved", "tflite:flex_custom",
            "a Flex op naming an op outside TensorFlow's op set (a linked-in custom TF op)")
    unknown = dense_classifier([opcode(250)], [operator(3, [5], [6])])
    out.add(U + "unknown_builtin.tflite", unknown, "unapproved", "tflite:unknown_builtin",
            "builtin code 250, past the last BuiltinOperator")

    out.add(E + "truncated.tflite", custom[: len(custom) - 40], "inconclusive", "tflite:truncated",
            "the custom-op model cut 40 bytes short (a buffer runs past the end)")
    root = struct.unpack_from("<I", benign, 0)[0]
    broken = bytearray(benign)
    struct.pack_into("<i", broken, root, -0x10000)
    out.add(E + "bad_vtable.tflite", bytes(broken), "inconclusive", "tflite:bad_vtable",
            "the root table's vtable offset points past the end of the file")
    out.add(E + "not_tflite.tflite", b"TFL3 is the identifier of TFLite files.\n", "skip",
            "tflite:text", "text named .tflite")


# ---- real library (--real) ---------------------------------------------------

def _real_model(tfl, flatbuffers, codes, ops, weights, custom_options=None):
    """A model written by FlatBuffers' own Builder through the flatc-generated
    schema of the `tflite` package: back to front, shared vtables, 16-byte
    aligned buffers, a signature, two subgraphs (main and a WHILE body).
    codes: [(builtin, custom)]; ops: [(code index, inputs, outputs)] on the
    tensors input, w, b, hidden, logits, probs."""
    b = flatbuffers.Builder(1024)
    names = ["serving_default_x:0", "model/dense/MatMul", "model/dense/bias", "model/dense/Relu",
             "model/logits/BiasAdd", "StatefulPartitionedCall:0"]
    shapes = [[1, 16], [8, 16], [8], [1, 8], [1, 8], [1, 8]]
    buffers_for = {1: 1, 2: 2}

    def ivec(start, values):
        start(b, len(values))
        for v in reversed(values):
            b.PrependInt32(v)
        return b.EndVector()

    def offvec(start, offs):
        start(b, len(offs))
        for o in reversed(offs):
            b.PrependUOffsetTRelative(o)
        return b.EndVector()

    tensors = []
    for i, (n, shape) in enumerate(zip(names, shapes)):
        name, shp = b.CreateString(n), ivec(tfl.TensorStartShapeVector, shape)
        tfl.TensorStart(b)
        tfl.TensorAddShape(b, shp)
        tfl.TensorAddType(b, tfl.TensorType.FLOAT32)
        tfl.TensorAddBuffer(b, buffers_for.get(i, 0))
        tfl.TensorAddName(b, name)
        tensors.append(tfl.TensorEnd(b))
    operators = []
    for code, inputs, outputs in ops:
        ins, outs = ivec(tfl.OperatorStartInputsVector, inputs), ivec(tfl.OperatorStartOutputsVector, outputs)
        opts = None
        if custom_options is not None and codes[code][1]:
            opts = b.CreateByteVector(custom_options)
        tfl.OperatorStart(b)
        tfl.OperatorAddOpcodeIndex(b, code)
        tfl.OperatorAddInputs(b, ins)
        tfl.OperatorAddOutputs(b, outs)
        if opts is not None:
            tfl.OperatorAddCustomOptions(b, opts)
        operators.append(tfl.OperatorEnd(b))
    subgraphs = []
    for sg_name, sg_ops in (("main", operators), ("while_body", operators[:1])):
        tv = offvec(tfl.SubGraphStartTensorsVector, tensors)
        iv, ov = ivec(tfl.SubGraphStartInputsVector, [0]), ivec(tfl.SubGraphStartOutputsVector, [5])
        opv = offvec(tfl.SubGraphStartOperatorsVector, sg_ops)
        nm = b.CreateString(sg_name)
        tfl.SubGraphStart(b)
        tfl.SubGraphAddTensors(b, tv)
        tfl.SubGraphAddInputs(b, iv)
        tfl.SubGraphAddOutputs(b, ov)
        tfl.SubGraphAddOperators(b, opv)
        tfl.SubGraphAddName(b, nm)
        subgraphs.append(tfl.SubGraphEnd(b))
    opcodes = []
    for code, custom in codes:
        cc = b.CreateString(custom) if custom else None
        tfl.OperatorCodeStart(b)
        tfl.OperatorCodeAddDeprecatedBuiltinCode(b, min(code, 127))
        if cc is not None:
            tfl.OperatorCodeAddCustomCode(b, cc)
        tfl.OperatorCodeAddVersion(b, 1)
        tfl.OperatorCodeAddBuiltinCode(b, code)
        opcodes.append(tfl.OperatorCodeEnd(b))
    bufs = []
    for data in [b"", weights[0], weights[1], b"1.14.0\0\0\0\0\0\0\0\0\0"]:
        dv = None
        if data:
            b.StartVector(1, len(data), 16)
            b.head = b.head - len(data)
            b.Bytes[b.head:b.head + len(data)] = data
            dv = b.EndVector()
        tfl.BufferStart(b)
        if dv is not None:
            tfl.BufferAddData(b, dv)
        bufs.append(tfl.BufferEnd(b))
    md_name = b.CreateString("min_runtime_version")
    tfl.MetadataStart(b)
    tfl.MetadataAddName(b, md_name)
    tfl.MetadataAddBuffer(b, 3)
    md = tfl.MetadataEnd(b)
    maps = []
    for n, idx in (("x", 0), ("probs", 5)):
        s = b.CreateString(n)
        tfl.TensorMapStart(b)
        tfl.TensorMapAddName(b, s)
        tfl.TensorMapAddTensorIndex(b, idx)
        maps.append(tfl.TensorMapEnd(b))
    sig_in = offvec(tfl.SignatureDefStartInputsVector, maps[:1])
    sig_out = offvec(tfl.SignatureDefStartOutputsVector, maps[1:])
    key = b.CreateString("serving_default")
    tfl.SignatureDefStart(b)
    tfl.SignatureDefAddInputs(b, sig_in)
    tfl.SignatureDefAddOutputs(b, sig_out)
    tfl.SignatureDefAddSignatureKey(b, key)
    tfl.SignatureDefAddSubgraphIndex(b, 0)
    sig = tfl.SignatureDefEnd(b)
    vectors = (
        offvec(tfl.ModelStartOperatorCodesVector, opcodes),
        offvec(tfl.ModelStartSubgraphsVector, subgraphs),
        offvec(tfl.ModelStartBuffersVector, bufs),
        offvec(tfl.ModelStartMetadataVector, [md]),
        offvec(tfl.ModelStartSignatureDefsVector, [sig]),
    )
    desc = b.CreateString("MLIR Converted.")
    tfl.ModelStart(b)
    tfl.ModelAddVersion(b, 3)
    tfl.ModelAddOperatorCodes(b, vectors[0])
    tfl.ModelAddSubgraphs(b, vectors[1])
    tfl.ModelAddDescription(b, desc)
    tfl.ModelAddBuffers(b, vectors[2])
    tfl.ModelAddMetadata(b, vectors[3])
    tfl.ModelAddSignatureDefs(b, vectors[4])
    b.Finish(tfl.ModelEnd(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def write_real(out):
    """Models written by FlatBuffers' Python builder with the flatc-generated
    TFLite schema of the `tflite` package (and read back with it)."""
    import flatbuffers
    import tflite as tfl

    R = "real/tflite/"
    w, bias = f32([0.01 * i for i in range(128)]), f32([0.5] * 8)
    mlp_ops = [(0, [0, 1, 2], [3]), (1, [3], [4]), (2, [4], [5])]
    mlp = _real_model(tfl, flatbuffers, [(FULLY_CONNECTED, None), (19, None), (SOFTMAX, None)], mlp_ops, (w, bias))
    big_codes = [(FULLY_CONNECTED, None), (150, None), (126, None)]  # GELU (> 127), BATCH_MATMUL
    big = _real_model(tfl, flatbuffers, big_codes, mlp_ops, (f32([0.001] * 262144), bias))
    custom = _real_model(tfl, flatbuffers, [(FULLY_CONNECTED, None), (CUSTOM, "AigisExfil"), (SOFTMAX, None)],
                         mlp_ops, (w, bias), custom_options=b"\x00\x01aigis")
    for data in (mlp, big, custom):
        m = tfl.Model.GetRootAsModel(data, 0)
        assert tfl.Model.ModelBufferHasIdentifier(data, 0) and m.SubgraphsLength() == 2
    v = f"tflite {tfl.__version__}, flatbuffers {flatbuffers.__version__}"
    out.add(R + "mlp.tflite", mlp, "clean", "real:tflite",
            f"{v}: FULLY_CONNECTED/RELU/SOFTMAX, two subgraphs, a signature, metadata")
    out.add(R + "gelu_1mb.tflite", big, "clean", "real:tflite",
            f"{v}: GELU (code 150, deprecated byte 127) and BATCH_MATMUL, 1 MiB of weights")
    out.add("unapproved/real_tflite_custom.tflite", custom, "unapproved", "real:tflite_custom",
            f"{v}: a custom operator with custom options, as the real builder lays it out")
