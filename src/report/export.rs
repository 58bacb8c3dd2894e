//! The report as files: one table per CSV file (UTF-8 with `,`, or the French-Excel flavour with
//! a byte-order mark and `;`), and an XLSX workbook with one sheet per table. Values are written,
//! not formulas; dates are real dates; phone numbers are text; headers follow the language.

use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

use crate::error::{Error, Result};
use crate::i18n::{Lang, t};
use crate::report::Report;
use crate::report::indicators::{AGE_BANDS, Counts, NONE, NamedList, Participants};

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(i64),
    /// A value with a decimal (shares in percent).
    Decimal(f64),
    Date(NaiveDate),
    Empty,
}

/// One table of the report: a file stem, a sheet name, headers and rows.
#[derive(Debug, Clone)]
pub struct Table {
    pub stem: &'static str,
    pub sheet: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

fn label(lang: Lang, prefix: &str, code: &str) -> String {
    match code {
        NONE => t(lang, "report.none", &[]),
        "unknown" if prefix == "band" => t(lang, "report.band_unknown", &[]),
        _ if prefix == "band" => code.to_string(),
        _ => t(lang, &format!("{prefix}.{code}"), &[]),
    }
}

fn counts(lang: Lang, prefix: &str, map: &Counts) -> Vec<Vec<Cell>> {
    map.iter()
        .map(|(code, n)| vec![Cell::Text(label(lang, prefix, code)), Cell::Number(*n)])
        .collect()
}

/// The report's tables, in the order of the workbook's sheets. The participant list is there
/// only when it was asked for (see [`NamedList`]).
pub fn tables(report: &Report, participants: &Participants) -> Vec<Table> {
    let lang = report.lang;
    let tr = |key: &str| t(lang, key, &[]);
    let p = &report.people;
    let period = match (report.period.from, report.period.to) {
        (None, None) => tr("report.all_time"),
        (from, to) => format!(
            "{} – {}",
            from.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default(),
            to.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default()
        ),
    };
    let summary = vec![
        vec![Cell::Text(tr("report.period")), Cell::Text(period)],
        vec![
            Cell::Text(tr("results.place")),
            Cell::Text(report.place.label().unwrap_or_else(|| tr("results.everywhere"))),
        ],
        vec![Cell::Text(tr("report.people")), Cell::Number(p.total)],
        vec![Cell::Text(tr("report.women")), Cell::Number(p.by_sex.get("F").copied().unwrap_or(0))],
        vec![Cell::Text(tr("report.youth")), Cell::Number(p.youth)],
        vec![Cell::Text(tr("report.attendances")), Cell::Number(report.attendances)],
        vec![Cell::Text(tr("report.activities")), Cell::Number(report.activities.total)],
        vec![
            Cell::Text(tr("report.planned")),
            Cell::Number(report.activities.planned.len() as i64),
        ],
        vec![Cell::Text(tr("report.items")), Cell::Number(report.action_items.total)],
        vec![Cell::Text(tr("report.overdue")), Cell::Number(report.action_items.overdue)],
        vec![
            Cell::Text(tr("report.sessions_with_evidence")),
            Cell::Number(report.evidence.with_evidence),
        ],
        vec![
            Cell::Text(tr("report.share_backed")),
            Cell::Text({
                let share = format!("{:.1} %", report.evidence.share_backed_percent);
                if lang == Lang::Fr { share.replace('.', ",") } else { share }
            }),
        ],
        vec![Cell::Text(tr("report.summary")), Cell::Text(report.summary.clone())],
    ];
    let mut summary = summary;
    if participants.list == NamedList::Consented {
        summary.push(vec![
            Cell::Text(tr("report.left_out_without_consent")),
            Cell::Number(participants.without_consent_left_out as i64),
        ]);
    }
    let mut sex_age_headers = vec![tr("report.sex")];
    sex_age_headers.extend(AGE_BANDS.iter().map(|b| label(lang, "band", b)));
    sex_age_headers.push(tr("report.total"));
    let mut sex_age: Vec<Vec<Cell>> = p
        .by_sex_and_age_band
        .iter()
        .map(|(sex, bands)| {
            let mut row = vec![Cell::Text(label(lang, "sex", sex))];
            row.extend(AGE_BANDS.iter().map(|b| Cell::Number(bands.get(*b).copied().unwrap_or(0))));
            row.push(Cell::Number(bands.values().sum()));
            row
        })
        .collect();
    let mut total_row = vec![Cell::Text(tr("report.total"))];
    total_row.extend(
        AGE_BANDS.iter().map(|b| Cell::Number(p.by_age_band.get(*b).copied().unwrap_or(0))),
    );
    total_row.push(Cell::Number(p.total));
    sex_age.push(total_row);
    let mut items = counts(lang, "item_status", &report.action_items.by_status);
    items.push(vec![Cell::Text(tr("report.overdue")), Cell::Number(report.action_items.overdue)]);
    let people_rows = participants
        .people
        .iter()
        .map(|x| {
            vec![
                Cell::Text(x.full_name.clone()),
                Cell::Text(label(lang, "sex", &x.sex)),
                x.age.map_or(Cell::Empty, |a| Cell::Number(a.into())),
                x.group.as_deref().map_or(Cell::Empty, |g| Cell::Text(label(lang, "group", g))),
                Cell::Text(x.role.clone()),
                Cell::Text(x.community.clone()),
                Cell::Text(x.phone.clone()),
                Cell::Date(x.first_date),
                Cell::Number(x.sessions),
            ]
        })
        .collect();
    let two = |a: &str, b: &str| vec![tr(a), tr(b)];
    let mut tables = vec![
        Table {
            stem: "summary",
            sheet: tr("report.sheet_summary"),
            headers: two("report.figure", "report.value"),
            rows: summary,
        },
        Table {
            stem: "people_by_sex_and_age",
            sheet: tr("report.sheet_sex_age"),
            headers: sex_age_headers,
            rows: sex_age,
        },
        Table {
            stem: "people_by_group",
            sheet: tr("report.sheet_people_groups"),
            headers: two("report.group", "report.count"),
            rows: counts(lang, "group", &p.by_group),
        },
        Table {
            stem: "activities_by_group",
            sheet: tr("report.sheet_activity_groups"),
            headers: two("report.group", "report.count"),
            rows: counts(lang, "group", &report.activities.by_group),
        },
        Table {
            stem: "activities_by_kind",
            sheet: tr("report.sheet_kinds"),
            headers: two("report.kind", "report.count"),
            rows: counts(lang, "kind", &report.activities.by_kind),
        },
        Table {
            stem: "activities_by_region",
            sheet: tr("report.sheet_regions"),
            headers: two("report.region", "report.count"),
            rows: report
                .activities
                .by_region
                .iter()
                .map(|(r, n)| {
                    vec![
                        Cell::Text(if r == NONE { tr("report.none") } else { r.clone() }),
                        Cell::Number(*n),
                    ]
                })
                .collect(),
        },
        Table {
            stem: "action_items",
            sheet: tr("report.sheet_items"),
            headers: two("report.status", "report.count"),
            rows: items,
        },
        Table {
            stem: "held_sessions",
            sheet: tr("report.sheet_held_sessions"),
            headers: [
                "report.session",
                "report.date",
                "report.region",
                "report.attendances",
                "report.signed_sheets",
            ]
            .iter()
            .map(|k| tr(k))
            .collect(),
            rows: report
                .evidence
                .sessions
                .iter()
                .map(|s| {
                    vec![
                        Cell::Text(s.session.title.clone()),
                        s.session
                            .start_date
                            .as_deref()
                            .and_then(|d| d.parse().ok())
                            .map_or(Cell::Empty, Cell::Date),
                        Cell::Text(s.session.region.clone()),
                        Cell::Number(s.attendances),
                        Cell::Number(s.sheets),
                    ]
                })
                .collect(),
        },
    ];
    if participants.list != NamedList::None {
        tables.push(Table {
            stem: "participants",
            sheet: tr("report.sheet_participants"),
            headers: [
                "field.full_name",
                "report.sex",
                "report.age",
                "report.group",
                "field.role",
                "field.community",
                "field.phone",
                "report.first_session",
                "report.sessions_attended",
            ]
            .iter()
            .map(|k| tr(k))
            .collect(),
            rows: people_rows,
        });
    }
    tables
}

/// How CSV files are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvFlavour {
    /// UTF-8, comma, ISO dates.
    Standard,
    /// What Excel in French expects: a byte-order mark, semicolons, dd/mm/yyyy dates.
    ExcelFr,
}

