//! Every input the fuzzers (fuzz/) ever found crashing or hanging the readers, kept in
//! tests/fuzz-crashers/<target>/: each must now be refused with an error, quickly.

use std::path::Path;
use std::time::{Duration, Instant};

use palabre::exchange::bundle::{Manifest, decode_ops, read};

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-crashers").join(target);
    let mut found: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_none_or(|e| e != "md"))
        .map(|p| {
            (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap())
        })
        .collect();
    found.sort();
    found
}

fn quickly<T>(name: &str, f: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let value = f();
    assert!(started.elapsed() < Duration::from_secs(5), "{name} took {:?}", started.elapsed());
    value
}

fn seed(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/bundle_read").join(name))
        .unwrap()
}

/// The three readers the bundle_read fuzzer drives (bundle, acknowledgement, enrollment file),
/// each told apart from the others on the fuzzer's own seeds: a reader that accepted anything,
/// or refused everything, fails here.
#[test]
fn the_bundle_readers_accept_their_own_files_and_refuse_the_others() {
    let bundle = seed("seed-bundle.palabre");
    let enrollment = seed("seed-enrollment.palabre-hq");
    assert!(quickly("bundle", || read(&bundle)).is_ok(), "a real bundle reads");
    assert!(quickly("bundle", || palabre::exchange::ack::parse(&bundle)).is_err());
    assert!(quickly("bundle", || palabre::exchange::documents::read_enrollment(&bundle)).is_err());
    assert!(
        quickly("enrollment", || palabre::exchange::documents::read_enrollment(&enrollment))
            .is_ok()
    );
    assert!(quickly("enrollment", || read(&enrollment)).is_err());
    assert!(quickly("enrollment", || palabre::exchange::ack::parse(&enrollment)).is_err());
}

/// Every crasher kept for bundle_read, and every truncation and one-byte change of the seed
/// bundle (a bundle has one canonical layout, so any changed byte is refused), is refused by
/// all three readers, quickly.
#[test]
fn bundle_reader_crashers_and_damaged_bundles_are_refused() {
    let bundle = seed("seed-bundle.palabre");
    let mut damaged: Vec<(String, Vec<u8>)> = inputs("bundle_read");
    for cut in
        [0, 1, 4, 30, bundle.len() / 3, bundle.len() / 2, bundle.len() - 22, bundle.len() - 1]
    {
        damaged.push((format!("cut at {cut}"), bundle[..cut].to_vec()));
    }
    for at in (0..bundle.len()).step_by(97) {
        let mut changed = bundle.clone();
        changed[at] ^= 0x20;
        damaged.push((format!("byte {at} changed"), changed));
    }
    assert!(damaged.len() > 100, "{} inputs", damaged.len());
    for (name, bytes) in damaged {
        assert!(quickly(&name, || read(&bytes)).is_err(), "{name} was accepted as a bundle");
        assert!(quickly(&name, || palabre::exchange::ack::parse(&bytes)).is_err(), "{name}: ack");
        assert!(
            quickly(&name, || palabre::exchange::documents::read_enrollment(&bytes)).is_err(),
            "{name}: enrollment"
        );
    }
}

#[test]
fn ops_decoder_crashers_are_refused() {
    let found = inputs("ops_decode");
    assert!(!found.is_empty(), "the crashers found by the ops_decode fuzzer are kept here");
    for (name, bytes) in found {
        let split = bytes.iter().position(|&b| b == 0).expect("manifest NUL ops");
        let manifest: Manifest =
            serde_json::from_slice(&bytes[..split]).expect("the crasher's manifest parses");
        assert!(
            quickly(&name, || decode_ops(&bytes[split + 1..], &manifest)).is_err(),
            "{name} was accepted"
        );
    }
}
