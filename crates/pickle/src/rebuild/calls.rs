//! The allowlist: which globals resolve, what calling each one builds, BUILD
//! on an OrderedDict, and storage persistent ids. Everything else refuses,
//! naming the callee.
//!
//! The rebuilds follow `torch/_utils.py`: `_rebuild_tensor_v2(storage,
//! storage_offset, size, stride, requires_grad, backward_hooks[, metadata])`,
//! `_rebuild_tensor(storage, storage_offset, size, stride)`,
//! `_rebuild_parameter(data, requires_grad, backward_hooks)` and
//! `_rebuild_parameter_with_state(data, requires_grad, backward_hooks,
//! state)`. Backward hooks must be empty (a hook is a callable, which could
//! not have been built anyway); `metadata` and a parameter's `state` must be
//! dicts or None and are dropped.

use super::eval::{Eval, Step, malformed};
use super::{Dict, Global, Object, Reason, Storage, StorageDtype, Tensor, Value};

/// Most arguments of an allowlisted call (and items of a persistent id).
const MAX_ARGS: usize = 8;

/// Resolve `module.name` against the allowlist.
pub(super) fn resolve(module: &str, name: &str) -> Option<Global> {
    use StorageDtype as D;
    Some(match (module, name) {
        ("collections", "OrderedDict") => Global::OrderedDict,
        ("torch._utils", "_rebuild_tensor_v2") => Global::RebuildTensorV2,
        ("torch._utils", "_rebuild_tensor") => Global::RebuildTensor,
        ("torch._utils", "_rebuild_parameter") => Global::RebuildParameter,
        ("torch._utils", "_rebuild_parameter_with_state") => Global::RebuildParameterWithState,
        ("torch", "device") => Global::Device,
        ("torch", storage) if storage.ends_with("Storage") => Global::StorageClass(match storage {
            "DoubleStorage" => D::F64,
            "FloatStorage" => D::F32,
            "HalfStorage" => D::F16,
            "BFloat16Storage" => D::BF16,
            "LongStorage" => D::I64,
            "IntStorage" => D::I32,
            "ShortStorage" => D::I16,
            "CharStorage" => D::I8,
            "ByteStorage" | "UntypedStorage" => D::U8,
            "BoolStorage" => D::Bool,
            _ => return None,
        }),
        ("torch", dtype) => Global::Dtype(match dtype {
            "float64" | "double" => D::F64,
            "float32" | "float" => D::F32,
            "float16" | "half" => D::F16,
            "bfloat16" => D::BF16,
            "int64" | "long" => D::I64,
            "int32" | "int" => D::I32,
            "int16" | "short" => D::I16,
            "int8" => D::I8,
            "uint8" => D::U8,
            "bool" => D::Bool,
            _ => return None,
        }),
        _ => return None,
    })
}

fn global_name(g: Global) -> String {
    match g {
        Global::OrderedDict => "collections.OrderedDict".into(),
        Global::RebuildTensorV2 => "torch._utils._rebuild_tensor_v2".into(),
        Global::RebuildTensor => "torch._utils._rebuild_tensor".into(),
        Global::RebuildParameter => "torch._utils._rebuild_parameter".into(),
        Global::RebuildParameterWithState => "torch._utils._rebuild_parameter_with_state".into(),
        Global::StorageClass(d) => format!("a torch storage class ({})", d.torch_name()),
        Global::Dtype(d) => format!("torch.{}", d.torch_name()),
        Global::Device => "torch.device".into(),
    }
}

