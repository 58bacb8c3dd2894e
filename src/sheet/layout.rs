//! Drawing the sheet with krilla: page geometry, the repeated header, the table, the footer.

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Rect};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::surface::Surface;

use super::code::SheetCode;
use super::{SheetData, check_code};
use crate::i18n::{Lang, t};
use crate::pdf::{Fonts, line, shade, text, wrap};
use qrcode::canvas::MaskPattern;

/// A4 landscape, in points.
const WIDTH: f32 = 841.89;
const HEIGHT: f32 = 595.28;
const MARGIN: f32 = 28.0;
const HEADER_HEIGHT: f32 = 127.0;
const TABLE_HEADER: f32 = 22.0;
/// Tall enough for a signature or a thumbprint (11 mm).
const ROW: f32 = 31.0;
const FOOTER: f32 = 22.0;
/// Participant rows on each page (twelve, so that the header holds the QR code and every group).
pub const ROWS_PER_PAGE: usize = 12;
const TEXT_SIZE: f32 = 9.5;
/// Lines the stakeholder groups may take in the header.
const GROUP_LINES: usize = 6;
/// The QR code's side (32 mm), in the header's top right corner: 33 modules of 2.7 pt (0.96 mm),
/// four and a half pixels a module on a photo of the whole sheet shrunk to 1,400 pixels for a
/// messaging app (the test's worst case; at 27 mm it failed there for some masks), a dozen on a
/// phone's full photo. The page's white around it is its quiet zone: nothing is drawn within
/// 12 pt of it.
const QR_SIZE: f32 = 90.0;
const QR_GAP: f32 = 12.0;

/// Column widths (points) of: No., name, sex, age, role, community, phone, signature.
const COLUMNS: [f32; 8] = [30.0, 176.0, 52.0, 34.0, 130.0, 110.0, 92.0, 161.89];

/// The page's QR code (see `sheet::code`): each dark module a filled square, runs of them drawn
/// as one rectangle, in one path. (Drawn as a tiny image scaled up instead, a viewer
/// smooths its edges and a shrunk photo of it no longer reads; vector squares stay sharp.)
fn qr_code(surface: &mut Surface<'_>, code: &SheetCode, mask: MaskPattern) {
    let modules = code.modules_masked(mask);
    let size = QR_SIZE / modules.len() as f32;
    let (left, top) = (WIDTH - MARGIN - QR_SIZE, MARGIN + 2.0);
    // Runs of dark modules per row; a run that repeats exactly in the rows below (the finder
    // patterns' bars, long strokes) grows into one taller rectangle.
    let mut open: Vec<(usize, usize, usize, usize)> = Vec::new(); // (start, end, first row, rows)
    let mut rects: Vec<(usize, usize, usize, usize)> = Vec::new();
    for (y, row) in modules.iter().enumerate() {
        let mut runs = Vec::new();
        let mut x = 0;
        while x < row.len() {
            if row[x] {
                let start = x;
                while x < row.len() && row[x] {
                    x += 1;
                }
                runs.push((start, x));
            } else {
                x += 1;
            }
        }
        let mut next = Vec::with_capacity(runs.len());
        for (start, end) in runs {
            match open.iter().position(|r| r.0 == start && r.1 == end) {
                Some(i) => {
                    let r = open.swap_remove(i);
                    next.push((start, end, r.2, r.3 + 1));
                }
                None => next.push((start, end, y, 1)),
            }
        }
        rects.append(&mut open);
        open = next;
    }
    rects.append(&mut open);
    // In module units (small whole numbers: a short content stream), scaled into place.
    let mut path = PathBuilder::new();
    for (start, end, row, rows) in rects {
        let rect = Rect::from_xywh(start as f32, row as f32, (end - start) as f32, rows as f32);
        path.push_rect(rect.expect("a module"));
    }
    if let Some(path) = path.finish() {
        surface.push_transform(&krilla::geom::Transform::from_row(size, 0.0, 0.0, size, left, top));
        surface.set_stroke(None);
        surface.set_fill(Some(Fill {
            paint: rgb::Color::black().into(),
            opacity: NormalizedF32::ONE,
            ..Default::default()
        }));
        surface.draw_path(&path);
        surface.pop();
    }
}

