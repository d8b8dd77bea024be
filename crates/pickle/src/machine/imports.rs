//! Imports: GLOBAL, STACK_GLOBAL, INST (which also calls) and the EXT
//! codes, with the name mapping `find_class` applies below protocol 3.
//!
//! Names come from the stream as CPython reads them; a STACK_GLOBAL whose
//! operands were computed gets a best-effort name and an anomaly.

use super::{Halt, Machine, Step, malformed};
use crate::compat::fix_import;
use crate::opcode::*;
use crate::render::render;
use crate::source::Source;
use crate::value::{Kind, Node, Value};
use crate::{AnomalyKind, CallKind, ImportOp};

/// A STACK_GLOBAL operand.
enum Operand {
    Name(String),
    /// Not a plain string read from the stream; the name if it is known.
    Computed(Option<String>),
}

impl<S: Source> Machine<'_, S> {
    /// `find_class`: the protocol < 3 name mapping, then an import.
    fn find_class(&mut self, module: String, name: String, op: ImportOp) -> Value {
        let (module, name, original) = match fix_import(self.load.proto, &module, &name) {
            Some((m, n)) => (
                m.to_string(),
                n.map_or_else(|| name.clone(), str::to_string),
                Some((module, name)),
            ),
            None => (module, name, None),
        };
        let i = self
            .rec
            .import(module, name, original, op, self.op_at, self.stream);
        Value::node(Node::Global(i))
    }

    /// A module or class name line: UTF-8 for GLOBAL, ASCII for INST.
    fn name_line(&mut self, ascii: bool) -> Result<String, Halt> {
        let s = self.nonempty_line_with(|l| {
            if ascii && !l.is_ascii() {
                return None;
            }
            std::str::from_utf8(l).ok().map(str::to_string)
        })?;
        s.map_or_else(
            || {
                malformed(format!(
                    "'{}' codec can't decode the name",
                    if ascii { "ascii" } else { "utf-8" }
                ))
            },
            Ok,
        )
    }

    pub(super) fn op_global(&mut self) -> Step {
        let module = self.name_line(false)?;
        let name = self.name_line(false)?;
        let v = self.find_class(module, name, ImportOp::Global);
        self.push(v)
    }

    fn operand(&mut self, v: &Value) -> Result<Operand, Halt> {
        if let Some(t) = v.text(self.spans()) {
            if t.kind != Kind::Str {
                return malformed("STACK_GLOBAL requires str");
            }
            if t.len > self.lim.max_name as u64 {
                return Ok(Operand::Computed(None));
            }
            let name = String::from_utf8_lossy(t.bytes).into_owned();
            let computed = matches!(v.as_node(), Some(Node::Text(t)) if t.computed);
            return Ok(match (t.complete(), computed) {
                (true, false) => Operand::Name(name),
                (true, true) => Operand::Computed(Some(name)),
                (false, _) => Operand::Computed(None),
            });
        }
        if v.known_type().is_some() {
            return malformed("STACK_GLOBAL requires str");
        }
        self.note_ref(v);
        Ok(Operand::Computed(None))
    }

    pub(super) fn op_stack_global(&mut self) -> Step {
        let name = self.pop()?;
        let module = self.pop()?;
        let (m, n) = (self.operand(&module)?, self.operand(&name)?);
        let (m, n) = match (m, n) {
            (Operand::Name(m), Operand::Name(n)) => (m, n),
            (m, n) => {
                let max = self.lim.max_render;
                let detail = if self.rec.anomaly_room() {
                    format!(
                        "module {} name {}",
                        render(&module, self.spans(), &self.rec.imports, max),
                        render(&name, self.spans(), &self.rec.imports, max)
                    )
                } else {
                    String::new()
                };
                self.rec
                    .anomaly(self.op_at, AnomalyKind::ComputedGlobal, detail);
                let best = |o: Operand| match o {
                    Operand::Name(s) | Operand::Computed(Some(s)) => s,
                    Operand::Computed(None) => "<computed>".to_string(),
                };
                (best(m), best(n))
            }
        };
        let v = self.find_class(m, n, ImportOp::StackGlobal);
        self.push(v)
    }

    pub(super) fn op_inst(&mut self) -> Step {
        let mark = self.marker()?;
        let module = self.name_line(true)?;
        let name = self.name_line(true)?;
        let cls = self.find_class(module, name, ImportOp::Inst);
        let items = self.load.stack.split_off(mark.min(self.load.stack.len()));
        let args = self.tuple(items)?;
        self.call(CallKind::Inst, cls, args, None)
    }

    pub(super) fn op_ext(&mut self, op: u8) -> Step {
        let code: i64 = match op {
            EXT1 => i64::from(self.arg_u8()?),
            EXT2 => i64::from(u16::from_le_bytes(self.arg_array::<2>()?)),
            _ => i64::from(i32::from_le_bytes(self.arg_array::<4>()?)),
        };
        let Ok(code) = u32::try_from(code)
            .map_err(|_| ())
            .and_then(|c| if c == 0 { Err(()) } else { Ok(c) })
        else {
            return malformed("EXT specifies code <= 0");
        };
        let detail = format!("extension code {code} (the copyreg registry is empty by default)");
        self.rec
            .anomaly(self.op_at, AnomalyKind::Extension { code }, detail);
        self.push(Value::node(Node::Extension(code)))
    }
}
