//! Results against the logframe (issue 22): the indicator catalogue (`catalogue`), progress of
//! each indicator for a period and a place (`progress`), and the IATI results export (`iati`).
//! The figures are the report's own (`report::indicators`); this module adds definitions,
//! targets and the donor's breakdowns.

pub mod catalogue;
pub mod document;
pub mod export;
pub mod iati;
pub mod progress;

use serde_json::Value;

use crate::Palabre;
use crate::error::{Error, Result};
use crate::i18n::Lang;
use crate::journal::schema::Entity;
use crate::report::indicators::{Period, Place};
use crate::store::bookkeeping::{self, Key};
pub use catalogue::{Indicator, IndicatorInput};
pub use progress::Progress;

const CATALOGUE: &str = "the indicator catalogue";

fn hq_only(app: &Palabre) -> Result<()> {
    let is_hq = app.store().read(|c| bookkeeping::get(c, Key::HqDir))?.is_some();
    if is_hq { Ok(()) } else { Err(Error::HqOnly { what: CATALOGUE }) }
}

pub(crate) fn indicators(app: &Palabre) -> Result<Vec<Indicator>> {
    app.store().read(catalogue::load)
}

fn find(list: &[Indicator], code: &str) -> Option<Indicator> {
    list.iter().find(|i| i.code == code.trim()).cloned()
}

fn not_found(code: &str) -> Error {
    Error::NotFound { entity: "indicator", id: code.chars().take(40).collect() }
}

