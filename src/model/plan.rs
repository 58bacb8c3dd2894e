//! Action plans that groups make in sessions, and their items.

use chrono::NaiveDate;
use serde_json::Value;

use super::Changes;
use super::codes::{ItemStatus, PlanStatus};
use super::fields::{self, LONG_TEXT, SHORT_TEXT};
use super::ids::{ItemId, PlanId, SessionId};
use crate::error::Invalid;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ActionPlan {
    pub id: PlanId,
    pub title: String,
    /// The group that owns the plan, e.g. "Groupement des femmes de Pelengana".
    pub owner: String,
    pub session_id: Option<SessionId>,
    pub community: String,
    pub problem: String,
    pub objective: String,
    pub status: PlanStatus,
    pub items: Vec<ActionItem>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ActionItem {
    pub id: ItemId,
    pub plan_id: PlanId,
    pub description: String,
    pub responsible: String,
    pub due_date: Option<NaiveDate>,
    pub resources: String,
    pub indicator: String,
    pub status: ItemStatus,
    pub progress_note: String,
    /// Due before today and not done.
    pub overdue: bool,
}

impl ActionItem {
    pub fn is_overdue(due: Option<NaiveDate>, status: ItemStatus, today: NaiveDate) -> bool {
        due.is_some_and(|d| d < today) && status != ItemStatus::Done
    }
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct PlanInput {
    pub title: Option<String>,
    pub owner: Option<String>,
    /// The session the plan came out of; `Some("")` clears it. Checked to exist by the caller.
    pub session_id: Option<String>,
    pub community: Option<String>,
    pub problem: Option<String>,
    pub objective: Option<String>,
    pub status: Option<String>,
}

impl PlanInput {
    pub fn changes(&self, creating: bool) -> Result<Changes, Invalid> {
        let mut c = Changes::default();
        c.required("title", "title", &self.title, creating, SHORT_TEXT)?;
        c.required("owner", "owner group", &self.owner, creating, SHORT_TEXT)?;
        match self.session_id.as_deref().map(str::trim) {
            Some("") => c.push("session_id", Value::Null),
            Some(id) => c.push("session_id", id.parse::<SessionId>()?.to_string()),
            None if creating => c.push("session_id", Value::Null),
            None => {}
        }
        c.text("community", "community", &self.community, SHORT_TEXT)?;
        c.text("problem", "problem analysis", &self.problem, LONG_TEXT)?;
        c.text("objective", "objective", &self.objective, LONG_TEXT)?;
        let status = self.status.as_deref().map(PlanStatus::parse).transpose()?;
        c.code("status", status.map(PlanStatus::as_str), PlanStatus::Active.as_str(), creating);
        Ok(c.finish(creating, &["community", "problem", "objective"]))
    }
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ItemInput {
    pub description: Option<String>,
    pub responsible: Option<String>,
    /// YYYY-MM-DD; `Some("")` clears it.
    pub due_date: Option<String>,
    pub resources: Option<String>,
    pub indicator: Option<String>,
    pub status: Option<String>,
    pub progress_note: Option<String>,
}

impl ItemInput {
    pub fn changes(&self, creating: bool) -> Result<Changes, Invalid> {
        let mut c = Changes::default();
        c.required("description", "action", &self.description, creating, LONG_TEXT)?;
        c.text("responsible", "responsible", &self.responsible, SHORT_TEXT)?;
        if let Some(due) = &self.due_date {
            c.push("due_date", fields::optional_date("due date", due)?.map(|d| d.to_string()));
        } else if creating {
            c.push("due_date", Value::Null);
        }
        c.text("resources", "resources", &self.resources, LONG_TEXT)?;
        c.text("indicator", "indicator", &self.indicator, SHORT_TEXT)?;
        let status = self.status.as_deref().map(ItemStatus::parse).transpose()?;
        c.code("status", status.map(ItemStatus::as_str), ItemStatus::NotStarted.as_str(), creating);
        c.text("progress_note", "progress note", &self.progress_note, LONG_TEXT)?;
        Ok(c.finish(creating, &["responsible", "resources", "indicator", "progress_note"]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_need_title_and_owner() {
        let err =
            PlanInput { title: Some("x".into()), ..Default::default() }.changes(true).unwrap_err();
        assert_eq!(err, Invalid::Empty { field: "owner group" });
    }

    #[test]
    fn items_validate_due_dates_and_status() {
        let mut i = ItemInput {
            description: Some("Plaidoyer".into()),
            due_date: Some("2024-02-30".into()),
            ..Default::default()
        };
        assert_eq!(i.changes(true).unwrap_err().code(), "invalid_date");
        i.due_date = Some("2024-02-29".into());
        i.status = Some("finished".into());
        assert_eq!(i.changes(true).unwrap_err().code(), "invalid_status");
    }

    #[test]
    fn overdue_means_past_due_and_not_done() {
        let today = NaiveDate::from_ymd_opt(2024, 6, 1).unwrap();
        let past = NaiveDate::from_ymd_opt(2024, 5, 31);
        assert!(ActionItem::is_overdue(past, ItemStatus::Blocked, today));
        assert!(!ActionItem::is_overdue(past, ItemStatus::Done, today));
        assert!(!ActionItem::is_overdue(Some(today), ItemStatus::NotStarted, today));
        assert!(!ActionItem::is_overdue(None, ItemStatus::NotStarted, today));
    }
}
