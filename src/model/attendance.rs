//! Attendance of one person at one session. Its id is derived from the pair (see ids.rs), so the
//! same attendance recorded on two laptops is one row after merging.

use chrono::NaiveDate;

use super::codes::{AttendanceRole, Sex};
use super::ids::{AttendanceId, PersonId, SessionId};

/// A line of a session's attendance list, with what a sheet or a screen shows of the person.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AttendanceLine {
    pub id: AttendanceId,
    pub session_id: SessionId,
    pub person_id: PersonId,
    pub full_name: String,
    pub sex: Sex,
    /// Age on the session's start date.
    pub age: Option<i32>,
    pub person_role: String,
    pub community: String,
    pub phone: String,
    pub present: bool,
    pub role: AttendanceRole,
    /// The person was erased at their request: the line has no name, only what the counts need.
    pub erased: bool,
}

/// A session a person attended, for the person's history.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PersonSession {
    pub session_id: SessionId,
    pub title: String,
    pub start_date: Option<NaiveDate>,
    pub present: bool,
    pub role: AttendanceRole,
}
