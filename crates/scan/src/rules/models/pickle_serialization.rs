//! AIG100: a model stored with pickle.
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG100",
    name: "pickle-serialization",
    domain: Domain::Models,
    severity: Severity::Info,
    verdict: Verdict::Clean,
    checklist: &["000#1", "002#5"],
    summary: "Model file uses pickle serialization, which runs code when loaded",
    docs: RuleDocs {
        what: "Notes every model file whose format is pickle-based: plain pickles, PyTorch \
               checkpoints (zip and legacy), TorchScript archives, joblib files and numpy \
               object arrays.",
        why: "Loading a pickle calls whatever functions it names. Even when aigis finds only \
              trusted imports today, the format itself lets the next version of the file run \
              code; safe formats carry tensors only.",
        example: "torch.save(model.state_dict(), 'model.pt')  # a zip holding data.pkl",
        fix: "Save weights with safetensors (`safetensors.torch.save_file`), or convert with \
              `aigis model convert model.pt model.safetensors`; load PyTorch files with \
              `torch.load(..., weights_only=True)`.",
        references: &["https://docs.python.org/3/library/pickle.html#restricting-globals"],
    },
};
