//! The IATI results export: the programme's activity with one `result` holding every indicator
//! of the catalogue, its baseline, and a `period` with its target and actual value, the actual
//! repeated per breakdown with a `dimension` (sex, age, stakeholder group, region), as IATI 2.03
//! XML. It validates against the official schema (tests/fixtures/iati/, `xmllint`). The
//! activity's identifier and the reporting organisation's are set once in the settings.
//!
//! Written with `quick-xml`, which escapes text and attributes.

use std::io::Write;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use super::progress::{IndicatorProgress, Progress};
use crate::error::{Error, Invalid, Result};

/// IATI's organisation type for an international NGO.
const INTERNATIONAL_NGO: &str = "21";
/// Mali, in ISO 3166-1.
const COUNTRY: &str = "ML";

pub use crate::model::fields::iati_identifier as identifier;

/// Who publishes the results, and about which activity.
#[derive(Debug, Clone)]
pub struct Publisher {
    /// The activity's IATI identifier (starts with the organisation's, then a dash).
    pub activity: String,
    /// The reporting organisation's IATI identifier.
    pub org: String,
    /// The programme's name (the activity's title and the organisation's narrative).
    pub programme: String,
    /// The report's summary sentence (the activity's description).
    pub summary: String,
    /// When the file is written (RFC 3339).
    pub now: String,
}

impl Publisher {
    /// Checks that the two identifiers are set and belong together.
    pub fn check(&self) -> std::result::Result<(), Invalid> {
        if self.org.is_empty() {
            return Err(Invalid::Empty { field: "IATI organisation identifier (settings)" });
        }
        if self.activity.is_empty() {
            return Err(Invalid::Empty { field: "IATI activity identifier (settings)" });
        }
        if !self.activity.starts_with(&format!("{}-", self.org)) {
            return Err(Invalid::UnknownCode {
                field: "IATI activity identifier",
                value: self.activity.chars().take(40).collect(),
                allowed: format!("an identifier starting with the organisation's, {}-…", self.org),
            });
        }
        Ok(())
    }
}

fn xml_error(e: impl std::fmt::Display) -> Error {
    Error::Io { path: "IATI export".into(), source: std::io::Error::other(e.to_string()) }
}

/// A number as IATI wants it: whole when it is, else with one decimal.
fn number(v: f64) -> String {
    if v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v:.1}") }
}

struct Xml<W: Write> {
    w: Writer<W>,
}

impl<W: Write> Xml<W> {
    fn open(&mut self, name: &str, attrs: &[(&str, &str)]) -> Result<()> {
        let mut e = BytesStart::new(name);
        e.extend_attributes(attrs.iter().copied());
        self.w.write_event(Event::Start(e)).map_err(xml_error)
    }
    fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) -> Result<()> {
        let mut e = BytesStart::new(name);
        e.extend_attributes(attrs.iter().copied());
        self.w.write_event(Event::Empty(e)).map_err(xml_error)
    }
    fn close(&mut self, name: &str) -> Result<()> {
        self.w.write_event(Event::End(BytesEnd::new(name))).map_err(xml_error)
    }
    fn text(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) -> Result<()> {
        self.open(name, attrs)?;
        self.w.write_event(Event::Text(BytesText::new(text))).map_err(xml_error)?;
        self.close(name)
    }
    /// `<name><narrative>text</narrative></name>`.
    fn narrative(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) -> Result<()> {
        self.open(name, attrs)?;
        self.text("narrative", &[], text)?;
        self.close(name)
    }
}

/// The IATI `dimension` name of a breakdown.
fn dimension(by: crate::model::codes::Disaggregation) -> &'static str {
    use crate::model::codes::Disaggregation as D;
    match by {
        D::Sex => "sex",
        D::Age => "age",
        D::Group => "stakeholder_group",
        D::Region => "region",
    }
}

