#!/usr/bin/env python3
"""Big benign inputs for the speed/memory benchmark.

    make_big.py OUTDIR

Run with bench/.venv/gen's python (numpy, onnx and keras are there). The
10 GiB-class files are sparse: their headers are real, their tensor data is a
hole (seek past it), so they take a few MB of disk whatever their size.

  ints_15mb.pkl        one list of 3,000,000 small ints, pickle protocol 4 (~15 MB)
  numpy_256mb.pkl      one float64 ndarray of 32 Mi elements, pickle protocol 4 (256 MiB of data)
  torch_2gb.pt         torch.save zip layout, 8 float32 tensors of 256 MiB each (stored,
                       64-byte aligned), tensor bytes are zeros written as sparse holes
  llama_10gb.safetensors   a Llama-2-7B-shaped checkpoint cut to 26 layers: 237 F16 tensors with
                       the Hugging Face names, 11.05 GB (10.3 GiB); data region sparse
  llama_13b_q6k.gguf   a Llama-2-13B Q6_K GGUF layout (363 tensors, 10.7 GB / 9.96 GiB, data sparse)
                       with llama.cpp's metadata keys, a 32,000-token vocabulary and the
                       Llama-2 chat template
  mlp_100mb.onnx       an ONNX graph of 4 MatMul+Add+Relu layers, 2560x2560 float32 random
                       initializers inside the protobuf (~105 MB; needs onnx)
  keras_mlp_100mb.h5   a real Keras 3 Sequential of 6 Dense(2048) layers saved in the legacy
                       HDF5 format (~100 MB; needs keras + h5py)
"""
import json
import os
import pickle
import struct
import sys
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "samples"))
from generate import Pk, torch_tensor, DOS_DATE, DOS_TIME  # noqa: E402
import tensor_files as tf  # noqa: E402


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


LLAMA7B = dict(hidden=4096, ffn=11008, vocab=32000)


def llama_tensor_names(layers, d):
    """(Hugging Face name, shape) of a Llama checkpoint, in the order transformers saves them."""
    h, f, v = d["hidden"], d["ffn"], d["vocab"]
    out = [("model.embed_tokens.weight", (v, h))]
    for i in range(layers):
        p = f"model.layers.{i}."
        out += [(p + "self_attn.q_proj.weight", (h, h)), (p + "self_attn.k_proj.weight", (h, h)),
                (p + "self_attn.v_proj.weight", (h, h)), (p + "self_attn.o_proj.weight", (h, h)),
                (p + "mlp.gate_proj.weight", (f, h)), (p + "mlp.up_proj.weight", (f, h)),
                (p + "mlp.down_proj.weight", (h, f)), (p + "input_layernorm.weight", (h,)),
                (p + "post_attention_layernorm.weight", (h,))]
    return out + [("model.norm.weight", (h,)), ("lm_head.weight", (v, h))]


def sparse_tail(f, data_len):
    """Extend f by data_len bytes of hole: the file system stores none of it."""
    f.truncate(f.tell() + data_len)


def safetensors_big(path, layers=26):
    header, n = tf.st_header([(name, "F16", shape) for name, shape in llama_tensor_names(layers, LLAMA7B)],
                             {"format": "pt"})
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h)
        sparse_tail(f, n)


LLAMA2_CHAT = ("{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}"
               "{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}"
               "{% set system_message = false %}{% endif %}{% for message in loop_messages %}"
               "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
               "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
               "{% if loop.index0 == 0 and system_message != false %}"
               "{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}"
               "{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}"
               "{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}"
               "{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}")


