use super::*;

fn fires(src: &str) -> bool {
    could_fire(src)
}

#[test]
fn vocabulary_fits_the_bitset_and_the_word_limit() {
    assert!(index().bits.len() <= 256, "{} words", index().bits.len());
    for word in index().bits.keys() {
        assert!(word.len() <= MAX_WORD_LEN, "{word}");
    }
}

/// Every word a clause names is in the vocabulary (an unknown word would
/// make `has` answer true: sound, but the clause would be useless).
#[test]
fn clause_words_are_in_the_vocabulary() {
    let text = include_str!("prefilter.rs");
    let start = text.find("fn any_clause").expect("any_clause");
    let end = text[start..].find("\n    }\n}").expect("end") + start;
    let body = &text[start..end];
    let mut words = body.split('"').skip(1).step_by(2).peekable();
    assert!(words.peek().is_some());
    for word in words {
        assert!(
            index().bits.contains_key(word),
            "{word} missing from VOCABULARY"
        );
    }
}

#[test]
fn plain_code_without_trigger_words_is_cleared() {
    let src = "import torch\nimport torch.nn as nn\n\nclass M(nn.Module):\n    def forward(self, x):\n        return torch.relu(x) @ self.w\n";
    assert!(!fires(src));
    assert!(!fires(""));
}

#[test]
fn calls_with_their_module_make_a_candidate() {
    assert!(fires("import torch\nm = torch.load(p)\n"));
    assert!(fires("from pickle import loads as l\nl(b)\n"));
    assert!(fires("import yaml\nyaml.load(s)\n"));
    assert!(fires(
        "x = AutoModel.from_pretrained(p, trust_remote_code=True)\n"
    ));
    assert!(fires("app.run(host='0.0.0.0')\n"));
    assert!(fires("requests.get(u, verify=False)\n"));
}

#[test]
fn words_in_strings_and_comments_do_not_count() {
    let src = "import torch\n# torch.load(p)\ns = 'torch.load(p)'\nd = \"\"\"\nmodel = AutoModel.from_pretrained('a/b')\n\"\"\"\nb = rb'\\' load'\n";
    assert!(!fires(src));
}

#[test]
fn f_string_interpolations_are_code() {
    assert!(fires("import pickle\nx = f'{pickle.loads(b)}'\n"));
    assert!(fires(
        "import pickle\nx = f\"{d[\"k\"]} {pickle.loads(b)}\"\n"
    ));
    assert!(fires("import pickle\nx = f'{v:{pickle.loads(b)}}'\n"));
    assert!(fires(
        "import pickle\nx = f'''{\n  pickle.loads(b)  # c\n}'''\n"
    ));
    // Literal text and escaped braces of an f-string are not code.
    assert!(!fires(
        "import pickle\nx = f'pickle.loads {{b}} {n!r:>10}'\n"
    ));
    // After the f-string, code resumes.
    assert!(fires("import pickle\nx = f'{a}' + str(pickle.loads(b))\n"));
}

