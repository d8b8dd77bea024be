use super::*;

fn policy() -> Policy {
    Policy::new(&["mypkg.models.Net".to_string()]).expect("built-in policy data parses")
}

fn denied(j: &Judgement) -> bool {
    matches!(j, Judgement::Denied { .. })
}

#[test]
fn builtin_data_parses_and_is_not_empty() {
    let p = policy();
    assert!(
        p.allow_count() > 100,
        "allowlist too small: {}",
        p.allow_count()
    );
    assert!(
        p.deny_count() > 50,
        "denylist too small: {}",
        p.deny_count()
    );
}

#[test]
fn no_global_is_both_allowed_and_denied() {
    let p = Policy::new(&[]).expect("parses");
    for (profile, text) in PROFILES {
        for (m, n) in data::parse_allow(profile, text).expect("parses") {
            if n == "*" {
                continue;
            }
            assert!(
                !denied(&p.judge(&m, &n, false)),
                "{profile}: {m}:{n} is also denied"
            );
        }
    }
}

#[test]
fn pytorch_state_dict_globals_are_allowed() {
    let p = policy();
    for (m, n) in [
        ("torch._utils", "_rebuild_tensor_v2"),
        ("collections", "OrderedDict"),
        ("torch", "FloatStorage"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
    ] {
        assert!(
            matches!(p.judge(m, n, false), Judgement::Allowed { .. }),
            "{m}.{n}"
        );
    }
}

#[test]
fn classic_gadgets_are_denied() {
    let p = policy();
    for (m, n) in [
        ("os", "system"),
        ("posix", "system"),
        ("nt", "system"),
        ("subprocess", "Popen"),
        ("builtins", "eval"),
        ("builtins", "exec"),
        ("builtins", "getattr"),
        ("builtins", "__import__"),
        ("runpy", "_run_code"),
        ("pickle", "loads"),
        ("_pickle", "loads"),
        ("marshal", "loads"),
        ("torch", "load"),
        ("pydoc", "pipepager"),
        ("os.path", "join"),
    ] {
        assert!(denied(&p.judge(m, n, false)), "{m}.{n} should be denied");
    }
}

#[test]
fn dotted_names_resolve_through_module_aliases() {
    let p = policy();
    let j = p.judge("argparse", "_os.system", false);
    assert!(
        matches!(&j, Judgement::Denied { resolved: Some(r), .. } if r == "os.system"),
        "{j:?}"
    );
    assert!(denied(&p.judge(
        "collections",
        "OrderedDict.__init__.__globals__",
        false
    )));
    assert!(denied(&p.judge("builtins", "object.__subclasses__", false)));
}

#[test]
fn unknown_names_are_unknown_and_trust_is_exact() {
    let p = policy();
    assert_eq!(p.judge("mypkg.models", "Net", false), Judgement::Trusted);
    assert_eq!(p.judge("mypkg.models", "Net2", false), Judgement::Unknown);
    assert_eq!(p.judge("mypkg", "models.Net", false), Judgement::Trusted);
    assert_eq!(
        p.judge("totally_unknown", "thing", false),
        Judgement::Unknown
    );
}

#[test]
fn trusting_a_gadget_does_not_make_it_safe() {
    let p = Policy::new(&["os.system".to_string()]).expect("parses");
    assert!(denied(&p.judge("os", "system", false)));
}

#[test]
fn torchscript_namespaces_only_inside_torchscript() {
    let p = policy();
    assert_eq!(p.judge("__torch__.model", "Net", false), Judgement::Unknown);
    assert!(matches!(
        p.judge("__torch__.model", "Net", true),
        Judgement::Allowed { .. }
    ));
}

#[test]
fn loaders_have_their_arguments_captured() {
    let p = policy();
    assert!(p.is_loader("pickle", "loads"));
    assert!(p.is_loader("io", "BytesIO"));
    assert!(!p.is_loader("collections", "OrderedDict"));
}
