//! Facade methods for action plans and their items.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Row};

use crate::error::{Error, Result};
use crate::journal::schema::Entity;
use crate::model::codes::{ItemStatus, PlanStatus};
use crate::model::ids::{ItemId, PlanId, SessionId};
use crate::model::plan::{ActionItem, ActionPlan, ItemInput, PlanInput};
use crate::{Palabre, sessions};

const PLAN_COLUMNS: &str = "id, title, owner, session_id, community, problem, objective, status";
const ITEM_COLUMNS: &str =
    "id, plan_id, description, responsible, due_date, resources, indicator, status, progress_note";

fn text(r: &Row<'_>, i: usize) -> rusqlite::Result<String> {
    Ok(r.get::<_, Option<String>>(i)?.unwrap_or_default())
}

fn item_from_row(r: &Row<'_>, today: NaiveDate) -> rusqlite::Result<ActionItem> {
    let due_date = r.get::<_, Option<String>>(4)?.and_then(|d| d.parse().ok());
    let status = ItemStatus::parse(&text(r, 7)?).unwrap_or(ItemStatus::NotStarted);
    Ok(ActionItem {
        id: ItemId(text(r, 0)?.parse().unwrap_or_default()),
        plan_id: PlanId(text(r, 1)?.parse().unwrap_or_default()),
        description: text(r, 2)?,
        responsible: text(r, 3)?,
        due_date,
        resources: text(r, 5)?,
        indicator: text(r, 6)?,
        status,
        progress_note: text(r, 8)?,
        overdue: ActionItem::is_overdue(due_date, status, today),
    })
}

fn items(conn: &Connection, plan: PlanId, today: NaiveDate) -> Result<Vec<ActionItem>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {ITEM_COLUMNS} FROM action_items WHERE plan_id = ?1 AND deleted = 0
          ORDER BY due_date IS NULL, due_date, description"
    ))?;
    let rows = stmt.query_map([plan.to_string()], |r| item_from_row(r, today))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

fn plan_from_row(r: &Row<'_>) -> rusqlite::Result<ActionPlan> {
    Ok(ActionPlan {
        id: PlanId(text(r, 0)?.parse().unwrap_or_default()),
        title: text(r, 1)?,
        owner: text(r, 2)?,
        session_id: r.get::<_, Option<String>>(3)?.and_then(|s| s.parse().ok()).map(SessionId),
        community: text(r, 4)?,
        problem: text(r, 5)?,
        objective: text(r, 6)?,
        status: PlanStatus::parse(&text(r, 7)?).unwrap_or(PlanStatus::Active),
        items: Vec::new(),
    })
}

fn load_plan(conn: &Connection, id: PlanId, today: NaiveDate) -> Result<ActionPlan> {
    let mut plan = conn
        .prepare_cached(&format!(
            "SELECT {PLAN_COLUMNS} FROM action_plans WHERE id = ?1 AND deleted = 0"
        ))?
        .query_row([id.to_string()], plan_from_row)
        .optional()?
        .ok_or_else(|| Error::NotFound { entity: "plan", id: id.to_string() })?;
    plan.items = items(conn, id, today)?;
    Ok(plan)
}

fn load_item(conn: &Connection, id: ItemId, today: NaiveDate) -> Result<ActionItem> {
    conn.prepare_cached(&format!(
        "SELECT {ITEM_COLUMNS} FROM action_items WHERE id = ?1 AND deleted = 0"
    ))?
    .query_row([id.to_string()], |r| item_from_row(r, today))
    .optional()?
    .ok_or_else(|| Error::NotFound { entity: "plan item", id: id.to_string() })
}

/// The origin session named by a plan input must exist.
fn check_session(conn: &Connection, input: &PlanInput) -> Result<()> {
    match input.session_id.as_deref().map(str::trim) {
        Some(id) if !id.is_empty() => sessions::load(conn, id.parse()?).map(drop),
        _ => Ok(()),
    }
}

pub(crate) fn add_plan(app: &Palabre, input: &PlanInput) -> Result<PlanId> {
    let changes = input.changes(true)?;
    let id = PlanId::new();
    app.write_ops(|conn, w| {
        check_session(conn, input)?;
        w.set_all(Entity::Plan, id.0, changes.0)?;
        Ok(id)
    })
}

pub(crate) fn edit_plan(app: &Palabre, id: PlanId, input: &PlanInput) -> Result<ActionPlan> {
    let today = app.today();
    let changes = input.changes(false)?;
    app.write_ops(|conn, w| {
        load_plan(conn, id, today)?;
        check_session(conn, input)?;
        w.set_all(Entity::Plan, id.0, changes.0)?;
        load_plan(conn, id, today)
    })
}

pub(crate) fn delete_plan(app: &Palabre, id: PlanId) -> Result<()> {
    let today = app.today();
    app.tombstone(Entity::Plan, id.0, |c| load_plan(c, id, today))
}

pub(crate) fn plan(app: &Palabre, id: PlanId) -> Result<ActionPlan> {
    let today = app.today();
    app.store().read(|c| load_plan(c, id, today))
}

pub(crate) fn plans(app: &Palabre, session: Option<SessionId>) -> Result<Vec<ActionPlan>> {
    let today = app.today();
    app.store().read(|c| {
        let mut stmt = c.prepare_cached(&format!(
            "SELECT {PLAN_COLUMNS} FROM action_plans
              WHERE deleted = 0 AND (?1 IS NULL OR session_id = ?1)
              ORDER BY owner COLLATE palabre, title COLLATE palabre"
        ))?;
        let mut plans = stmt
            .query_map([session.map(|s| s.to_string())], plan_from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        for plan in &mut plans {
            plan.items = items(c, plan.id, today)?;
        }
        Ok(plans)
    })
}

pub(crate) fn add_item(app: &Palabre, plan: PlanId, input: &ItemInput) -> Result<ItemId> {
    let today = app.today();
    let mut changes = input.changes(true)?;
    changes.push("plan_id", plan.to_string());
    let id = ItemId::new();
    app.write_ops(|conn, w| {
        load_plan(conn, plan, today)?;
        w.set_all(Entity::Item, id.0, changes.0)?;
        Ok(id)
    })
}

pub(crate) fn edit_item(app: &Palabre, id: ItemId, input: &ItemInput) -> Result<ActionItem> {
    let today = app.today();
    let changes = input.changes(false)?;
    app.edit_row(Entity::Item, id.0, |c| load_item(c, id, today), |_| Ok(changes))
}

pub(crate) fn set_item_status(app: &Palabre, id: ItemId, status: &str) -> Result<ActionItem> {
    app.edit_item(id, &ItemInput { status: Some(status.to_string()), ..Default::default() })
}

pub(crate) fn delete_item(app: &Palabre, id: ItemId) -> Result<()> {
    let today = app.today();
    app.tombstone(Entity::Item, id.0, |c| load_item(c, id, today))
}
