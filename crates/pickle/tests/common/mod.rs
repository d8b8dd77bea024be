//! A pickle assembler for tests: emits opcodes by name, so that every hostile
//! sample is readable in the test that uses it. Also runs the machine over
//! both the slice and the streaming reader and checks they agree.
#![allow(dead_code)]

use std::io::Read;

use aigis_pickle::{Analysis, Options, analyze, analyze_reader};

#[derive(Clone, Default)]
pub struct P(pub Vec<u8>);

impl P {
    pub fn new() -> P {
        P(Vec::new())
    }

    /// `PROTO v`.
    pub fn proto(v: u8) -> P {
        P(vec![0x80, v])
    }

    pub fn op(mut self, b: u8) -> P {
        self.0.push(b);
        self
    }

    pub fn raw(mut self, b: &[u8]) -> P {
        self.0.extend_from_slice(b);
        self
    }

    pub fn line(self, op: u8, arg: &str) -> P {
        self.op(op).raw(arg.as_bytes()).raw(b"\n")
    }

    pub fn mark(self) -> P {
        self.op(b'(')
    }
    pub fn stop(self) -> P {
        self.op(b'.')
    }
    pub fn pop(self) -> P {
        self.op(b'0')
    }
    pub fn pop_mark(self) -> P {
        self.op(b'1')
    }
    pub fn dup(self) -> P {
        self.op(b'2')
    }
    pub fn none(self) -> P {
        self.op(b'N')
    }
    pub fn tru(self) -> P {
        self.op(0x88)
    }
    pub fn fals(self) -> P {
        self.op(0x89)
    }
    pub fn tuple(self) -> P {
        self.op(b't')
    }
    pub fn tuple1(self) -> P {
        self.op(0x85)
    }
    pub fn tuple2(self) -> P {
        self.op(0x86)
    }
    pub fn tuple3(self) -> P {
        self.op(0x87)
    }
    pub fn empty_tuple(self) -> P {
        self.op(b')')
    }
    pub fn empty_list(self) -> P {
        self.op(b']')
    }
    pub fn empty_dict(self) -> P {
        self.op(b'}')
    }
    pub fn empty_set(self) -> P {
        self.op(0x8f)
    }
    pub fn list(self) -> P {
        self.op(b'l')
    }
    pub fn dict(self) -> P {
        self.op(b'd')
    }
    pub fn append(self) -> P {
        self.op(b'a')
    }
    pub fn appends(self) -> P {
        self.op(b'e')
    }
    pub fn setitem(self) -> P {
        self.op(b's')
    }
    pub fn setitems(self) -> P {
        self.op(b'u')
    }
    pub fn additems(self) -> P {
        self.op(0x90)
    }
    pub fn frozenset(self) -> P {
        self.op(0x91)
    }
    pub fn reduce(self) -> P {
        self.op(b'R')
    }
    pub fn build(self) -> P {
        self.op(b'b')
    }
    pub fn newobj(self) -> P {
        self.op(0x81)
    }
    pub fn newobj_ex(self) -> P {
        self.op(0x92)
    }
    pub fn obj(self) -> P {
        self.op(b'o')
    }
    pub fn stack_global(self) -> P {
        self.op(0x93)
    }
    pub fn memoize(self) -> P {
        self.op(0x94)
    }
    pub fn binpersid(self) -> P {
        self.op(b'Q')
    }

    pub fn global(self, module: &str, name: &str) -> P {
        self.op(b'c')
            .raw(module.as_bytes())
            .raw(b"\n")
            .raw(name.as_bytes())
            .raw(b"\n")
    }

    pub fn inst(self, module: &str, name: &str) -> P {
        self.op(b'i')
            .raw(module.as_bytes())
            .raw(b"\n")
            .raw(name.as_bytes())
            .raw(b"\n")
    }

    /// A str in the shortest binary form.
    pub fn str(self, s: &str) -> P {
        self.str_bytes(s.as_bytes())
    }

