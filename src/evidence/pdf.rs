//! Scans of signed sheets (PDF), read with `lopdf`: parsed within limits (the file's size, and
//! what each compressed stream may unpack to), refused when encrypted or when anything in it can
//! run or open something (JavaScript, actions, launch, links to addresses, forms, embedded or
//! attached files, rich media, sound, movies), then searched for the pictures a scanner puts on
//! its pages (JPEG streams) so that their sheet code can be read. The PDF is kept as it is.
//!
//! Limits of these checks: lopdf parses leniently, and skips an object it cannot parse that a
//! PDF viewer might still read; each compressed stream is limited, not their sum (a 20 MB file
//! of many object streams may take a few hundred MB while it is parsed).

use lopdf::{Document, LoadOptions, Object};

use super::media::MAX_PDF_BYTES;
use crate::error::{Error, Result};

/// What each compressed stream of a scan may unpack to while it is parsed.
const MAX_STREAM_BYTES: usize = 16 << 20;
/// Pictures searched for a sheet code, at most.
const MAX_PICTURES: usize = 40;

/// Names that make a PDF more than a picture of paper.
const ACTIVE: &[&[u8]] = &[
    b"JS",
    b"JavaScript",
    b"AA",
    b"OpenAction",
    b"Launch",
    b"SubmitForm",
    b"ImportData",
    b"EmbeddedFile",
    b"EmbeddedFiles",
    b"RichMedia",
    b"XFA",
    b"GoToR",
    b"GoToE",
    b"URI",
    b"EF",
    b"FileAttachment",
    b"AcroForm",
    b"Named",
    b"Rendition",
    b"Sound",
    b"Movie",
];

/// A scan that passed the checks.
#[derive(Debug)]
pub struct Scan {
    pub pages: usize,
    /// The JPEG pictures in it, in object order (at most `MAX_PICTURES`).
    pub pictures: Vec<Vec<u8>>,
}

fn refused(reason: impl Into<String>) -> Error {
    Error::Photo { reason: reason.into() }
}

/// A name of `ACTIVE` used as a key or a value anywhere in `object`.
fn active(object: &Object, depth: usize) -> Option<String> {
    if depth > 64 {
        return Some("nesting too deep".into());
    }
    let named =
        |name: &[u8]| ACTIVE.contains(&name).then(|| String::from_utf8_lossy(name).into_owned());
    match object {
        Object::Name(name) => named(name),
        Object::Array(items) => items.iter().find_map(|o| active(o, depth + 1)),
        Object::Dictionary(dict) => {
            dict.iter().find_map(|(key, value)| named(key).or_else(|| active(value, depth + 1)))
        }
        Object::Stream(stream) => stream
            .dict
            .iter()
            .find_map(|(key, value)| named(key).or_else(|| active(value, depth + 1))),
        _ => None,
    }
}

/// Checks a scan and finds its pictures (see the module doc).
pub fn inspect(bytes: &[u8]) -> Result<Scan> {
    if bytes.len() > MAX_PDF_BYTES {
        return Err(refused(format!(
            "the scan is {} MB; Palabre keeps scans of at most {} MB. Scan again in black and white or at 200 dpi",
            bytes.len() >> 20,
            MAX_PDF_BYTES >> 20
        )));
    }
    let options = LoadOptions::with_max_decompressed_size(MAX_STREAM_BYTES);
    let doc = Document::load_mem_with_options(bytes, options)
        .map_err(|e| refused(format!("the PDF cannot be read ({e})")))?;
    // lopdf opens a PDF locked with an empty password by itself: such a file was encrypted too.
    if doc.is_encrypted() || doc.was_encrypted() {
        return Err(refused("the PDF is locked with a password; scan it again without one"));
    }
    for object in doc.objects.values() {
        if let Some(name) = active(object, 0) {
            return Err(refused(format!(
                "the PDF holds a script, an action or an embedded file (/{name}); \
                 a scan is only pictures of pages. Print it to a new PDF or photograph the sheet"
            )));
        }
    }
    let pages = doc.get_pages().len();
    if pages == 0 {
        return Err(refused("the PDF has no page"));
    }
    let pictures = doc
        .objects
        .values()
        .filter_map(|object| match object {
            Object::Stream(stream) => Some(stream),
            _ => None,
        })
        .filter(|stream| {
            stream.dict.get(b"Subtype").and_then(Object::as_name).is_ok_and(|n| n == b"Image")
                && stream.filters().is_ok_and(|f| f == [b"DCTDecode".as_slice()])
        })
        .take(MAX_PICTURES)
        .map(|stream| stream.content.clone())
        .collect();
    Ok(Scan { pages, pictures })
}
