//! The indicator catalogue: the programme's logframe as Palabre knows it. Each indicator has a
//! code (its identity), the vocabulary it comes from (the donor's framework, or the
//! organisation's own), labels in French and English, what it counts (a [`Measure`], one of the
//! report's own figures, with a stakeholder group for the measures that need one), the
//! breakdowns the donor asks for, a baseline, and targets per period (a year or a quarter).
//!
//! Palabre ships a built-in catalogue for the programme's own indicators ([`builtin`]). HQ edits
//! it, or adds indicators, through ops of the `indicator` entity whose row id is derived from
//! the code ([`id_of`]): a row holds only the fields HQ set, and the built-in definition of the
//! same code fills in the others. So every copy, laptop or HQ, computes the same definitions:
//! laptops receive HQ's ops in their registry files, and only HQ writes them (a bundle from a
//! laptop that carries one is refused whole).

use std::collections::BTreeMap;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::error::{Invalid, Result};
use crate::i18n::Lang;
use crate::model::codes::{Disaggregation, Group, Measure};
use crate::model::fields::{self, MAX_FIGURE, SHORT_TEXT};

/// The namespace of indicators' row ids (UUID v5 of the code).
const NAMESPACE: Uuid = Uuid::from_u128(0x7c1e_62b5_a3f4_4d0e_9a51_0e5b_2d8c_4f17);

/// The row id of the indicator with this code.
pub fn id_of(code: &str) -> Uuid {
    Uuid::new_v5(&NAMESPACE, code.as_bytes())
}

/// One indicator of the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    pub code: String,
    /// The framework the code comes from: the donor's logframe, or "own".
    pub vocabulary: String,
    pub label_fr: String,
    pub label_en: String,
    pub measure: Measure,
    /// The stakeholder group of `people_in_group` and `activities_with_group`.
    pub group: Option<Group>,
    pub disaggregations: Vec<Disaggregation>,
    pub baseline: Option<i64>,
    pub baseline_year: Option<i32>,
    /// Period ("2025", "2025-Q3") → target.
    pub targets: BTreeMap<String, i64>,
    /// Where it stands in the tables (then by code).
    pub position: i64,
    /// Shipped with Palabre (HQ may still have edited it).
    pub builtin: bool,
}

impl Indicator {
    pub fn label(&self, lang: Lang) -> &str {
        match lang {
            Lang::Fr if !self.label_fr.is_empty() => &self.label_fr,
            Lang::En if !self.label_en.is_empty() => &self.label_en,
            _ if !self.label_fr.is_empty() => &self.label_fr,
            _ => &self.label_en,
        }
    }

    /// A percentage (shares) rather than a count.
    pub fn is_percent(&self) -> bool {
        self.measure.is_percent()
    }
}

impl Measure {
    pub fn is_percent(self) -> bool {
        matches!(self, Measure::ShareWomen | Measure::ShareYouth | Measure::ShareWithEvidence)
    }

    /// The largest baseline or target it may have: 100 for a share, else any figure.
    pub fn max_value(self) -> i64 {
        if self.is_percent() { 100 } else { MAX_FIGURE }
    }

    /// Measures that count within one stakeholder group need it named.
    pub fn needs_group(self) -> bool {
        matches!(self, Measure::PeopleInGroup | Measure::ActivitiesWithGroup)
    }

    /// Whether the report can break this measure down this way: people by sex and age band
    /// (women by age, youth by sex), people and activities by group, everything by region.
    pub fn can_break_down(self, by: Disaggregation) -> bool {
        use Disaggregation as D;
        use Measure as M;
        match by {
            D::Region => true,
            D::Sex => matches!(self, M::PeopleReached | M::YouthReached),
            D::Age => matches!(self, M::PeopleReached | M::WomenReached),
            D::Group => matches!(self, M::PeopleReached | M::ActivitiesHeld),
        }
    }
}

struct Builtin {
    code: &'static str,
    label_fr: &'static str,
    label_en: &'static str,
    measure: Measure,
    group: Option<Group>,
    disaggregations: &'static [Disaggregation],
    targets: &'static [(&'static str, i64)],
}

