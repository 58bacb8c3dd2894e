//! The whole bundle reader on arbitrary bytes: size, encryption marker, zip layout, manifest,
//! signature, checksum, ops. It must return Ok or a Rejection, never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = palabre::exchange::bundle::read(data);
    // Acknowledgement and enrollment files come from the same USB sticks.
    let _ = palabre::exchange::ack::parse(data);
    let _ = palabre::exchange::documents::read_enrollment(data);
});
