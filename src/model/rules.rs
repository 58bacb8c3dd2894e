//! What a stored value of each synced field may be: the rules of local entry (the same checks
//! from `fields` and `codes`), applied to the values that arrive in bundles. A trusted laptop may
//! still run a modified build; its values are held to the rules the app's own forms keep.
//! The journal's allow-list (`journal::schema`) names the rule of every field.

use chrono::{Datelike, NaiveDate};
use serde_json::Value;

use super::codes::{
    AttendanceRole, Disaggregation, Group, ItemStatus, Measure, PlanStatus, SessionKind,
    SessionStatus, Sex,
};
use super::fields::{self, LONG_TEXT, MIN_BIRTH_YEAR, SHORT_TEXT};
use super::person::parse_disability;
use crate::error::Invalid;

/// The rule of one field. Every rule but `Required` and `Code` accepts null (a cleared value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Text of at most this many characters.
    Text(usize),
    /// Text that is not empty, of at most this many characters; never null.
    Required(usize),
    /// One of a list of codes; never null.
    Code(Codes),
    /// One of a list of codes, or null.
    OptionalCode(Codes),
    /// A YYYY-MM-DD date that exists.
    Date,
    /// A birth year from 1900 to next year (a laptop's clock may be a little ahead).
    BirthYear,
    /// A phone number as the forms accept it.
    Phone,
    /// The id of a row (a UUID).
    Id,
    /// A list of stakeholder-group codes.
    Groups,
    /// A list of texts of at most this many characters each.
    Texts(usize),
    /// Washington Group answers: an object of domain → level 1 to 4.
    Disability,
    /// What a merge took: an object whose keys are person fields.
    Taken,
    /// A moment, in RFC 3339.
    Timestamp,
    /// A true/false flag: its type is all there is to check.
    Flag,
    /// A whole number from the first to the second, both included.
    Whole(i64, i64),
    /// A SHA-256 digest: 64 lowercase hexadecimal digits.
    Sha256,
    /// The erasure flag: only ever set, to true (an erasure cannot be undone).
    Erased,
    /// An indicator's code: 1 to 20 letters, digits, dots, dashes or underscores.
    IndicatorCode,
    /// A list of disaggregation codes, each at most once.
    Disaggregations,
    /// An indicator's targets: an object of period ("2025", "2025-Q3") → whole number.
    Targets,
}

/// The code lists a field may take its value from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codes {
    Sex,
    SessionKind,
    SessionStatus,
    Group,
    AttendanceRole,
    PlanStatus,
    ItemStatus,
    Decision,
    /// The kinds of file kept as evidence: a JPEG (every photo is recompressed to one) or a PDF.
    MediaType,
    Measure,
}

impl Codes {
    fn check(self, value: &str) -> Result<(), Invalid> {
        match self {
            Codes::Sex => Sex::parse(value).map(drop),
            Codes::SessionKind => SessionKind::parse(value).map(drop),
            Codes::SessionStatus => SessionStatus::parse(value).map(drop),
            Codes::Group => Group::parse(value).map(drop),
            Codes::AttendanceRole => AttendanceRole::parse(value).map(drop),
            Codes::PlanStatus => PlanStatus::parse(value).map(drop),
            Codes::ItemStatus => ItemStatus::parse(value).map(drop),
            Codes::Measure => Measure::parse(value).map(drop),
            Codes::MediaType => match value {
                "image/jpeg" | "application/pdf" => Ok(()),
                _ => Err(Invalid::UnknownCode {
                    field: "media_type",
                    value: value.chars().take(40).collect(),
                    allowed: "image/jpeg, application/pdf".into(),
                }),
            },
            Codes::Decision => match value {
                "merge" | "distinct" => Ok(()),
                _ => Err(Invalid::UnknownCode {
                    field: "decision",
                    value: value.to_string(),
                    allowed: "merge, distinct".into(),
                }),
            },
        }
    }
}

/// The person fields a merge may take (what `taken` may name).
pub const TAKEABLE: &[&str] = &[
    "full_name",
    "sex",
    "birth_year",
    "birth_year_estimated",
    "role",
    "stakeholder_group",
    "community",
    "phone",
    "disability",
    "consent",
    "consent_date",
    "notes",
    "registered_on",
];

