//! The donor report as a PDF document (A4 portrait, French or English), drawn with the same
//! krilla stack as the attendance sheets (`crate::pdf`):
//! - a cover: programme, period, place, the date it was made, the summary sentence and the
//!   headline figures against the period before;
//! - the indicator table (baseline, target, actual, previous period, share of the target) and a
//!   bar chart of each indicator's achievement against its target;
//! - people reached by sex and age band, activities by stakeholder group, action-plan progress;
//! - an annex listing the held sessions (date, title, region, attendances, signed sheet).
//!
//! The layout is computed first as pages of drawing commands, then drawn: the footer can say
//! "page 2 of 5".

use krilla::Document;
use krilla::geom::Rect;
use krilla::page::PageSettings;

use super::progress::Progress;
use crate::i18n::{Lang, grouped, t};
use crate::pdf::{Fonts, fill, line, text, wrap};
use crate::report::Report;
use crate::report::indicators::{AGE_BANDS, Period};

/// A4 portrait, in points.
const WIDTH: f32 = 595.28;
const HEIGHT: f32 = 841.89;
const MARGIN: f32 = 48.0;
const BOTTOM: f32 = HEIGHT - 56.0;
const BODY: f32 = 9.5;
const ACCENT: (u8, u8, u8) = (176, 96, 36);
const PALE: (u8, u8, u8) = (236, 231, 220);

enum Draw {
    Text { x: f32, y: f32, size: f32, bold: bool, content: String },
    Line { x1: f32, y1: f32, x2: f32, y2: f32, width: f32 },
    Fill { rect: (f32, f32, f32, f32), colour: (u8, u8, u8) },
}

/// Pages of drawing commands, filled top to bottom.
struct Layout<'f> {
    fonts: &'f Fonts,
    pages: Vec<Vec<Draw>>,
    y: f32,
}

impl<'f> Layout<'f> {
    fn new(fonts: &'f Fonts) -> Self {
        Layout { fonts, pages: vec![Vec::new()], y: MARGIN }
    }

    fn page(&mut self) -> &mut Vec<Draw> {
        self.pages.last_mut().expect("a page")
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN;
    }

    /// Starts a new page unless `height` still fits on this one.
    fn room(&mut self, height: f32) {
        if self.y + height > BOTTOM {
            self.new_page();
        }
    }

    fn text_at(&mut self, x: f32, y: f32, size: f32, bold: bool, content: impl Into<String>) {
        let content = content.into();
        self.page().push(Draw::Text { x, y, size, bold, content });
    }

    /// A paragraph wrapped to the page's width.
    fn paragraph(&mut self, content: &str, size: f32, bold: bool) {
        self.indented(content, size, bold, 0.0);
    }

    /// A paragraph starting `indent` points in from the margin.
    fn indented(&mut self, content: &str, size: f32, bold: bool, indent: f32) {
        let width = WIDTH - 2.0 * MARGIN - indent;
        for l in wrap(self.fonts, content, size, width, 40) {
            self.room(size * 1.45);
            self.y += size * 1.45;
            let y = self.y;
            self.text_at(MARGIN + indent, y, size, bold, l);
        }
    }

    fn heading(&mut self, content: &str) {
        self.room(60.0);
        self.y += 22.0;
        let y = self.y;
        self.text_at(MARGIN, y, 13.0, true, content);
        self.y += 5.0;
        let y = self.y;
        self.page().push(Draw::Fill { rect: (MARGIN, y, 40.0, 2.0), colour: ACCENT });
        self.y += 6.0;
    }

