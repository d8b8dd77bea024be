use super::*;

/// The kind of selection a scanner makes: Python internals and a few
/// module/function names, any computed `attr`, statements, odd escapes.
fn select(kind: AccessKind, name: &str) -> bool {
    match kind {
        AccessKind::DynamicAttrFilter
        | AccessKind::DynamicItem
        | AccessKind::Statement
        | AccessKind::UndecodedEscape => true,
        AccessKind::Constant => name.starts_with("__"),
        _ => name.starts_with('_') || ["os", "popen", "system"].contains(&name),
    }
}

fn found(src: &str) -> Vec<(AccessKind, String)> {
    analyze(src, &select)
        .expect("lexes")
        .accesses
        .into_iter()
        .map(|a| (a.kind, a.name))
        .collect()
}

fn names(src: &str) -> Vec<String> {
    found(src).into_iter().map(|(_, n)| n).collect()
}

use AccessKind::*;

#[test]
fn cve_2024_34359_payload_is_an_attribute_walk() {
    let t = "{% for x in ().__class__.__base__.__subclasses__() %}{% if \"warning\" in x.__name__ %}{{ x()._module.__builtins__['__import__']('os').popen(\"id\").read() }}{% endif %}{% endfor %}";
    assert_eq!(
        names(t),
        [
            "__class__",
            "__base__",
            "__subclasses__",
            "__name__",
            "_module",
            "__builtins__",
            "__import__",
            "__import__",
            "popen"
        ]
    );
    let a = analyze(t, &select).unwrap();
    let first = &a.accesses[0];
    assert_eq!(t.get(first.offset..first.offset + 9), Some("__class__"));
    assert_eq!(first.tag.0, 0);
}

#[test]
fn item_access_is_folded_and_decoded() {
    assert_eq!(
        found("{{ x['__globals__'] }}"),
        [
            (Item, "__globals__".into()),
            (Constant, "__globals__".into())
        ]
    );
    assert_eq!(
        found("{{ x[\"__cla\" ~ 'ss__'] }}")[0],
        (Item, "__class__".into())
    );
    assert_eq!(
        found("{{ x[('__in' + 'it__')] }}")[0],
        (Item, "__init__".into())
    );
    assert_eq!(
        found(r"{{ x['\x5f\x5fclass\x5f\x5f'] }}")[0],
        (Item, "__class__".into())
    );
    assert_eq!(
        found(r"{{ x['\137\137mro\137\137'] }}")[0],
        (Item, "__mro__".into())
    );
    assert_eq!(
        found(r"{{ x['\u005f_dict__'] }}")[0],
        (Item, "__dict__".into())
    );
    // A list literal after a keyword is not a subscript.
    assert_eq!(found("{% for r in ['_a'] %}{% endfor %}"), []);
    // A variable or index arithmetic is not a computed name...
    assert_eq!(
        found("{{ x[key] }}{{ m[loop.index0 - 1] }}{{ c.split('</think>')[-1] }}"),
        []
    );
    // ...but a string built from a literal with filters or operators is.
    assert_eq!(found("{{ x['__ssalc__'|reverse] }}")[0].0, DynamicItem);
    assert_eq!(
        found("{{ x[('%c%c'|format(95,95)) ~ 'class__'] }}")[0].0,
        DynamicItem
    );
}

#[test]
fn attr_filter_constant_and_computed() {
    assert_eq!(
        found("{{ x|attr('__class__') }}")[0],
        (AttrFilter, "__class__".into())
    );
    assert_eq!(
        found("{{ x | attr('_' ~ '_class__') }}")[0],
        (AttrFilter, "__class__".into())
    );
    assert_eq!(
        found("{{ x|attr(name) }}"),
        [(DynamicAttrFilter, "<computed>".into())]
    );
    assert_eq!(
        found("{{ x|attr('%c%c'|format(95,95)) }}"),
        [(DynamicAttrFilter, "<computed>".into())]
    );
    assert_eq!(
        found("{{ x|map(attribute='__globals__')|list }}"),
        [(Constant, "__globals__".into())]
    );
}

