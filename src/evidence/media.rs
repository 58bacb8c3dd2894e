//! What becomes of a file before it is kept as evidence. A photo (PNG or JPEG) is decoded within
//! the limits of `sheet::read`, its sheet code is looked for, it is turned upright by the quarter
//! turns the code shows and straightened by the tilt left (`imageproc`), made grey, and
//! recompressed as a JPEG until it fits the budget of a page (`PAGE_BUDGET`). A scan (PDF) is kept as it is, once it is known to hold no script,
//! action or embedded file (`pdf`). Either way a small thumbnail is made for the session page.
//!
//! Files that arrive in bundles are held to `check_received`: the same kinds, the same limits,
//! and no script — a trusted laptop may run a modified build.

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, GrayImage, ImageReader};

use super::pdf;
use crate::error::{Error, Result};
use crate::sheet::code::SheetCode;
use crate::sheet::read;

/// The most a page's photo may weigh once recompressed: a month of sheets (twenty sessions of
/// two pages) stays under 12 MB.
pub const PAGE_BUDGET: usize = 300 << 10;
/// Largest scan (PDF) kept: PDFs are kept as they are, not recompressed.
pub const MAX_PDF_BYTES: usize = 20 << 20;
/// The long sides tried, largest first, with the JPEG quality of each try.
const TRIES: &[(u32, u8)] =
    &[(2400, 80), (2400, 68), (2000, 68), (2000, 55), (1600, 55), (1300, 50), (1000, 45)];
/// The smallest tilt straightened, in degrees.
const MIN_TILT: f32 = 0.5;
/// The thumbnail's long side.
const THUMBNAIL_SIDE: u32 = 240;

pub const JPEG: &str = "image/jpeg";
pub const PDF: &str = "application/pdf";

/// A file made ready to keep.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub bytes: Vec<u8>,
    pub media_type: &'static str,
    /// The sheet code found on it (the first, on a scan of several pages).
    pub code: Option<SheetCode>,
    /// Pages of a scan; 1 for a photo.
    pub pages: usize,
    /// Quarter turns (clockwise) the photo was given to stand upright (its tilt, if any, is
    /// straightened too).
    pub turned: u8,
    /// Size of the file as it was given.
    pub original_size: usize,
    pub thumbnail: Option<Vec<u8>>,
}

fn refused(reason: impl Into<String>) -> Error {
    Error::Photo { reason: reason.into() }
}

fn is_pdf(bytes: &[u8]) -> bool {
    bytes.starts_with(b"%PDF-")
}

/// Makes a photo or scan ready to keep (see the module doc).
pub fn prepare(bytes: &[u8]) -> Result<Prepared> {
    if is_pdf(bytes) {
        let scan = pdf::inspect(bytes)?;
        let (code, thumbnail) = match scan.pictures.iter().find_map(|jpeg| {
            let picture = read::decode_photo(jpeg).ok()?;
            let code = read::find(&picture).map(|(code, _)| code);
            Some((code, thumbnail(&picture)))
        }) {
            Some((code, thumb)) => (code, thumb.ok()),
            None => (None, None),
        };
        return Ok(Prepared {
            bytes: bytes.to_vec(),
            media_type: PDF,
            code,
            pages: scan.pages,
            turned: 0,
            original_size: bytes.len(),
            thumbnail,
        });
    }
    let grey = read::decode_photo(bytes)?.to_luma8();
    let found = read::find_in_grey(&grey);
    let orientation = found.as_ref().map(|(_, o)| *o);
    let turned = orientation.map_or(0, |o| o.turns);
    let mut grey = match turned {
        1 => image::imageops::rotate90(&grey),
        2 => image::imageops::rotate180(&grey),
        3 => image::imageops::rotate270(&grey),
        _ => grey,
    };
    // A tilt of more than half a degree is straightened too (white where the corners turn in),
    // at the photo's own size, before it is shrunk: interpolating there keeps the code and the
    // handwriting sharp.
    if let Some(tilt) = orientation.map(|o| o.tilt_degrees).filter(|t| t.abs() > MIN_TILT) {
        grey = imageproc::geometric_transformations::rotate_about_center(
            &grey,
            -tilt.to_radians(),
            imageproc::geometric_transformations::Interpolation::Bilinear,
            imageproc::geometric_transformations::Border::Constant(image::Luma([255])),
        );
    }
    let grey = DynamicImage::ImageLuma8(grey);
    let jpeg = within_budget(&grey)?;
    Ok(Prepared {
        thumbnail: thumbnail(&grey).ok(),
        bytes: jpeg,
        media_type: JPEG,
        code: found.map(|(code, _)| code),
        pages: 1,
        turned,
        original_size: bytes.len(),
    })
}

