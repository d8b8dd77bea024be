use super::*;
use sha2::{Digest, Sha256};
use std::fs;

fn sha(data: &[u8]) -> String {
    digest_hex(&Sha256::digest(data))
}

fn model() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    fs::create_dir_all(p.join("a")).unwrap();
    fs::create_dir_all(p.join("a-b")).unwrap();
    fs::create_dir_all(p.join(".git")).unwrap();
    fs::write(p.join("a/b"), b"ab").unwrap();
    fs::write(p.join("a-b/c"), b"abc").unwrap();
    fs::write(p.join(".git/HEAD"), b"ref").unwrap();
    fs::write(p.join(".gitignore"), b"*").unwrap();
    fs::write(p.join(".hidden"), b"h").unwrap();
    fs::write(p.join("empty"), b"").unwrap();
    fs::write(p.join("big"), vec![7u8; 10_000]).unwrap();
    d
}

#[test]
fn files_are_listed_in_model_signing_order_with_git_paths_left_out() {
    let d = model();
    let m = hash_model(d.path(), &HashOptions::default()).unwrap();
    let names: Vec<_> = m.resources.iter().map(|r| r.name()).collect();
    // PurePosixPath order: component by component, so "a/b" before "a-b/c".
    assert_eq!(names, [".hidden", "a/b", "a-b/c", "big", "empty"]);
    let ab = &m.resources[1];
    assert_eq!((ab.size, ab.digest.as_str()), (2, sha(b"ab").as_str()));
    assert_eq!(m.resources[4].digest, sha(b""));
    assert_eq!(
        m.ignore_paths,
        [".git", ".gitattributes", ".github", ".gitignore"]
    );
}

#[test]
fn git_paths_are_hashed_when_asked() {
    let d = model();
    let opts = HashOptions {
        ignore_git_paths: false,
        ..HashOptions::default()
    };
    let m = hash_model(d.path(), &opts).unwrap();
    assert!(m.resources.iter().any(|r| r.path == ".git/HEAD"));
    assert!(m.resources.iter().any(|r| r.path == ".gitignore"));
}

#[test]
fn extra_ignore_paths_leave_out_whole_subtrees() {
    let d = model();
    let opts = HashOptions {
        ignore_paths: vec!["./a/".into(), "../big".into()],
        ..HashOptions::default()
    };
    let m = hash_model(d.path(), &opts).unwrap();
    let names: Vec<_> = m.resources.iter().map(|r| r.name()).collect();
    assert_eq!(names, [".hidden", "a-b/c", "big", "empty"]);
}

#[test]
fn a_single_file_is_named_dot() {
    let d = model();
    let m = hash_model(&d.path().join("a/b"), &HashOptions::default()).unwrap();
    assert_eq!(m.model_name, "b");
    assert_eq!(m.resources.len(), 1);
    assert_eq!(m.resources[0].path, ".");
    let text = sha256sum_text(&m, "x/a b").unwrap();
    assert_eq!(text, format!("{}  x/a b\n", sha(b"ab")));
}

#[test]
fn shards_cover_each_file_and_skip_empty_files() {
    let d = model();
    let opts = HashOptions {
        serialization: Serialization::Shards { shard_size: 4096 },
        ..HashOptions::default()
    };
    let m = hash_model(d.path(), &opts).unwrap();
    let big: Vec<_> = m.resources.iter().filter(|r| r.path == "big").collect();
    assert_eq!(
        big.iter().map(|r| r.range).collect::<Vec<_>>(),
        [Some((0, 4096)), Some((4096, 8192)), Some((8192, 10_000))]
    );
    assert_eq!(big[2].digest, sha(&[7u8; 1808]));
    assert_eq!(big[0].name(), "big:0:4096");
    assert!(!m.resources.iter().any(|r| r.path == "empty"));
    assert!(sha256sum_text(&m, "x").is_err());
}