#[test]
fn continued_says_whether_the_value_is_used_further() {
    let a = analyze(
        "{{ x.os.popen('id').read() }}{{ ns.system }}{{ y['os']['x'] }}",
        &select,
    )
    .unwrap();
    let got: Vec<(&str, bool)> = a
        .accesses
        .iter()
        .map(|a| (a.name.as_str(), a.continued))
        .collect();
    assert_eq!(
        got,
        [
            ("os", true),
            ("popen", true),
            ("system", false),
            ("os", true)
        ]
    );
}

#[test]
fn names_outside_tags_are_not_accesses() {
    assert_eq!(found("text about x.__class__ and os.system"), []);
    assert_eq!(found("{# x.__class__.__mro__ #}{{ a }}"), []);
    assert_eq!(found("{% raw %}{{ x.__class__ }}{% endraw %}{{ y }}"), []);
    assert_eq!(found("{%- raw -%}{{ x.__class__ }}{%- endraw -%}"), []);
    assert_eq!(found("{{ 'x.__class__ is text' }}"), []);
}

#[test]
fn delimiters_inside_strings_and_brackets_do_not_close_tags() {
    assert_eq!(names("{{ '}}' ~ x.__class__ }}"), ["__class__"]);
    assert_eq!(names("{{ {'a': 1}.__class__ }}"), ["__class__"]);
    assert_eq!(names("{% set y = '%}' %}{{ y.__init__ }}"), ["__init__"]);
    assert_eq!(
        names("{{- x.os -}}{%+ if y.system +%}{% endif %}"),
        ["os", "system"]
    );
}

#[test]
fn statements_and_undecoded_escapes() {
    assert_eq!(
        found("{% include 'other.j2' %}"),
        [(Statement, "include".into())]
    );
    assert_eq!(
        found("{% from 'm' import f %}")[0],
        (Statement, "from".into())
    );
    assert_eq!(
        found(r"{{ x['\N{LOW LINE}_class__'] }}")[0].0,
        UndecodedEscape
    );
}

#[test]
fn extension_tags_and_real_templates_lex() {
    let t = "{% for m in messages %}{% generation %}{{ m.content }}{% endgeneration %}{% endfor %}";
    assert_eq!(analyze(t, &select).unwrap().tags, 5);
    let chatml = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
    assert_eq!(found(chatml), []);
    let tools = "{{- '\\n<tool_call>\\n{\"name\": \"' }}{{- tool_call.name }}{{- tool_call.arguments | tojson }}{%- set ns = namespace(first=true) %}{%- set ns.first = false %}{{ message['content'].split('</think>')[-1] }}{{ 1.5e3 + 1_000 }}";
    assert_eq!(found(tools), []);
}

#[test]
fn broken_templates_are_errors() {
    for t in [
        "{{ x",
        "{% if x %",
        "{# no end",
        "{{ 'open }}",
        "{% raw %}never closed",
        "{{ x ? y }}",
        r"{{ '\x5' }}",
    ] {
        assert!(analyze(t, &select).is_err(), "{t}");
    }
    let long = "a".repeat(MAX_TEMPLATE_LEN + 1);
    assert!(matches!(
        analyze(&long, &select),
        Err(LexError::TooLong { .. })
    ));
}

#[test]
fn accesses_are_capped_and_lines_computed() {
    let t = "{{ x.__a__ }}".repeat(MAX_ACCESSES + 5);
    let a = analyze(&t, &select).unwrap();
    assert_eq!((a.accesses.len(), a.omitted), (MAX_ACCESSES, 5));
    assert_eq!(line_col("ab\ncd\nef", 7), (3, 2));
    assert_eq!(line_col("abc", 0), (1, 1));
}

#[test]
fn pathological_nesting_is_linear() {
    let t = format!("{{{{ {}{} }}}}", "a[".repeat(100_000), "]".repeat(100_000));
    assert!(analyze(&t, &select).is_ok());
    let t = format!(
        "{{{{ x[{}'a'{}] }}}}",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    assert!(analyze(&t, &select).is_ok());
}
