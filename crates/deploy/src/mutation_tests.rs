//! A deterministic mutation smoke test of every reader: the fixtures and
//! samples with bytes flipped, inserted, deleted and spliced (xorshift, fixed
//! seed). Not a substitute for the `cargo fuzz` targets; it runs in every
//! `cargo test` and checks the same promises (no panic, positions >= 1).

use crate::fixtures::FIXTURES;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n.max(1) as u64)).unwrap_or(0)
    }
}

const ALPHABET: &[u8] = b" \n\t:{}[];#\"'\\-*&!|$<>=/`%@.,0aZ";

fn mutate(rng: &mut Rng, base: &[u8], other: &[u8]) -> Vec<u8> {
    let mut v = base.to_vec();
    for _ in 0..=rng.below(6) {
        let at = rng.below(v.len() + 1);
        match rng.below(4) {
            0 if !v.is_empty() => {
                let i = at.min(v.len() - 1);
                v[i] = ALPHABET[rng.below(ALPHABET.len())];
            }
            1 => v.insert(at, ALPHABET[rng.below(ALPHABET.len())]),
            2 if at < v.len() => {
                let end = (at + rng.below(16)).min(v.len());
                v.drain(at..end);
            }
            _ => {
                let from = rng.below(other.len());
                let end = (from + rng.below(64)).min(other.len());
                v.splice(at..at, other[from..end].iter().copied());
            }
        }
    }
    v
}

#[test]
fn mutated_fixtures_never_panic_and_keep_positions() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let texts: Vec<&str> = FIXTURES
        .iter()
        .flat_map(|f| [f.positive, f.negative])
        .collect();
    for round in 0..4_000 {
        let a = texts[rng.below(texts.len())].as_bytes();
        let b = texts[rng.below(texts.len())].as_bytes();
        let m = mutate(&mut rng, a, b);
        let s = String::from_utf8_lossy(&m);
        let all = [
            crate::analyze_dockerfile(&s),
            crate::analyze_compose(&s),
            crate::analyze_kubernetes(&s),
            crate::analyze_nginx(&s, &crate::NoIncludes),
            crate::analyze_daemon_json(&s),
        ];
        for f in all.iter().flatten() {
            assert!(
                f.line >= 1 && f.column >= 1 && !f.key.is_empty(),
                "round {round}: {f:?}\n{s}"
            );
        }
    }
}
