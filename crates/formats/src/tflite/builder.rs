//! A minimal FlatBuffers writer for TFLite test models and fuzz seeds:
//! objects are laid out front to back (each table's vtable just before it,
//! children after their parent), which every FlatBuffers reader accepts.
//! It favours plainness over size and is not used by the scanner.

use std::collections::VecDeque;

/// A field value of a table.
#[derive(Clone, Debug)]
pub enum Field {
    U8(u8),
    U32(u32),
    I32(i32),
    U64(u64),
    Str(Vec<u8>),
    Table(TableSpec),
    Tables(Vec<TableSpec>),
    I32s(Vec<i32>),
    Bytes(Vec<u8>),
}

/// A table: field values by field id (`None` = absent).
#[derive(Clone, Debug, Default)]
pub struct TableSpec {
    pub fields: Vec<Option<Field>>,
}

impl TableSpec {
    pub fn new() -> Self {
        TableSpec::default()
    }

    /// Set field `id`.
    pub fn with(mut self, id: usize, f: Field) -> Self {
        if self.fields.len() <= id {
            self.fields.resize(id + 1, None);
        }
        if let Some(slot) = self.fields.get_mut(id) {
            *slot = Some(f);
        }
        self
    }
}

fn pad_to(buf: &mut Vec<u8>, align: usize) {
    while !buf.len().is_multiple_of(align) {
        buf.push(0);
    }
}

/// An object waiting to be placed, and where its offset goes.
enum Pending<'t> {
    Field(&'t Field),
    Table(&'t TableSpec),
}

type Queue<'t> = VecDeque<(usize, Pending<'t>)>;

/// Serialise `root` as a FlatBuffer with file identifier `ident`.
pub fn finish(root: &TableSpec, ident: &[u8; 4]) -> Vec<u8> {
    let mut buf = vec![0u8; 4];
    buf.extend_from_slice(ident);
    let mut queue: Queue<'_> = VecDeque::new();
    queue.push_back((0, Pending::Table(root)));
    while let Some((at, p)) = queue.pop_front() {
        let target = match p {
            Pending::Table(t) => place_table(&mut buf, t, &mut queue),
            Pending::Field(f) => place(&mut buf, f, &mut queue),
        };
        let rel = u32::try_from(target - at).unwrap_or(u32::MAX);
        if let Some(slot) = buf.get_mut(at..at + 4) {
            slot.copy_from_slice(&rel.to_le_bytes());
        }
    }
    buf
}

/// Place an offset-typed field at the end of `buf`; return its position.
fn place<'t>(buf: &mut Vec<u8>, f: &'t Field, queue: &mut Queue<'t>) -> usize {
    pad_to(buf, 4);
    let at = buf.len();
    match f {
        Field::Str(s) | Field::Bytes(s) => {
            buf.extend_from_slice(&(s.len() as u32).to_le_bytes());
            buf.extend_from_slice(s);
            if matches!(f, Field::Str(_)) {
                buf.push(0);
            }
        }
        Field::I32s(v) => {
            buf.extend_from_slice(&(v.len() as u32).to_le_bytes());
            for x in v {
                buf.extend_from_slice(&x.to_le_bytes());
            }
        }
        Field::Tables(ts) => {
            buf.extend_from_slice(&(ts.len() as u32).to_le_bytes());
            for t in ts {
                queue.push_back((buf.len(), Pending::Table(t)));
                buf.extend_from_slice(&[0; 4]);
            }
        }
        Field::Table(t) => return place_table(buf, t, queue),
        Field::U8(_) | Field::U32(_) | Field::I32(_) | Field::U64(_) => {}
    }
    at
}

