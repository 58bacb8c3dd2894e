//! The code printed on every page of an attendance sheet, as a QR code in the header's corner:
//! which session the sheet is for, its check code, and which page of how many. A photo or scan of
//! the signed sheet is filed under its session and page by reading it back (issue 20).
//!
//! The text uses only QR's alphanumeric characters (digits, capitals and `:`), which QR packs at
//! 5.5 bits a character, and as few of them as it can, so that the code stays small (version 4,
//! 33 modules) at a high error-correction level and each module large:
//! `PLB1:<SESSION UUID, 32 HEX DIGITS>:<CHECK CODE, 6>:<PAGE>:<PAGES>`, or
//! `PLB1:BLANK:<PAGE>:<PAGES>` on a blank sheet (its session is asked for when its photo comes
//! back). The check code is the one printed in the footer, without its hyphen.

use qrcode::bits::Bits;
use qrcode::canvas::{Canvas, MaskPattern};
use qrcode::{EcLevel, QrCode, Version};

use crate::model::ids::SessionId;

const PREFIX: &str = "PLB1:";

/// What a sheet's QR code says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetCode {
    /// None on a blank sheet.
    pub session: Option<SessionId>,
    /// The session's check code (`super::check_code`), printed beside its id on every page.
    pub check: Option<String>,
    /// 1-based.
    pub page: usize,
    pub pages: usize,
}

impl SheetCode {
    pub fn new(session: Option<SessionId>, page: usize, pages: usize) -> SheetCode {
        SheetCode { session, check: session.map(super::check_code), page, pages }
    }

    /// The text the QR code holds.
    pub fn text(&self) -> String {
        match self.session {
            Some(id) => format!(
                "{PREFIX}{}:{}:{}:{}",
                id.0.simple().to_string().to_uppercase(),
                self.check.clone().unwrap_or_else(|| super::check_code(id)).replace('-', ""),
                self.page,
                self.pages
            ),
            None => format!("{PREFIX}BLANK:{}:{}", self.page, self.pages),
        }
    }

    /// Reads a QR code's text back; None for anything that is not a Palabre sheet's code, or a
    /// session code whose check code does not match its id (a misread, or a code made by hand).
    pub fn parse(text: &str) -> Option<SheetCode> {
        let rest = text.trim().strip_prefix(PREFIX)?;
        let parts: Vec<&str> = rest.split(':').collect();
        let page = |p: &str, n: &str| -> Option<(usize, usize)> {
            let (page, pages) = (p.parse().ok()?, n.parse().ok()?);
            (page >= 1 && page <= pages).then_some((page, pages))
        };
        match parts.as_slice() {
            ["BLANK", p, n] => {
                let (page, pages) = page(p, n)?;
                Some(SheetCode { session: None, check: None, page, pages })
            }
            [id, check, p, n] if id.len() == 32 => {
                let session = SessionId(uuid::Uuid::try_parse(id).ok()?);
                let expected = super::check_code(session);
                if expected.replace('-', "") != *check {
                    return None;
                }
                let (page, pages) = page(p, n)?;
                Some(SheetCode { session: Some(session), check: Some(expected), page, pages })
            }
            _ => None,
        }
    }

    /// The QR code's modules, row by row (`true` is dark), without the quiet zone, masked as the
    /// QR library's penalty rules choose. Error correction at level Q: a quarter of the code may
    /// be lost to a fold, a stain or a thumbprint and it still reads.
    pub fn modules(&self) -> Vec<Vec<bool>> {
        let text = self.text();
        let version = version_for(&text);
        let code =
            QrCode::with_version(&text, version, EcLevel::Q).expect("a sheet code fits a QR code");
        rows(code.to_colors(), code.width())
    }

    /// The mask the library's penalty rules choose for this code. Choosing it takes the library
    /// half a millisecond (it scores all eight); the pages of one sheet differ only in their page
    /// number, so a sheet chooses once, on its first page, and `modules_masked` every page with it.
    pub fn best_mask(&self) -> MaskPattern {
        let best = self.modules();
        MASKS
            .into_iter()
            .find(|mask| self.modules_masked(*mask) == best)
            .expect("the chosen mask is one of the eight")
    }