/// The programme's own logframe (docs/DESIGN.md, "Results"): the figures its yearly sentence
/// states, with the 2024 targets of the Mali programme. HQ edits them or adds its donor's.
const BUILTIN: &[Builtin] = {
    use Disaggregation::*;
    &[
        Builtin {
            code: "PAL-1",
            label_fr: "Personnes touchées par les dialogues",
            label_en: "People reached by the dialogues",
            measure: Measure::PeopleReached,
            group: None,
            disaggregations: &[Sex, Age, Group, Region],
            targets: &[("2024", 300)],
        },
        Builtin {
            code: "PAL-2",
            label_fr: "Part des femmes parmi les personnes touchées (%)",
            label_en: "Share of women among the people reached (%)",
            measure: Measure::ShareWomen,
            group: None,
            disaggregations: &[Region],
            targets: &[("2024", 80)],
        },
        Builtin {
            code: "PAL-3",
            label_fr: "Part des jeunes (15–35 ans) parmi les personnes touchées (%)",
            label_en: "Share of youth (15–35) among the people reached (%)",
            measure: Measure::ShareYouth,
            group: None,
            disaggregations: &[Region],
            targets: &[("2024", 50)],
        },
        Builtin {
            code: "PAL-4",
            label_fr: "Activités tenues avec les acteurs de sécurité",
            label_en: "Activities held with security actors",
            measure: Measure::ActivitiesWithGroup,
            group: Some(crate::model::codes::Group::SecurityActors),
            disaggregations: &[Region],
            targets: &[("2024", 3)],
        },
        Builtin {
            code: "PAL-5",
            label_fr: "Activités tenues avec les acteurs de gouvernance et de justice",
            label_en: "Activities held with governance and justice actors",
            measure: Measure::ActivitiesWithGroup,
            group: Some(crate::model::codes::Group::GovernanceJustice),
            disaggregations: &[Region],
            targets: &[("2024", 7)],
        },
        Builtin {
            code: "PAL-6",
            label_fr: "Activités tenues",
            label_en: "Activities held",
            measure: Measure::ActivitiesHeld,
            group: None,
            disaggregations: &[Group, Region],
            targets: &[],
        },
        Builtin {
            code: "PAL-7",
            label_fr: "Actions des plans d'action réalisées",
            label_en: "Action-plan items done",
            measure: Measure::ItemsDone,
            group: None,
            disaggregations: &[],
            targets: &[],
        },
        Builtin {
            code: "PAL-8",
            label_fr: "Activités tenues dont la feuille signée est jointe (%)",
            label_en: "Held activities with their signed sheet attached (%)",
            measure: Measure::ShareWithEvidence,
            group: None,
            disaggregations: &[],
            targets: &[],
        },
    ]
};

/// The vocabulary of the built-in indicators.
pub const OWN: &str = "own";

/// The built-in catalogue, as shipped.
pub fn builtin() -> Vec<Indicator> {
    BUILTIN
        .iter()
        .enumerate()
        .map(|(i, b)| Indicator {
            code: b.code.into(),
            vocabulary: OWN.into(),
            label_fr: b.label_fr.into(),
            label_en: b.label_en.into(),
            measure: b.measure,
            group: b.group,
            disaggregations: b.disaggregations.to_vec(),
            baseline: Some(0),
            baseline_year: Some(2023),
            targets: b.targets.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            position: (i as i64 + 1) * 10,
            builtin: true,
        })
        .collect()
}

