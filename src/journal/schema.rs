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
    /// A photo or scan of a signed sheet attached to a session (see `evidence`); the file
    /// itself travels next to the op that names its SHA-256.
    Evidence,
    /// An indicator of the programme's logframe (see `results::catalogue`). Only HQ writes
    /// them; they reach laptops in their registry files.
    Indicator,
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
    /// What a value may be: the forms' own rules, applied to incoming ops too.
    pub rule: Rule,
    /// Personal data: blanked, with its whole history, when the row (or the row it is about) is
    /// erased (see `journal::erasure`).
    pub personal: bool,
}

const fn f(name: &'static str, kind: FieldKind, rule: Rule) -> FieldSpec {
    FieldSpec { name, kind, rule, personal: false }
}

/// A field of personal data (see `FieldSpec::personal`).
const fn p(name: &'static str, kind: FieldKind, rule: Rule) -> FieldSpec {
    FieldSpec { name, kind, rule, personal: true }
}

use crate::model::fields::{LONG_TEXT, SHORT_TEXT};
use crate::model::rules::{Codes, LONG, Rule, SHORT};
use FieldKind::*;

/// The field that erases a row (see `Entity::erasure`).
pub const ERASED: &str = "erased";

const TITLE: Rule = Rule::Required(SHORT_TEXT);
const FLAG: Rule = Rule::Flag;

const SESSION: &[FieldSpec] = &[
    f("title", Text, TITLE),
    f("kind", Text, Rule::Code(Codes::SessionKind)),
    f("groups", Json, Rule::Groups),
    f("theme", Text, SHORT),
    f("start_date", Text, Rule::Date),
    f("end_date", Text, Rule::Date),
    f("region", Text, SHORT),
    f("cercle", Text, SHORT),
    f("commune", Text, SHORT),
    f("place", Text, SHORT),
    f("facilitator", Text, SHORT),
    f("status", Text, Rule::Code(Codes::SessionStatus)),
    f("summary", Text, LONG),
    f("recommendations", Json, Rule::Texts(LONG_TEXT)),
    f("deleted", Bool, FLAG),
];

// What an erasure keeps of a person is what the report counts: sex, birth year (age bands),
// stakeholder group, consent and registration flags and dates, and that she attended.
const PERSON: &[FieldSpec] = &[
    p("full_name", Text, TITLE),
    f("sex", Text, Rule::Code(Codes::Sex)),
    f("birth_year", Int, Rule::BirthYear),
    f("birth_year_estimated", Bool, FLAG),
    p("role", Text, SHORT),
    f("stakeholder_group", Text, Rule::OptionalCode(Codes::Group)),
    p("community", Text, SHORT),
    p("phone", Text, Rule::Phone),
    p("disability", Json, Rule::Disability),
    f("consent", Bool, FLAG),
    p("consent_date", Text, Rule::Date),
    p("notes", Text, LONG),
    f("registered_on", Text, Rule::Date),
    f("deleted", Bool, FLAG),
    // Set once, never unset: the person asked to be forgotten.
    f(ERASED, Bool, Rule::Erased),
];

const ATTENDANCE: &[FieldSpec] = &[
    f("session_id", Text, Rule::Id),
    f("person_id", Text, Rule::Id),
    f("present", Bool, FLAG),
    f("role", Text, Rule::Code(Codes::AttendanceRole)),
    f("deleted", Bool, FLAG),
];

const PLAN: &[FieldSpec] = &[
    f("title", Text, TITLE),
    f("owner", Text, TITLE),
    f("session_id", Text, Rule::Id),
    f("community", Text, SHORT),
    f("problem", Text, LONG),
    f("objective", Text, LONG),
    f("status", Text, Rule::Code(Codes::PlanStatus)),
    f("deleted", Bool, FLAG),
];

const ITEM: &[FieldSpec] = &[
    f("plan_id", Text, Rule::Id),
    f("description", Text, Rule::Required(LONG_TEXT)),
    f("responsible", Text, SHORT),
    f("due_date", Text, Rule::Date),
    f("resources", Text, LONG),
    f("indicator", Text, SHORT),
    f("status", Text, Rule::Code(Codes::ItemStatus)),
    f("progress_note", Text, LONG),
    f("deleted", Bool, FLAG),
];