#[test]
fn eval_query_and_exec_are_judged_by_position() {
    assert!(!fires(
        "model.eval()\nx = re.compile(p)\ntorch.compile(m)\n"
    ));
    assert!(fires("eval(expr)\n"));
    assert!(fires("e = eval\ne(x)\n"));
    assert!(fires("exec(code)\n"));
    assert!(fires("df.query(q)\n"));
    // `.query(...)`/`.eval(...)` need a frame-like name or a string among the arguments.
    assert!(!fires("out = self.query(hidden_states)\n"));
    assert!(fires("out = t.query('a > ' + x)\n"));
    assert!(fires("out = t.query(f'a > {x}')\n"));
    assert!(fires("frames = load()\nout = t.query(q)\n"));
    assert!(fires("out = t.query(\n    x,\n    expr=q + \"\",\n)\n"));
    assert!(!fires("out = t.query(x)\ny = 'a' + z\n"));
    assert!(fires("q = t.query\n"));
    assert!(!fires(
        "self.query = nn.Linear(d, d)\nout = self.query(h)\n"
    ));
    assert!(fires("self.query == t.query\n"));
    assert!(fires("from pandas import eval as pe\n"));
    assert!(fires("from m import (\n    a,\n    query,\n)\n"));
    assert!(fires("import builtins\nbuiltins.getattr(x, y)\n"));
    // A float's dot is no attribute dot: `1.compile(x)` may parse as a bare call.
    assert!(fires("1.compile(x)\n"));
    // Letters after a number start a name (fuzz crash-a902689a).
    assert!(fires("import gradio\nx.3launch(share=True)\n"));
    assert!(!fires("x = 1_000.5e-3j + 0xFF + .5 + 1E5\n"));
    // Nor is a dot after a keyword or an operator (fuzz crash-0ee09ea5: the
    // parser's recovery drops it).
    assert!(fires("ialogat del.compile(op)\n"));
    assert!(fires("x = .exec(op)\n"));
    assert!(!fires(
        "x = f'{a}'.compile(op) + (b).compile(c) + d[0].exec(e)\n"
    ));
}

#[test]
fn route_words_count_on_decorator_lines_only() {
    let handler = "@app.get('/p')\ndef p():\n    try:\n        pass\n    except Exception as e:\n        return str(e)\n";
    assert!(fires(handler));
    assert!(fires(
        "@app.post(\n    '/p',\n)\ndef p():\n    return probs.softmax(1)\n"
    ));
    assert!(!fires(
        "x = d.get('k')\ntry:\n    pass\nexcept Exception as e:\n    raise\n"
    ));
}

#[test]
fn logging_needs_request_data_or_a_secret_name() {
    assert!(!fires("logger.info('step %d', step)\nprint(loss)\n"));
    assert!(fires("logger.info(request.json)\n"));
    assert!(fires("print(hf_token)\n"));
    assert!(fires("log.debug('k', self.API_KEY)\n"));
    assert!(!fires("print(pad_token_id, max_tokens)\n"));
}

#[test]
fn what_the_scanner_does_not_understand_is_a_candidate() {
    assert!(fires("x = 'unterminated\nprint(1)\n"));
    assert!(fires("x = (1,\n"));
    assert!(fires("x = 1)\n"));
    assert!(fires("x = (]\ny = [)\n"));
    assert!(fires("x = '''never closed\n"));
    assert!(fires("café = 1\n"));
    assert!(fires(
        "\0@router.get('/l')\ndef l(x):\n    return torch.softmax(x, 0)\n"
    ));
    assert!(fires("x = f'{a'\n"));
    assert!(fires("x = f'a}'\n"));
    assert!(fires("x = f'\\{a}'\n"));
    assert!(fires("x = 1 \\ 2\n"));
    assert!(fires("x = ur'a'\n"));
    // Old Mac line ends: a decorator after a lone CR.
    assert!(fires(
        "x = 1\r@app.get('/')\rdef f():\r    return probs.softmax(1)\r"
    ));
    assert!(!fires("x = 1\r\ny = 2\r\n"));
    let deep = format!("x = {}1{}\n", "f'{".repeat(40), "}'".repeat(40));
    assert!(fires(&deep));
}

#[test]
fn non_ascii_in_strings_and_comments_is_fine() {
    assert!(!fires("# café\nx = 'naïve' + \"\"\"ü\"\"\" + f'é{n}'\n"));
}

#[test]
fn named_escapes_are_not_interpolations() {
    assert!(!fires("x = f'\\N{EM DASH} {n}'\n"));
}

/// Fuzzer find crash-11a0bb00: an unclosed `\N{` in a one-line f-string
/// must not swallow the code of the following lines.
#[test]
fn an_unclosed_named_escape_gives_up() {
    let src = "import pickle as p\nz = f'\\N{EM pd\nobj = p.load(f)\nw = 'DASH}'\n";
    assert!(fires(src));
}
