//! The synced entities and their fields: the allow-list every op is checked against, and the map
//! from an op's (entity, field) to a table column. Adding a field here is a schema change.

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    Session,
    Person,
    Attendance,
    Plan,
    Item,
    /// A decision about two person records: merged or distinct (see `duplicates`).
    Link,
}

/// How an op's JSON value is stored in its column. Every column accepts NULL, because a row is
/// assembled field by field from ops that may arrive in any order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    Int,
    Bool,
    /// A JSON array or object kept as text (stakeholder groups, recommendations, disability).
    Json,
}

#[derive(Debug, Clone, Copy)]
pub struct FieldSpec {
    pub name: &'static str,
    pub kind: FieldKind,
}

const fn f(name: &'static str, kind: FieldKind) -> FieldSpec {
    FieldSpec { name, kind }
}

use FieldKind::*;

const SESSION: &[FieldSpec] = &[
    f("title", Text),
    f("kind", Text),
    f("groups", Json),
    f("theme", Text),
    f("start_date", Text),
    f("end_date", Text),
    f("region", Text),
    f("cercle", Text),
    f("commune", Text),
    f("place", Text),
    f("facilitator", Text),
    f("status", Text),
    f("summary", Text),
    f("recommendations", Json),
    f("deleted", Bool),
];

const PERSON: &[FieldSpec] = &[
    f("full_name", Text),
    f("sex", Text),
    f("birth_year", Int),
    f("birth_year_estimated", Bool),
    f("role", Text),
    f("stakeholder_group", Text),
    f("community", Text),
    f("phone", Text),
    f("disability", Json),
    f("consent", Bool),
    f("consent_date", Text),
    f("notes", Text),
    f("registered_on", Text),
    f("deleted", Bool),
];

const ATTENDANCE: &[FieldSpec] = &[
    f("session_id", Text),
    f("person_id", Text),
    f("present", Bool),
    f("role", Text),
    f("deleted", Bool),
];

const PLAN: &[FieldSpec] = &[
    f("title", Text),
    f("owner", Text),
    f("session_id", Text),
    f("community", Text),
    f("problem", Text),
    f("objective", Text),
    f("status", Text),
    f("deleted", Bool),
];

const ITEM: &[FieldSpec] = &[
    f("plan_id", Text),
    f("description", Text),
    f("responsible", Text),
    f("due_date", Text),
    f("resources", Text),
    f("indicator", Text),
    f("status", Text),
    f("progress_note", Text),
    f("deleted", Bool),
];

const LINK: &[FieldSpec] = &[
    f("decision", Text),
    f("keep_id", Text),
    f("duplicate_id", Text),
    f("taken", Json),
    f("decided_by", Text),
    f("decided_at", Text),
    f("undone", Bool),
    f("undone_by", Text),
    f("undone_at", Text),
];

impl Entity {
    pub const ALL: &'static [Entity] = &[
        Entity::Session,
        Entity::Person,
        Entity::Attendance,
        Entity::Plan,
        Entity::Item,
        Entity::Link,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Session => "session",
            Entity::Person => "person",
            Entity::Attendance => "attendance",
            Entity::Plan => "plan",
            Entity::Item => "item",
            Entity::Link => "link",
        }
    }

    pub fn parse(name: &str) -> Option<Entity> {
        Entity::ALL.iter().copied().find(|e| e.as_str() == name)
    }

    pub fn table(self) -> &'static str {
        match self {
            Entity::Session => "sessions",
            Entity::Person => "people",
            Entity::Attendance => "attendance",
            Entity::Plan => "action_plans",
            Entity::Item => "action_items",
            Entity::Link => "person_links",
        }
    }

    pub fn fields(self) -> &'static [FieldSpec] {
        match self {
            Entity::Session => SESSION,
            Entity::Person => PERSON,
            Entity::Attendance => ATTENDANCE,
            Entity::Plan => PLAN,
            Entity::Item => ITEM,
            Entity::Link => LINK,
        }
    }

    /// The field's spec, or None when the name is not on the allow-list.
    pub fn field(self, name: &str) -> Option<FieldSpec> {
        self.fields().iter().copied().find(|spec| spec.name == name)
    }
}
