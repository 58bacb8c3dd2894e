//! A session: one activity (a dialogue, a workshop, a multi-stakeholder exchange …).

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::Changes;
use super::codes::{Group, SessionKind, SessionStatus};
use super::fields::{self, LONG_TEXT, SHORT_TEXT};
use super::ids::SessionId;
use crate::error::Invalid;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Session {
    pub id: SessionId,
    pub title: String,
    pub kind: SessionKind,
    pub groups: Vec<Group>,
    pub theme: String,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub region: String,
    pub cercle: String,
    pub commune: String,
    pub place: String,
    pub facilitator: String,
    pub status: SessionStatus,
    pub summary: String,
    pub recommendations: Vec<String>,
}

impl Session {
    /// "Place, commune, cercle, region" as written on a sheet, skipping empty and repeated
    /// parts (the commune of Ségou is in the cercle and region of Ségou).
    pub fn location(&self) -> String {
        let mut parts: Vec<&str> = Vec::new();
        for part in [&self.place, &self.commune, &self.cercle, &self.region] {
            if !part.is_empty() && !parts.contains(&part.as_str()) {
                parts.push(part);
            }
        }
        parts.join(", ")
    }
}

/// What a person typed in the session form. `None` leaves a field as it is; on creation, title
/// and start date are required and the rest get defaults.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct SessionInput {
    pub title: Option<String>,
    pub kind: Option<String>,
    pub groups: Option<Vec<String>>,
    pub theme: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub region: Option<String>,
    pub cercle: Option<String>,
    pub commune: Option<String>,
    pub place: Option<String>,
    pub facilitator: Option<String>,
    pub status: Option<String>,
    pub summary: Option<String>,
    pub recommendations: Option<Vec<String>>,
}

impl SessionInput {
    /// Validates the input against the session it edits (None when creating). A new session
    /// without a status is *held* when it started before `today` (it is being recorded after the
    /// fact, and planned sessions count nowhere), else *planned*.
    pub fn changes(
        &self,
        existing: Option<&Session>,
        today: NaiveDate,
    ) -> Result<Changes, Invalid> {
        let creating = existing.is_none();
        let mut c = Changes::default();
        c.required("title", "title", &self.title, creating, SHORT_TEXT)?;
        let kind = self.kind.as_deref().map(SessionKind::parse).transpose()?;
        c.code("kind", kind.map(SessionKind::as_str), SessionKind::Dialogue.as_str(), creating);
        if let Some(groups) = &self.groups {
            let mut parsed =
                groups.iter().map(|g| Group::parse(g)).collect::<Result<Vec<_>, _>>()?;
            parsed.sort();
            parsed.dedup();
            c.push("groups", json!(parsed));
        } else if creating {
            c.push("groups", json!([]));
        }
        let start = match &self.start_date {
            Some(d) => Some(fields::date("start date", d)?),
            None if creating => return Err(Invalid::Empty { field: "start date" }),
            None => existing.and_then(|s| s.start_date),
        };
        let end = match &self.end_date {
            Some(d) => fields::optional_date("end date", d)?,
            None => existing.and_then(|s| s.end_date),
        };
        if let (Some(start), Some(end)) = (start, end)
            && end < start
        {
            return Err(Invalid::EndBeforeStart { start: start.to_string(), end: end.to_string() });
        }
        if self.start_date.is_some() {
            c.push("start_date", start.map(|d| d.to_string()));
        }
        if self.end_date.is_some() || creating {
            c.push("end_date", end.map_or(Value::Null, |d| Value::from(d.to_string())));
        }
        c.text("theme", "theme", &self.theme, SHORT_TEXT)?;
        c.text("region", "region", &self.region, SHORT_TEXT)?;
        c.text("cercle", "cercle", &self.cercle, SHORT_TEXT)?;
        c.text("commune", "commune", &self.commune, SHORT_TEXT)?;
        c.text("place", "place", &self.place, SHORT_TEXT)?;
        c.text("facilitator", "facilitator", &self.facilitator, SHORT_TEXT)?;
        c.text("summary", "summary", &self.summary, LONG_TEXT)?;
        let status = self.status.as_deref().map(SessionStatus::parse).transpose()?;
        let default_status = match start {
            Some(start) if start < today => SessionStatus::Held,
            _ => SessionStatus::Planned,
        };
        c.code("status", status.map(SessionStatus::as_str), default_status.as_str(), creating);
        if let Some(recommendations) = &self.recommendations {
            let cleaned = recommendations
                .iter()
                .map(|r| fields::text("recommendation", r, LONG_TEXT))
                .filter(|r| !matches!(r, Ok(r) if r.is_empty()))
                .collect::<Result<Vec<_>, _>>()?;
            c.push("recommendations", json!(cleaned));
        } else if creating {
            c.push("recommendations", json!([]));
        }
        let texts = ["theme", "region", "cercle", "commune", "place", "facilitator", "summary"];
        Ok(c.finish(creating, &texts))
    }
}

