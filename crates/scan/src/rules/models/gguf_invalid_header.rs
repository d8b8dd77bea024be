//! AIG140: a GGUF header with fields that llama.cpp refuses or that overflow.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG140",
    name: "gguf-invalid-header",
    domain: Domain::Models,
    severity: Severity::High,
    verdict: Verdict::Inconclusive,
    checklist: &["000#2", "002#5"],
    summary: "GGUF header has out-of-range counts, lengths, types, dims or offsets (llama.cpp parser CVE class)",
    docs: RuleDocs {
        what: "Fires when a GGUF header has a tensor, key/value or array count over its limit \
               or larger than the file could hold, a string or array length past the end of \
               the file, an unknown value or ggml type, more than 4 dims or dims whose \
               product overflows, a first dim that is not a multiple of the type's block, a \
               misaligned or overflowing tensor offset, overlapping tensors, duplicate keys or \
               tensor names, a tensor name over 63 bytes, or a bad `general.alignment`. The \
               message gives the field, its value and its byte offset.",
        why: "These are the fields that the llama.cpp GGUF parser vulnerabilities abused: \
              counts and lengths that overflow allocations (CVE-2024-21825, CVE-2024-21836, \
              CVE-2024-23496, CVE-2024-23605), dims that overflow size computations \
              (CVE-2024-21802), type and offset values that index out of bounds. A loader \
              older than the fixes, or any other parser, can be made to corrupt memory. \
              Writers never produce them.",
        example: "tensor count of 18446744073709551615 at 0x8 is over the limit of 1048576",
        fix: "Do not load the file. Re-download it from a trusted source and check its \
              digest; keep llama.cpp and its bindings up to date.",
        references: &[
            "https://github.com/ggml-org/ggml/blob/master/docs/gguf.md",
            "https://talosintelligence.com/vulnerability_reports/TALOS-2024-1912",
            "https://talosintelligence.com/vulnerability_reports/TALOS-2024-1915",
        ],
    },
};
