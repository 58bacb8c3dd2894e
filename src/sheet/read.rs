//! Reading a sheet's QR code back from a photo or a scan of the signed page (PNG or JPEG): which
//! session and which page it is. The file is held to limits before it is decoded — its size, its
//! width and height as its header states them, the memory the decoder may take — so that a
//! 200 MB photo or a small file that unpacks into a huge picture (a decompression bomb) is
//! refused, never expanded. The picture is turned grey, shrunk to at most 3,000 pixels on its
//! long side (a dozen pixels a module on a whole sheet), and searched by `rqrr` in any
//! orientation; its thresholds adapt to grey paper in a dim room (a test reads a photo whose
//! contrast was cut to a fifth).

use image::{DynamicImage, GrayImage, ImageReader, Limits};

use super::code::SheetCode;
use crate::error::{Error, Result};

/// Largest photo or scan accepted (a phone's full-resolution JPEG is 3–12 MB).
pub const MAX_FILE_BYTES: usize = 40 << 20;
/// Largest width or height accepted, as the file's header states it (a 108-megapixel phone
/// camera's is 12,000).
pub const MAX_SIDE: u32 = 12_000;
/// Memory the decoder may take.
const MAX_DECODE_BYTES: u64 = 400 << 20;
/// The long side the picture is searched at.
const SEARCH_SIDE: u32 = 3_000;

fn refused(reason: impl Into<String>) -> Error {
    Error::Photo { reason: reason.into() }
}

/// The picture in `bytes` (PNG or JPEG), within the limits, at its own size.
pub fn decode_photo(bytes: &[u8]) -> Result<DynamicImage> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(refused(format!(
            "it is {} MB; a photo of a sheet is at most {} MB. Send it again at a lower resolution",
            bytes.len() >> 20,
            MAX_FILE_BYTES >> 20
        )));
    }
    let mut reader = ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| refused(format!("it cannot be read ({e})")))?;
    match reader.format() {
        Some(image::ImageFormat::Png | image::ImageFormat::Jpeg) => {}
        _ => return Err(refused("it is not a PNG or JPEG picture")),
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => refused(format!(
            "its picture is larger than {MAX_SIDE} pixels a side or too big to open safely"
        )),
        other => refused(format!("its picture is damaged ({other})")),
    })
}

/// The picture searched for codes: grey, at most `SEARCH_SIDE` on its long side.
pub fn searchable(picture: &DynamicImage) -> GrayImage {
    let (w, h) = (picture.width(), picture.height());
    let long = w.max(h);
    let picture = if long > SEARCH_SIDE {
        let scale = SEARCH_SIDE as f32 / long as f32;
        picture.resize(
            ((w as f32 * scale) as u32).max(1),
            ((h as f32 * scale) as u32).max(1),
            image::imageops::FilterType::Triangle,
        )
    } else {
        picture.clone()
    };
    picture.to_luma8()
}

/// The sheet codes `rqrr` finds in a grey picture, as it is (no limits, no shrinking).
pub fn codes_in(picture: &GrayImage) -> Vec<SheetCode> {
    found_in(picture).into_iter().map(|(code, _)| code).collect()
}

/// How many quarter turns clockwise a picture needs to stand upright, as the code shows it:
/// the code's own left-to-right edge (`rqrr`'s first two corners) points right on an upright
/// sheet, down on one turned a quarter clockwise, and so on.
pub type QuarterTurns = u8;

/// The sheet codes in a grey picture, each with the quarter turns that make it upright.
pub fn found_in(picture: &GrayImage) -> Vec<(SheetCode, QuarterTurns)> {
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(
        picture.width() as usize,
        picture.height() as usize,
        |x, y| picture.get_pixel(x as u32, y as u32)[0],
    );
    prepared
        .detect_grids()
        .iter()
        .filter_map(|grid| {
            let (_, text) = grid.decode().ok()?;
            let code = SheetCode::parse(&text)?;
            let [a, b, ..] = grid.bounds;
            let (dx, dy) = (b.x - a.x, b.y - a.y);
            let turns = if dx.abs() >= dy.abs() {
                if dx > 0 { 0 } else { 2 }
            } else if dy > 0 {
                // Its right points down: turned a quarter clockwise, so three more make it upright.
                3
            } else {
                1
            };
            Some((code, turns))
        })
        .collect()
}

/// The sheet code on a photo or scan of a signed page: `Ok(None)` when the picture holds no
/// readable Palabre code (the person is asked which session it is); an error when the file is
/// not a picture Palabre reads, or exceeds the limits.
pub fn read_code(bytes: &[u8]) -> Result<Option<SheetCode>> {
    Ok(codes_in(&searchable(&decode_photo(bytes)?)).into_iter().next())
}
