//! AIG130: a safetensors header that the reference reader refuses or reads differently.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG130",
    name: "safetensors-invalid-header",
    domain: Domain::Models,
    severity: Severity::High,
    verdict: Verdict::Inconclusive,
    checklist: &["000#2", "002#5"],
    summary: "safetensors header is malformed: lengths, dtypes, sizes or offsets do not add up",
    docs: RuleDocs {
        what: "Fires when a safetensors header breaks the format: a header length over 100 MB, \
               a header that is not a JSON object, a tensor entry without dtype, shape and \
               data_offsets, an unknown dtype, shape × dtype size that overflows or differs from \
               the byte range, ranges that leave gaps or overlap, bytes after the last tensor, \
               `__metadata__` values that are not strings. Only the header is read; the \
               message names the tensor and the numbers.",
        why: "`safetensors` refuses such files, so a model that fails this check is broken or \
              crafted. Readers that skip these checks (custom parsers, older or other-language \
              loaders) read outside the tensor or let two tensors alias the same bytes; \
              trailing bytes can carry a second file (a pickle or zip) that another loader \
              picks up. The file cannot be called clean.",
        example: "tensor 'w' [0, 64] overlaps tensor 'b' (ends at 96)",
        fix: "Re-download the file and check its digest; re-export it with `safetensors` \
              (`save_file`) from a trusted copy of the weights.",
        references: &["https://github.com/huggingface/safetensors#format"],
    },
};
