//! Reading a sheet's QR code back from a photo or a scan of the signed page (PNG or JPEG): which
//! session and which page it is. The file is held to limits before it is decoded — its size, its
//! width and height as its header states them, the memory the decoder may take — so that a
//! 200 MB photo or a small file that unpacks into a huge picture (a decompression bomb) is
//! refused, never expanded. The picture is turned grey, shrunk to at most 1,600 pixels on its
//! long side (five pixels a module on a whole sheet), and searched by `rqrr` in any
//! orientation; if nothing is found, again at 3,000 (a dozen pixels a module). Its thresholds
//! adapt to grey paper in a dim room (a test reads a photo whose contrast was cut to a fifth).
//! The code's corners also say how the picture lies (`Orientation`): the quarter turns and the
//! tilt that make it upright.

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
/// The long side it is searched at first (a code of 33 modules at 32 mm on an A4 sheet has
/// about five pixels a module there).
const QUICK_SIDE: u32 = 1_600;

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
    shrunk_for_search(&picture.to_luma8(), SEARCH_SIDE)
}

/// A grey picture at most `side` pixels on its long side, shrunk by the quick box sampling of
/// `imageops::thumbnail` (a filtered resize of a 6-megapixel photo took half a second; the code
/// reads as well from this).
fn shrunk_for_search(grey: &GrayImage, side: u32) -> GrayImage {
    let (w, h) = grey.dimensions();
    let long = w.max(h);
    if long <= side {
        return grey.clone();
    }
    let scale = side as f32 / long as f32;
    image::imageops::thumbnail(
        grey,
        ((w as f32 * scale) as u32).max(1),
        ((h as f32 * scale) as u32).max(1),
    )
}

/// The first sheet code on a picture, and how the picture lies (see `find_in_grey`).
pub fn find(picture: &DynamicImage) -> Option<(SheetCode, Orientation)> {
    find_in_grey(&picture.to_luma8())
}

/// The first sheet code on a grey picture, and how the picture lies: looked for first at
/// `QUICK_SIDE` (a quarter of the pixels: most photos of a whole sheet read there), then at
/// `SEARCH_SIDE`.
pub fn find_in_grey(grey: &GrayImage) -> Option<(SheetCode, Orientation)> {
    let quick = found_in(&shrunk_for_search(grey, QUICK_SIDE)).into_iter().next();
    if quick.is_some() || grey.width().max(grey.height()) <= QUICK_SIDE {
        return quick;
    }
    found_in(&shrunk_for_search(grey, SEARCH_SIDE)).into_iter().next()
}

/// The sheet codes `rqrr` finds in a grey picture, as it is (no limits, no shrinking).
pub fn codes_in(picture: &GrayImage) -> Vec<SheetCode> {
    found_in(picture).into_iter().map(|(code, _)| code).collect()
}

/// How a picture lies, as its sheet code shows it: the code's own left-to-right edge (`rqrr`'s
/// first two corners) points right on an upright sheet, down on one turned a quarter clockwise,
/// and so on; its angle to that direction is the tilt.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Orientation {
    /// Quarter turns clockwise that bring the picture nearest to upright (0 to 3).
    pub turns: u8,
    /// What is left once turned: degrees clockwise the sheet is tilted (−45 to 45).
    pub tilt_degrees: f32,
}

impl Orientation {
    /// From the direction (in the picture, y downwards) of the code's left-to-right edge.
    fn of_edge(dx: f32, dy: f32) -> Orientation {
        let angle = dy.atan2(dx).to_degrees();
        let quarters = (angle / 90.0).round();
        let turns = (4 - (quarters as i32).rem_euclid(4)) % 4;
        Orientation { turns: turns as u8, tilt_degrees: angle - quarters * 90.0 }
    }
}

/// The sheet codes in a grey picture, each with how the picture lies.
pub fn found_in(picture: &GrayImage) -> Vec<(SheetCode, Orientation)> {
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
            // The direction of the code's left-to-right edge, from all four of its edges (the
            // top and bottom ones, and the left and right ones turned a quarter back): four
            // measures of the same angle, each off by a pixel or so at the corners.
            let [a, b, c, d] = grid.bounds.map(|p| (p.x as f32, p.y as f32));
            let dx = (b.0 - a.0) + (c.0 - d.0) + (d.1 - a.1) + (c.1 - b.1);
            let dy = (b.1 - a.1) + (c.1 - d.1) - (d.0 - a.0) - (c.0 - b.0);
            Some((code, Orientation::of_edge(dx, dy)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::Orientation;

    #[test]
    fn the_code_edge_says_how_to_turn_and_how_much_tilt_is_left() {
        let of = |dx: f32, dy: f32| {
            let o = Orientation::of_edge(dx, dy);
            (o.turns, (o.tilt_degrees * 10.0).round() / 10.0)
        };
        assert_eq!(of(1.0, 0.0), (0, 0.0));
        // Right points down: a quarter turn clockwise was taken; three more make it upright.
        assert_eq!(of(0.0, 1.0), (3, 0.0));
        assert_eq!(of(-1.0, 0.0).0, 2);
        assert_eq!(of(0.0, -1.0), (1, 0.0));
        // Tilted 5° clockwise, then also turned a quarter.
        let five = 5f32.to_radians();
        assert_eq!(of(five.cos(), five.sin()), (0, 5.0));
        assert_eq!(of(-five.sin(), five.cos()), (3, 5.0));
        assert_eq!(of(five.cos(), -five.sin()), (0, -5.0));
    }
}

/// The sheet code on a photo or scan of a signed page: `Ok(None)` when the picture holds no
/// readable Palabre code (the person is asked which session it is); an error when the file is
/// not a picture Palabre reads, or exceeds the limits.
pub fn read_code(bytes: &[u8]) -> Result<Option<SheetCode>> {
    Ok(find(&decode_photo(bytes)?).map(|(code, _)| code))
}