/// The catalogue as this copy knows it: the built-in indicators with HQ's edits laid over them
/// field by field, then HQ's own; deleted ones left out; by position, then code.
pub fn load(conn: &Connection) -> Result<Vec<Indicator>> {
    let mut by_code: BTreeMap<String, Indicator> =
        builtin().into_iter().map(|i| (i.code.clone(), i)).collect();
    let mut deleted = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT code, vocabulary, label_fr, label_en, measure, stakeholder_group, disaggregations,
                baseline, baseline_year, targets, position, deleted
           FROM indicators WHERE code IS NOT NULL",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let code: String = r.get(0)?;
        if r.get::<_, bool>(11)? {
            deleted.push(code);
            continue;
        }
        let measure = r.get::<_, Option<String>>(4)?.and_then(|m| Measure::parse(&m).ok());
        let builtin = by_code.get(&code).is_some_and(|i| i.builtin);
        let Some(measure) = measure else {
            // A row with no definition (a built-in indicator removed, then given back by a
            // newer build): the built-in definition stands.
            continue;
        };
        // A row with its measure holds the whole definition (every write completes it first,
        // see `results::write`): an empty field is one HQ cleared, not one to take from the built-in.
        let text = |i: usize| -> rusqlite::Result<String> {
            Ok(r.get::<_, Option<String>>(i)?.unwrap_or_default())
        };
        let vocabulary = text(1)?;
        let codes: Vec<String> = r
            .get::<_, Option<String>>(6)?
            .and_then(|d| serde_json::from_str(&d).ok())
            .unwrap_or_default();
        by_code.insert(
            code.clone(),
            Indicator {
                code: code.clone(),
                vocabulary: if vocabulary.is_empty() { OWN.into() } else { vocabulary },
                label_fr: text(2)?,
                label_en: text(3)?,
                measure,
                group: r.get::<_, Option<String>>(5)?.and_then(|g| Group::parse(&g).ok()),
                disaggregations: codes
                    .iter()
                    .filter_map(|c| Disaggregation::parse(c).ok())
                    .collect(),
                baseline: r.get(7)?,
                baseline_year: r.get(8)?,
                targets: r
                    .get::<_, Option<String>>(9)?
                    .and_then(|t| serde_json::from_str(&t).ok())
                    .unwrap_or_default(),
                position: r.get::<_, Option<i64>>(10)?.unwrap_or(1000),
                builtin,
            },
        );
    }
    for code in deleted {
        by_code.remove(&code);
    }
    let mut list: Vec<Indicator> = by_code.into_values().collect();
    list.sort_by(|a, b| a.position.cmp(&b.position).then_with(|| a.code.cmp(&b.code)));
    Ok(list)
}

/// Every field of an indicator's definition as an op's value: what a row holds once complete.
pub(crate) fn definition(indicator: &Indicator) -> Vec<(&'static str, Value)> {
    let null_or = |v: Option<Value>| v.unwrap_or(Value::Null);
    vec![
        ("code", Value::String(indicator.code.clone())),
        ("vocabulary", Value::String(indicator.vocabulary.clone())),
        ("label_fr", Value::String(indicator.label_fr.clone())),
        ("label_en", Value::String(indicator.label_en.clone())),
        ("measure", Value::String(indicator.measure.as_str().into())),
        ("stakeholder_group", null_or(indicator.group.map(|g| Value::String(g.as_str().into())))),
        (
            "disaggregations",
            Value::from(indicator.disaggregations.iter().map(|d| d.as_str()).collect::<Vec<_>>()),
        ),
        ("baseline", null_or(indicator.baseline.map(Value::from))),
        ("baseline_year", null_or(indicator.baseline_year.map(Value::from))),
        ("targets", serde_json::to_value(&indicator.targets).unwrap_or(Value::Null)),
        ("position", Value::from(indicator.position)),
    ]
}

/// The fields a new indicator's row starts with, before the input's: none of a code deleted
/// earlier comes back (its targets, its breakdowns).
pub(crate) fn blank(code: &str) -> Indicator {
    Indicator {
        code: code.to_string(),
        vocabulary: OWN.into(),
        label_fr: String::new(),
        label_en: String::new(),
        measure: Measure::PeopleReached,
        group: None,
        disaggregations: Vec::new(),
        baseline: None,
        baseline_year: None,
        targets: BTreeMap::new(),
        position: 1000,
        builtin: false,
    }
}

/// An indicator as HQ types it: every field optional; only those given change.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IndicatorInput {
    pub code: String,
    pub vocabulary: Option<String>,
    pub label_fr: Option<String>,
    pub label_en: Option<String>,
    pub measure: Option<String>,
    /// A stakeholder-group code, or empty for none.
    pub group: Option<String>,
    /// Disaggregation codes ("sex", "age", "group", "region").
    pub disaggregations: Option<Vec<String>>,
    /// Empty clears it.
    pub baseline: Option<String>,
    pub baseline_year: Option<String>,
    pub position: Option<i64>,
}

