//! The attendance sheet: an A4 landscape PDF to print before a session. Registered participants
//! are pre-filled (sorted by name), then numbered blank rows; the header and the table header
//! repeat on every page, with "Page i / n", the session id and a short check code so a paper sheet
//! can be matched back to its session, and a QR code of the three (`code`) that a photo of the
//! signed sheet is read back by. Text is composed (NFC) and set in Noto Sans, embedded and
//! subset, which covers French and Bambara letters (Ɛ, Ɔ, Ɲ, Ŋ). Long names wrap onto two lines.

pub mod code;
mod layout;
pub mod read;

use chrono::NaiveDate;

use crate::error::Result;
use crate::i18n::Lang;
use crate::model::ids::SessionId;
use crate::{Palabre, Setting};

pub use layout::{ROWS_PER_PAGE, render};

/// Blank rows printed after the registered participants, unless told otherwise.
pub const DEFAULT_BLANK_ROWS: usize = 10;
/// Most blank rows a sheet may ask for.
pub const MAX_BLANK_ROWS: usize = 500;

/// One printed participant line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Line {
    pub full_name: String,
    pub sex: String,
    pub age: Option<i32>,
    pub role: String,
    pub community: String,
    // No phone: the sheet passes from hand to hand in the room. Its phone column is left empty,
    // for a participant to write in if she wishes.
}

/// Everything a sheet shows. An empty `title` makes a blank sheet whose header is filled by hand.
#[derive(Debug, Clone, Default)]
pub struct SheetData {
    pub programme: String,
    pub title: String,
    pub dates: String,
    pub place: String,
    pub facilitator: String,
    pub groups: String,
    pub session_id: Option<SessionId>,
    pub lines: Vec<Line>,
    pub blank_rows: usize,
}

/// Six hex digits derived from the session id, printed on every page.
pub fn check_code(session: SessionId) -> String {
    let hex = crate::files::sha256_hex(session.0.as_bytes()).to_uppercase();
    format!("{}-{}", &hex[..3], &hex[3..6])
}

fn date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

pub use crate::pdf::composed;

pub(crate) fn sheet_data(
    app: &Palabre,
    session: Option<SessionId>,
    lang: Lang,
    blank_rows: usize,
) -> Result<SheetData> {
    if blank_rows > MAX_BLANK_ROWS {
        return Err(crate::Invalid::Range {
            field: "blank rows",
            value: blank_rows as i64,
            min: 0,
            max: MAX_BLANK_ROWS as i64,
        }
        .into());
    }
    let programme = app.setting(Setting::Programme)?.unwrap_or_default();
    let Some(id) = session else {
        return Ok(SheetData { programme, blank_rows, ..Default::default() });
    };
    let s = app.session(id)?;
    let mut lines: Vec<Line> = app
        .attendance(id)?
        .into_iter()
        .map(|a| Line {
            // An erased person's line keeps its place (the count) without a name.
            full_name: if a.erased {
                crate::i18n::t(lang, "people.erased_name", &[])
            } else {
                a.full_name
            },
            sex: crate::i18n::t(lang, &format!("sex.{}", a.sex), &[]),
            age: a.age,
            role: a.person_role,
            community: a.community,
        })
        .collect();
    lines.sort_by(|a, b| crate::model::names::compare(&a.full_name, &b.full_name));
    let dates = match (s.start_date, s.end_date) {
        (Some(start), Some(end)) if end != start => format!("{} – {}", date(start), date(end)),
        (Some(start), _) => date(start),
        _ => String::new(),
    };
    let groups: Vec<String> =
        s.groups.iter().map(|g| crate::i18n::t(lang, &format!("group.{g}"), &[])).collect();
    Ok(SheetData {
        programme,
        title: s.title.clone(),
        dates,
        place: s.location(),
        facilitator: s.facilitator.clone(),
        groups: groups.join(", "),
        session_id: Some(id),
        lines,
        blank_rows,
    })
}

pub(crate) fn attendance_sheet(
    app: &Palabre,
    session: Option<SessionId>,
    lang: Lang,
    blank_rows: usize,
) -> Result<Vec<u8>> {
    Ok(render(&app.sheet_data(session, lang, blank_rows)?, lang))
}

pub(crate) fn write_attendance_sheet(
    app: &Palabre,
    session: Option<SessionId>,
    lang: Lang,
    blank_rows: usize,
    path: &std::path::Path,
) -> Result<()> {
    crate::files::write_atomically(path, &app.attendance_sheet(session, lang, blank_rows)?)
}