impl Eval<'_> {
    pub(super) fn global(&mut self, module: &str, name: &str) -> Step {
        let Some(g) = resolve(module, name) else {
            return Err(Reason::Global {
                module: module.chars().take(200).collect(),
                name: name.chars().take(200).collect(),
            });
        };
        let id = self.alloc(Object::Global(g))?;
        self.push(Value::Obj(id))
    }

    /// The elements of a tuple argument; no allowlisted call takes more
    /// than [`MAX_ARGS`], so a longer tuple is refused before it is copied.
    fn tuple(&self, v: Value, what: &str) -> Step<Vec<Value>> {
        match self.obj(v) {
            Some(Object::Tuple(items)) if items.len() <= MAX_ARGS => Ok(items.clone()),
            Some(Object::Tuple(items)) => {
                malformed(format!("{what} is a tuple of {} items", items.len()))
            }
            _ => malformed(format!("{what} is not a tuple")),
        }
    }

    fn callee(&self, v: Value, op: &str) -> Step<Global> {
        match self.obj(v) {
            Some(Object::Global(g)) => Ok(*g),
            Some(other) => Err(Reason::Call(format!(
                "{op} calls a {}, not an allowlisted global",
                kind(other)
            ))),
            None => Err(Reason::Call(format!(
                "{op} calls a scalar, not an allowlisted global"
            ))),
        }
    }

    pub(super) fn reduce(&mut self, callee: Value, args: Value) -> Step<Value> {
        let g = self.callee(callee, "REDUCE")?;
        let args = self.tuple(args, "REDUCE arguments")?;
        let not_callable = || {
            Err(Reason::Call(format!(
                "REDUCE calls {}, which is not callable here",
                global_name(g)
            )))
        };
        match g {
            Global::OrderedDict => {
                if !args.is_empty() {
                    return Err(Reason::Call(
                        "collections.OrderedDict called with arguments".into(),
                    ));
                }
                self.new_ordered_dict()
            }
            Global::RebuildTensorV2 => self.rebuild_tensor(&args, true),
            Global::RebuildTensor => self.rebuild_tensor(&args, false),
            Global::RebuildParameter | Global::RebuildParameterWithState => {
                self.rebuild_parameter(g, &args)
            }
            Global::Device => self.device(&args),
            Global::StorageClass(_) | Global::Dtype(_) => not_callable(),
        }
    }

    pub(super) fn newobj(&mut self, cls: Value, args: Value) -> Step<Value> {
        let g = self.callee(cls, "NEWOBJ")?;
        let args = self.tuple(args, "NEWOBJ arguments")?;
        if g != Global::OrderedDict || !args.is_empty() {
            return Err(Reason::Call(format!(
                "NEWOBJ constructs {}; only collections.OrderedDict() is allowed",
                global_name(g)
            )));
        }
        self.new_ordered_dict()
    }

    fn new_ordered_dict(&mut self) -> Step<Value> {
        let d = Dict {
            ordered: true,
            ..Dict::default()
        };
        Ok(Value::Obj(self.alloc(Object::Dict(d))?))
    }

    /// BUILD on an OrderedDict with a dict state sets attributes
    /// (`_metadata`), which are counted and dropped.
    pub(super) fn build(&mut self, target: Value, state: Value) -> Step {
        let n = match self.obj(state) {
            Some(Object::Dict(d)) => d.entries.len(),
            Some(other) => return Err(Reason::Build(format!("with a {} state", kind(other)))),
            None => return Err(Reason::Build("with a scalar state".into())),
        };
        let id = match target {
            Value::Obj(id) => id,
            _ => return Err(Reason::Build("on a scalar".into())),
        };
        match self.objects.get_mut(id.0) {
            Some(Object::Dict(d)) if d.ordered => {
                d.attributes_dropped = d.attributes_dropped.saturating_add(n);
                Ok(())
            }
            Some(other) => Err(Reason::Build(format!("on a {}", kind(other)))),
            None => Err(Reason::Build("on nothing".into())),
        }
    }

    /// `('storage', storage_type, key, location, numel)`, and legacy files'
    /// sixth element `view_metadata`, which must be None.
    pub(super) fn persistent(&mut self, pid: Value) -> Step<Value> {
        let items = self.tuple(pid, "persistent id")?;
        let bad = |what: &str| Err(Reason::PersistentId(what.to_string()));
        let (tag, class, key, location, numel) = match items.as_slice() {
            [t, c, k, l, n] | [t, c, k, l, n, Value::None] => (*t, *c, *k, *l, *n),
            [_, _, _, _, _, _] => {
                return bad("with a storage view (view_metadata) is not supported");
            }
            _ => return bad("is not a 5-tuple ('storage', type, key, location, numel)"),
        };
        if self.string(tag).as_deref() != Some("storage") {
            return bad("is not tagged 'storage'");
        }
        let dtype = match self.obj(class) {
            Some(Object::Global(Global::StorageClass(d))) => *d,
            _ => return bad("names no allowlisted storage class"),
        };
        let (Some(key), Some(location)) = (self.string(key), self.string(location)) else {
            return bad("has a key or location that is not a str");
        };
        let numel = match numel {
            Value::Int(n) => {
                u64::try_from(n).map_err(|_| Reason::PersistentId("has a negative size".into()))?
            }
            _ => return bad("has a size that is not an int"),
        };
        let s = Storage {
            dtype,
            key,
            location,
            numel,
        };
        Ok(Value::Obj(self.alloc(Object::Storage(s))?))
    }

    fn string(&self, v: Value) -> Option<String> {
        match self.obj(v) {
            Some(Object::Str(s)) => Some(s.clone()),
            _ => None,
        }
    }

    fn dims(&self, v: Value, what: &str) -> Step<Vec<u64>> {
        let items = match self.obj(v) {
            Some(Object::Tuple(items) | Object::List(items)) => items,
            _ => return malformed(format!("tensor {what} is not a tuple")),
        };
        if items.len() > self.lim.max_dims {
            return Err(Reason::LimitExceeded("max_dims"));
        }
        items
            .iter()
            .map(|d| match d {
                Value::Int(n) => u64::try_from(*n)
                    .map_err(|_| Reason::Malformed(format!("negative tensor {what} {n}"))),
                _ => malformed(format!("tensor {what} holds a non-int")),
            })
            .collect()
    }

    fn rebuild_tensor(&mut self, args: &[Value], v2: bool) -> Step<Value> {
        let (storage, offset, size, stride, rest) = match args {
            [s, o, z, t, rest @ ..] => (*s, *o, *z, *t, rest),
            _ => return Err(Reason::Call("tensor rebuild with too few arguments".into())),
        };
        let Value::Obj(storage) = storage else {
            return malformed("tensor storage is not a storage");
        };
        if !matches!(self.objects.get(storage.0), Some(Object::Storage(_))) {
            return malformed("tensor storage is not a storage");
        }
        let offset = match offset {
            Value::Int(n) => {
                u64::try_from(n).map_err(|_| Reason::Malformed("negative storage offset".into()))?
            }
            _ => return malformed("storage offset is not an int"),
        };
        let size = self.dims(size, "size")?;
        let stride = self.dims(stride, "stride")?;
        if size.len() != stride.len() {
            return malformed("tensor size and stride differ in length");
        }
        let requires_grad = match (v2, rest) {
            (false, []) => false,
            (true, [Value::Bool(g), hooks]) => {
                self.no_hooks(*hooks)?;
                *g
            }
            (true, [Value::Bool(g), hooks, meta]) => {
                self.no_hooks(*hooks)?;
                self.dict_or_none(*meta, "tensor metadata")?;
                *g
            }
            _ => {
                return Err(Reason::Call(
                    "tensor rebuild with unexpected arguments".into(),
                ));
            }
        };
        let t = Tensor {
            storage,
            offset,
            size,
            stride,
            requires_grad,
        };
        Ok(Value::Obj(self.alloc(Object::Tensor(t))?))
    }

    fn rebuild_parameter(&mut self, g: Global, args: &[Value]) -> Step<Value> {
        let (data, grad, hooks) = match (g, args) {
            (Global::RebuildParameter, [d, Value::Bool(r), h]) => (*d, *r, *h),
            (Global::RebuildParameterWithState, [d, Value::Bool(r), h, state]) => {
                self.dict_or_none(*state, "parameter state")?;
                (*d, *r, *h)
            }
            _ => {
                return Err(Reason::Call(format!(
                    "{} with unexpected arguments",
                    global_name(g)
                )));
            }
        };
        self.no_hooks(hooks)?;
        let Value::Obj(id) = data else {
            return malformed("parameter data is not a tensor");
        };
        match self.objects.get_mut(id.0) {
            Some(Object::Tensor(t)) => t.requires_grad = grad,
            _ => return malformed("parameter data is not a tensor"),
        }
        Ok(data)
    }

    fn no_hooks(&self, v: Value) -> Step {
        match self.obj(v) {
            Some(Object::Dict(d)) if d.entries.is_empty() => Ok(()),
            Some(Object::Dict(_)) => Err(Reason::Call("tensor with backward hooks".into())),
            _ => malformed("backward hooks are not a dict"),
        }
    }

    fn dict_or_none(&self, v: Value, what: &str) -> Step {
        match (v, self.obj(v)) {
            (Value::None, _) | (_, Some(Object::Dict(_))) => Ok(()),
            _ => malformed(format!("{what} is not a dict")),
        }
    }

    /// `torch.device('cpu')`, `torch.device('cuda', 0)`.
    fn device(&mut self, args: &[Value]) -> Step<Value> {
        let text = match args {
            [t] => self.string(*t),
            [t, Value::Int(i)] => self.string(*t).map(|t| format!("{t}:{i}")),
            _ => None,
        };
        let Some(text) = text.filter(|t| t.len() <= 64) else {
            return Err(Reason::Call(
                "torch.device with unexpected arguments".into(),
            ));
        };
        Ok(Value::Obj(self.alloc(Object::Device(text))?))
    }
}

/// A short type name for messages.
pub(super) fn kind(o: &Object) -> &'static str {
    match o {
        Object::Str(_) => "str",
        Object::Bytes(_) => "bytes",
        Object::Tuple(_) => "tuple",
        Object::List(_) => "list",
        Object::Dict(d) if d.ordered => "OrderedDict",
        Object::Dict(_) => "dict",
        Object::Global(_) => "global",
        Object::Storage(_) => "storage",
        Object::Tensor(_) => "tensor",
        Object::Device(_) => "torch.device",
    }
}