impl Rule {
    /// Checks `value` (already of the column's JSON type) for the field `field` on `today`.
    /// The error names the field; it never repeats a person's free text.
    pub fn check(
        self,
        field: &'static str,
        value: &Value,
        today: NaiveDate,
    ) -> Result<(), Invalid> {
        let text = |v: &Value| v.as_str().map(str::to_string);
        match (self, value) {
            (Rule::Required(_), Value::Null) => Err(Invalid::Empty { field }),
            (Rule::Code(codes), Value::Null) => codes.check(""),
            (Rule::Erased, Value::Bool(true)) => Ok(()),
            (Rule::Erased, _) => Err(Invalid::UnknownCode {
                field,
                value: value.to_string(),
                allowed: "true (an erasure cannot be undone)".into(),
            }),
            (_, Value::Null) => Ok(()),
            (Rule::Text(max), Value::String(s)) => fields::text(field, s, max).map(drop),
            (Rule::Required(max), Value::String(s)) => fields::required(field, s, max).map(drop),
            (Rule::Code(codes) | Rule::OptionalCode(codes), Value::String(s)) => codes.check(s),
            (Rule::Date, Value::String(s)) => fields::date(field, s).map(drop),
            (Rule::BirthYear, Value::Number(n)) => {
                let max = today.year() + 1;
                match n.as_i64().and_then(|y| i32::try_from(y).ok()) {
                    Some(year) if (MIN_BIRTH_YEAR..=max).contains(&year) => Ok(()),
                    Some(year) => Err(Invalid::BirthYear { year, min: MIN_BIRTH_YEAR, max }),
                    None => Err(Invalid::Range {
                        field,
                        value: n.as_i64().unwrap_or(i64::MAX),
                        min: MIN_BIRTH_YEAR.into(),
                        max: max.into(),
                    }),
                }
            }
            (Rule::Phone, Value::String(s)) => fields::phone(s)
                .map(drop)
                .map_err(|_| Invalid::Phone { value: "(not shown)".into() }),
            (Rule::Id, Value::String(s)) => uuid::Uuid::parse_str(s).map(drop).map_err(|_| {
                let entity = match field {
                    "session_id" => "session",
                    "plan_id" => "plan",
                    _ => "person",
                };
                Invalid::Id { entity, value: s.chars().take(40).collect() }
            }),
            (Rule::Groups, Value::Array(items)) => items.iter().try_for_each(|item| {
                let code = text(item).unwrap_or_else(|| item.to_string());
                Group::parse(&code).map(drop)
            }),
            (Rule::Texts(max), Value::Array(items)) => {
                items.iter().try_for_each(|item| match item {
                    Value::String(s) => fields::text(field, s, max).map(drop),
                    _ => Err(not_a(field, "list of texts")),
                })
            }
            // Stored as {"seeing": 2}: checked as the form's "seeing=2" answers are.
            (Rule::Disability, Value::Object(answers)) => {
                let answers: Vec<String> =
                    answers.iter().map(|(d, l)| format!("{d}={l}")).collect();
                parse_disability(&answers).map(drop)
            }
            (Rule::Taken, Value::Object(taken)) => {
                if taken.keys().all(|k| TAKEABLE.contains(&k.as_str())) {
                    Ok(())
                } else {
                    Err(not_a(field, "record of person fields"))
                }
            }
            (Rule::Timestamp, Value::String(s)) => chrono::DateTime::parse_from_rfc3339(s)
                .map(drop)
                .map_err(|_| Invalid::Date { field, value: s.chars().take(40).collect() }),
            (Rule::Flag, Value::Bool(_)) => Ok(()),
            (Rule::Whole(min, max), Value::Number(n)) => match n.as_i64() {
                Some(v) if (min..=max).contains(&v) => Ok(()),
                v => Err(Invalid::Range { field, value: v.unwrap_or(i64::MAX), min, max }),
            },
            (Rule::Sha256, Value::String(s)) => {
                if s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
                    Ok(())
                } else {
                    Err(not_a(field, "SHA-256 digest"))
                }
            }
            (Rule::IndicatorCode, Value::String(s)) => fields::indicator_code(s).map(drop),
            (Rule::Disaggregations, Value::Array(items)) => {
                let mut seen = Vec::new();
                items.iter().try_for_each(|item| {
                    let code = text(item).unwrap_or_else(|| item.to_string());
                    let parsed = Disaggregation::parse(&code)?;
                    if seen.contains(&parsed) {
                        return Err(not_a(field, "list of distinct disaggregations"));
                    }
                    seen.push(parsed);
                    Ok(())
                })
            }
            (Rule::Targets, Value::Object(targets)) => targets.iter().try_for_each(|(key, v)| {
                // In the form the app writes ("2025", "2025-Q3"), so that a period finds it.
                if *key != fields::target_period(key)? {
                    return Err(not_a(field, "set of targets by year (2025) or quarter (2025-Q3)"));
                }
                match v.as_i64() {
                    Some(n) if (0..=fields::MAX_FIGURE).contains(&n) => Ok(()),
                    n => Err(Invalid::Range {
                        field,
                        value: n.unwrap_or(i64::MAX),
                        min: 0,
                        max: fields::MAX_FIGURE,
                    }),
                }
            }),
            _ => Err(not_a(field, "value of this kind")),
        }
    }
}

