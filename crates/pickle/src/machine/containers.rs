//! Container opcodes: tuples, lists, dicts, sets, and mutation of the object
//! below the mark (APPEND(S), SETITEM(S), ADDITEMS) as `_pickle.c` does it.
//!
//! Containers keep a bounded number of elements and count the rest. A
//! mutation aimed at an imported global (`sys.path`, `os.environ`) is what a
//! payload does to poison interpreter state: it is recorded as a use.

use std::cell::RefCell;
use std::rc::Rc;

use super::{ALWAYS_KEPT_ELEMENTS, Halt, Machine, Step, malformed};
use crate::AnomalyKind;
use crate::opcode::*;
use crate::render::import_name;
use crate::source::Source;
use crate::value::{Kind, Node, Pairs, PyType, Seq, Value, drop_all};

impl<S: Source> Machine<'_, S> {
    /// Whether a container holding `held` elements keeps one more.
    #[inline]
    fn keeps(&self, held: usize) -> bool {
        held < self.lim.max_container_kept
            && (held < ALWAYS_KEPT_ELEMENTS
                || self.meter.elements.get() < self.lim.max_kept_elements_total)
    }

    fn deeper(&self, depth: u32, child: &Value) -> Result<u32, Halt> {
        let d = child.depth().saturating_add(1);
        if d as usize > self.lim.max_value_depth {
            return Err(Halt::Limit("max_value_depth"));
        }
        Ok(depth.max(d))
    }

    /// Add an element to a sequence being built or mutated.
    pub(crate) fn seq_push(&mut self, s: &mut Seq, v: Value) -> Step {
        s.unhashable |= v.unhashable();
        if !matches!(v, Value::Node(_)) {
            // Scalars and inline strings: depth 1, never an import.
            s.total += 1;
            if self.keeps(s.items.len()) {
                s.items.push(v);
                self.meter.elements.set(self.meter.elements.get() + 1);
            }
            return Ok(());
        }
        s.depth = self.deeper(s.depth, &v)?;
        s.total += 1;
        self.note_ref(&v);
        if self.keeps(s.items.len()) {
            s.items.push(v);
            self.meter.elements.set(self.meter.elements.get() + 1);
        } else if matches!(v, Value::Node(_)) {
            drop_all(vec![v]);
        }
        Ok(())
    }

    fn pairs_push(&mut self, p: &mut Pairs, k: Value, v: Value) -> Step {
        self.hashable(&k)?;
        p.depth = self.deeper(p.depth, &k)?;
        p.depth = self.deeper(p.depth, &v)?;
        p.total += 1;
        self.note_ref(&k);
        self.note_ref(&v);
        if self.keeps(p.items.len()) {
            p.items.push((k, v));
            self.meter.elements.set(self.meter.elements.get() + 1);
        } else {
            drop_all(vec![k, v]);
        }
        Ok(())
    }

    /// CPython raises TypeError for an unhashable key or set element.
    fn hashable(&self, v: &Value) -> Step {
        if v.unhashable() {
            let t = v.known_type().map_or("tuple", |t| t.name());
            return malformed(format!("unhashable type: '{t}'"));
        }
        Ok(())
    }

    pub(crate) fn new_seq(&mut self, items: Vec<Value>, check_hash: bool) -> Result<Seq, Halt> {
        let mut s = Seq::new(&self.meter);
        for v in items {
            if check_hash {
                self.hashable(&v)?;
            }
            self.seq_push(&mut s, v)?;
        }
        Ok(s)
    }

    pub(crate) fn tuple(&mut self, items: Vec<Value>) -> Result<Value, Halt> {
        Ok(Value::node(Node::Tuple(self.new_seq(items, false)?)))
    }

    pub(super) fn op_empty(&mut self, op: u8) -> Step {
        let v = match op {
            EMPTY_LIST => Node::List(RefCell::new(Seq::new(&self.meter))),
            EMPTY_TUPLE => Node::Tuple(Seq::new(&self.meter)),
            EMPTY_DICT => Node::Dict(RefCell::new(Pairs::new(&self.meter))),
            _ => Node::Set(RefCell::new(Seq::new(&self.meter))),
        };
        self.push(Value::node(v))
    }

    pub(super) fn op_from_mark(&mut self, op: u8) -> Step {
        let m = self.marker()?;
        let items = self.load.stack.split_off(m.min(self.load.stack.len()));
        let node = match op {
            LIST => Node::List(RefCell::new(self.new_seq(items, false)?)),
            TUPLE => Node::Tuple(self.new_seq(items, false)?),
            FROZENSET => Node::FrozenSet(self.new_seq(items, true)?),
            _ => {
                if !items.len().is_multiple_of(2) {
                    drop_all(items);
                    return malformed("odd number of items for DICT");
                }
                let mut p = Pairs::new(&self.meter);
                let mut it = items.into_iter();
                while let (Some(k), Some(v)) = (it.next(), it.next()) {
                    self.pairs_push(&mut p, k, v)?;
                }
                Node::Dict(RefCell::new(p))
            }
        };
        self.push(Value::node(node))
    }

    pub(super) fn op_counted_tuple(&mut self, n: usize) -> Step {
        let len = self.load.stack.len();
        if len < n || len - n < self.load.fence() {
            return self.underflow();
        }
        let items = self.load.stack.split_off(len - n);
        let v = self.tuple(items)?;
        self.push(v)
    }

    /// The object below position `x` and the items above it, after CPython's
    /// checks; `None` when there is nothing to add.
    fn mutation(&mut self, x: usize) -> Result<Option<(Value, Vec<Value>)>, Halt> {
        let Some(target) = self.mutation_target(x)? else {
            return Ok(None);
        };
        let items = self.load.stack.split_off(x);
        Ok(Some((target, items)))
    }

    /// The object below position `x`, after CPython's checks; `None` when
    /// there is nothing to add.
    fn mutation_target(&mut self, x: usize) -> Result<Option<Value>, Halt> {
        let len = self.load.stack.len();
        if x > len || x <= self.load.fence() {
            return self.underflow();
        }
        if x == len {
            return Ok(None);
        }
        let target = self.load.stack.get(x - 1).cloned().unwrap_or_default();
        if let Some(Node::Result(r)) = target.as_node()
            && let Some(u) = self.rec.result_uses(r.call)
        {
            u.mutated = true;
        }
        Ok(Some(target))
    }

    /// APPENDS to a list that keeps no more elements: the scalars at the
    /// front of the items are counted in one pass as they are taken off the
    /// stack; the items from the first node on are returned for the general
    /// path. `None` (nothing taken) when the list still keeps elements.
    fn count_appended_scalars(&mut self, cell: &RefCell<Seq>, x: usize) -> Option<Vec<Value>> {
        let mut s = cell.try_borrow_mut().ok()?;
        if self.keeps(s.items.len()) {
            return None;
        }
        let (mut counted, mut unhashable) = (0u64, false);
        let mut rest = Vec::new();
        let mut items = self.load.stack.drain(x..);
        while let Some(v) = items.next() {
            match v {
                Value::Node(_) => {
                    rest.push(v);
                    rest.extend(items);
                    break;
                }
                Value::Small { kind, .. } | Value::Span { kind, .. } => {
                    unhashable |= kind == Kind::ByteArray;
                }
                _ => {}
            }
            counted += 1;
        }
        s.unhashable |= unhashable;
        s.total += counted;
        Some(rest)
    }

    /// The target is an imported global: its state is being changed.
    fn mutate_global(&mut self, import: usize, op: &str, items: Vec<Value>) {
        if let Some(u) = self.rec.uses(import) {
            u.mutated = true;
        }
        let kind = AnomalyKind::MutateGlobal { import };
        if self.rec.anomaly_room() {
            let name = import_name(&self.rec.imports, import);
            let detail = format!("{op} on the imported global {name}");
            self.rec.anomaly(self.op_at, kind, detail);
        } else {
            self.rec.anomaly(self.op_at, kind, "");
        }
        for v in &items {
            self.note_ref(v);
        }
        drop_all(items);
    }

    /// Push into a shared mutable sequence, registering it for cycle breaking.
    fn extend_shared(
        &mut self,
        rc: &Rc<Node>,
        cell: &RefCell<Seq>,
        items: Vec<Value>,
        check_hash: bool,
    ) -> Step {
        let Ok(mut s) = cell.try_borrow_mut() else {
            return Ok(());
        };
        // One pass over the items (large APPENDS batches are memory-bound).
        let mut nodes = false;
        let mut items = items.into_iter();
        // A full container only counts scalars (no imports, no depth, no
        // drop): the common case of a long list of numbers.
        if !self.keeps(s.items.len()) {
            for v in items.by_ref() {
                if check_hash {
                    self.hashable(&v)?;
                }
                if matches!(v, Value::Node(_)) {
                    nodes = true;
                    self.seq_push(&mut s, v)?;
                } else {
                    s.unhashable |= v.unhashable();
                    s.total += 1;
                }
            }
        }
        for v in items {
            nodes |= matches!(v, Value::Node(_));
            if check_hash {
                self.hashable(&v)?;
            }
            self.seq_push(&mut s, v)?;
        }
        if nodes && !s.tracked {
            s.tracked = true;
            self.track(rc);
        }
        Ok(())
    }

    /// `do_append`: extend a list, or call `extend`/`append` on anything else.
    pub(super) fn do_append(&mut self, x: usize) -> Step {
        let Some(target) = self.mutation_target(x)? else {
            return Ok(());
        };
        let counted = match &target {
            Value::Node(rc) => match &**rc {
                Node::List(cell) => self.count_appended_scalars(cell, x),
                _ => None,
            },
            _ => None,
        };
        let items = match counted {
            Some(rest) if rest.is_empty() => return Ok(()),
            Some(rest) => rest,
            None => self.load.stack.split_off(x),
        };
        if let Value::Node(rc) = &target {
            match &**rc {
                Node::List(cell) => return self.extend_shared(rc, cell, items, false),
                Node::Global(i) => {
                    self.mutate_global(*i, "APPEND(S)", items);
                    return Ok(());
                }
                _ => {}
            }
        }
        match target.known_type() {
            Some(PyType::ByteArray) | None => {
                for v in &items {
                    self.note_ref(v);
                }
                drop_all(items);
                Ok(())
            }
            Some(t) => {
                drop_all(items);
                malformed(format!("'{}' object has no attribute 'append'", t.name()))
            }
        }
    }

    /// `do_setitems`: `target[key] = value` for each pair.
    pub(super) fn do_setitems(&mut self, x: usize) -> Step {
        let len = self.load.stack.len();
        if x > len || x <= self.load.fence() {
            return self.underflow();
        }
        if !(len - x).is_multiple_of(2) {
            return malformed("odd number of items for SETITEMS");
        }
        let Some((target, items)) = self.mutation(x)? else {
            return Ok(());
        };
        if let Value::Node(rc) = &target {
            match &**rc {
                Node::Dict(cell) => {
                    let Ok(mut p) = cell.try_borrow_mut() else {
                        return Ok(());
                    };
                    let nodes = items.iter().any(|v| matches!(v, Value::Node(_)));
                    let mut it = items.into_iter();
                    while let (Some(k), Some(v)) = (it.next(), it.next()) {
                        self.pairs_push(&mut p, k, v)?;
                    }
                    if nodes && !p.tracked {
                        p.tracked = true;
                        self.track(rc);
                    }
                    return Ok(());
                }
                Node::Global(i) => {
                    self.mutate_global(*i, "SETITEM(S)", items);
                    return Ok(());
                }
                _ => {}
            }
        }
        match target.known_type() {
            Some(PyType::List | PyType::ByteArray | PyType::Dict) | None => {
                for v in &items {
                    self.note_ref(v);
                }
                drop_all(items);
                Ok(())
            }
            Some(t) => {
                drop_all(items);
                malformed(format!(
                    "'{}' object does not support item assignment",
                    t.name()
                ))
            }
        }
    }

    pub(super) fn op_additems(&mut self) -> Step {
        let m = self.marker()?;
        let Some((target, items)) = self.mutation(m)? else {
            return Ok(());
        };
        if let Value::Node(rc) = &target {
            match &**rc {
                Node::Set(cell) => return self.extend_shared(rc, cell, items, true),
                Node::Global(i) => {
                    self.mutate_global(*i, "ADDITEMS", items);
                    return Ok(());
                }
                _ => {}
            }
        }
        match target.known_type() {
            None => {
                for v in &items {
                    self.note_ref(v);
                }
                drop_all(items);
                Ok(())
            }
            Some(t) => {
                drop_all(items);
                malformed(format!("'{}' object has no attribute 'add'", t.name()))
            }
        }
    }
}