/// The changes `input` makes to `current` (None for a new indicator), checked: every field the
/// input names, as ops' values, and the definition it leads to.
pub(crate) fn changes(
    input: &IndicatorInput,
    current: Option<&Indicator>,
) -> std::result::Result<(String, Vec<(&'static str, Value)>), Invalid> {
    let code = fields::indicator_code(&input.code)?;
    let mut out: Vec<(&'static str, Value)> = Vec::new();
    // Every row names its code (a row of a built-in indicator too): `load` lays rows over the
    // built-in catalogue by code.
    out.push(("code", Value::String(code.clone())));
    let text = |field: &'static str, v: &Option<String>, required: bool| {
        v.as_deref()
            .map(|v| {
                if required {
                    fields::required(field, v, SHORT_TEXT)
                } else {
                    fields::text(field, v, SHORT_TEXT)
                }
            })
            .transpose()
    };
    if let Some(v) = text("vocabulary", &input.vocabulary, false)? {
        out.push(("vocabulary", Value::String(if v.is_empty() { OWN.into() } else { v })));
    }
    let label_fr = text("label (fr)", &input.label_fr, true)?;
    let label_en = text("label (en)", &input.label_en, true)?;
    if current.is_none() && label_fr.is_none() && label_en.is_none() {
        return Err(Invalid::Empty { field: "label" });
    }
    if let Some(v) = label_fr {
        out.push(("label_fr", Value::String(v)));
    }
    if let Some(v) = label_en {
        out.push(("label_en", Value::String(v)));
    }
    let measure = match &input.measure {
        Some(m) => Some(Measure::parse(m)?),
        None => None,
    };
    let measure_now =
        measure.or(current.map(|c| c.measure)).ok_or(Invalid::Empty { field: "measure" })?;
    if let Some(m) = measure {
        out.push(("measure", Value::String(m.as_str().into())));
    }
    let group = match input.group.as_deref().map(str::trim) {
        Some("") => Some(None),
        Some(g) => Some(Some(Group::parse(g)?)),
        None => None,
    };
    let group_now = group.unwrap_or(current.and_then(|c| c.group));
    if measure_now.needs_group() && group_now.is_none() {
        return Err(Invalid::Empty { field: "stakeholder group" });
    }
    if let Some(g) = group {
        out.push((
            "stakeholder_group",
            g.map_or(Value::Null, |g| Value::String(g.as_str().into())),
        ));
    }
    let disaggregations = match &input.disaggregations {
        Some(list) => {
            let mut parsed: Vec<Disaggregation> = Vec::new();
            for code in list.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
                let d = Disaggregation::parse(code)?;
                if !parsed.contains(&d) {
                    parsed.push(d);
                }
            }
            Some(parsed)
        }
        None => None,
    };
    let disaggregations_now = disaggregations
        .clone()
        .unwrap_or_else(|| current.map(|c| c.disaggregations.clone()).unwrap_or_default());
    if let Some(by) = disaggregations_now.iter().find(|d| !measure_now.can_break_down(**d)) {
        return Err(Invalid::UnknownCode {
            field: "disaggregation",
            value: by.as_str().into(),
            allowed: Disaggregation::ALL
                .iter()
                .filter(|d| measure_now.can_break_down(**d))
                .map(|d| d.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    if let Some(list) = disaggregations {
        out.push((
            "disaggregations",
            Value::from(list.iter().map(|d| d.as_str()).collect::<Vec<_>>()),
        ));
    }
    let whole =
        |field: &'static str, v: &str, min: i64, max: i64| -> std::result::Result<Value, Invalid> {
            let v = v.trim();
            if v.is_empty() {
                return Ok(Value::Null);
            }
            let n: i64 = v.parse().map_err(|_| Invalid::UnknownCode {
                field,
                value: v.chars().take(40).collect(),
                allowed: format!("a whole number from {min} to {max}"),
            })?;
            if !(min..=max).contains(&n) {
                return Err(Invalid::Range { field, value: n, min, max });
            }
            Ok(Value::from(n))
        };
    let percent_max = measure_now.max_value();
    // A count turned into a share keeps no target or baseline a share cannot reach.
    if let Some(current) = current {
        if let Some((_, v)) = current.targets.iter().find(|(_, v)| **v > percent_max) {
            return Err(Invalid::Range { field: "target", value: *v, min: 0, max: percent_max });
        }
        if input.baseline.is_none()
            && let Some(b) = current.baseline.filter(|b| *b > percent_max)
        {
            return Err(Invalid::Range { field: "baseline", value: b, min: 0, max: percent_max });
        }
    }
    if let Some(b) = &input.baseline {
        out.push(("baseline", whole("baseline", b, 0, percent_max)?));
    }
    if let Some(y) = &input.baseline_year {
        out.push(("baseline_year", whole("baseline year", y, 1990, 2100)?));
    }
    if let Some(p) = input.position {
        if !(0..=9999).contains(&p) {
            return Err(Invalid::Range { field: "position", value: p, min: 0, max: 9999 });
        }
        out.push(("position", Value::from(p)));
    }
    Ok((code, out))
}

/// The targets of `current` with the one for `period` set to `value` (None removes it).
pub(crate) fn with_target(
    current: &Indicator,
    period: &str,
    value: Option<i64>,
) -> std::result::Result<Value, Invalid> {
    let key = fields::target_period(period)?;
    let mut targets = current.targets.clone();
    match value {
        Some(v) => {
            let max = current.measure.max_value();
            if !(0..=max).contains(&v) {
                return Err(Invalid::Range { field: "target", value: v, min: 0, max });
            }
            targets.insert(key, v);
        }
        None => {
            targets.remove(&key);
        }
    }
    Ok(serde_json::to_value(targets).unwrap_or(Value::Null))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalogue_is_consistent() {
        let list = builtin();
        let mut codes: Vec<&str> = list.iter().map(|i| i.code.as_str()).collect();
        codes.dedup();
        assert_eq!(codes.len(), list.len(), "codes are unique");
        for i in &list {
            fields::indicator_code(&i.code).unwrap();
            assert_eq!(i.measure.needs_group(), i.group.is_some(), "{}", i.code);
            for d in &i.disaggregations {
                assert!(i.measure.can_break_down(*d), "{} by {d}", i.code);
            }
            assert!(!i.label_fr.is_empty() && !i.label_en.is_empty());
        }
    }

    #[test]
    fn input_is_checked_against_the_definition_it_leads_to() {
        let pal1 = builtin().into_iter().next().unwrap();
        let edit = IndicatorInput {
            code: "PAL-1".into(),
            disaggregations: Some(vec!["sex".into(), "sex".into(), " region ".into()]),
            ..Default::default()
        };
        let (code, made) = changes(&edit, Some(&pal1)).unwrap();
        assert_eq!(code, "PAL-1");
        assert_eq!(
            made,
            [
                ("code", serde_json::json!("PAL-1")),
                ("disaggregations", serde_json::json!(["sex", "region"]))
            ]
        );
        // Activities cannot be broken down by sex; a group measure needs its group.
        let bad = IndicatorInput {
            code: "R2".into(),
            label_en: Some("Dialogues".into()),
            measure: Some("activities_held".into()),
            disaggregations: Some(vec!["sex".into()]),
            ..Default::default()
        };
        assert_eq!(changes(&bad, None).unwrap_err().code(), "invalid_breakdown");
        let no_group = IndicatorInput {
            code: "R3".into(),
            label_en: Some("With the youth".into()),
            measure: Some("activities_with_group".into()),
            ..Default::default()
        };
        assert_eq!(
            changes(&no_group, None).unwrap_err(),
            Invalid::Empty { field: "stakeholder group" }
        );
        let bad_code = IndicatorInput { code: "R 1".into(), ..Default::default() };
        assert!(changes(&bad_code, None).unwrap_err().to_string().contains("R1.2"));
    }

    #[test]
    fn targets_are_keyed_by_year_or_quarter() {
        let pal2 = builtin().into_iter().nth(1).unwrap();
        let t = with_target(&pal2, "2025-Q3", Some(85)).unwrap();
        assert_eq!(t, serde_json::json!({"2024": 80, "2025-Q3": 85}));
        assert_eq!(with_target(&pal2, "2024", None).unwrap(), serde_json::json!({}));
        assert!(with_target(&pal2, "2025-Q5", Some(1)).is_err());
        assert!(with_target(&pal2, "25", Some(1)).is_err());
        // A share is a percentage.
        assert_eq!(
            with_target(&pal2, "2025", Some(140)).unwrap_err(),
            Invalid::Range { field: "target", value: 140, min: 0, max: 100 }
        );
    }
}