def gguf_big(path, layers=40, hidden=5120, ffn=13824, vocab=32000):
    """llama.cpp's layout for a Q6_K Llama-2-13B: 2-D weights Q6_K, norms F32."""
    words = ["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in range(256)]
    words += [f"\u2581tok{i}" for i in range(vocab - len(words))]
    kvs = [("general.architecture", tf.STRING, "llama"), ("general.name", tf.STRING, "LLaMA v2 13B chat (aigis bench)"),
           ("llama.context_length", tf.U32, 4096), ("llama.embedding_length", tf.U32, hidden),
           ("llama.block_count", tf.U32, layers), ("llama.feed_forward_length", tf.U32, ffn),
           ("llama.rope.dimension_count", tf.U32, 128), ("llama.attention.head_count", tf.U32, 40),
           ("llama.attention.head_count_kv", tf.U32, 40),
           ("llama.attention.layer_norm_rms_epsilon", tf.F32, 1e-5), ("general.file_type", tf.U32, 18),
           ("tokenizer.ggml.model", tf.STRING, "llama"), ("tokenizer.ggml.tokens", tf.ARRAY, (tf.STRING, words)),
           ("tokenizer.ggml.scores", tf.ARRAY, (tf.F32, [-float(i) for i in range(vocab)])),
           ("tokenizer.ggml.token_type", tf.ARRAY, (tf.I32, [2, 3, 3] + [6] * 256 + [1] * (vocab - 259))),
           ("tokenizer.ggml.bos_token_id", tf.U32, 1), ("tokenizer.ggml.eos_token_id", tf.U32, 2),
           ("tokenizer.ggml.unknown_token_id", tf.U32, 0), ("tokenizer.chat_template", tf.STRING, LLAMA2_CHAT),
           ("general.quantization_version", tf.U32, 2)]
    q = [("token_embd.weight", [hidden, vocab], "Q6_K")]
    for i in range(layers):
        b = f"blk.{i}."
        q += [(b + "attn_q.weight", [hidden, hidden], "Q6_K"), (b + "attn_k.weight", [hidden, hidden], "Q6_K"),
              (b + "attn_v.weight", [hidden, hidden], "Q6_K"), (b + "attn_output.weight", [hidden, hidden], "Q6_K"),
              (b + "ffn_gate.weight", [hidden, ffn], "Q6_K"), (b + "ffn_up.weight", [hidden, ffn], "Q6_K"),
              (b + "ffn_down.weight", [ffn, hidden], "Q6_K"), (b + "attn_norm.weight", [hidden], "F32"),
              (b + "ffn_norm.weight", [hidden], "F32")]
    q += [("output_norm.weight", [hidden], "F32"), ("output.weight", [hidden, vocab], "Q6_K")]
    g = tf.G(3)
    g.len(len(q)).len(len(kvs))
    for k in kvs:
        g.kv(*k)
    offset, align = 0, 32
    for name, dims, tname in q:
        tid, block, size = tf.GGML[tname]
        n = 1
        for d in dims:
            n *= d
        g.tensor(name, dims, tid, offset)
        nbytes = n // block * size
        offset += nbytes + (-nbytes % align)
    g.out += b"\0" * (-len(g.out) % align)
    with open(path, "wb") as f:
        f.write(g.out)
        sparse_tail(f, offset)


def onnx_big(path, layers=4, width=2560):
    import numpy as np
    import onnx
    from onnx import helper, numpy_helper, TensorProto
    rng = np.random.default_rng(0)
    nodes, inits, x = [], [], "input"
    for i in range(layers):
        inits += [numpy_helper.from_array(rng.standard_normal((width, width), dtype=np.float32), f"fc{i}.weight"),
                  numpy_helper.from_array(np.zeros(width, np.float32), f"fc{i}.bias")]
        nodes += [helper.make_node("MatMul", [x, f"fc{i}.weight"], [f"mm{i}"]),
                  helper.make_node("Add", [f"mm{i}", f"fc{i}.bias"], [f"add{i}"]),
                  helper.make_node("Relu", [f"add{i}"], [f"relu{i}"])]
        x = f"relu{i}"
    graph = helper.make_graph(nodes, "mlp", [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", width])],
                              [helper.make_tensor_value_info(x, TensorProto.FLOAT, ["N", width])], inits)
    model = helper.make_model(graph, producer_name="aigis-bench", opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    onnx.save(model, path)


def keras_h5_big(path, layers=6, width=2048):
    os.environ.setdefault("KERAS_BACKEND", "numpy")
    import keras
    model = keras.Sequential([keras.Input((width,))] + [keras.layers.Dense(width, activation="relu")
                                                          for _ in range(layers)])
    model.compile(optimizer="adam", loss="mse")
    model.save(path + ".h5")  # keras picks the format from the suffix
    os.rename(path + ".h5", path)


def main(out):
    os.makedirs(out, exist_ok=True)
    jobs = [("ints_15mb.pkl", ints), ("numpy_256mb.pkl", numpy_big), ("torch_2gb.pt", torch_big),
            ("llama_10gb.safetensors", safetensors_big), ("llama_13b_q6k.gguf", gguf_big),
            ("mlp_100mb.onnx", onnx_big), ("keras_mlp_100mb.h5", keras_h5_big)]
    for name, fn in jobs:
        path = os.path.join(out, name)
        if not os.path.exists(path):
            fn(path + ".tmp")
            os.rename(path + ".tmp", path)
        st = os.stat(path)
        print(f"{name}: {st.st_size / 1e6:.1f} MB ({st.st_blocks * 512 / 1e6:.1f} MB on disk)")


if __name__ == "__main__":
    main(sys.argv[1])