    /// A table: column widths, headers, rows (the first column wraps on two lines).
    fn table(
        &mut self,
        widths: &[f32],
        headers: &[String],
        rows: &[Vec<String>],
        right_from: usize,
    ) {
        let row_h = |lines: usize| 6.0 + lines as f32 * BODY * 1.3;
        let header_lines: Vec<Vec<String>> = headers
            .iter()
            .zip(widths)
            .map(|(h, w)| wrap(self.fonts, h, BODY - 1.0, w - 6.0, 2))
            .collect();
        let header_h = row_h(header_lines.iter().map(Vec::len).max().unwrap_or(1));
        let draw_header = |layout: &mut Layout<'_>| {
            let top = layout.y;
            layout.page().push(Draw::Fill {
                rect: (MARGIN, top, widths.iter().sum(), header_h),
                colour: PALE,
            });
            let mut x = MARGIN;
            for (c, (lines, w)) in header_lines.iter().zip(widths).enumerate() {
                for (i, l) in lines.iter().enumerate() {
                    let y = top + 4.0 + (i + 1) as f32 * (BODY - 1.0) * 1.25;
                    let lx = if c >= right_from {
                        x + w - 3.0 - layout.fonts.width(l, BODY - 1.0, true)
                    } else {
                        x + 3.0
                    };
                    layout.text_at(lx, y, BODY - 1.0, true, l.clone());
                }
                x += w;
            }
            layout.y += header_h;
        };
        self.room(header_h + row_h(2));
        draw_header(self);
        for row in rows {
            let cells: Vec<Vec<String>> = row
                .iter()
                .zip(widths)
                .enumerate()
                .map(|(c, (v, w))| {
                    wrap(self.fonts, v, BODY, w - 6.0, if c < right_from { 3 } else { 1 })
                })
                .collect();
            let h = row_h(cells.iter().map(Vec::len).max().unwrap_or(1));
            if self.y + h > BOTTOM {
                self.new_page();
                draw_header(self);
            }
            let top = self.y;
            let mut x = MARGIN;
            for (c, (lines, w)) in cells.iter().zip(widths).enumerate() {
                for (i, l) in lines.iter().enumerate() {
                    let y = top + 3.0 + (i + 1) as f32 * BODY * 1.3;
                    let lx = if c >= right_from {
                        x + w - 3.0 - self.fonts.width(l, BODY, false)
                    } else {
                        x + 3.0
                    };
                    self.text_at(lx, y, BODY, false, l.clone());
                }
                x += w;
            }
            self.y += h;
            let y = self.y;
            self.page().push(Draw::Line {
                x1: MARGIN,
                y1: y,
                x2: MARGIN + widths.iter().sum::<f32>(),
                y2: y,
                width: 0.4,
            });
        }
    }

    /// Horizontal bars: a label, a bar scaled to `max`, the value written after it; `mark` draws
    /// a thin line at that value (the target's 100 %).
    fn bars(&mut self, items: &[(String, f64, String)], max: f64, mark: Option<f64>) {
        let label_w = 190.0;
        let bar_w = WIDTH - 2.0 * MARGIN - label_w - 60.0;
        let max = if max > 0.0 { max } else { 1.0 };
        for (label, value, shown) in items {
            self.room(17.0);
            let top = self.y + 3.0;
            let lines = wrap(self.fonts, label, BODY - 0.5, label_w - 8.0, 1);
            self.text_at(MARGIN, top + 9.5, BODY - 0.5, false, lines.concat());
            let w = (bar_w as f64 * (value / max).clamp(0.0, 1.0)) as f32;
            self.page()
                .push(Draw::Fill { rect: (MARGIN + label_w, top, bar_w, 12.0), colour: PALE });
            if w > 0.0 {
                self.page()
                    .push(Draw::Fill { rect: (MARGIN + label_w, top, w, 12.0), colour: ACCENT });
            }
            if let Some(m) = mark {
                let x = MARGIN + label_w + (bar_w as f64 * (m / max).min(1.0)) as f32;
                self.page().push(Draw::Line {
                    x1: x,
                    y1: top - 2.0,
                    x2: x,
                    y2: top + 14.0,
                    width: 1.0,
                });
            }
            self.text_at(
                MARGIN + label_w + bar_w + 6.0,
                top + 9.5,
                BODY - 0.5,
                true,
                shown.clone(),
            );
            self.y += 17.0;
        }
    }
}

fn date(lang: Lang, d: chrono::NaiveDate) -> String {
    match lang {
        Lang::Fr => d.format("%d/%m/%Y").to_string(),
        Lang::En => d.format("%-d %b %Y").to_string(),
    }
}

