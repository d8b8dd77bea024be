use super::*;

/// A notebook as nbformat writes it (indent 1, one source line per string).
const NB: &str = r##"{
 "cells": [
  {
   "cell_type": "markdown",
   "metadata": {},
   "source": [
    "# Title\n",
    "text"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 1,
   "metadata": {},
   "outputs": [
    {
     "name": "stdout",
     "output_type": "stream",
     "text": [
      "token is hf_abc\n"
     ]
    },
    {
     "data": {
      "image/png": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk",
      "text/plain": [
       "<Figure>"
      ]
     },
     "metadata": {},
     "output_type": "display_data"
    },
    {
     "ename": "ValueError",
     "evalue": "bad key sk-123",
     "output_type": "error",
     "traceback": [
      "\u001b[0;31mValueError\u001b[0m: bad"
     ]
    }
   ],
   "source": [
    "import os\n",
    "x = \"tab\\there\" + 'é'\n",
    "!pip install foo"
   ]
  }
 ],
 "metadata": {
  "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
 },
 "nbformat": 4,
 "nbformat_minor": 5
}
"##;

#[test]
fn cells_outputs_and_raw_lines() {
    let nb = parse(NB.as_bytes()).unwrap();
    assert_eq!(nb.nbformat, 4);
    assert_eq!(nb.language.as_deref(), Some("python"));
    assert_eq!(nb.cells.len(), 2);
    assert_eq!(nb.cells[0].kind, CellKind::Markdown);
    let code = &nb.cells[1];
    assert_eq!(code.kind, CellKind::Code);
    assert_eq!(
        code.source.text,
        "import os\nx = \"tab\\there\" + 'é'\n!pip install foo"
    );
    // Line 3 of the cell is raw line 45, after its 4-space indent and quote.
    let off = code.source.line_offset(3).unwrap();
    assert_eq!(nb.position(NB.as_bytes(), &code.source, off), Some((45, 6)));
    // "here" on cell line 2 sits after an escaped quote and an escaped tab.
    let here = code.source.text.find("here").unwrap();
    let (line, col) = nb.position(NB.as_bytes(), &code.source, here).unwrap();
    let raw_line = NB.lines().nth(line as usize - 1).unwrap();
    assert_eq!(&raw_line[col as usize - 1..col as usize + 3], "here");
    // Outputs: the stream, the text/plain of the display (the PNG skipped), the error.
    let labels: Vec<_> = code.outputs.iter().map(|o| o.label.as_str()).collect();
    assert_eq!(
        labels,
        ["stream stdout", "display_data text/plain", "error"]
    );
    assert_eq!(nb.skipped_binary, 1);
    let stream = &code.outputs[0];
    let at = stream.text.text.find("hf_abc").unwrap();
    let (line, _) = nb.position(NB.as_bytes(), &stream.text, at).unwrap();
    assert!(
        NB.lines()
            .nth(line as usize - 1)
            .unwrap()
            .contains("hf_abc")
    );
    assert!(code.outputs[2].text.text.contains("bad key sk-123"));
}

#[test]
fn single_string_sources_and_nbformat_3() {
    let v4 = br#"{"cells": [{"cell_type": "code", "source": "a = 1\nb = 2", "outputs": []}], "nbformat": 4}"#;
    let nb = parse(v4).unwrap();
    assert_eq!(nb.cells[0].source.text, "a = 1\nb = 2");
    let off = nb.cells[0].source.line_offset(2).unwrap();
    // Both lines are in one raw line; the column points at `b`.
    let (line, col) = nb.position(v4, &nb.cells[0].source, off).unwrap();
    assert_eq!(line, 1);
    assert_eq!(v4[col as usize - 1], b'b');
    let v3 = br#"{"worksheets": [{"cells": [{"cell_type": "code", "input": ["x = 1\n"], "outputs": [{"output_type": "pyout", "text": ["1"]}]}]}], "nbformat": 3}"#;
    let nb = parse(v3).unwrap();
    assert_eq!(nb.nbformat, 3);
    assert_eq!(nb.cells[0].source.text, "x = 1\n");
}

#[test]
fn json_outputs_are_read_string_by_string() {
    let doc = br#"{"cells": [{"cell_type": "code", "source": [], "outputs": [{"output_type": "execute_result", "data": {"application/json": {"k": ["one", {"deep": "two"}], "n": 3}}}]}], "nbformat": 4}"#;
    let nb = parse(doc).unwrap();
    let out = &nb.cells[0].outputs[0];
    assert_eq!(out.label, "execute_result application/json");
    assert_eq!(out.text.text, "one\ntwo");
}

#[test]
fn what_is_not_a_notebook_says_why() {
    assert!(matches!(parse(b"[1, 2]"), Err(IpynbError::NotNotebook(_))));
    assert!(matches!(
        parse(br#"{"cells": []}"#),
        Err(IpynbError::NotNotebook(_))
    ));
    assert!(matches!(parse(b"{\"a\""), Err(IpynbError::Json { .. })));
    assert!(looks_like_notebook(NB.as_bytes()));
    assert!(!looks_like_notebook(b"{\"a\": 1}"));
}

#[test]
fn every_truncation_is_an_error_never_a_panic() {
    for cut in 0..NB.len() {
        let _ = parse(&NB.as_bytes()[..cut]);
    }
}
