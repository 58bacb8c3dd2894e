//! Every input the fuzzers (fuzz/) ever found crashing or hanging the readers, kept in
//! tests/fuzz-crashers/<target>/: each must now be refused with an error, quickly.

use std::path::Path;
use std::time::{Duration, Instant};

use palabre::sync::bundle::{Manifest, decode_ops, read};

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

#[test]
fn bundle_reader_crashers_are_refused() {
    for (name, bytes) in inputs("bundle_read") {
        assert!(quickly(&name, || read(&bytes)).is_err(), "{name} was accepted");
        quickly(&name, || palabre::hq::ack::parse(&bytes).is_err());
        quickly(&name, || palabre::hq::keys::read_enrollment(&bytes).is_err());
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
