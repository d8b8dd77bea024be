//! The unpickler's memo: index → value, shared (not copied) with the stack.
//!
//! CPython keeps an array indexed by the key; picklers number their entries
//! densely from 0, so a vector serves them, and a map takes the sparse keys a
//! hostile file may use without allocating up to the key.

use std::collections::HashMap;

use crate::value::Value;

/// Keys below `dense.len() + DENSE_SLACK` go into the vector.
const DENSE_SLACK: u64 = 1024;

#[derive(Default)]
pub(crate) struct Memo {
    dense: Vec<Option<Value>>,
    sparse: HashMap<u64, Value>,
    /// Occupied entries, which is what MEMOIZE uses as its key.
    count: usize,
}

impl Memo {
    pub(crate) fn len(&self) -> usize {
        self.count
    }

    pub(crate) fn get(&self, key: u64) -> Option<&Value> {
        match usize::try_from(key).ok().and_then(|k| self.dense.get(k)) {
            Some(slot) => slot.as_ref(),
            None => self.sparse.get(&key),
        }
    }

    /// Store `value` under `key`; returns false (and stores nothing) when that
    /// would make more than `max` entries.
    pub(crate) fn put(&mut self, key: u64, value: Value, max: usize) -> bool {
        if let Some(slot) = usize::try_from(key)
            .ok()
            .and_then(|k| self.dense.get_mut(k))
        {
            if slot.is_none() {
                if self.count >= max {
                    return false;
                }
                self.count += 1;
            }
            *slot = Some(value);
            return true;
        }
        let exists = self.sparse.contains_key(&key);
        if !exists && self.count >= max {
            return false;
        }
        if !exists {
            self.count += 1;
        }
        if key < self.dense.len() as u64 + DENSE_SLACK && self.sparse.is_empty() {
            let k = key as usize;
            self.dense.resize(k + 1, None);
            if let Some(slot) = self.dense.get_mut(k) {
                *slot = Some(value);
            }
        } else {
            self.sparse.insert(key, value);
        }
        true
    }

    /// Every value, for dropping without recursion.
    pub(crate) fn drain(&mut self) -> Vec<Value> {
        self.count = 0;
        let mut out: Vec<Value> = self.dense.drain(..).flatten().collect();
        out.extend(self.sparse.drain().map(|(_, v)| v));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_and_sparse_keys() {
        let mut m = Memo::default();
        assert!(m.put(0, Value::Int(1), 10));
        assert!(m.put(5, Value::Int(2), 10));
        assert!(m.put(1 << 40, Value::Int(3), 10));
        assert!(m.put(5, Value::Int(4), 10));
        assert_eq!(m.len(), 3);
        assert!(matches!(m.get(5), Some(Value::Int(4))));
        assert!(matches!(m.get(1 << 40), Some(Value::Int(3))));
        assert!(m.get(4).is_none());
        assert!(m.get(7).is_none());
    }

    #[test]
    fn entry_limit_counts_new_keys_only() {
        let mut m = Memo::default();
        assert!(m.put(0, Value::None, 1));
        assert!(m.put(0, Value::None, 1));
        assert!(!m.put(1, Value::None, 1));
        assert!(!m.put(99_999, Value::None, 1));
    }
}