fn csv_field(text: &str, separator: char) -> String {
    if text.contains([separator, '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

pub fn csv(table: &Table, flavour: CsvFlavour) -> Vec<u8> {
    let separator = if flavour == CsvFlavour::ExcelFr { ';' } else { ',' };
    let mut out = String::new();
    if flavour == CsvFlavour::ExcelFr {
        out.push('\u{feff}');
    }
    let line = |cells: Vec<String>| cells.join(&separator.to_string()) + "\r\n";
    out.push_str(&line(table.headers.iter().map(|h| csv_field(h, separator)).collect()));
    for row in &table.rows {
        out.push_str(&line(
            row.iter()
                .map(|cell| match cell {
                    Cell::Text(s) => csv_field(s, separator),
                    Cell::Number(n) => n.to_string(),
                    Cell::Decimal(n) if flavour == CsvFlavour::ExcelFr => {
                        n.to_string().replace('.', ",")
                    }
                    Cell::Decimal(n) => n.to_string(),
                    Cell::Date(d) if flavour == CsvFlavour::ExcelFr => {
                        d.format("%d/%m/%Y").to_string()
                    }
                    Cell::Date(d) => d.to_string(),
                    Cell::Empty => String::new(),
                })
                .collect(),
        ));
    }
    out.into_bytes()
}

/// Writes one CSV file per table into `dir`; returns the files written.
/// One CSV file per table into `dir`: the report's, then `more` (the logframe's).
pub fn write_csv(
    report: &Report,
    more: Vec<Table>,
    participants: &Participants,
    dir: &Path,
    flavour: CsvFlavour,
) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Io { path: dir.to_path_buf(), source })?;
    let suffix = if flavour == CsvFlavour::ExcelFr { ".excel-fr" } else { "" };
    let mut written = Vec::new();
    for table in tables(report, participants).into_iter().chain(more) {
        let path = dir.join(format!("{}{suffix}.csv", table.stem));
        crate::files::write_atomically(&path, &csv(&table, flavour))?;
        written.push(path);
    }
    Ok(written)
}

fn xlsx_error(path: &Path, e: rust_xlsxwriter::XlsxError) -> Error {
    Error::Io { path: path.to_path_buf(), source: std::io::Error::other(e.to_string()) }
}

/// The workbook's bytes, one sheet per table: the report's tables, with `more` (the logframe's, see `results`) after the
/// summary sheet.
pub fn xlsx(
    report: &Report,
    more: Vec<Table>,
    participants: &Participants,
) -> std::result::Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let text = Format::new().set_num_format("@");
    let mut all = tables(report, participants);
    // The logframe's tables after the summary sheet.
    let at = 1.min(all.len());
    all.splice(at..at, more);
    for table in all {
        let sheet = workbook.add_worksheet();
        let name: String =
            table.sheet.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
        sheet.set_name(&name)?;
        for (col, header) in table.headers.iter().enumerate() {
            sheet.write_string_with_format(0, col as u16, header, &bold)?;
            sheet.set_column_width(col as u16, if col == 0 { 34 } else { 16 })?;
        }
        for (r, row) in table.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (col, cell) in row.iter().enumerate() {
                let col = col as u16;
                match cell {
                    Cell::Text(s) => {
                        // Phone numbers and codes stay text even when they look like numbers.
                        sheet.write_string_with_format(r, col, s, &text)?;
                    }
                    Cell::Number(n) => {
                        sheet.write_number(r, col, *n as f64)?;
                    }
                    Cell::Decimal(n) => {
                        sheet.write_number(r, col, *n)?;
                    }
                    Cell::Date(d) => {
                        let when = ExcelDateTime::from_ymd(
                            d.year() as u16,
                            d.month() as u8,
                            d.day() as u8,
                        )?;
                        sheet.write_datetime_with_format(r, col, &when, &date)?;
                    }
                    Cell::Empty => {}
                }
            }
        }
    }
    workbook.save_to_buffer()
}

pub fn write_xlsx(
    report: &Report,
    more: Vec<Table>,
    participants: &Participants,
    path: &Path,
) -> Result<()> {
    let bytes = xlsx(report, more, participants).map_err(|e| xlsx_error(path, e))?;
    crate::files::write_atomically(path, &bytes)
}
