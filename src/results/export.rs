//! The logframe's tables in the report's workbook (sheets *Indicators* and *Breakdowns*).

use crate::i18n::t;
use crate::report::export::{Cell, Table};
use crate::results::Progress;

/// The logframe's tables: one row per indicator (baseline, target, actual, previous period,
/// share of the target achieved), and one row per breakdown value.
pub fn tables(progress: &Progress) -> Vec<Table> {
    let tr = |key: &str| t(progress.lang, key, &[]);
    let value = |v: f64| if v.fract() == 0.0 { Cell::Number(v as i64) } else { Cell::Decimal(v) };
    let rows = progress
        .indicators
        .iter()
        .map(|i| {
            vec![
                Cell::Text(i.code.clone()),
                Cell::Text(i.label.clone()),
                Cell::Text(i.vocabulary.clone()),
                i.baseline.map_or(Cell::Empty, Cell::Number),
                i.baseline_year.map_or(Cell::Empty, |y| Cell::Number(y.into())),
                i.target.as_ref().map_or(Cell::Empty, |t| Cell::Text(t.period.clone())),
                i.target.as_ref().map_or(Cell::Empty, |t| Cell::Number(t.value)),
                value(i.actual),
                i.previous.map_or(Cell::Empty, value),
                i.achieved_percent.map_or(Cell::Empty, Cell::Decimal),
            ]
        })
        .collect();
    let breakdowns = progress
        .indicators
        .iter()
        .flat_map(|i| {
            i.breakdowns.iter().flat_map(move |b| {
                b.values.iter().map(move |(key, v)| {
                    vec![
                        Cell::Text(i.code.clone()),
                        Cell::Text(b.by.as_str().to_string()),
                        Cell::Text(key.clone()),
                        value(*v),
                    ]
                })
            })
        })
        .collect();
    vec![
        Table {
            stem: "indicators",
            sheet: tr("results.sheet"),
            headers: [
                "results.code",
                "results.indicator",
                "results.vocabulary",
                "results.baseline",
                "results.baseline_year",
                "results.target_period",
                "results.target",
                "results.actual",
                "results.previous",
                "results.achieved",
            ]
            .map(tr)
            .to_vec(),
            rows,
        },
        Table {
            stem: "indicator_breakdowns",
            sheet: tr("results.breakdowns_sheet"),
            headers: ["results.code", "results.by", "results.key", "results.value"]
                .map(tr)
                .to_vec(),
            rows: breakdowns,
        },
    ]
}
