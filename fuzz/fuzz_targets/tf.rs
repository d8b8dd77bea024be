//! TensorFlow protobufs (SavedModel, GraphDef, Keras metadata): sniffing,
//! decoding under every reading, and the op inventory.
#![no_main]

use aigis_formats::tf::{self, Inventory, MAX_OPS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = tf::sniff(data);
    let mut inv = Inventory::default();
    if let Ok(m) = tf::decode_saved_model(data) {
        for mg in &m.meta_graphs {
            if let Some(g) = &mg.graph_def {
                inv.add_graph(g);
            }
        }
    }
    if let Ok(g) = tf::decode_graph(data) {
        inv.add_graph(&g);
    }
    let _ = tf::decode_keras_metadata(data);
    assert!(inv.uses.len() <= MAX_OPS);
    assert!(
        inv.uses
            .iter()
            .all(|u| u.strings.iter().all(|(_, v)| v.len() <= 256 * 3))
    );
});
