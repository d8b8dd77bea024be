"""safetensors and GGUF samples for generate.py (standard library only).

Every file is assembled byte by byte: a safetensors writer (8-byte length,
JSON header padded to 8 bytes like the reference writer, data) and a GGUF
writer (v1-v3, either byte order). Chat templates are real-looking
Llama-3, Mistral, ChatML, Gemma and Qwen templates; the malicious ones are
the CVE-2024-34359 walk and its obfuscated variants. Payloads run
`echo aigis-sample-payload` at most.

    write(out, pickle_of)   adds every sample through out.add(path, data, expect, technique, note)
    write_real(out)         adds files written by the real `safetensors` and `gguf` packages
"""

import base64
import json
import struct

CMD = "echo aigis-sample-payload"

# --------------------------------------------------------------------------
# safetensors
# --------------------------------------------------------------------------

DTYPE_SIZE = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I8": 1, "U8": 1, "BOOL": 1}


def st_header(tensors, metadata=None):
    """tensors: [(name, dtype, shape)] laid out in order; returns (header dict, data length)."""
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    offset = 0
    for name, dtype, shape in tensors:
        n = DTYPE_SIZE[dtype]
        for d in shape:
            n *= d
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + n]}
        offset += n
    return header, offset


def st_bytes(header_json, data_len, pad_to=8):
    """header_json: the JSON text, written as is (duplicates and all)."""
    h = header_json.encode()
    h += b" " * (-len(h) % pad_to)
    data = bytes((i * 7) % 251 for i in range(data_len))
    return struct.pack("<Q", len(h)) + h + data


def st_file(tensors, metadata=None, extra=0, cut=0):
    header, n = st_header(tensors, metadata)
    raw = st_bytes(json.dumps(header, separators=(",", ":")), n + extra)
    return raw[: len(raw) - cut] if cut else raw


STATE_DICT = [("embed.weight", "F32", (16, 8)), ("layer0.attn.q.weight", "BF16", (8, 8)),
              ("layer0.attn.q.bias", "F16", (8,)), ("layer0.norm.weight", "F32", (8,)),
              ("position_ids", "I64", (1, 16)), ("mask", "BOOL", (4, 4))]

PNG_1X1 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")

LORA_METADATA = {
    "format": "pt",
    "ss_network_module": "networks.lora",
    "ss_network_dim": "16",
    "ss_learning_rate": "0.0001",
    "ss_output_name": "my_style_lora",
    "ss_training_comment": "trained on 40 images; eval() of the loss every 100 steps",
    "ss_tag_frequency": json.dumps({"img": {"1girl": 12, "outdoors": 7}}),
    "ss_dataset_dirs": json.dumps({"img": {"n_repeats": 10, "img_count": 40}}),
    "sshs_model_hash": "8a3b5c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f80912a3b",
    "ss_new_sd_model_hash": "80036a3c1e2d4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c",
    "ss_sd_model_hash": "80027f31",
    "modelspec.thumbnail": "data:image/png;base64," + base64.b64encode(PNG_1X1).decode(),
    "modelspec.title": "My style",
}