/// The header of every page: title, programme, session, dates, place, facilitator, groups, and
/// the page's QR code in the top right corner.
fn header(
    surface: &mut Surface<'_>,
    fonts: &Fonts,
    data: &SheetData,
    lang: Lang,
    code: &SheetCode,
    mask: MaskPattern,
) {
    qr_code(surface, code, mask);
    let tr = |key: &str| t(lang, key, &[]);
    text(surface, &fonts.bold, 16.0, MARGIN, MARGIN + 14.0, &tr("sheet.title"));
    let blank = data.title.is_empty();
    let field =
        |value: &str| if blank || value.is_empty() { "_".repeat(34) } else { value.to_string() };
    let left = [
        (tr("sheet.programme"), field(&data.programme)),
        (tr("sheet.session"), field(&data.title)),
        (tr("sheet.dates"), field(&data.dates)),
        (tr("sheet.place"), field(&data.place)),
    ];
    let half = (WIDTH - 2.0 * MARGIN) / 2.0;
    let top = MARGIN + 36.0;
    let label_at = |surface: &mut Surface<'_>, x: f32, y: f32, label: &str| -> f32 {
        let label = format!("{label} :");
        text(surface, &fonts.bold, 10.0, x, y, &label);
        fonts.width(&label, 10.0, true) + 6.0
    };
    for (i, (label, value)) in left.iter().enumerate() {
        let y = top + i as f32 * 16.0;
        let offset = label_at(surface, MARGIN, y, label);
        let value = wrap(fonts, value, 10.0, half - offset - 12.0, 1).pop().unwrap_or_default();
        text(surface, &fonts.regular, 10.0, MARGIN + offset, y, &value);
    }
    // Right, left of the QR code: the facilitator, then every stakeholder group, wrapped (up to
    // six lines: all nine groups fit in French), never cut.
    let x = MARGIN + half;
    let right = half - QR_SIZE - QR_GAP;
    let offset = label_at(surface, x, top, &tr("sheet.facilitator"));
    let value = wrap(fonts, &field(&data.facilitator), 10.0, right - offset, 1);
    text(surface, &fonts.regular, 10.0, x + offset, top, &value.concat());
    let offset = label_at(surface, x, top + 16.0, &tr("sheet.groups"));
    let groups = wrap(fonts, &field(&data.groups), 9.5, right - offset, GROUP_LINES);
    for (i, line) in groups.iter().enumerate() {
        text(surface, &fonts.regular, 9.5, x + offset, top + 16.0 + i as f32 * 11.5, line);
    }
    if blank {
        let label = tr("sheet.blank_sheet");
        let at = WIDTH - MARGIN - QR_SIZE - QR_GAP - fonts.width(&label, 8.5, false);
        text(surface, &fonts.regular, 8.5, at, MARGIN + 14.0, &label);
    }
}

fn table_header(surface: &mut Surface<'_>, fonts: &Fonts, top: f32, lang: Lang) {
    let labels = [
        "sheet.no",
        "field.full_name",
        "field.sex",
        "field.age_short",
        "field.role",
        "field.community",
        "field.phone",
        "sheet.signature",
    ];
    shade(
        surface,
        Rect::from_xywh(MARGIN, top, WIDTH - 2.0 * MARGIN, TABLE_HEADER).expect("header rect"),
    );
    let mut x = MARGIN;
    for (label, width) in labels.iter().zip(COLUMNS) {
        let label =
            wrap(fonts, &t(lang, label, &[]), 9.0, width - 6.0, 1).pop().unwrap_or_default();
        text(surface, &fonts.bold, 9.0, x + 3.0, top + 15.0, &label);
        x += width;
    }
}

fn grid(surface: &mut Surface<'_>, top: f32, rows: usize) {
    let bottom = top + TABLE_HEADER + rows as f32 * ROW;
    let right = WIDTH - MARGIN;
    line(surface, MARGIN, top, right, top, 1.0);
    line(surface, MARGIN, top + TABLE_HEADER, right, top + TABLE_HEADER, 1.0);
    for r in 1..=rows {
        let y = top + TABLE_HEADER + r as f32 * ROW;
        line(surface, MARGIN, y, right, y, 0.5);
    }
    let mut x = MARGIN;
    line(surface, x, top, x, bottom, 1.0);
    for width in COLUMNS {
        x += width;
        line(surface, x, top, x, bottom, if x >= right - 0.5 { 1.0 } else { 0.5 });
    }
}