fn shrunk(picture: &DynamicImage, side: u32) -> DynamicImage {
    if picture.width().max(picture.height()) <= side {
        picture.clone()
    } else {
        // Area sampling (`thumbnail`): as good as a filtered resize for a downscale, and a
        // fraction of its time.
        picture.thumbnail(side, side)
    }
}

fn encode(picture: &DynamicImage, quality: u8) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(picture)
        .map_err(|e| refused(format!("it could not be recompressed ({e})")))?;
    Ok(out)
}

/// The largest and best of `TRIES` that fits `PAGE_BUDGET` (the last one otherwise). Each size
/// is made once, from the picture as it is.
fn within_budget(picture: &DynamicImage) -> Result<Vec<u8>> {
    let mut last = Vec::new();
    let mut sized: Option<(u32, DynamicImage)> = None;
    for &(side, quality) in TRIES {
        if sized.as_ref().is_none_or(|(s, _)| *s != side) {
            sized = Some((side, shrunk(picture, side)));
        }
        let (_, small) = sized.as_ref().expect("made above");
        last = encode(small, quality)?;
        if last.len() <= PAGE_BUDGET {
            break;
        }
    }
    Ok(last)
}

fn thumbnail(picture: &DynamicImage) -> Result<Vec<u8>> {
    let small = picture.thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE);
    encode(&DynamicImage::ImageLuma8(small.to_luma8()), 60)
}

/// A thumbnail of a kept file (a file that arrived in a bundle: each copy makes its own).
pub fn thumbnail_of(bytes: &[u8], media_type: &str) -> Option<Vec<u8>> {
    let picture = if media_type == PDF {
        let scan = pdf::inspect(bytes).ok()?;
        scan.pictures.iter().find_map(|jpeg| read::decode_photo(jpeg).ok())?
    } else {
        read::decode_photo(bytes).ok()?
    };
    thumbnail(&picture).ok()
}

/// The type a kept file is, from its first bytes: a PDF, else a JPEG (the only two kept; a file
/// that arrived in a bundle has passed `check_received`).
pub fn media_type_of(bytes: &[u8]) -> &'static str {
    if is_pdf(bytes) { PDF } else { JPEG }
}

/// A photo made within the limits and recompressed to the page budget, for showing one that is
/// larger than it should be.
pub fn rendition(bytes: &[u8]) -> Option<Vec<u8>> {
    let picture = read::decode_photo(bytes).ok()?;
    within_budget(&DynamicImage::ImageLuma8(picture.to_luma8())).ok()
}

/// Whether a file that arrived in a bundle may be kept as evidence of `media_type`: a JPEG
/// whose header is within the photo limits, or a PDF that passes `pdf::inspect`. The reason
/// otherwise.
pub fn check_received(bytes: &[u8], media_type: Option<&str>) -> std::result::Result<(), String> {
    let is_jpeg = bytes.starts_with(&[0xFF, 0xD8, 0xFF]);
    match media_type {
        Some(JPEG) if !is_jpeg => return Err("it is said to be a JPEG and is not".into()),
        Some(PDF) if !is_pdf(bytes) => return Err("it is said to be a PDF and is not".into()),
        _ => {}
    }
    if is_jpeg {
        if bytes.len() > read::MAX_FILE_BYTES {
            return Err("the photo is larger than Palabre accepts".into());
        }
        let (w, h) =
            ImageReader::with_format(std::io::Cursor::new(bytes), image::ImageFormat::Jpeg)
                .into_dimensions()
                .map_err(|e| format!("the photo cannot be read ({e})"))?;
        if w.max(h) > read::MAX_SIDE {
            return Err("the photo's picture is larger than Palabre opens".into());
        }
        Ok(())
    } else if is_pdf(bytes) {
        pdf::inspect(bytes).map(drop).map_err(|e| e.to_string())
    } else {
        Err("it is neither a JPEG photo nor a PDF scan".into())
    }
}

/// A grey picture of a file, for tests and the report: the photo as kept.
pub fn grey(bytes: &[u8]) -> Result<GrayImage> {
    Ok(read::decode_photo(bytes)?.to_luma8())
}