def write_safetensors(out, pickle_of):
    B, M, E, U = "benign/tensor_files/", "malicious/tensor_files/", "edge/tensor_files/", "unapproved/"
    out.add(B + "state_dict.safetensors", st_file(STATE_DICT, {"format": "pt"}), "clean", "benign:safetensors",
            "safetensors state dict: F32, BF16, F16, I64, BOOL tensors, metadata {format: pt}")
    out.add(B + "lora_with_training_metadata.safetensors", st_file(STATE_DICT[:2], LORA_METADATA), "clean",
            "benign:safetensors_metadata",
            "LoRA-style metadata: JSON strings, hex hashes (one starting 8003, like a pickle), a base64 PNG data URI")
    out.add(B + "no_tensors.safetensors", st_bytes("{}", 0), "clean", "benign:safetensors", "header '{}' and no data")
    # A header of 0x280 bytes: the length field starts 0x80 0x02, pickle's PROTO 2.
    meta = {"format": "pt", "note": ""}
    header, n = st_header([("w", "F32", (2, 2))], meta)
    while len(json.dumps(header, separators=(",", ":"))) < 0x280:
        meta["note"] += "x"
        header, n = st_header([("w", "F32", (2, 2))], meta)
    out.add(B + "header_length_starts_like_pickle.safetensors", st_bytes(json.dumps(header, separators=(",", ":")), n),
            "clean", "benign:safetensors", "header length 0x280: the file starts 80 02, like a protocol-2 pickle")

    evil = pickle_of()
    out.add(M + "metadata_base64_pickle.safetensors",
            st_file(STATE_DICT[:2], {"format": "pt", "config": base64.b64encode(evil).decode()}), "malicious",
            "safetensors:metadata_pickle_base64", "__metadata__ value is a base64 pickle calling os.system")
    out.add(M + "metadata_hex_pickle.safetensors",
            st_file(STATE_DICT[:2], {"format": "pt", "state": evil.hex()}), "malicious",
            "safetensors:metadata_pickle_hex", "__metadata__ value is a hex-encoded os.system pickle")
    out.add(M + "metadata_raw_pickle.safetensors",
            st_file(STATE_DICT[:2], {"format": "pt", "blob": evil.decode("latin-1")}), "malicious",
            "safetensors:metadata_pickle_raw", "__metadata__ value is the pickle's bytes as a latin-1 str")
    out.add(M + "trailing_pickle.safetensors", st_file(STATE_DICT[:2], {"format": "pt"}) + evil, "malicious",
            "safetensors:trailing_pickle", "an os.system pickle appended after the last tensor")
    out.add(U + "safetensors_metadata_python_source.safetensors",
            st_file(STATE_DICT[:1], {"format": "pt", "hook": "import os\nos.system('%s')\n" % CMD}), "unapproved",
            "safetensors:metadata_python", "__metadata__ value is Python source that imports os")
    elf = b"\x7fELF\x02\x01\x01\x00" + bytes(56)
    out.add(U + "safetensors_metadata_elf.safetensors",
            st_file(STATE_DICT[:1], {"format": "pt", "tool": base64.b64encode(elf).decode()}), "unapproved",
            "safetensors:metadata_executable", "__metadata__ value is a base64 ELF header")
    dup = ('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},'
           '"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}')
    out.add(U + "safetensors_duplicate_tensor.safetensors", st_bytes(dup, 16), "unapproved",
            "safetensors:duplicate_key", "tensor 'a' declared twice: readers disagree on which one loads")

    out.add(E + "truncated.safetensors", st_file(STATE_DICT, {"format": "pt"}, cut=100), "inconclusive",
            "safetensors:truncated", "data section cut 100 bytes short")
    out.add(E + "header_truncated.safetensors", st_file(STATE_DICT, {"format": "pt"})[:60], "inconclusive",
            "safetensors:header_truncated", "file ends inside the JSON header")
    overlap = ('{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},'
               '"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}')
    out.add(E + "overlapping_tensors.safetensors", st_bytes(overlap, 16), "inconclusive",
            "safetensors:overlap", "tensor b aliases the second half of tensor a")
    gap = ('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},'
           '"b":{"dtype":"F32","shape":[2],"data_offsets":[16,24]}}')
    out.add(E + "gap_between_tensors.safetensors", st_bytes(gap, 24), "inconclusive",
            "safetensors:gap", "8 bytes between tensors belong to no tensor")
    far = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[18446744073709551600,18446744073709551608]}}'
    out.add(E + "offsets_out_of_range.safetensors", st_bytes(far, 8), "inconclusive",
            "safetensors:out_of_range", "data_offsets near 2**64, far past the end of the file")
    mism = '{"a":{"dtype":"F32","shape":[3,3],"data_offsets":[0,16]}}'
    out.add(E + "size_mismatch.safetensors", st_bytes(mism, 16), "inconclusive",
            "safetensors:size_mismatch", "F32 [3, 3] needs 36 bytes, the range holds 16")
    ovf = '{"a":{"dtype":"F64","shape":[4294967296,4294967296,16],"data_offsets":[0,8]}}'
    out.add(E + "shape_overflow.safetensors", st_bytes(ovf, 8), "inconclusive",
            "safetensors:shape_overflow", "shape × dtype size overflows 64 bits")
    out.add(E + "unknown_dtype.safetensors", st_bytes('{"a":{"dtype":"Q4","shape":[2],"data_offsets":[0,1]}}', 1),
            "inconclusive", "safetensors:unknown_dtype", "dtype Q4 is not a safetensors dtype")
    out.add(E + "trailing_bytes.safetensors", st_file(STATE_DICT[:2], {"format": "pt"}, extra=64), "inconclusive",
            "safetensors:trailing_bytes", "64 bytes after the last tensor")
    huge = struct.pack("<Q", 1 << 40) + b'{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}'
    out.add(E + "header_length_huge.safetensors", huge, "inconclusive", "safetensors:header_too_large",
            "header length 2**40, over the 100 MB limit")
    out.add(E + "header_not_json.safetensors", st_bytes('{"a": [1, 2', 0), "inconclusive",
            "safetensors:not_json", "header is not valid JSON")
    out.add(E + "metadata_not_strings.safetensors", st_bytes('{"__metadata__":{"epochs":3}}', 0), "inconclusive",
            "safetensors:bad_metadata", "__metadata__ value is a number (the reference refuses it)")