/// Draws the sheet; returns the PDF bytes.
pub fn render(data: &SheetData, lang: Lang) -> Vec<u8> {
    let fonts = Fonts::load();
    let total_rows = data.lines.len() + data.blank_rows;
    let pages = total_rows.div_ceil(ROWS_PER_PAGE).max(1);
    let mut document = Document::new();
    let code = data
        .session_id
        .map(|id| t(lang, "sheet.check", &[("id", id.to_string()), ("code", check_code(id))]));
    let totals = t(
        lang,
        "sheet.totals",
        &[("registered", data.lines.len().to_string()), ("blank", data.blank_rows.to_string())],
    );
    // The QR codes' mask, chosen once for the sheet (see `SheetCode::best_mask`).
    let mask = SheetCode::new(data.session_id, 1, pages).best_mask();
    for page_index in 0..pages {
        let mut page =
            document.start_page_with(PageSettings::from_wh(WIDTH, HEIGHT).expect("A4 landscape"));
        let mut surface = page.surface();
        let page_code = SheetCode::new(data.session_id, page_index + 1, pages);
        header(&mut surface, &fonts, data, lang, &page_code, mask);
        let top = MARGIN + HEADER_HEIGHT;
        table_header(&mut surface, &fonts, top, lang);
        let first = page_index * ROWS_PER_PAGE;
        let rows = (total_rows - first).min(ROWS_PER_PAGE);
        for r in 0..rows {
            let number = first + r + 1;
            let y = top + TABLE_HEADER + r as f32 * ROW;
            let mut x = MARGIN;
            let mut cell = |surface: &mut Surface<'_>, width: f32, value: &str, lines: usize| {
                let wrapped = wrap(&fonts, value, TEXT_SIZE, width - 6.0, lines);
                let count = wrapped.len().max(1) as f32;
                let start = y + ROW / 2.0 - (count - 1.0) * 6.0 + 3.5;
                for (i, part) in wrapped.iter().enumerate() {
                    text(
                        surface,
                        &fonts.regular,
                        TEXT_SIZE,
                        x + 3.0,
                        start + i as f32 * 12.0,
                        part,
                    );
                }
                x += width;
            };
            cell(&mut surface, COLUMNS[0], &number.to_string(), 1);
            if let Some(l) = data.lines.get(number - 1) {
                let age = l.age.map(|a| a.to_string()).unwrap_or_default();
                for (width, value, lines) in [
                    (COLUMNS[1], l.full_name.as_str(), 2),
                    (COLUMNS[2], l.sex.as_str(), 1),
                    (COLUMNS[3], age.as_str(), 1),
                    (COLUMNS[4], l.role.as_str(), 2),
                    (COLUMNS[5], l.community.as_str(), 2),
                ] {
                    cell(&mut surface, width, value, lines);
                }
            }
        }
        grid(&mut surface, top, rows);
        let footer_y = HEIGHT - MARGIN + 4.0 - FOOTER / 2.0;
        let page_text = t(
            lang,
            "sheet.page",
            &[("page", (page_index + 1).to_string()), ("pages", pages.to_string())],
        );
        text(
            &mut surface,
            &fonts.bold,
            9.0,
            WIDTH - MARGIN - fonts.width(&page_text, 9.0, true),
            footer_y,
            &page_text,
        );
        text(&mut surface, &fonts.regular, 8.0, MARGIN, footer_y, code.as_deref().unwrap_or(""));
        text(
            &mut surface,
            &fonts.regular,
            8.0,
            WIDTH / 2.0 - fonts.width(&totals, 8.0, false) / 2.0,
            footer_y,
            &totals,
        );
        surface.finish();
        page.finish();
    }
    document.finish().expect("the sheet is a valid PDF")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_wrap_onto_two_lines_and_no_further() {
        let fonts = Fonts::load();
        let lines = wrap(
            &fonts,
            "Fatoumata Aïssata Ɲɛnɛ Walet Mohamed Haïdara Traoré Coulibaly",
            9.5,
            120.0,
            2,
        );
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(lines.iter().all(|l| fonts.width(l, 9.5, false) <= 120.0), "{lines:?}");
        assert_eq!(wrap(&fonts, "Awa Diarra", 9.5, 120.0, 2), ["Awa Diarra"]);
        let cut = wrap(&fonts, "Ouagadougou-Bamako-Tombouctou-Gao-Kidal", 9.5, 60.0, 1);
        assert!(cut[0].ends_with('…') && fonts.width(&cut[0], 9.5, false) <= 60.0, "{cut:?}");
    }
}