    pub fn str_bytes(self, s: &[u8]) -> P {
        match u8::try_from(s.len()) {
            Ok(n) => self.op(0x8c).op(n).raw(s),
            Err(_) => self.op(b'X').raw(&(s.len() as u32).to_le_bytes()).raw(s),
        }
    }

    /// bytes in the shortest binary form.
    pub fn bytes(self, b: &[u8]) -> P {
        match u8::try_from(b.len()) {
            Ok(n) => self.op(b'C').op(n).raw(b),
            Err(_) => self.op(b'B').raw(&(b.len() as u32).to_le_bytes()).raw(b),
        }
    }

    pub fn binbytes8(self, b: &[u8]) -> P {
        self.op(0x8e).raw(&(b.len() as u64).to_le_bytes()).raw(b)
    }

    /// An int in the shortest binary form.
    pub fn int(self, v: i64) -> P {
        if (0..256).contains(&v) {
            self.op(b'K').op(v as u8)
        } else if (0..65536).contains(&v) {
            self.op(b'M').raw(&(v as u16).to_le_bytes())
        } else if let Ok(v) = i32::try_from(v) {
            self.op(b'J').raw(&v.to_le_bytes())
        } else {
            self.op(0x8a).op(8).raw(&v.to_le_bytes())
        }
    }

    pub fn binfloat(self, f: f64) -> P {
        self.op(b'G').raw(&f.to_be_bytes())
    }

    pub fn put(self, i: u32) -> P {
        match u8::try_from(i) {
            Ok(b) => self.op(b'q').op(b),
            Err(_) => self.op(b'r').raw(&i.to_le_bytes()),
        }
    }

    pub fn get(self, i: u32) -> P {
        match u8::try_from(i) {
            Ok(b) => self.op(b'h').op(b),
            Err(_) => self.op(b'j').raw(&i.to_le_bytes()),
        }
    }

    pub fn frame(self, n: u64) -> P {
        self.op(0x95).raw(&n.to_le_bytes())
    }

    /// `module.name(*args)` where `args` pushes the arguments.
    pub fn call(self, module: &str, name: &str, args: impl FnOnce(P) -> P) -> P {
        args(self.global(module, name).mark()).tuple().reduce()
    }

    /// `module.name` through STACK_GLOBAL.
    pub fn sglobal(self, module: &str, name: &str) -> P {
        self.str(module).str(name).stack_global()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

/// A reader that hands out a few bytes at a time, to exercise refills.
pub struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.step.min(out.len()).min(self.data.len());
        out[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        self.step = self.step % 7 + 1;
        Ok(n)
    }
}

pub fn opts() -> Options<'static> {
    Options::default()
}

pub fn multi() -> Options<'static> {
    Options {
        multi_stream: true,
        ..Options::default()
    }
}

pub fn joblib() -> Options<'static> {
    Options {
        joblib_arrays: true,
        ..Options::default()
    }
}

fn loaders(m: &str, n: &str) -> bool {
    matches!(
        (m, n),
        ("pickle", "loads") | ("torch", "load") | ("marshal", "loads") | ("_pickle", "loads")
    )
}

pub fn capture() -> Options<'static> {
    Options {
        capture_args_of: &loaders,
        ..Options::default()
    }
}

/// Analyse with both the slice and the reader; they must agree.
pub fn run(data: &[u8], o: &Options<'_>) -> Analysis {
    let a = analyze(data, o);
    let b = analyze_reader(Trickle { data, step: 1 }, o);
    assert_eq!(a, b, "slice and reader disagree");
    a
}

/// Analyse a slice only (for tests that look at behaviour the reader bounds).
pub fn run_slice(data: &[u8], o: &Options<'_>) -> Analysis {
    analyze(data, o)
}

/// The names of the imports, `module.name`.
pub fn names(a: &Analysis) -> Vec<String> {
    a.imports
        .iter()
        .map(|i| format!("{}.{}", i.module, i.name))
        .collect()
}

/// The rendered arguments of every call.
pub fn args(a: &Analysis) -> Vec<String> {
    a.calls.iter().map(|c| c.args.clone()).collect()
}