# --------------------------------------------------------------------------
# GGUF
# --------------------------------------------------------------------------

U8, I8, U16, I16, U32, I32, F32, BOOL, STRING, ARRAY, U64, I64, F64 = range(13)
FIXED = {U8: "B", I8: "b", U16: "H", I16: "h", U32: "I", I32: "i", F32: "f", BOOL: "?", U64: "Q", I64: "q",
         F64: "d"}
GGML = {"F32": (0, 1, 4), "F16": (1, 1, 2), "Q4_0": (2, 32, 18), "Q8_0": (8, 32, 34), "Q4_K": (12, 256, 144),
        "Q6_K": (14, 256, 210), "BF16": (30, 1, 2)}


class G:
    """A GGUF writer: fields in order, in the chosen version's widths and byte order."""

    def __init__(self, version=3, big=False):
        self.version, self.e = version, (">" if big else "<")
        self.out = bytearray(b"GGUF") + struct.pack(self.e + "I", version)

    def pack(self, fmt, *v):
        self.out += struct.pack(self.e + fmt, *v)
        return self

    def len(self, n):
        return self.pack("Q" if self.version >= 2 else "I", n)

    def str(self, s):
        b = s.encode() if isinstance(s, str) else s
        self.len(len(b))
        self.out += b
        return self

    def value(self, ty, v):
        if ty == STRING:
            return self.str(v)
        if ty == ARRAY:
            et, items = v
            self.pack("I", et).len(len(items))
            for i in items:
                self.value(et, i)
            return self
        return self.pack(FIXED[ty], v)

    def kv(self, key, ty, v):
        return self.str(key).pack("I", ty).value(ty, v)

    def tensor(self, name, dims, ggml_type, offset):
        self.str(name).pack("I", len(dims))
        for d in dims:
            self.len(d)
        return self.pack("I", ggml_type).pack("Q", offset)


def gguf_file(kvs, tensors, version=3, big=False, alignment=32, cut=0):
    """kvs: [(key, type, value)]; tensors: [(name, dims, ggml type name)] laid out in order."""
    g = G(version, big)
    g.len(len(tensors)).len(len(kvs))
    for k in kvs:
        g.kv(*k)
    offset, sizes = 0, []
    for name, dims, tname in tensors:
        tid, block, size = GGML[tname]
        n = 1
        for d in dims:
            n *= d
        nbytes = n // block * size
        g.tensor(name, dims, tid, offset)
        sizes.append(nbytes)
        offset += nbytes + (-nbytes % alignment)
    g.out += b"\0" * (-len(g.out) % alignment)
    g.out += bytes(offset)
    raw = bytes(g.out)
    return raw[: len(raw) - cut] if cut else raw


LLAMA3 = ("{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' "
          "+ message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}"
          "{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}"
          "{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}")
MISTRAL = ("{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
           "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
           "{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}"
           "{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}"
           "{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}")
CHATML = ("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + "
          "'\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")
GEMMA = ("{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}"
         "{% endif %}{% for message in messages %}{% if (message['role'] == 'assistant') %}{% set role = 'model' %}"
         "{% else %}{% set role = message['role'] %}{% endif %}{{ '<start_of_turn>' + role + '\\n' + message['content'] "
         "| trim + '<end_of_turn>\\n' }}{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>model\\n'}}{% endif %}")