const LINK: &[FieldSpec] = &[
    f("decision", Text, Rule::Code(Codes::Decision)),
    f("keep_id", Text, Rule::Id),
    f("duplicate_id", Text, Rule::Id),
    // The values a merge took from one record to the other: the people's own data.
    p("taken", Json, Rule::Taken),
    f("decided_by", Text, SHORT),
    f("decided_at", Text, Rule::Timestamp),
    f("undone", Bool, FLAG),
    f("undone_by", Text, SHORT),
    f("undone_at", Text, Rule::Timestamp),
];

/// The field of an evidence row that names its file: an op writing it must travel with the
/// file, or find it already stored.
pub const EVIDENCE_FILE: &str = "sha256";

const EVIDENCE: &[FieldSpec] = &[
    f("session_id", Text, Rule::Id),
    f("page", Int, Rule::Whole(1, 999)),
    f("pages", Int, Rule::Whole(1, 999)),
    f(EVIDENCE_FILE, Text, Rule::Sha256),
    f("size", Int, Rule::Whole(1, 1 << 30)),
    f("media_type", Text, Rule::Code(Codes::MediaType)),
    // Filed under its session by the sheet's QR code (true) or by a person's choice (false).
    f("filed_by_code", Bool, FLAG),
    f("attached_by", Text, SHORT),
    f("attached_at", Text, Rule::Timestamp),
    f("deleted", Bool, FLAG),
];

// An indicator's row id is derived from its code (`results::catalogue::id_of`): the code is
// its identity, so that HQ's edit of a built-in indicator and the built-in one are one row.
const INDICATOR: &[FieldSpec] = &[
    f("code", Text, Rule::IndicatorCode),
    f("vocabulary", Text, SHORT),
    f("label_fr", Text, TITLE),
    f("label_en", Text, TITLE),
    f("measure", Text, Rule::Code(Codes::Measure)),
    f("stakeholder_group", Text, Rule::OptionalCode(Codes::Group)),
    f("disaggregations", Json, Rule::Disaggregations),
    f("baseline", Int, Rule::Whole(0, crate::model::fields::MAX_FIGURE)),
    f("baseline_year", Int, Rule::Whole(1990, 2100)),
    f("targets", Json, Rule::Targets),
    f("position", Int, Rule::Whole(0, 9999)),
    f("deleted", Bool, FLAG),
];

impl Entity {
    pub const ALL: &'static [Entity] = &[
        Entity::Session,
        Entity::Person,
        Entity::Attendance,
        Entity::Plan,
        Entity::Item,
        Entity::Link,
        Entity::Evidence,
        Entity::Indicator,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Session => "session",
            Entity::Person => "person",
            Entity::Attendance => "attendance",
            Entity::Plan => "plan",
            Entity::Item => "item",
            Entity::Link => "link",
            Entity::Evidence => "evidence",
            Entity::Indicator => "indicator",
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
            Entity::Evidence => "evidence",
            Entity::Indicator => "indicators",
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
            Entity::Evidence => EVIDENCE,
            Entity::Indicator => INDICATOR,
        }
    }

    /// The field whose op erases a row of this entity, if its rows can be erased.
    pub fn erasure(self) -> Option<&'static str> {
        (self == Entity::Person).then_some(ERASED)
    }

    /// The fields of this entity's rows that name the row they are about, when that row can be
    /// erased: erasing it blanks their personal fields too (a merge decision holds both
    /// people's values).
    pub fn subjects(self) -> &'static [(&'static str, Entity)] {
        match self {
            Entity::Link => &[("keep_id", Entity::Person), ("duplicate_id", Entity::Person)],
            _ => &[],
        }
    }

    /// The names of the personal fields (see `FieldSpec::personal`).
    pub fn personal_fields(self) -> impl Iterator<Item = &'static str> {
        self.fields().iter().filter(|f| f.personal).map(|f| f.name)
    }

    /// The field's spec, or None when the name is not on the allow-list.
    pub fn field(self, name: &str) -> Option<FieldSpec> {
        self.fields().iter().copied().find(|spec| spec.name == name)
    }
}