    /// The QR code's modules with `mask` (any of the eight makes a valid code).
    pub fn modules_masked(&self, mask: MaskPattern) -> Vec<Vec<bool>> {
        let text = self.text();
        let version = version_for(&text);
        let mut bits = Bits::new(version);
        bits.push_optimal_data(text.as_bytes()).expect("a sheet code fits a QR code");
        bits.push_terminator(EcLevel::Q).expect("a sheet code fits a QR code");
        let (data, ec) = qrcode::ec::construct_codewords(&bits.into_bytes(), version, EcLevel::Q)
            .expect("a sheet code fits a QR code");
        let mut canvas = Canvas::new(version, EcLevel::Q);
        canvas.draw_all_functional_patterns();
        canvas.draw_data(&data, &ec);
        canvas.apply_mask(mask);
        rows(canvas.into_colors(), usize::try_from(version.width()).expect("a QR width"))
    }
}

const MASKS: [MaskPattern; 8] = [
    MaskPattern::Checkerboard,
    MaskPattern::HorizontalLines,
    MaskPattern::VerticalLines,
    MaskPattern::DiagonalLines,
    MaskPattern::LargeCheckerboard,
    MaskPattern::Fields,
    MaskPattern::Diamonds,
    MaskPattern::Meadow,
];

/// Version 4 (33 modules) when it holds the text — any sheet Palabre prints — else the smallest
/// that does.
fn version_for(text: &str) -> Version {
    let fits = |v: i16| {
        let mut bits = Bits::new(Version::Normal(v));
        bits.push_optimal_data(text.as_bytes()).is_ok() && bits.push_terminator(EcLevel::Q).is_ok()
    };
    (4..=40)
        .map(Version::Normal)
        .find(|v| match v {
            Version::Normal(n) => fits(*n),
            Version::Micro(_) => false,
        })
        .expect("a sheet code fits a QR code")
}

fn rows(colors: Vec<qrcode::Color>, width: usize) -> Vec<Vec<bool>> {
    colors
        .chunks(width)
        .map(|row| row.iter().map(|c| *c == qrcode::Color::Dark).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sheet_code_reads_back_and_refuses_what_is_not_one() {
        let id = SessionId(uuid::Uuid::now_v7());
        let code = SheetCode::new(Some(id), 2, 3);
        let text = code.text();
        assert!(
            text.chars().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase() || ":-".contains(c))
        );
        assert_eq!(SheetCode::parse(&text), Some(code.clone()));
        let blank = SheetCode::new(None, 1, 1);
        assert_eq!(SheetCode::parse(&blank.text()), Some(blank));
        // Another session's check code, a page beyond the count, someone else's QR code.
        let other = SessionId(uuid::Uuid::now_v7());
        let forged = text.replace(
            &super::super::check_code(id).replace('-', ""),
            &super::super::check_code(other).replace('-', ""),
        );
        assert_eq!(SheetCode::parse(&forged), None);
        assert_eq!(SheetCode::parse(&text.replace(":2:3", ":4:3")), None);
        assert_eq!(SheetCode::parse("https://example.org/"), None);
        assert_eq!(SheetCode::parse("PLB1:NOTANID:ABCDEF:1:1"), None);
        let modules = code.modules();
        assert_eq!(modules.len(), 33, "version 4");
        assert!(modules.iter().all(|row| row.len() == modules.len()));
        // The same code with the mask chosen for it, as a sheet draws every page after the first.
        assert_eq!(code.modules_masked(code.best_mask()), modules);
        // Version 4 holds any real sheet; a larger one is taken when the text needs it.
        let letters = SessionId(uuid::Uuid::from_u128(0xABCD_EFAB_CDEF_ABCD_EFAB_CDEF_ABCD_EFAB));
        assert_eq!(SheetCode::new(Some(letters), 999, 999).modules().len(), 33);
        assert_eq!(version_for(&"A".repeat(67)), Version::Normal(4));
        assert_eq!(version_for(&"A".repeat(68)), Version::Normal(5), "67 letters fill version 4");
    }
}