QWEN_TOOLS = """{%- if tools %}
    {{- '<|im_start|>system\\n' }}
    {%- if messages[0]['role'] == 'system' %}{{- messages[0]['content'] }}{%- else %}{{- 'You are a helpful assistant.' }}{%- endif %}
    {{- "\\n\\n# Tools\\n\\n<tools>" }}
    {%- for tool in tools %}{{- "\\n" }}{{- tool | tojson }}{%- endfor %}
    {{- "\\n</tools>\\n\\nReturn <tool_call>\\n{\\"name\\": <function-name>, \\"arguments\\": <args>}\\n</tool_call><|im_end|>\\n" }}
{%- endif %}
{%- set ns = namespace(system=false, last_query_index=messages|length - 1) %}
{%- for message in messages %}
    {%- if message.role == "assistant" and message.tool_calls %}
        {{- '<|im_start|>' + message.role }}
        {%- for tool_call in message.tool_calls %}
            {%- if tool_call.function is defined %}{%- set tool_call = tool_call.function %}{%- endif %}
            {{- '\\n<tool_call>\\n{"name": "' }}{{- tool_call.name }}{{- '", "arguments": ' }}{{- tool_call.arguments | tojson }}{{- '}\\n</tool_call>' }}
        {%- endfor %}
        {{- '<|im_end|>\\n' }}
    {%- elif message.role == "tool" %}
        {%- if (loop.index0 == 0) or (messages[loop.index0 - 1].role != "tool") %}{{- '<|im_start|>user' }}{%- endif %}
        {{- '\\n<tool_response>\\n' }}{{- message.content }}{{- '\\n</tool_response>' }}
    {%- else %}
        {{- '<|im_start|>' + message.role + '\\n' + message.content.split('</think>')[-1] | trim + '<|im_end|>\\n' }}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"""

# CVE-2024-34359 (llama-cpp-python GHSA-56xg-wfcc-g829), with a harmless command.
SUBCLASSES_WALK = ("{% for x in ().__class__.__base__.__subclasses__() %}{% if \"warning\" in x.__name__ %}"
                   "{{x()._module.__builtins__['__import__']('os').popen(\"" + CMD + "\").read()}}{%endif%}{% endfor %}")
GLOBALS_WALK = "{{ cycler.__init__.__globals__.os.popen('" + CMD + "').read() }}" + CHATML
OBFUSCATED_ITEMS = ("{% set g = lipsum['\\x5f\\x5fglo' ~ 'bals\\x5f\\x5f'] %}{{ g['o' ~ 's']['pop' ~ 'en']('" + CMD +
                    "').read() }}" + CHATML)
ATTR_FILTER = ("{{ ()|attr('__class__')|attr('__base__')|attr('__subclasses__')() }}" + LLAMA3)
DYNAMIC_ATTR = "{% set n = messages[0]['name'] %}{{ messages|attr(n) }}" + CHATML
REVERSED_ITEMS = "{{ ()['__ssalc__'|reverse]['__esab__'|reverse] }}" + CHATML


def base_kvs(template, extra=()):
    kvs = [("general.architecture", STRING, "llama"), ("general.name", STRING, "aigis-sample"),
           ("general.alignment", U32, 32), ("llama.context_length", U32, 4096),
           ("llama.rope.freq_base", F32, 500000.0), ("general.file_type", U32, 15),
           ("tokenizer.ggml.model", STRING, "gpt2"),
           ("tokenizer.ggml.tokens", ARRAY, (STRING, ["<s>", "</s>", "<|im_start|>", "<|im_end|>", "hello"])),
           ("tokenizer.ggml.token_type", ARRAY, (I32, [3, 3, 4, 4, 1])),
           ("tokenizer.ggml.scores", ARRAY, (F32, [0.0] * 5)),
           ("tokenizer.ggml.add_bos_token", BOOL, True)]
    if template is not None:
        kvs.append(("tokenizer.chat_template", STRING, template))
    return kvs + list(extra)


TENSORS = [("token_embd.weight", [256, 8], "Q4_0"), ("blk.0.attn_q.weight", [256, 4], "Q4_K"),
           ("blk.0.attn_norm.weight", [256], "F32"), ("output.weight", [256, 8], "Q8_0"),
           ("output_norm.weight", [256], "BF16")]


def gguf_raw(version=3, counts=(1, 1), body=b""):
    g = G(version)
    g.len(counts[0]).len(counts[1])
    return bytes(g.out) + body


