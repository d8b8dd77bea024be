//! Decode an ONNX file and print the process's memory before and after, with
//! what the prewalk estimated (`decoded_bytes`), to check the estimate that
//! `MAX_DECODED_BYTES` limits against what the allocator really holds:
//!
//!     cargo run --release -p aigis-formats --example onnx_memory -- model.onnx

fn rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .filter(|l| l.starts_with("VmHWM") || l.starts_with("VmRSS") || l.starts_with("RssAnon"))
        .collect::<Vec<_>>()
        .join(" ")
}
fn main() {
    let path = std::env::args().nth(1).unwrap_or_default();
    let data = std::fs::read(&path).unwrap_or_default();
    println!("read: {}", rss());
    let d = aigis_formats::onnx::decode(&data);
    println!("decoded: {}", rss());
    if let Ok(d) = d {
        println!("{:?}", d.counts);
    }
}