fn indicator<W: Write>(
    x: &mut Xml<W>,
    row: &IndicatorProgress,
    from: &str,
    to: &str,
) -> Result<()> {
    let measure = if row.percent { "2" } else { "1" };
    x.open("indicator", &[("measure", measure), ("ascending", "1")])?;
    x.narrative("title", &[], &row.label)?;
    x.empty("reference", &[("vocabulary", "99"), ("code", &row.code)])?;
    if let Some(year) = row.baseline_year {
        let value = row.baseline.map(|b| b.to_string()).unwrap_or_default();
        let year = year.to_string();
        let mut attrs = vec![("year", year.as_str())];
        if !value.is_empty() {
            attrs.push(("value", value.as_str()));
        }
        x.empty("baseline", &attrs)?;
    }
    x.open("period", &[])?;
    x.empty("period-start", &[("iso-date", from)])?;
    x.empty("period-end", &[("iso-date", to)])?;
    if let Some(target) = &row.target {
        x.empty("target", &[("value", &target.value.to_string())])?;
    }
    x.empty("actual", &[("value", &number(row.actual))])?;
    for breakdown in &row.breakdowns {
        for (key, value) in &breakdown.values {
            x.open("actual", &[("value", &number(*value))])?;
            x.empty("dimension", &[("name", dimension(breakdown.by)), ("value", key)])?;
            x.close("actual")?;
        }
    }
    x.close("period")?;
    x.close("indicator")
}

/// Writes `progress` as an IATI 2.03 activity file.
pub fn write(progress: &Progress, publisher: &Publisher, out: impl Write) -> Result<()> {
    publisher.check()?;
    let (Some(from), Some(to)) = (progress.period.from, progress.period.to) else {
        return Err(
            Invalid::Empty { field: "period (IATI results need its first and last day)" }.into()
        );
    };
    let (from, to) = (from.to_string(), to.to_string());
    let lang = progress.lang.code();
    let mut x = Xml { w: Writer::new_with_indent(out, b' ', 2) };
    x.w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None))).map_err(xml_error)?;
    x.open("iati-activities", &[("version", "2.03"), ("generated-datetime", &publisher.now)])?;
    x.open(
        "iati-activity",
        &[
            ("last-updated-datetime", &publisher.now),
            ("xml:lang", lang),
            ("default-currency", "XOF"),
        ],
    )?;
    x.text("iati-identifier", &[], &publisher.activity)?;
    let programme = if publisher.programme.is_empty() { "Palabre" } else { &publisher.programme };
    x.narrative(
        "reporting-org",
        &[("ref", &publisher.org), ("type", INTERNATIONAL_NGO)],
        programme,
    )?;
    x.narrative("title", &[], programme)?;
    x.narrative("description", &[("type", "1")], &publisher.summary)?;
    x.narrative(
        "participating-org",
        &[("ref", &publisher.org), ("role", "4"), ("type", INTERNATIONAL_NGO)],
        programme,
    )?;
    // Implementation.
    x.empty("activity-status", &[("code", "2")])?;
    x.empty("activity-date", &[("iso-date", &from), ("type", "2")])?;
    x.empty("recipient-country", &[("code", COUNTRY), ("percentage", "100")])?;
    if !progress.indicators.is_empty() {
        // An outcome result holding the logframe's indicators.
        x.open("result", &[("type", "2"), ("aggregation-status", "1")])?;
        let title = match progress.lang {
            crate::i18n::Lang::Fr => "Résultats du cadre logique",
            crate::i18n::Lang::En => "Logframe results",
        };
        x.narrative("title", &[], title)?;
        for row in &progress.indicators {
            indicator(&mut x, row, &from, &to)?;
        }
        x.close("result")?;
    }
    x.close("iati-activity")?;
    x.close("iati-activities")?;
    x.w.get_mut().write_all(b"\n").map_err(xml_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_checked_and_belong_together() {
        assert_eq!(identifier("org", " CH-FDJP-1 ").unwrap(), "CH-FDJP-1");
        assert!(identifier("org", "CH FDJP").is_err());
        assert!(identifier("org", "").is_err());
        let publisher = Publisher {
            activity: "XM-1-MLI".into(),
            org: "CH-FDJP-1".into(),
            programme: String::new(),
            summary: String::new(),
            now: String::new(),
        };
        assert!(publisher.check().unwrap_err().to_string().contains("CH-FDJP-1-"));
        assert_eq!(number(315.0), "315");
        assert_eq!(number(66.67), "66.7");
    }
}
