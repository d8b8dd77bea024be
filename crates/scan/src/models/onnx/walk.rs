//! One pass over a decoded model: every graph (main, subgraphs of If, Loop
//! and Scan, training graphs, model-local functions), every node, every
//! tensor, and the strings worth checking for payloads — references into
//! the model, so that nothing is copied per node.

use super::ops::{self, OpStatus};
use super::payload;
use aigis_formats::onnx::{
    AttributeProto, GraphProto, ModelProto, NodeProto, SparseTensorProto, StringStringEntryProto,
    TensorProto, text,
};
use std::collections::HashSet;

/// Subgraph nesting walked (graphs in attributes of nodes of graphs ...).
/// The decoder's message-depth limit allows about 20; this is the backstop.
pub const MAX_GRAPH_DEPTH: usize = 32;

/// A node and the graph it is in.
pub(super) struct NodeRef<'m> {
    pub node: &'m NodeProto,
    pub graph: usize,
    pub status: OpStatus,
}

/// A tensor (initializer, attribute value, sparse part).
pub(super) struct TensorRef<'m> {
    pub tensor: &'m TensorProto,
    pub initializer: bool,
}

/// A string that may carry a payload, with where it is.
pub(super) struct TextRef<'m> {
    pub label: String,
    pub value: &'m [u8],
}

/// Metadata entries and doc strings kept for the secret rules per model.
pub(super) const MAX_METADATA_KEPT: usize = 10_000;

/// Everything the walk saw.
#[derive(Default)]
pub(super) struct Walk<'m> {
    /// Graph descriptions, indexed by `NodeRef::graph`.
    pub graphs: Vec<String>,
    pub nodes: Vec<NodeRef<'m>>,
    pub tensors: Vec<TensorRef<'m>>,
    pub texts: Vec<TextRef<'m>>,
    /// Every metadata entry and doc string (for the secret rules), at most
    /// [`MAX_METADATA_KEPT`].
    pub metadata: Vec<TextRef<'m>>,
    /// The model's own functions, as `domain:name`.
    pub functions: HashSet<String>,
    /// A graph nested deeper than `MAX_GRAPH_DEPTH` was not walked.
    pub too_deep: bool,
}

impl<'m> Walk<'m> {
    pub fn graph_name(&self, i: usize) -> &str {
        self.graphs.get(i).map_or("?", String::as_str)
    }

    pub fn model(m: &'m ModelProto) -> Walk<'m> {
        let mut w = Walk {
            functions: m
                .functions
                .iter()
                .map(|f| ops::qualified(&text(&f.domain), &text(&f.name)))
                .collect(),
            ..Walk::default()
        };
        w.text("model doc_string", &m.doc_string);
        w.entries("model metadata_props", &m.metadata_props);
        if let Some(g) = &m.graph {
            w.graph(g, format!("graph '{}'", text(&g.name)), 0);
        }
        for ti in &m.training_info {
            for (what, g) in [
                ("training initialization", &ti.initialization),
                ("training algorithm", &ti.algorithm),
            ] {
                if let Some(g) = g {
                    w.graph(g, format!("{what} graph '{}'", text(&g.name)), 0);
                }
            }
        }
        for f in &m.functions {
            let name = format!(
                "function '{}:{}'",
                ops::canonical_domain(&text(&f.domain)),
                text(&f.name)
            );
            w.text(&format!("{name} doc_string"), &f.doc_string);
            w.entries(&format!("{name} metadata_props"), &f.metadata_props);
            let i = w.graphs.len();
            w.graphs.push(name);
            w.attributes(None, &f.attribute_proto, i, 1);
            w.nodes(&f.node, i, 1);
        }
        w
    }

    fn graph(&mut self, g: &'m GraphProto, name: String, depth: usize) {
        if depth > MAX_GRAPH_DEPTH {
            self.too_deep = true;
            return;
        }
        self.text(&format!("{name} doc_string"), &g.doc_string);
        self.entries(&format!("{name} metadata_props"), &g.metadata_props);
        let i = self.graphs.len();
        self.graphs.push(name);
        for t in &g.initializer {
            self.tensor(t, true);
        }
        for s in &g.sparse_initializer {
            self.sparse(s, true);
        }
        self.nodes(&g.node, i, depth);
    }

    fn nodes(&mut self, nodes: &'m [NodeProto], graph: usize, depth: usize) {
        for node in nodes {
            let status = ops::status(node, &self.functions);
            self.nodes.push(NodeRef {
                node,
                graph,
                status,
            });
            self.attributes(Some(node), &node.attribute, graph, depth);
        }
    }

    fn attributes(
        &mut self,
        node: Option<&NodeProto>,
        attrs: &'m [AttributeProto],
        graph: usize,
        depth: usize,
    ) {
        // A function's attributes are its default values.
        let function = node.is_none().then(|| self.graph_name(graph).to_string());
        let owner = || match node {
            Some(n) => node_label(n),
            None => function.clone().unwrap_or_default(),
        };
        for a in attrs {
            if payload::interesting(&a.s) {
                let label = format!("attribute '{}' of {}", text(&a.name), owner());
                self.texts.push(TextRef { label, value: &a.s });
            }
            for t in a.t.iter().map(Box::as_ref).chain(&a.tensors) {
                self.tensor(t, false);
            }
            for s in a
                .sparse_tensor
                .iter()
                .map(Box::as_ref)
                .chain(&a.sparse_tensors)
            {
                self.sparse(s, false);
            }
            for g in a.g.iter().map(Box::as_ref).chain(&a.graphs) {
                let name = format!(
                    "graph '{}' ({} of {})",
                    text(&g.name),
                    text(&a.name),
                    owner()
                );
                self.graph(g, name, depth + 1);
            }
        }
    }

    fn tensor(&mut self, t: &'m TensorProto, initializer: bool) {
        if !t.metadata_props.is_empty() {
            let label = format!("tensor '{}' metadata_props", text(&t.name));
            self.entries(&label, &t.metadata_props);
        }
        self.tensors.push(TensorRef {
            tensor: t,
            initializer,
        });
    }

    fn sparse(&mut self, s: &'m SparseTensorProto, initializer: bool) {
        for t in s.values.iter().chain(&s.indices) {
            self.tensor(t, initializer);
        }
    }

    fn text(&mut self, label: &str, value: &'m [u8]) {
        if !value.is_empty() && self.metadata.len() < MAX_METADATA_KEPT {
            self.metadata.push(TextRef {
                label: label.to_string(),
                value,
            });
        }
        if payload::interesting(value) {
            self.texts.push(TextRef {
                label: label.to_string(),
                value,
            });
        }
    }

    fn entries(&mut self, label: &str, entries: &'m [StringStringEntryProto]) {
        for e in entries {
            let interesting = payload::interesting(&e.value);
            let keep = self.metadata.len() < MAX_METADATA_KEPT && !e.value.is_empty();
            if !interesting && !keep {
                continue;
            }
            let r = TextRef {
                label: format!("{label}['{}']", text(&e.key)),
                value: &e.value,
            };
            if keep {
                self.metadata.push(TextRef {
                    label: r.label.clone(),
                    value: r.value,
                });
            }
            if interesting {
                self.texts.push(r);
            }
        }
    }
}

/// `node 'name'`, or `unnamed Op node` (names are optional in ONNX).
pub(super) fn node_label(n: &NodeProto) -> String {
    if n.name.is_empty() {
        format!("unnamed {} node", text(&n.op_type))
    } else {
        format!("node '{}'", text(&n.name))
    }
}