def write_gguf(out, pickle_of=None):
    B, M, E, U = "benign/tensor_files/", "malicious/tensor_files/", "edge/tensor_files/", "unapproved/"
    if pickle_of is not None:
        evil = pickle_of()
        out.add(M + "gguf_metadata_base64_pickle.gguf",
                gguf_file(base_kvs(CHATML, [("general.description", STRING, base64.b64encode(evil).decode())]),
                          TENSORS[:1]), "malicious", "gguf:metadata_pickle",
                "general.description holds a base64 pickle calling os.system")
        out.add(U + "gguf_metadata_python_source.gguf",
                gguf_file(base_kvs(CHATML, [("general.notes", STRING,
                                             "import os\nos.system('echo aigis-sample-payload')\n")]),
                          TENSORS[:1]), "unapproved", "gguf:metadata_code", "general.notes holds Python source")
    out.add(B + "llama3_q4.gguf", gguf_file(base_kvs(LLAMA3), TENSORS), "clean", "benign:gguf",
            "GGUF v3 with the Llama-3 chat template, Q4_0/Q4_K/Q8_0/F32/BF16 tensors")
    out.add(B + "chatml_v2.gguf", gguf_file(base_kvs(CHATML), TENSORS[:3], version=2), "clean", "benign:gguf_v2",
            "GGUF v2 with a ChatML template")
    out.add(B + "mistral_big_endian.gguf", gguf_file(base_kvs(MISTRAL), TENSORS, big=True), "clean",
            "benign:gguf_big_endian", "big-endian GGUF v3 with the Mistral template")
    out.add(B + "gemma_v1.gguf", gguf_file(base_kvs(GEMMA), TENSORS[2:3], version=1), "clean", "benign:gguf_v1",
            "GGUF v1 (32-bit lengths) with the Gemma template")
    out.add(B + "qwen_named_templates.gguf",
            gguf_file(base_kvs(QWEN_TOOLS, [("tokenizer.chat_template.tool_use", STRING, QWEN_TOOLS),
                                            ("tokenizer.chat_templates", ARRAY, (STRING, ["tool_use"]))]),
                      TENSORS[:2]),
            "clean", "benign:gguf_templates", "Qwen tool-calling template, default and named (tool_use)")
    out.add(B + "vocab_only.gguf", gguf_file(base_kvs(CHATML), []), "clean", "benign:gguf_vocab_only",
            "vocabulary-only GGUF: no tensors")
    nested = [("general.tags", ARRAY, (ARRAY, [(STRING, ["a", "b"]), (U8, [1, 2, 3])]))]
    out.add(B + "nested_array.gguf", gguf_file(base_kvs(CHATML, nested), TENSORS[:1]), "clean", "benign:gguf_arrays",
            "a metadata array of arrays (allowed by the spec)")

    out.add(M + "template_subclasses_walk.gguf", gguf_file(base_kvs(SUBCLASSES_WALK), TENSORS[:2]), "malicious",
            "gguf:chat_template_cve_2024_34359",
            "CVE-2024-34359: ().__class__.__base__.__subclasses__() walk to __builtins__['__import__']('os').popen")
    out.add(M + "template_globals_walk.gguf", gguf_file(base_kvs(GLOBALS_WALK), TENSORS[:2]), "malicious",
            "gguf:chat_template_globals", "cycler.__init__.__globals__.os.popen(...) in front of a ChatML template")
    out.add(M + "template_obfuscated_items.gguf", gguf_file(base_kvs(OBFUSCATED_ITEMS), TENSORS[:2]), "malicious",
            "gguf:chat_template_obfuscated",
            "lipsum['\\x5f\\x5fglo' ~ 'bals\\x5f\\x5f']['o' ~ 's']['pop' ~ 'en']: escapes and concatenation")
    out.add(M + "template_attr_filter.gguf", gguf_file(base_kvs(ATTR_FILTER), TENSORS[:2]), "malicious",
            "gguf:chat_template_attr_filter", "()|attr('__class__')|attr('__base__')|attr('__subclasses__')()")
    out.add(M + "named_template_escape.gguf",
            gguf_file(base_kvs(CHATML, [("tokenizer.chat_template.rag", STRING, SUBCLASSES_WALK)]), TENSORS[:2]),
            "malicious", "gguf:named_chat_template", "benign default template, escape in tokenizer.chat_template.rag")
    out.add(M + "template_escape_before_broken_tensor.gguf",
            gguf_file(base_kvs(GLOBALS_WALK), TENSORS[:2], cut=200), "malicious",
            "gguf:chat_template_truncated_file", "escape in the template, file cut inside the data: still malicious")
    out.add(U + "gguf_template_dynamic_attr.gguf", gguf_file(base_kvs(DYNAMIC_ATTR), TENSORS[:1]), "unapproved",
            "gguf:chat_template_dynamic_attr", "messages|attr(n) with a computed attribute name")
    out.add(U + "gguf_template_reversed_items.gguf", gguf_file(base_kvs(REVERSED_ITEMS), TENSORS[:1]), "unapproved",
            "gguf:chat_template_computed_item",
            "()['__ssalc__'|reverse]: names built by filters cannot be decoded statically, so unapproved")

    def tensor_body(name, dims, ty, offset, dim_fmt="Q"):
        g = G(3)
        g.str(name).pack("I", len(dims))
        for d in dims:
            g.pack(dim_fmt, d)
        g.pack("I", ty).pack("Q", offset)
        return bytes(g.out[8:])

    pad = bytes(4096)
    out.add(E + "gguf_huge_tensor_count.gguf", gguf_raw(counts=(2**63, 0), body=pad), "inconclusive",
            "gguf:huge_tensor_count", "tensor count 2**63 (CVE-2024-21836 shape)")
    out.add(E + "gguf_huge_kv_count.gguf", gguf_raw(counts=(0, 2**40), body=pad), "inconclusive",
            "gguf:huge_kv_count", "key/value count 2**40 (CVE-2024-23605 shape)")
    out.add(E + "gguf_string_length_overflow.gguf",
            gguf_raw(counts=(0, 1), body=struct.pack("<Q", 2**64 - 1) + pad), "inconclusive",
            "gguf:string_length_overflow", "a key length of 2**64-1 (CVE-2024-23496 shape)")
    arr = G(3)
    arr.str("tokenizer.ggml.tokens").pack("I", ARRAY).pack("I", STRING).pack("Q", 2**62)
    out.add(E + "gguf_array_length_overflow.gguf", gguf_raw(counts=(0, 1), body=bytes(arr.out[8:]) + pad),
            "inconclusive", "gguf:array_length_overflow", "a string array of 2**62 items (CVE-2024-21825 shape)")
    unk = G(3)
    unk.str("general.name").pack("I", 0x41414141)
    out.add(E + "gguf_unknown_value_type.gguf", gguf_raw(counts=(0, 1), body=bytes(unk.out[8:]) + pad),
            "inconclusive", "gguf:unknown_value_type", "a metadata value type of 0x41414141")
    out.add(E + "gguf_dims_overflow.gguf",
            gguf_raw(counts=(1, 0), body=tensor_body("w", [2**40, 2**40, 2**40], 0, 0) + pad), "inconclusive",
            "gguf:dims_overflow", "dims 2**40 × 2**40 × 2**40 overflow (CVE-2024-21802 shape)")
    out.add(E + "gguf_too_many_dims.gguf",
            gguf_raw(counts=(1, 0), body=tensor_body("w", [1] * 9, 0, 0) + pad), "inconclusive",
            "gguf:too_many_dims", "n_dims 9, over GGML_MAX_DIMS 4")
    out.add(E + "gguf_bad_ggml_type.gguf", gguf_raw(counts=(1, 0), body=tensor_body("w", [32], 0xDEAD, 0) + pad),
            "inconclusive", "gguf:bad_ggml_type", "ggml type 0xdead")
    out.add(E + "gguf_offset_out_of_range.gguf",
            gguf_raw(counts=(1, 0), body=tensor_body("w", [32], 0, 2**40) + pad), "inconclusive",
            "gguf:offset_out_of_range", "tensor offset 2**40 past the end of a 4 KiB file")
    out.add(E + "gguf_unaligned_offset.gguf",
            gguf_raw(counts=(1, 0), body=tensor_body("w", [8], 0, 4) + pad), "inconclusive",
            "gguf:unaligned_offset", "tensor offset 4 with alignment 32")
    both = tensor_body("a", [64], 0, 0) + tensor_body("b", [64], 0, 128)
    out.add(E + "gguf_overlapping_tensors.gguf", gguf_raw(counts=(2, 0), body=both + pad), "inconclusive",
            "gguf:overlap", "tensor b starts inside tensor a's 256 bytes")
    out.add(E + "gguf_truncated.gguf", gguf_file(base_kvs(LLAMA3), TENSORS)[:700], "inconclusive",
            "gguf:truncated", "file cut inside the metadata")
    out.add(E + "gguf_data_truncated.gguf", gguf_file(base_kvs(LLAMA3), TENSORS, cut=64), "inconclusive",
            "gguf:data_truncated", "file cut 64 bytes before the end of the last tensor")
    dupkv = base_kvs(CHATML, [("general.name", STRING, "other")])
    out.add(E + "gguf_duplicate_key.gguf", gguf_file(dupkv, TENSORS[:1]), "inconclusive", "gguf:duplicate_key",
            "general.name twice (llama.cpp refuses the file)")
    out.add(E + "gguf_bad_version.gguf", b"GGUF" + struct.pack("<I", 0x41414141) + pad, "inconclusive",
            "gguf:bad_version", "version 0x41414141")
    out.add(E + "gguf_template_unterminated.gguf", gguf_file(base_kvs("{% for m in messages %}{{ m['content'] "),
                                                             TENSORS[:1]),
            "inconclusive", "gguf:template_unreadable", "chat template with an unterminated tag")


