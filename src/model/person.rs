//! A person in the participant registry, reused across sessions. Data is kept minimal: people in
//! a conflict zone can be put at risk by what is written about them.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::Changes;
use super::codes::{Group, Sex, WgDomain};
use super::fields::{self, LONG_TEXT, SHORT_TEXT};
use super::ids::PersonId;
use crate::error::Invalid;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Person {
    pub id: PersonId,
    pub full_name: String,
    pub sex: Sex,
    pub birth_year: Option<i32>,
    /// True when the birth year was derived from an age given at registration.
    pub birth_year_estimated: bool,
    pub role: String,
    pub group: Option<Group>,
    pub community: String,
    pub phone: String,
    /// Washington Group short set: domain → level 1 (no difficulty) … 4 (cannot do at all).
    pub disability: Option<BTreeMap<WgDomain, u8>>,
    pub consent: bool,
    pub consent_date: Option<NaiveDate>,
    pub notes: String,
    pub registered_on: Option<NaiveDate>,
    /// Set when this record was merged into another person (it is then an alias of that person).
    pub merged_into: Option<PersonId>,
    /// Erased at their request: the personal fields are blank for good (see `Palabre::erase_person`).
    pub erased: bool,
}

impl Person {
    /// Age in whole years on a date (a session's date, for reports and sheets).
    pub fn age_on(&self, date: NaiveDate) -> Option<i32> {
        fields::age_on(self.birth_year, date)
    }
}

/// What a person typed in the person form. `None` leaves a field as it is.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct PersonInput {
    pub full_name: Option<String>,
    pub sex: Option<String>,
    pub birth_year: Option<i32>,
    /// Age at registration, when the birth year is not known.
    pub age: Option<i32>,
    /// Forget the birth year (and age).
    pub clear_birth_year: bool,
    pub role: Option<String>,
    /// A group code; `Some("")` clears it.
    pub group: Option<String>,
    pub community: Option<String>,
    pub phone: Option<String>,
    /// "domain=level" answers; `Some([])` clears them.
    pub disability: Option<Vec<String>>,
    pub consent: Option<bool>,
    pub notes: Option<String>,
}

impl PersonInput {
    /// Validates the input against the person it edits (None when creating) on `today`.
    pub fn changes(&self, existing: Option<&Person>, today: NaiveDate) -> Result<Changes, Invalid> {
        let creating = existing.is_none();
        let mut c = Changes::default();
        c.required("full_name", "name", &self.full_name, creating, SHORT_TEXT)?;
        let sex = self.sex.as_deref().map(Sex::parse).transpose()?;
        c.code("sex", sex.map(Sex::as_str), Sex::X.as_str(), creating);
        if self.clear_birth_year && (self.birth_year.is_some() || self.age.is_some()) {
            return Err(Invalid::BirthYearAndAge);
        }
        match fields::birth_year(self.birth_year, self.age, today)? {
            Some((year, estimated)) => {
                c.push("birth_year", year);
                c.push("birth_year_estimated", estimated);
            }
            None if creating || self.clear_birth_year => {
                c.push("birth_year", Value::Null);
                c.push("birth_year_estimated", false);
            }
            None => {}
        }
        c.text("role", "role", &self.role, SHORT_TEXT)?;
        match self.group.as_deref().map(str::trim) {
            Some("") => c.push("stakeholder_group", Value::Null),
            Some(code) => c.push("stakeholder_group", Group::parse(code)?.as_str()),
            None if creating => c.push("stakeholder_group", Value::Null),
            None => {}
        }
        c.text("community", "community", &self.community, SHORT_TEXT)?;
        if let Some(phone) = &self.phone {
            c.push("phone", fields::phone(phone)?);
        }
        match &self.disability {
            Some(answers) if answers.is_empty() => c.push("disability", Value::Null),
            Some(answers) => c.push("disability", json!(parse_disability(answers)?)),
            None if creating => c.push("disability", Value::Null),
            None => {}
        }
        let consent_now = self.consent.or(creating.then_some(false));
        let consent_before = existing.map(|p| p.consent);
        if let Some(consent) = consent_now
            && Some(consent) != consent_before
        {
            c.push("consent", consent);
            c.push("consent_date", consent.then(|| today.to_string()));
        }
        c.text("notes", "notes", &self.notes, LONG_TEXT)?;
        if creating {
            c.push("registered_on", today.to_string());
        }
        Ok(c.finish(creating, &["role", "community", "phone", "notes"]))
    }
}

/// Parses Washington Group answers such as "seeing=2".
pub fn parse_disability(answers: &[String]) -> Result<BTreeMap<WgDomain, u8>, Invalid> {
    let domains = WgDomain::ALL.iter().map(|d| d.as_str()).collect::<Vec<_>>().join(", ");
    let bad =
        |value: &str| Invalid::Disability { value: value.to_string(), domains: domains.clone() };
    answers
        .iter()
        .map(|answer| {
            let (domain, level) = answer.split_once('=').ok_or_else(|| bad(answer))?;
            let domain = WgDomain::parse(domain).map_err(|_| bad(answer))?;
            let level: u8 = level
                .trim()
                .parse()
                .ok()
                .filter(|l| (1..=4).contains(l))
                .ok_or_else(|| bad(answer))?;
            Ok((domain, level))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 5, 2).unwrap()
    }

    #[test]
    fn creation_needs_a_name_and_defaults_everything_else() {
        let err = PersonInput::default().changes(None, today()).unwrap_err();
        assert_eq!(err, Invalid::Empty { field: "name" });
        let input = PersonInput {
            full_name: Some("Aïssata Traoré".into()),
            age: Some(24),
            ..Default::default()
        };
        let c = input.changes(None, today()).unwrap();
        let get = |f: &str| c.0.iter().find(|(n, _)| *n == f).map(|(_, v)| v.clone());
        assert_eq!(get("birth_year"), Some(json!(2000)));
        assert_eq!(get("birth_year_estimated"), Some(json!(true)));
        assert_eq!(get("sex"), Some(json!("X")));
        assert_eq!(get("consent"), Some(json!(false)));
        assert_eq!(get("registered_on"), Some(json!("2024-05-02")));
    }

    #[test]
    fn consent_records_its_date() {
        let input =
            PersonInput { full_name: Some("A".into()), consent: Some(true), ..Default::default() };
        let c = input.changes(None, today()).unwrap();
        assert!(c.0.contains(&("consent_date", json!("2024-05-02"))));
    }

    #[test]
    fn disability_answers_are_checked() {
        let ok = parse_disability(&["seeing=2".into(), "self_care=4".into()]).unwrap();
        assert_eq!(ok[&WgDomain::SelfCare], 4);
        for bad in ["seeing", "seeing=5", "smell=2", "walking=0"] {
            assert_eq!(
                parse_disability(&[bad.into()]).unwrap_err().code(),
                "invalid_disability",
                "{bad}"
            );
        }
    }
}
