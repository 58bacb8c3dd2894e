//! Drawing PDFs with krilla, for the attendance sheets and the donor report: the embedded Noto
//! Sans fonts, text measured and wrapped, lines and filled rectangles.

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::num::NormalizedF32;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use unicode_normalization::UnicodeNormalization;

const REGULAR: &[u8] = include_bytes!("../assets/fonts/NotoSans-Regular.ttf");
const BOLD: &[u8] = include_bytes!("../assets/fonts/NotoSans-Bold.ttf");

/// NFC-composed text: names typed or imported in decomposed form print as single letters.
pub fn composed(text: &str) -> String {
    text.nfc().collect()
}

pub struct Fonts {
    pub regular: Font,
    pub bold: Font,
    regular_face: ttf_parser::Face<'static>,
    bold_face: ttf_parser::Face<'static>,
}

impl Fonts {
    pub fn load() -> Fonts {
        Fonts {
            regular: Font::new(REGULAR.to_vec().into(), 0).expect("embedded Noto Sans Regular"),
            bold: Font::new(BOLD.to_vec().into(), 0).expect("embedded Noto Sans Bold"),
            regular_face: ttf_parser::Face::parse(REGULAR, 0).expect("embedded Noto Sans Regular"),
            bold_face: ttf_parser::Face::parse(BOLD, 0).expect("embedded Noto Sans Bold"),
        }
    }

    /// Width of `text` at `size` (sum of advances; enough to decide where lines break).
    pub fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        let face = if bold { &self.bold_face } else { &self.regular_face };
        let units: u32 = text
            .chars()
            .map(|c| {
                face.glyph_index(c).and_then(|g| face.glyph_hor_advance(g)).map_or(500, u32::from)
            })
            .sum();
        units as f32 * size / f32::from(face.units_per_em())
    }
}

/// Splits `text` into at most `max_lines` lines that fit `width`; the last one is cut with "…".
pub fn wrap(fonts: &Fonts, text: &str, size: f32, width: f32, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let candidate =
            if current.is_empty() { word.to_string() } else { format!("{current} {word}") };
        if fonts.width(&candidate, size, false) <= width || current.is_empty() {
            current = candidate;
        } else {
            lines.push(std::mem::take(&mut current));
            current = word.to_string();
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    if lines.len() > max_lines {
        let rest = lines.split_off(max_lines - 1).join(" ");
        lines.push(rest);
    }
    for line in &mut lines {
        if fonts.width(line, size, false) <= width {
            continue;
        }
        // Too long even alone: cut letters until it fits with an ellipsis.
        let mut kept: String = line.clone();
        while !kept.is_empty() && fonts.width(&format!("{kept}…"), size, false) > width {
            kept.pop();
        }
        *line = format!("{}…", kept.trim_end());
    }
    lines
}

pub fn text(surface: &mut Surface<'_>, font: &Font, size: f32, x: f32, y: f32, content: &str) {
    surface.set_fill(Some(Fill::default()));
    surface.draw_text(
        Point::from_xy(x, y),
        font.clone(),
        size,
        &composed(content),
        false,
        TextDirection::Auto,
    );
}

pub fn line(surface: &mut Surface<'_>, x1: f32, y1: f32, x2: f32, y2: f32, width: f32) {
    let mut path = PathBuilder::new();
    path.move_to(x1, y1);
    path.line_to(x2, y2);
    if let Some(path) = path.finish() {
        surface.set_fill(None);
        surface.set_stroke(Some(Stroke { width, ..Default::default() }));
        surface.draw_path(&path);
        surface.set_stroke(None);
    }
}

/// Fills `rect` with the sheets' light sand colour.
pub fn shade(surface: &mut Surface<'_>, rect: Rect) {
    fill(surface, rect, (236, 231, 220));
}

/// Fills `rect` with a colour (red, green, blue).
pub fn fill(surface: &mut Surface<'_>, rect: Rect, (r, g, b): (u8, u8, u8)) {
    let mut path = PathBuilder::new();
    path.push_rect(rect);
    if let Some(path) = path.finish() {
        surface.set_stroke(None);
        surface.set_fill(Some(Fill {
            paint: rgb::Color::new(r, g, b).into(),
            opacity: NormalizedF32::ONE,
            ..Default::default()
        }));
        surface.draw_path(&path);
    }
}
