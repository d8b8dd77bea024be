//! AIG200: Python code unpickles data (pickle, dill, cloudpickle, jsonpickle, shelve, pandas.read_pickle).
use aigis_findings::{Domain, Rule, RuleDocs, Severity, Verdict};

pub static RULE: Rule = Rule {
    id: "AIG200",
    name: "pickle-deserialization",
    domain: Domain::Code,
    severity: Severity::High,
    verdict: Verdict::Unapproved,
    checklist: &["000#1", "000#3", "002#5"],
    summary: "Python code unpickles data (pickle, dill, cloudpickle, jsonpickle, shelve, pandas.read_pickle)",
    docs: RuleDocs {
        what: "Fires on `load`, `loads`, `Unpickler` (and jsonpickle `decode`) of pickle, _pickle, cPickle, dill, cloudpickle and jsonpickle, on `shelve.open` and on `pandas.read_pickle`, whatever alias they were imported under.",
        why: "Unpickling calls any callable the data names: a crafted file or message runs arbitrary code in the loading process. There is no safe way to unpickle untrusted data.",
        example: "import pickle as p\nmodel = p.load(open('model.pkl', 'rb'))",
        fix: "Store models as safetensors, ONNX or SavedModel and data as JSON, Parquet or npy without pickles. If a pickle is unavoidable, load only files you produced and verified (signature or hash), and scan them with `aigis scan` first.",
        references: &[
            "https://docs.python.org/3/library/pickle.html",
            "https://cwe.mitre.org/data/definitions/502.html",
        ],
    },
};