#[test]
fn tiny_or_huge_shard_sizes_are_refused() {
    let d = model();
    for s in [0, MAX_SHARD_SIZE + 1] {
        let opts = HashOptions {
            serialization: Serialization::Shards { shard_size: s },
            ..HashOptions::default()
        };
        assert!(matches!(
            hash_model(d.path(), &opts),
            Err(Error::InvalidOption(_))
        ));
    }
}

#[test]
fn too_many_shards_is_a_limit_not_an_allocation() {
    let d = tempfile::tempdir().unwrap();
    let f = fs::File::create(d.path().join("sparse")).unwrap();
    f.set_len(MAX_RESOURCES as u64 + 1).unwrap();
    let opts = HashOptions {
        serialization: Serialization::Shards { shard_size: 1 },
        ..HashOptions::default()
    };
    assert!(matches!(hash_model(d.path(), &opts), Err(Error::Limit(_))));
}

#[test]
fn blake3_digests_match_the_reference_crate() {
    let d = model();
    let data = vec![3u8; 9 << 20];
    fs::write(d.path().join("big"), &data).unwrap();
    let opts = HashOptions {
        algorithm: HashAlgorithm::Blake3,
        ..HashOptions::default()
    };
    let m = hash_model(d.path(), &opts).unwrap();
    let big = m.resources.iter().find(|r| r.path == "big").unwrap();
    assert_eq!(big.digest, blake3::hash(&data).to_hex().to_string());
}

#[test]
fn large_file_spanning_several_buffers_matches_one_shot_sha256() {
    let d = tempfile::tempdir().unwrap();
    let data: Vec<u8> = (0..(3 << 20) + 17).map(|i| (i % 251) as u8).collect();
    fs::write(d.path().join("w"), &data).unwrap();
    let m = hash_model(d.path(), &HashOptions::default()).unwrap();
    assert_eq!(m.resources[0].digest, sha(&data));
    assert_eq!(m.total_bytes(), data.len() as u64);
}

#[cfg(unix)]
#[test]
fn symlinks_are_refused_unless_allowed_and_dir_links_are_not_followed() {
    let d = model();
    std::os::unix::fs::symlink("a/b", d.path().join("link")).unwrap();
    std::os::unix::fs::symlink("a", d.path().join("dirlink")).unwrap();
    assert!(matches!(
        hash_model(d.path(), &HashOptions::default()),
        Err(Error::Symlink(_))
    ));
    let opts = HashOptions {
        allow_symlinks: true,
        ..HashOptions::default()
    };
    let m = hash_model(d.path(), &opts).unwrap();
    let link = m.resources.iter().find(|r| r.path == "link").unwrap();
    assert_eq!(link.digest, sha(b"ab"));
    assert!(!m.resources.iter().any(|r| r.path.starts_with("dirlink")));
}

#[cfg(unix)]
#[test]
fn sockets_and_dangling_links_are_refused() {
    let d = model();
    let _l = std::os::unix::net::UnixListener::bind(d.path().join("sock")).unwrap();
    assert!(matches!(
        hash_model(d.path(), &HashOptions::default()),
        Err(Error::SpecialFile(_))
    ));
    let d = model();
    std::os::unix::fs::symlink("nowhere", d.path().join("dangling")).unwrap();
    let opts = HashOptions {
        allow_symlinks: true,
        ..HashOptions::default()
    };
    assert!(hash_model(d.path(), &opts).is_err());
}

#[test]
fn json_form_round_trips() {
    let d = model();
    let m = hash_model(d.path(), &HashOptions::default()).unwrap();
    let j = serde_json::to_string(&m).unwrap();
    let back: Manifest = serde_json::from_str(&j).unwrap();
    assert_eq!(back, m);
}

#[test]
fn missing_model_is_an_io_error_naming_the_path() {
    let e = hash_model(
        std::path::Path::new("/nonexistent/model"),
        &HashOptions::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("/nonexistent/model"));
}
