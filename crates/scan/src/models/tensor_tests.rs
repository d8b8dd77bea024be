//! safetensors and GGUF through the model scanner: in-test builders for
//! both formats, real-looking chat templates that must stay clean, and the
//! CVE-2024-34359 family that must not.

use super::tests::call;
use super::*;
use crate::policy::Policy;
use aigis_findings::{FileReport, Verdict};

fn scan(data: &[u8]) -> FileReport {
    let policy = Policy::new(&[]).expect("policy");
    let o = ModelScanner::new(&policy)
        .scan(data, "t")
        .expect("recognised as a model");
    FileReport::new("t", o.format, o.findings)
}

fn rules(r: &FileReport) -> Vec<&str> {
    r.findings.iter().map(|f| f.rule_id.as_str()).collect()
}

/// A safetensors file from header JSON (padded to 8) and `data_len` bytes.
fn safetensors(header: &str, data_len: usize) -> Vec<u8> {
    let mut h = header.as_bytes().to_vec();
    while !h.len().is_multiple_of(8) {
        h.push(b' ');
    }
    let mut out = (h.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(&h);
    out.extend(std::iter::repeat_n(0u8, data_len));
    out
}

fn with_metadata(key: &str, value: &str) -> Vec<u8> {
    let meta = serde_json::json!({ "format": "pt", key: value });
    let header = format!(
        r#"{{"__metadata__":{meta},"w":{{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}}}"#
    );
    safetensors(&header, 16)
}

fn base64(data: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn clean_safetensors_is_clean_and_inspected() {
    let f = with_metadata("ss_network_dim", "16");
    let r = scan(&f);
    assert_eq!(
        (r.format.as_str(), r.verdict, rules(&r)),
        ("safetensors", Verdict::Clean, vec![])
    );
    let policy = Policy::new(&[]).unwrap();
    let ins = ModelScanner::new(&policy).inspect(&f, "t");
    let t = ins.tensor_file.expect("header recorded");
    assert_eq!(
        (t.tensor_count, t.tensors[0].shape.clone()),
        (1, vec![2, 2])
    );
    assert_eq!(t.metadata.len(), 2);
}

#[test]
fn base64_pickle_in_metadata_is_scanned_as_a_pickle() {
    let evil = call("os", "system", "id");
    let r = scan(&with_metadata("config", &base64(&evil)));
    assert_eq!(r.verdict, Verdict::Malicious);
    assert_eq!(rules(&r), ["AIG132", "AIG100", "AIG101"]);
    let f = r.findings.iter().find(|f| f.rule_id == "AIG101").unwrap();
    assert_eq!(f.location.members, ["__metadata__[config]"]);
}

#[test]
fn hex_and_raw_latin1_pickles_in_metadata_are_found() {
    let evil = call("posix", "system", "id");
    let hex: String = evil.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(scan(&with_metadata("k", &hex)).verdict, Verdict::Malicious);
    let latin1: String = evil.iter().map(|b| char::from(*b)).collect();
    assert_eq!(
        scan(&with_metadata("k", &latin1)).verdict,
        Verdict::Malicious
    );
}

#[test]
fn hashes_images_and_prose_in_metadata_are_not_payloads() {
    for value in [
        "80036a3c1e2d4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c",
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
        "{\"img\": {\"n_repeats\": 10}}",
        "GGUF conversion of the base model; eval() every 100 steps",
        "config: {\"lr\": 1}",
    ] {
        let r = scan(&with_metadata("k", value));
        assert_eq!(rules(&r), Vec::<&str>::new(), "{value}");
    }
}

#[test]
fn python_source_and_executables_in_metadata_are_unapproved() {
    let r = scan(&with_metadata("hook", "import os\nos.system('id')"));
    assert_eq!(
        (r.verdict, rules(&r)),
        (Verdict::Unapproved, vec!["AIG132"])
    );
    let elf = base64(b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00");
    let r = scan(&with_metadata("tool", &elf));
    assert!(r.findings[0].message.contains("ELF"), "{:?}", r.findings);
}

#[test]
fn appended_pickle_after_the_last_tensor_is_scanned() {
    let mut f = with_metadata("format2", "pt");
    f.extend_from_slice(&call("os", "system", "id"));
    let r = scan(&f);
    assert_eq!(r.verdict, Verdict::Malicious);
    assert!(rules(&r).contains(&"AIG130") && rules(&r).contains(&"AIG101"));
}

#[test]
fn layout_problems_are_inconclusive_or_duplicates() {
    let overlap = r#"{"a":{"dtype":"U8","shape":[8],"data_offsets":[0,8]},"b":{"dtype":"U8","shape":[4],"data_offsets":[4,8]}}"#;
    let r = scan(&safetensors(overlap, 8));
    assert_eq!(
        (r.verdict, rules(&r)),
        (Verdict::Inconclusive, vec!["AIG130"])
    );
    let mut cut = with_metadata("k", "v");
    cut.truncate(cut.len() - 4);
    let r = scan(&cut);
    assert_eq!(
        (r.verdict, rules(&r)),
        (Verdict::Inconclusive, vec!["AIG120"])
    );
    let dup = r#"{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"a":{"dtype":"U8","shape":[4],"data_offsets":[4,8]}}"#;
    let r = scan(&safetensors(dup, 8));
    assert_eq!(
        (r.verdict, rules(&r)),
        (Verdict::Unapproved, vec!["AIG131"])
    );
}

#[test]
fn header_that_starts_like_a_pickle_is_judged_as_both() {
    // A header length of 0x280 starts 80 02 (PROTO 2) but imports nothing: clean.
    let mut meta = String::from("x");
    let mut f = with_metadata("note", &meta);
    while f[..2] != [0x80, 0x02] {
        meta.push('x');
        f = with_metadata("note", &meta);
    }
    assert_eq!(scan(&f).verdict, Verdict::Clean);
    // A pickle whose bytes 8 and 9 read `{"`: torch.load would unpickle it.
    let mut poly = b"\x80\x02cos\nx\n{\"a\":1}".to_vec();
    poly.extend_from_slice(b"                ");
    let r = scan(&poly);
    assert_eq!(r.format, "safetensors");
    assert!(
        rules(&r).contains(&"AIG130") && rules(&r).contains(&"AIG100"),
        "{:?}",
        rules(&r)
    );
}

/// GGUF v3 little-endian: string key/values, no tensors.
fn gguf(kvs: &[(&str, &str)]) -> Vec<u8> {
    let mut out = b"GGUF".to_vec();
    out.extend_from_slice(&3u32.to_le_bytes());
    out.extend_from_slice(&0u64.to_le_bytes());
    out.extend_from_slice(&(kvs.len() as u64).to_le_bytes());
    for (k, v) in kvs {
        for (i, s) in [k, v].iter().enumerate() {
            out.extend_from_slice(&(s.len() as u64).to_le_bytes());
            out.extend_from_slice(s.as_bytes());
            if i == 0 {
                out.extend_from_slice(&8u32.to_le_bytes());
            }
        }
    }
    out
}

fn template_rules(t: &str) -> Vec<String> {
    let mut out = Vec::new();
    template::check(
        t,
        "tokenizer.chat_template",
        &Location::file("t"),
        0,
        &mut out,
    );
    out.iter()
        .map(|f| format!("{} {}", f.rule_id, f.message))
        .collect()
}

const LLAMA3: &str = "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}";
const MISTRAL: &str = "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}";
const CHATML: &str = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";
const GEMMA: &str = "{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}{% for message in messages %}{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}{% endif %}{{ '<start_of_turn>' + role + '\n' + message['content'] | trim + '<end_of_turn>\n' }}{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>model\n'}}{% endif %}";
const QWEN_TOOLS: &str = r#"{%- if tools %}{{- '<|im_start|>system\n' }}{%- for tool in tools %}{{- "\n" }}{{- tool | tojson }}{%- endfor %}{{- "\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n" }}{%- endif %}
{%- set ns = namespace(multi_step_tool=true, last_query_index=messages|length - 1, system=false) %}
{%- for message in messages[::-1] %}{%- set index = (messages|length - 1) - loop.index0 %}{%- if ns.multi_step_tool and message.role == "user" and not(message.content.startswith('<tool_response>') and message.content.endswith('</tool_response>')) %}{%- set ns.multi_step_tool = false %}{%- set ns.last_query_index = index %}{%- endif %}{%- endfor %}
{%- for message in messages %}{%- if message.role == "assistant" %}{%- set content = message.content.split('</think>')[-1].lstrip('\n') %}{%- for tool_call in message.tool_calls %}{%- if tool_call.function %}{%- set tool_call = tool_call.function %}{%- endif %}{{- '<tool_call>\n{"name": "' }}{{- tool_call.name }}{{- '", "arguments": ' }}{%- if tool_call.arguments is string %}{{- tool_call.arguments }}{%- else %}{{- tool_call.arguments | tojson }}{%- endif %}{%- endfor %}{%- endif %}{%- endfor %}{%- if ns.system %}{{ '' }}{%- endif %}"#;
const LLAMA31_TOOLS: &str = r#"{{- bos_token }}{%- if not date_string is defined %}{%- set date_string = "26 Jul 2024" %}{%- endif %}{%- if messages[0]['role'] == 'system' %}{%- set system_message = messages[0]['content']|trim %}{%- set messages = messages[1:] %}{%- else %}{%- set system_message = "" %}{%- endif %}{{- "<|start_header_id|>system<|end_header_id|>\n\n" }}{%- if builtin_tools is defined or tools is not none %}{{- "Environment: ipython\n" }}{%- endif %}{%- if builtin_tools is defined %}{{- "Tools: " + builtin_tools | reject('equalto', 'code_interpreter') | join(", ") + "\n\n"}}{%- endif %}{%- for t in tools %}{{- t | tojson(indent=4) }}{%- endfor %}{%- for message in messages %}{%- if 'tool_calls' in message %}{%- set tool_call = message.tool_calls[0].function %}{%- for arg_name, arg_val in tool_call.arguments | items %}{{- arg_name + '="' + arg_val + '"' }}{%- if not loop.last %}{{- ", " }}{%- endif %}{%- endfor %}{%- endif %}{%- endfor %}"#;
const DEEPSEEK_R1: &str = "{% if not add_generation_prompt is defined %}{% set add_generation_prompt = false %}{% endif %}{% set ns = namespace(is_first=false, is_tool=false, is_output_first=true, system_prompt='', is_first_sp=true) %}{%- for message in messages %}{%- if message['role'] == 'system' %}{%- if ns.is_first_sp %}{% set ns.system_prompt = ns.system_prompt + message['content'] %}{% set ns.is_first_sp = false %}{%- else %}{% set ns.system_prompt = ns.system_prompt + '\\n\\n' + message['content'] %}{%- endif %}{%- endif %}{%- endfor %}{{ bos_token }}{{ ns.system_prompt }}{%- for message in messages %}{%- if message['role'] == 'assistant' and message['content'] is not none %}{% set content = message['content'] %}{% if '</think>' in content %}{% set content = content.split('</think>')[-1] %}{% endif %}{{'<｜Assistant｜>' + content + '<｜end▁of▁sentence｜>'}}{%- endif %}{%- endfor %}";
const TRAINING: &str = "{% for m in messages %}{% if m.role == 'assistant' %}{% generation %}{{ m.content }}{% endgeneration %}{% else %}{{ m.content }}{% endif %}{% endfor %}{# the system role is folded into the first turn #}{% raw %}{{ not a tag }}{% endraw %}";

#[test]
fn real_chat_templates_are_clean() {
    for (name, t) in [
        ("llama3", LLAMA3),
        ("mistral", MISTRAL),
        ("chatml", CHATML),
        ("gemma", GEMMA),
        ("qwen tools", QWEN_TOOLS),
        ("llama 3.1 tools", LLAMA31_TOOLS),
        ("deepseek r1", DEEPSEEK_R1),
        ("generation tags", TRAINING),
    ] {
        assert_eq!(template_rules(t), Vec::<String>::new(), "{name}");
    }
}

#[test]
fn cve_2024_34359_and_its_variants_are_sandbox_escapes() {
    for t in [
        // The advisory's payload (GHSA-56xg-wfcc-g829).
        "{% for x in ().__class__.__base__.__subclasses__() %}{% if \"warning\" in x.__name__ %}{{x()._module.__builtins__['__import__']('os').popen(\"touch /tmp/retr0reg\").read()}}{%endif%}{% endfor %}",
        "{{ self.__init__.__globals__.__builtins__.__import__('os').popen('id').read() }}",
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
        "{{ lipsum['__glo' ~ 'bals__']['os'].popen('id') }}",
        "{{ ''['\\x5f\\x5fclass\\x5f\\x5f'] }}",
        "{{ ()|attr('__class__')|attr('__base__') }}",
        "{{ self._TemplateReference__context.joiner }}",
        "{{ messages|map(attribute='__class__')|list }}",
        "{{ namespace().os.system('id') }}",
    ] {
        let got = template_rules(t);
        assert!(got.iter().any(|r| r.starts_with("AIG141")), "{t}: {got:?}");
    }
}

#[test]
fn unused_executor_names_and_computed_names() {
    // A namespace attribute named like a function is not an escape.
    assert_eq!(
        template_rules("{% set ns = namespace(system=1) %}{{ ns.system }}{{ m['exec'] }}"),
        Vec::<String>::new()
    );
    let got = template_rules(
        "{{ x|attr(name) }}{% include 'other.j2' %}{{ x._private }}{{ ()['__ssalc__'|reverse] }}",
    );
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].starts_with("AIG142"));
    let got = template_rules("{{ 'unterminated }}");
    assert!(got[0].starts_with("AIG120"), "{got:?}");
}

#[test]
fn gguf_chat_templates_are_judged_including_named_ones() {
    let r = scan(&gguf(&[
        ("general.name", "x"),
        ("tokenizer.chat_template", CHATML),
    ]));
    assert_eq!((r.format.as_str(), r.verdict), ("gguf", Verdict::Clean));
    let evil = "{{ cycler.__init__.__globals__.os.popen('id').read() }}";
    let r = scan(&gguf(&[
        ("tokenizer.chat_template", CHATML),
        ("tokenizer.chat_template.rag", evil),
    ]));
    assert_eq!(r.verdict, Verdict::Malicious);
    let f = &r.findings[0];
    assert!(
        f.message.contains("tokenizer.chat_template.rag"),
        "{}",
        f.message
    );
    // The finding points into the file at the template's bytes.
    let file = gguf(&[("tokenizer.chat_template.rag", evil)]);
    let r = scan(&file);
    let at = r.findings[0].location.offset.unwrap() as usize;
    assert_eq!(&file[at..at + 8], b"__init__");
    // Not a template key: not judged.
    let r = scan(&gguf(&[("tokenizer.chat_templates_note", evil)]));
    assert_eq!(r.verdict, Verdict::Clean);
}

#[test]
fn gguf_template_before_a_broken_field_is_still_judged() {
    let mut f = gguf(&[("tokenizer.chat_template", "{{ ''.__class__.__mro__ }}")]);
    // Claim one more key/value than present: the file ends where it should be.
    f[16] = 2;
    let r = scan(&f);
    assert_eq!(r.verdict, Verdict::Malicious);
    assert!(rules(&r).contains(&"AIG141"));
}

#[test]
fn gguf_parser_cve_shapes_are_findings() {
    let mut f = b"GGUF\x03\0\0\0".to_vec();
    f.extend_from_slice(&u64::MAX.to_le_bytes());
    f.extend_from_slice(&0u64.to_le_bytes());
    let r = scan(&f);
    assert_eq!(
        (r.verdict, rules(&r)),
        (Verdict::Inconclusive, vec!["AIG140"])
    );
    let mut f = b"GGUF\x03\0\0\0".to_vec();
    f.extend_from_slice(&0u64.to_le_bytes());
    f.extend_from_slice(&1u64.to_le_bytes());
    f.extend_from_slice(&(u64::MAX - 8).to_le_bytes());
    f.extend_from_slice(&[0; 32]);
    let r = scan(&f);
    assert_eq!(
        (r.verdict, rules(&r)),
        (Verdict::Inconclusive, vec!["AIG140"])
    );
    assert!(r.findings[0].message.contains("more than the file holds"));
}

/// A Hugging Face token built at run time (no token-shaped literal in the repo).
fn hf_token() -> String {
    ["hf_", "oQFnxkIBUBDxTntOVCJMEfnVmhWfwTRNSk"].concat()
}

fn scan_with_secrets(data: &[u8]) -> FileReport {
    let policy = Policy::new(&[]).expect("policy");
    let mut s = ModelScanner::new(&policy);
    s.secrets = true;
    let o = s.scan(data, "t").expect("recognised as a model");
    FileReport::new("t", o.format, o.findings)
}

#[test]
fn tokens_in_safetensors_and_gguf_metadata_are_secrets_redacted() {
    let token = hf_token();
    let st = with_metadata("hub_token", &token);
    let gg = gguf(&[("general.name", "m"), ("training.hub_token", &token)]);
    for (data, field) in [
        (st, "__metadata__['hub_token']"),
        (gg, "metadata['training.hub_token']"),
    ] {
        let r = scan_with_secrets(&data);
        assert_eq!(rules(&r), ["AIG313"], "{:?}", r.findings);
        let f = &r.findings[0];
        assert!(f.message.contains(field), "{}", f.message);
        assert!(
            !f.message.contains(&token) && !f.evidence.as_deref().unwrap_or("").contains(&token)
        );
        assert_eq!(r.verdict, Verdict::Unapproved);
        // Without the secret rules selected, the same file is clean.
        assert!(scan(&data).findings.is_empty());
    }
}