fn period_text(lang: Lang, period: Period) -> String {
    match (period.from, period.to) {
        (None, None) => t(lang, "report.all_time", &[]),
        (from, to) => format!(
            "{} – {}",
            from.map(|d| date(lang, d)).unwrap_or_default(),
            to.map(|d| date(lang, d)).unwrap_or_default()
        ),
    }
}

/// A value as the tables show it: grouped digits, one decimal for shares, with "%".
fn number(lang: Lang, v: f64, percent: bool) -> String {
    let n = if v.fract() == 0.0 {
        grouped(lang, v as i64)
    } else {
        let s = format!("{v:.1}");
        if lang == Lang::Fr { s.replace('.', ",") } else { s }
    };
    match (percent, lang) {
        (false, _) => n,
        (true, Lang::Fr) => format!("{n}\u{a0}%"),
        (true, Lang::En) => format!("{n}%"),
    }
}

/// What the document shows besides the figures.
pub struct Cover {
    pub programme: String,
    /// The day it is made.
    pub made_on: chrono::NaiveDate,
}

/// Draws the donor report; returns the PDF bytes.
pub fn render(
    report: &Report,
    progress: &Progress,
    cover: &Cover,
) -> crate::error::Result<Vec<u8>> {
    let lang = progress.lang;
    let tr = |key: &str| t(lang, key, &[]);
    let fonts = Fonts::load();
    let mut l = Layout::new(&fonts);

    // Cover.
    l.y = MARGIN + 40.0;
    let programme =
        if cover.programme.is_empty() { "Palabre".to_string() } else { cover.programme.clone() };
    l.paragraph(&programme, 22.0, true);
    l.y += 8.0;
    l.paragraph(&tr("donor.title"), 15.0, false);
    l.y += 14.0;
    let place = report.place.label().unwrap_or_else(|| tr("results.everywhere"));
    for (key, value) in [
        ("report.period", period_text(lang, report.period)),
        ("results.place", place),
        ("donor.made_on", date(lang, cover.made_on)),
    ] {
        l.room(16.0);
        l.y += 16.0;
        let y = l.y;
        l.text_at(MARGIN, y, 10.5, true, tr(key));
        l.text_at(MARGIN + 120.0, y, 10.5, false, value);
    }
    l.y += 18.0;
    let top = l.y;
    l.page().push(Draw::Fill { rect: (MARGIN, top, 3.0, 58.0), colour: ACCENT });
    l.y += 2.0;
    l.indented(&report.summary, 12.0, false, 14.0);
    l.y = l.y.max(top + 64.0);

    // Headline figures against the period before.
    l.heading(&tr("donor.headline"));
    let before = report.previous.as_ref();
    let headline = [
        ("report.people", report.people.total, before.map(|b| b.people)),
        (
            "report.women",
            report.people.by_sex.get("F").copied().unwrap_or(0),
            before.map(|b| b.women),
        ),
        ("report.youth", report.people.youth, before.map(|b| b.youth)),
        ("report.activities", report.activities.total, before.map(|b| b.activities)),
        ("report.attendances", report.attendances, before.map(|b| b.attendances)),
    ];
    let rows: Vec<Vec<String>> = headline
        .iter()
        .map(|(key, now, then)| {
            vec![
                tr(key),
                grouped(lang, *now),
                then.map(|v| grouped(lang, v)).unwrap_or_else(|| "—".into()),
                then.map(|v| {
                    let d = now - v;
                    if d > 0 {
                        format!("+{}", grouped(lang, d))
                    } else if d < 0 {
                        format!("−{}", grouped(lang, -d))
                    } else {
                        "0".into()
                    }
                })
                .unwrap_or_else(|| "—".into()),
            ]
        })
        .collect();
    let previous_label = progress
        .previous_period
        .map(|p| period_text(lang, p))
        .unwrap_or_else(|| tr("results.previous"));
    l.table(
        &[200.0, 90.0, 120.0, 89.28],
        &[String::new(), tr("donor.this_period"), previous_label, tr("donor.change")],
        &rows,
        1,
    );

    // The indicator table.
    l.new_page();
    l.heading(&tr("donor.indicators"));
    let rows: Vec<Vec<String>> = progress
        .indicators
        .iter()
        .map(|i| {
            vec![
                i.code.clone(),
                i.label.clone(),
                i.baseline
                    .map(|b| {
                        let y = i.baseline_year.map(|y| format!(" ({y})")).unwrap_or_default();
                        format!("{}{y}", number(lang, b as f64, i.percent))
                    })
                    .unwrap_or_else(|| "—".into()),
                i.target
                    .as_ref()
                    .map(|t| {
                        format!(
                            "{}{}",
                            number(lang, t.value as f64, i.percent),
                            if t.annual { "*" } else { "" }
                        )
                    })
                    .unwrap_or_else(|| "—".into()),
                number(lang, i.actual, i.percent),
                i.previous.map(|v| number(lang, v, i.percent)).unwrap_or_else(|| "—".into()),
                i.achieved_percent
                    .map(|a| number(lang, a.round(), true))
                    .unwrap_or_else(|| "—".into()),
            ]
        })
        .collect();
    l.table(
        &[46.0, 178.0, 62.0, 50.0, 50.0, 56.0, 57.28],
        &[
            tr("results.code"),
            tr("results.indicator"),
            tr("results.baseline"),
            tr("results.target"),
            tr("results.actual"),
            tr("results.previous"),
            tr("donor.achieved"),
        ],
        &rows,
        2,
    );
    if progress.indicators.iter().any(|i| i.target.as_ref().is_some_and(|t| t.annual)) {
        l.y += 4.0;
        l.paragraph(&tr("donor.annual_note"), BODY - 1.0, false);
    }
    // Achievement against the target (100 % marked).
    let with_target: Vec<(String, f64, String)> = progress
        .indicators
        .iter()
        .filter_map(|i| {
            Some((
                format!("{} {}", i.code, i.label),
                i.achieved_percent?,
                number(lang, i.achieved_percent?.round(), true),
            ))
        })
        .collect();
    if !with_target.is_empty() {
        l.heading(&tr("donor.achievement_chart"));
        let max = with_target.iter().map(|(_, v, _)| *v).fold(100.0, f64::max);
        l.bars(&with_target, max, Some(100.0));
    }
    // Breakdowns of the indicators, as tables.
    for i in progress.indicators.iter().filter(|i| !i.breakdowns.is_empty()) {
        for b in &i.breakdowns {
            let label = |key: &str| -> String {
                let prefixed = match b.by.as_str() {
                    "sex" => format!("sex.{key}"),
                    "age" if key == "unknown" => "donor.age_unknown".into(),
                    "group" if key == "none" => "donor.no_group".into(),
                    "group" => format!("group.{key}"),
                    _ => String::new(),
                };
                let translated = if prefixed.is_empty() { String::new() } else { tr(&prefixed) };
                if translated.is_empty() || translated == prefixed {
                    key.to_string()
                } else {
                    translated
                }
            };
            let items: Vec<(String, f64, String)> =
                b.values.iter().map(|(k, v)| (label(k), *v, number(lang, *v, i.percent))).collect();
            let max = items.iter().map(|(_, v, _)| *v).fold(0.0, f64::max);
            l.room(40.0 + 17.0 * items.len().min(6) as f32);
            l.y += 14.0;
            let y = l.y;
            l.text_at(
                MARGIN,
                y,
                10.0,
                true,
                format!(
                    "{} — {} {}",
                    i.code,
                    tr("results.by").to_lowercase(),
                    tr(&format!("donor.by_{}", b.by.as_str()))
                ),
            );
            l.y += 4.0;
            l.bars(&items, max, None);
        }
    }

    // People by sex and age band.
    l.heading(&tr("donor.people_by_sex_age"));
    let mut headers = vec![String::new()];
    headers.extend(
        AGE_BANDS
            .iter()
            .map(|b| if *b == "unknown" { tr("donor.age_unknown") } else { b.to_string() }),
    );
    headers.push(tr("donor.total"));
    let rows: Vec<Vec<String>> = report
        .people
        .by_sex_and_age_band
        .iter()
        .map(|(sex, bands)| {
            let mut row = vec![tr(&format!("sex.{sex}"))];
            row.extend(
                AGE_BANDS.iter().map(|b| grouped(lang, bands.get(*b).copied().unwrap_or(0))),
            );
            row.push(grouped(lang, bands.values().sum()));
            row
        })
        .collect();
    l.table(&[99.28, 50.0, 50.0, 50.0, 50.0, 50.0, 70.0, 80.0], &headers, &rows, 1);

    // Activities by stakeholder group.
    l.heading(&tr("donor.activities_by_group"));
    let items: Vec<(String, f64, String)> = report
        .activities
        .by_group
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(g, n)| (tr(&format!("group.{g}")), *n as f64, grouped(lang, *n)))
        .collect();
    let max = items.iter().map(|(_, v, _)| *v).fold(0.0, f64::max);
    if items.is_empty() {
        l.paragraph(&tr("donor.none"), BODY, false);
    }
    l.bars(&items, max, None);

    // Action-plan progress.
    l.heading(&tr("report.items_by_status"));
    let items = &report.action_items;
    let rows: Vec<Vec<String>> = items
        .by_status
        .iter()
        .map(|(s, n)| vec![tr(&format!("item_status.{s}")), grouped(lang, *n)])
        .chain([
            vec![tr("report.overdue"), grouped(lang, items.overdue)],
            vec![tr("donor.total"), grouped(lang, items.total)],
        ])
        .collect();
    l.table(&[300.0, 80.0], &[String::new(), tr("donor.actions")], &rows, 1);

    // Annex: the held sessions.
    l.new_page();
    l.heading(&tr("donor.annex"));
    let rows: Vec<Vec<String>> = report
        .evidence
        .sessions
        .iter()
        .map(|s| {
            vec![
                s.session
                    .start_date
                    .as_deref()
                    .and_then(|d| d.parse().ok())
                    .map(|d| date(lang, d))
                    .unwrap_or_default(),
                s.session.title.clone(),
                s.session.region.clone(),
                grouped(lang, s.attendances),
                if s.sheets > 0 { tr("donor.yes") } else { tr("donor.no") },
            ]
        })
        .collect();
    if rows.is_empty() {
        l.paragraph(&tr("donor.none"), BODY, false);
    } else {
        l.table(
            &[70.0, 230.0, 90.0, 60.0, 49.28],
            &[
                tr("donor.date"),
                tr("donor.session"),
                tr("donor.region"),
                tr("report.attendances"),
                tr("donor.sheet"),
            ],
            &rows,
            3,
        );
    }

    draw(&fonts, l.pages, &programme, lang)
}