/// Place a table (its vtable first); its offset fields are queued.
fn place_table<'t>(buf: &mut Vec<u8>, t: &'t TableSpec, queue: &mut Queue<'t>) -> usize {
    let width = |f: &Field| match f {
        Field::U8(_) => 1,
        Field::U64(_) => 8,
        _ => 4,
    };
    // Inline layout: the soffset, then each present field at its width.
    let mut offsets = Vec::new();
    let mut size = 4usize;
    for f in &t.fields {
        match f {
            Some(f) => {
                let w = width(f);
                size = size.next_multiple_of(w.min(4));
                offsets.push(size as u16);
                size += w;
            }
            None => offsets.push(0),
        }
    }
    let size = size.next_multiple_of(4);
    pad_to(buf, 4);
    let vt = buf.len();
    let vt_len = 4 + 2 * offsets.len();
    buf.extend_from_slice(&(vt_len as u16).to_le_bytes());
    buf.extend_from_slice(&(size as u16).to_le_bytes());
    for o in &offsets {
        buf.extend_from_slice(&o.to_le_bytes());
    }
    pad_to(buf, 4);
    let at = buf.len();
    buf.extend_from_slice(&((at - vt) as i32).to_le_bytes());
    buf.resize(at + size, 0);
    for (f, o) in t.fields.iter().zip(&offsets) {
        let Some(f) = f else { continue };
        let pos = at + usize::from(*o);
        let bytes: Vec<u8> = match f {
            Field::U8(v) => vec![*v],
            Field::U32(v) => v.to_le_bytes().to_vec(),
            Field::I32(v) => v.to_le_bytes().to_vec(),
            Field::U64(v) => v.to_le_bytes().to_vec(),
            _ => {
                queue.push_back((pos, Pending::Field(f)));
                continue;
            }
        };
        if let Some(slot) = buf.get_mut(pos..pos + bytes.len()) {
            slot.copy_from_slice(&bytes);
        }
    }
    at
}

/// One subgraph of a [`ModelSpec`].
#[derive(Clone, Debug, Default)]
pub struct SubgraphSpec {
    pub name: Option<String>,
    pub tensors: Vec<String>,
    /// Operators: (operator code index, output tensor indices).
    pub operators: Vec<(u32, Vec<i32>)>,
}

/// A TFLite model to write: schema.fbs's `Model` with the fields the
/// scanner reads.
#[derive(Clone, Debug, Default)]
pub struct ModelSpec {
    pub description: Option<String>,
    /// Operator codes: (builtin code, custom code).
    pub codes: Vec<(i32, Option<String>)>,
    pub subgraphs: Vec<SubgraphSpec>,
    /// Metadata entries: (name, buffer index).
    pub metadata: Vec<(String, u32)>,
    /// Buffer contents (the first is usually empty, as converters write it).
    pub buffers: Vec<Vec<u8>>,
}

fn text(s: &str) -> Field {
    Field::Str(s.as_bytes().to_vec())
}

impl ModelSpec {
    /// The `Model` table.
    pub fn table(&self) -> TableSpec {
        let codes = self
            .codes
            .iter()
            .map(|(code, custom)| {
                let mut t = TableSpec::new()
                    .with(0, Field::U8((*code).clamp(0, 127) as u8))
                    .with(2, Field::I32(1))
                    .with(3, Field::I32(*code));
                if let Some(c) = custom {
                    t = t.with(1, text(c));
                }
                t
            })
            .collect();
        let subgraphs = self.subgraphs.iter().map(SubgraphSpec::table).collect();
        let buffers = self
            .buffers
            .iter()
            .map(|b| match b.is_empty() {
                true => TableSpec::new(),
                false => TableSpec::new().with(0, Field::Bytes(b.clone())),
            })
            .collect();
        let metadata = self
            .metadata
            .iter()
            .map(|(name, buf)| {
                TableSpec::new()
                    .with(0, text(name))
                    .with(1, Field::U32(*buf))
            })
            .collect();
        let mut m = TableSpec::new()
            .with(0, Field::U32(3))
            .with(1, Field::Tables(codes))
            .with(2, Field::Tables(subgraphs))
            .with(4, Field::Tables(buffers));
        if let Some(d) = &self.description {
            m = m.with(3, text(d));
        }
        if !self.metadata.is_empty() {
            m = m.with(6, Field::Tables(metadata));
        }
        m
    }

    /// The model as a `.tflite` file.
    pub fn build(&self) -> Vec<u8> {
        finish(&self.table(), super::IDENTIFIER)
    }
}

impl SubgraphSpec {
    fn table(&self) -> TableSpec {
        let tensors = self
            .tensors
            .iter()
            .enumerate()
            .map(|(i, name)| {
                TableSpec::new()
                    .with(0, Field::I32s(vec![1, 4]))
                    .with(1, Field::U8(0))
                    .with(2, Field::U32(i as u32 + 1))
                    .with(3, text(name))
            })
            .collect();
        let ops = self
            .operators
            .iter()
            .map(|(code, outputs)| {
                TableSpec::new()
                    .with(0, Field::U32(*code))
                    .with(1, Field::I32s(vec![0]))
                    .with(2, Field::I32s(outputs.clone()))
            })
            .collect();
        let mut t = TableSpec::new()
            .with(0, Field::Tables(tensors))
            .with(1, Field::I32s(vec![0]))
            .with(2, Field::I32s(vec![0]))
            .with(3, Field::Tables(ops));
        if let Some(n) = &self.name {
            t = t.with(4, text(n));
        }
        t
    }
}