/// Writes `changes` on the row of `base`'s code, the row made whole first: every field of the
/// definition is written (each once, `OpWriter::set` skipping a value already stored), so that
/// the row never depends on the built-in catalogue of the build that reads it, and a field HQ
/// cleared reads as cleared (see `catalogue::load`).
fn write(
    w: &mut crate::journal::oplog::OpWriter<'_>,
    base: &Indicator,
    changes: Vec<(&'static str, Value)>,
) -> Result<()> {
    let id = catalogue::id_of(&base.code);
    let mut fields = catalogue::definition(base);
    for (field, value) in changes {
        match fields.iter_mut().find(|(f, _)| *f == field) {
            Some(slot) => slot.1 = value,
            None => fields.push((field, value)),
        }
    }
    for (field, value) in fields {
        w.set(Entity::Indicator, id, field, value)?;
    }
    w.set(Entity::Indicator, id, "deleted", false.into())?;
    Ok(())
}

/// Adds an indicator, or changes the fields `input` gives of an existing one (HQ only). A code
/// removed earlier and given again starts from nothing: none of its old targets come back.
pub(crate) fn save(app: &Palabre, input: &IndicatorInput) -> Result<Indicator> {
    hq_only(app)?;
    let code = app.write_ops(|conn, w| {
        let current = find(&catalogue::load(conn)?, &input.code);
        let (code, changes) = catalogue::changes(input, current.as_ref())?;
        let base = current.unwrap_or_else(|| catalogue::blank(&code));
        write(w, &base, changes)?;
        Ok(code)
    })?;
    find(&indicators(app)?, &code).ok_or_else(|| not_found(&code))
}

/// Sets (or with None removes) an indicator's target for a year or a quarter (HQ only).
pub(crate) fn set_target(
    app: &Palabre,
    code: &str,
    period: &str,
    value: Option<i64>,
) -> Result<Indicator> {
    hq_only(app)?;
    app.write_ops(|conn, w| {
        let current = find(&catalogue::load(conn)?, code).ok_or_else(|| not_found(code))?;
        let targets = catalogue::with_target(&current, period, value)?;
        write(w, &current, vec![("targets", targets)])
    })?;
    find(&indicators(app)?, code).ok_or_else(|| not_found(code))
}

/// Removes an indicator from the catalogue, built-in ones included (HQ only).
pub(crate) fn remove(app: &Palabre, code: &str) -> Result<()> {
    hq_only(app)?;
    app.write_ops(|conn, w| {
        let current = find(&catalogue::load(conn)?, code).ok_or_else(|| not_found(code))?;
        let id = catalogue::id_of(&current.code);
        // The row names its code so that every copy knows which indicator it removes.
        w.set(Entity::Indicator, id, "code", Value::String(current.code.clone()))?;
        w.set(Entity::Indicator, id, "deleted", true.into()).map(drop)
    })
}

pub(crate) fn progress(
    app: &Palabre,
    period: Period,
    place: &Place,
    lang: Lang,
) -> Result<Progress> {
    let today = app.today();
    app.store().read(|c| {
        let list = catalogue::load(c)?;
        progress::progress(c, &list, period, place, lang, today)
    })
}

/// Who publishes: the identifiers from the settings, the programme's name, the summary.
fn publisher(app: &Palabre, summary: String) -> Result<iati::Publisher> {
    use crate::settings::Setting;
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    Ok(iati::Publisher {
        activity: app.setting(Setting::IatiActivity)?.unwrap_or_default(),
        org: app.setting(Setting::IatiOrg)?.unwrap_or_default(),
        programme: app.setting(Setting::Programme)?.unwrap_or_default(),
        summary,
        now,
    })
}

pub(crate) fn write_iati(
    app: &Palabre,
    period: Period,
    place: &Place,
    lang: Lang,
    path: &std::path::Path,
) -> Result<()> {
    // IATI results are the activity's: a region's figures would read as the whole programme's.
    if let Some(label) = place.label() {
        return Err(crate::error::Invalid::UnknownCode {
            field: "place",
            value: label,
            allowed: "the whole programme (IATI results are the activity's; leave region, cercle and commune empty)".into(),
        }
        .into());
    }
    let report = app.report_in(period, place, lang)?;
    let publisher = publisher(app, report.summary)?;
    publisher.check()?;
    let progress = app.progress(period, place, lang)?;
    let mut bytes = Vec::new();
    iati::write(&progress, &publisher, &mut bytes)?;
    crate::files::write_atomically(path, &bytes)
}

/// The report's workbook with the logframe's sheets (see `report::export`).
pub(crate) fn write_report_xlsx(
    app: &Palabre,
    period: Period,
    place: &Place,
    lang: Lang,
    names: crate::report::NamedList,
    path: &std::path::Path,
) -> Result<()> {
    let (report, more, participants) = workbook_parts(app, period, place, lang, names)?;
    crate::report::export::write_xlsx(&report, more, &participants, path)
}

type Parts = (
    crate::report::Report,
    Vec<crate::report::export::Table>,
    crate::report::indicators::Participants,
);

/// What the workbook and the CSV files hold: the report, the logframe's tables, the named list.
fn workbook_parts(
    app: &Palabre,
    period: Period,
    place: &Place,
    lang: Lang,
    names: crate::report::NamedList,
) -> Result<Parts> {
    let report = app.report_in(period, place, lang)?;
    let more = export::tables(&app.progress(period, place, lang)?);
    Ok((report, more, app.participants(period, place, names)?))
}

/// The donor report as a PDF document (see `document`).
pub(crate) fn write_report_pdf(
    app: &Palabre,
    period: Period,
    place: &Place,
    lang: Lang,
    path: &std::path::Path,
) -> Result<()> {
    let bytes = report_pdf(app, period, place, lang)?;
    crate::files::write_atomically(path, &bytes)
}

pub(crate) fn report_pdf(
    app: &Palabre,
    period: Period,
    place: &Place,
    lang: Lang,
) -> Result<Vec<u8>> {
    let report = app.report_in(period, place, lang)?;
    let progress = app.progress(period, place, lang)?;
    let cover = document::Cover {
        programme: app.setting(crate::settings::Setting::Programme)?.unwrap_or_default(),
        made_on: app.today(),
    };
    document::render(&report, &progress, &cover)
}

/// The report's CSV files with the logframe's two tables (see `report::export`).
pub(crate) fn write_report_csv(
    app: &Palabre,
    period: Period,
    place: &Place,
    lang: Lang,
    names: crate::report::NamedList,
    dir: &std::path::Path,
    flavour: crate::report::export::CsvFlavour,
) -> Result<Vec<std::path::PathBuf>> {
    let (report, more, participants) = workbook_parts(app, period, place, lang, names)?;
    crate::report::export::write_csv(&report, more, &participants, dir, flavour)
}
