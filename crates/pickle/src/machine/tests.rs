//! Machine internals: bounded containers, cycle breaking, metering.

use super::*;
use crate::limits::MAX_CONTAINER_KEPT;
use crate::source::SliceSource;

fn machine<'o>(data: &'o [u8], opts: &'o Options<'o>) -> Machine<'o, SliceSource<'o>> {
    Machine::new(SliceSource::new(data), opts)
}

#[test]
fn three_million_ints_keep_a_bounded_list() {
    let mut data = vec![0x80, 4, b']', 0x94];
    for batch in 0..3000u32 {
        data.push(b'(');
        for i in 0..1000u32 {
            data.push(b'J');
            data.extend_from_slice(&(batch * 1000 + i).to_le_bytes());
        }
        data.push(b'e');
    }
    data.push(b'.');
    let opts = Options::default();
    let mut m = machine(&data, &opts);
    let v = m.run_load().unwrap();
    assert_eq!(m.meter.elements.get(), MAX_CONTAINER_KEPT);
    let Some(Node::List(s)) = v.as_node() else {
        panic!()
    };
    let s = s.try_borrow().unwrap();
    assert_eq!((s.total, s.items.len()), (3_000_000, MAX_CONTAINER_KEPT));
    drop(s);
    drop(v);
    m.reset_load();
    assert_eq!(m.meter.elements.get(), 0);
}

#[test]
fn cycles_are_freed_at_the_end_of_a_stream() {
    // L = []; L.append(L); D = {}; D['k'] = D; t = (L, D); L.append(t)
    let data = b"\x80\x02]q\x00h\x00a}q\x01h\x01U\x01kh\x01s0h\x00h\x01\x86q\x02h\x00h\x02a0h\x02.";
    let opts = Options::default();
    let mut m = machine(data, &opts);
    let v = m.run_load().unwrap();
    assert!(m.meter.elements.get() > 0);
    drop(v);
    m.reset_load();
    assert_eq!(m.meter.elements.get(), 0);
    assert_eq!(m.meter.bytes.get(), 0);
}

#[test]
fn owned_strings_are_metered_and_returned() {
    let mut data = vec![0x80, 4, b']'];
    for _ in 0..10 {
        data.push(b'X');
        data.extend_from_slice(&300u32.to_le_bytes());
        data.extend(std::iter::repeat_n(b'a', 300));
        data.push(b'a');
    }
    data.push(b'.');
    let opts = Options::default();
    let mut m = Machine::new(crate::source::ReaderSource::new(&data[..], 0), &opts);
    let v = m.run_load().unwrap();
    assert_eq!(m.meter.bytes.get(), 3000);
    drop(v);
    m.reset_load();
    assert_eq!(m.meter.bytes.get(), 0);
}