fn draw(
    fonts: &Fonts,
    pages: Vec<Vec<Draw>>,
    programme: &str,
    lang: Lang,
) -> crate::error::Result<Vec<u8>> {
    let mut document = Document::new();
    let count = pages.len();
    for (index, page_draws) in pages.into_iter().enumerate() {
        let mut page = document.start_page_with(PageSettings::from_wh(WIDTH, HEIGHT).expect("A4"));
        let mut surface = page.surface();
        for d in page_draws {
            match d {
                Draw::Text { x, y, size, bold, content } => {
                    let font = if bold { &fonts.bold } else { &fonts.regular };
                    text(&mut surface, font, size, x, y, &content);
                }
                Draw::Line { x1, y1, x2, y2, width } => line(&mut surface, x1, y1, x2, y2, width),
                Draw::Fill { rect: (x, y, w, h), colour } => {
                    if let Some(rect) = Rect::from_xywh(x, y, w, h) {
                        fill(&mut surface, rect, colour);
                    }
                }
            }
        }
        let footer = t(
            lang,
            "donor.footer",
            &[
                ("programme", programme.to_string()),
                ("page", (index + 1).to_string()),
                ("pages", count.to_string()),
            ],
        );
        line(&mut surface, MARGIN, HEIGHT - 40.0, WIDTH - MARGIN, HEIGHT - 40.0, 0.4);
        text(&mut surface, &fonts.regular, 8.0, MARGIN, HEIGHT - 28.0, &footer);
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| crate::error::Error::Io {
        path: "donor report".into(),
        source: std::io::Error::other(format!("the PDF could not be made: {e:?}")),
    })
}