fn not_a(field: &'static str, what: &str) -> Invalid {
    Invalid::UnknownCode { field, value: "(this value)".into(), allowed: format!("a {what}") }
}

/// Length limits of the forms, for the allow-list.
pub const SHORT: Rule = Rule::Text(SHORT_TEXT);
pub const LONG: Rule = Rule::Text(LONG_TEXT);

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 3).unwrap()
    }

    #[test]
    fn values_the_forms_refuse_are_refused_with_the_field_named() {
        let cases: &[(Rule, &'static str, Value, &str)] = &[
            (Rule::Code(Codes::Sex), "sex", json!("Q"), "invalid_sex"),
            (Rule::BirthYear, "birth_year", json!(99999), "birth_year_out_of_range"),
            (Rule::Date, "start_date", json!("2024-02-30"), "invalid_date"),
            (Rule::Code(Codes::SessionStatus), "status", json!("imaginary"), "invalid_status"),
            (Rule::Groups, "groups", json!(["youth", "martians"]), "invalid_group"),
            (Rule::Required(SHORT_TEXT), "full_name", json!("x".repeat(100_000)), "too_long"),
            (Rule::Required(SHORT_TEXT), "full_name", json!("  "), "empty_field"),
            (Rule::Required(SHORT_TEXT), "full_name", Value::Null, "empty_field"),
            (Rule::Phone, "phone", json!("call me"), "invalid_phone"),
            (Rule::Id, "session_id", json!("not-an-id"), "invalid_id"),
            (Rule::Disability, "disability", json!({"seeing": 9}), "invalid_disability"),
        ];
        for (rule, field, value, code) in cases {
            let err = rule.check(field, value, today()).unwrap_err();
            assert_eq!(err.code(), *code, "{field} = {value}");
        }
        let phone = Rule::Phone.check("phone", &json!("Aïssata 76"), today()).unwrap_err();
        assert!(!phone.to_string().contains("Aïssata"), "a refusal never repeats the value");
    }

    #[test]
    fn values_the_forms_write_pass() {
        let cases: &[(Rule, Value)] = &[
            (Rule::Code(Codes::Sex), json!("F")),
            (Rule::BirthYear, json!(1990)),
            (Rule::Date, json!("2024-02-29")),
            (Rule::Groups, json!(["womens_groups", "youth"])),
            (Rule::Texts(LONG_TEXT), json!(["Réunir les chefs de quartier"])),
            (Rule::Disability, json!({"seeing": 2})),
            (Rule::Taken, json!({"phone": {"before": null, "after": "76 00 00 00"}})),
            (Rule::Timestamp, json!("2026-12-03T10:00:00Z")),
            (Rule::OptionalCode(Codes::Group), Value::Null),
            (Rule::Erased, json!(true)),
            (SHORT, Value::Null),
        ];
        for (rule, value) in cases {
            rule.check("field", value, today()).unwrap_or_else(|e| panic!("{value}: {e}"));
        }
    }
}