/// Which sessions a list shows. Empty fields do not filter.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct SessionFilter {
    pub status: Option<SessionStatus>,
    pub kind: Option<SessionKind>,
    pub group: Option<Group>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Words matched against title, place, commune, cercle and region, ignoring accents and case.
    pub query: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 6, 1).unwrap()
    }

    fn status_of(c: &Changes) -> serde_json::Value {
        c.0.iter().find(|(f, _)| *f == "status").unwrap().1.clone()
    }

    #[test]
    fn a_session_recorded_after_the_fact_defaults_to_held() {
        assert_eq!(status_of(&input("x", "2024-05-31").changes(None, today()).unwrap()), "held");
        assert_eq!(status_of(&input("x", "2024-06-01").changes(None, today()).unwrap()), "planned");
        assert_eq!(status_of(&input("x", "2024-09-01").changes(None, today()).unwrap()), "planned");
        let mut chosen = input("x", "2024-01-10");
        chosen.status = Some("planned".into());
        assert_eq!(status_of(&chosen.changes(None, today()).unwrap()), "planned");
    }

    fn input(title: &str, date: &str) -> SessionInput {
        SessionInput {
            title: Some(title.into()),
            start_date: Some(date.into()),
            ..Default::default()
        }
    }

    #[test]
    fn creation_requires_title_and_date_and_fills_defaults() {
        let c = input("Dialogue", "2024-03-15").changes(None, today()).unwrap();
        let fields: Vec<_> = c.0.iter().map(|(f, _)| *f).collect();
        for f in [
            "title",
            "kind",
            "groups",
            "start_date",
            "end_date",
            "status",
            "recommendations",
            "deleted",
        ] {
            assert!(fields.contains(&f), "{f} missing from {fields:?}");
        }
        assert_eq!(
            input("", "2024-03-15").changes(None, today()).unwrap_err().code(),
            "empty_field"
        );
        let no_date = SessionInput { title: Some("x".into()), ..Default::default() };
        assert_eq!(
            no_date.changes(None, today()).unwrap_err(),
            Invalid::Empty { field: "start date" }
        );
    }

    #[test]
    fn end_before_start_is_refused_against_the_stored_start() {
        let mut i = input("x", "2024-03-15");
        i.end_date = Some("2024-03-14".into());
        assert_eq!(i.changes(None, today()).unwrap_err().code(), "end_before_start");
    }

    #[test]
    fn groups_are_validated_sorted_and_deduplicated() {
        let mut i = input("x", "2024-03-15");
        i.groups = Some(vec!["youth".into(), "womens_groups".into(), "youth".into()]);
        let c = i.changes(None, today()).unwrap();
        let groups = c.0.iter().find(|(f, _)| *f == "groups").unwrap();
        assert_eq!(groups.1, json!(["womens_groups", "youth"]));
        i.groups = Some(vec!["army".into()]);
        assert_eq!(i.changes(None, today()).unwrap_err().code(), "invalid_group");
    }
}