def write(out, pickle_of):
    write_safetensors(out, pickle_of)
    write_gguf(out, pickle_of)


# --------------------------------------------------------------------------
# Real files (--real): written by the safetensors and gguf packages
# --------------------------------------------------------------------------

def write_real(out, tmp):
    import os
    import numpy as np
    from safetensors.numpy import save_file
    import gguf

    R = "real/"
    rng = np.random.RandomState(0)

    def via(write, name):
        path = os.path.join(tmp, name)
        write(path)
        with open(path, "rb") as f:
            data = f.read()
        os.remove(path)
        return data

    tensors = {"embed.weight": rng.rand(32, 16).astype(np.float32), "head.bias": rng.rand(16).astype(np.float16),
               "ids": np.arange(12, dtype=np.int64).reshape(3, 4), "mask": np.ones((2, 2), dtype=bool)}
    out.add(R + "safetensors_numpy.safetensors", via(lambda p: save_file(tensors, p), "a.safetensors"), "clean",
            "real:safetensors", "safetensors.numpy.save_file of float32/float16/int64/bool arrays")
    out.add(R + "safetensors_numpy_metadata.safetensors",
            via(lambda p: save_file(tensors, p, metadata=LORA_METADATA), "b.safetensors"), "clean",
            "real:safetensors_metadata", "save_file with LoRA-style metadata (hashes, JSON, a PNG data URI)")

    def gguf_write(path, template, endian=None, quant=False):
        kw = {"endianess": endian} if endian is not None else {}
        w = gguf.GGUFWriter(path, "llama", **kw)
        w.add_name("aigis-real")
        w.add_context_length(2048)
        w.add_tokenizer_model("gpt2")
        w.add_token_list(["<s>", "</s>", "hello", "world"])
        w.add_token_types([3, 3, 1, 1])
        if template is not None:
            w.add_chat_template(template)
        w.add_tensor("token_embd.weight", rng.rand(4, 64).astype(np.float32))
        w.add_tensor("output_norm.weight", rng.rand(64).astype(np.float16))
        if quant:
            q = gguf.quantize(rng.rand(2, 64).astype(np.float32), gguf.GGMLQuantizationType.Q8_0)
            w.add_tensor("blk.0.ffn.weight", q, raw_dtype=gguf.GGMLQuantizationType.Q8_0)
        w.write_header_to_file()
        w.write_kv_data_to_file()
        w.write_tensors_to_file()
        w.close()

    out.add(R + "gguf_llama3.gguf", via(lambda p: gguf_write(p, LLAMA3, quant=True), "a.gguf"), "clean",
            "real:gguf", "gguf.GGUFWriter: Llama-3 template, F32/F16/Q8_0 tensors")
    out.add(R + "gguf_qwen_tools.gguf", via(lambda p: gguf_write(p, QWEN_TOOLS), "b.gguf"), "clean", "real:gguf",
            "gguf.GGUFWriter: Qwen tool-calling template")
    out.add(R + "gguf_big_endian.gguf",
            via(lambda p: gguf_write(p, MISTRAL, endian=gguf.GGUFEndian.BIG), "c.gguf"), "clean",
            "real:gguf_big_endian", "gguf.GGUFWriter(endianess=BIG): Mistral template")
    out.add(R + "gguf_escape_template.gguf", via(lambda p: gguf_write(p, SUBCLASSES_WALK), "d.gguf"), "malicious",
            "real:gguf_cve_2024_34359", "gguf.GGUFWriter with the CVE-2024-34359 template")
