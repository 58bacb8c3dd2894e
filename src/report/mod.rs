//! Indicators. Definitions (also in the README's "How figures are counted"):
//! - a person is *reached* when they were marked present at a held (not cancelled, not deleted)
//!   session; deleted people and deleted attendances never count;
//! - a person's age is counted on the date of their first such session (in the period);
//!   *youth* is 15–35 inclusive (African Youth Charter);
//! - an action item is *overdue* when its due date is before today and it is not done.

pub mod export;
pub mod indicators;
pub mod reach;
pub mod summary;

use crate::i18n::Lang;
pub use indicators::NamedList;
pub use indicators::Place;
use indicators::{ActionItems, Activities, People, Period};

use crate::Palabre;
use crate::error::Result;
use crate::model::codes::SessionStatus;
use crate::model::session::{Session, SessionFilter};
use crate::store::bookkeeping::{self, Key};

/// The figures on the home screen.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Overview {
    pub people_reached: i64,
    pub women: i64,
    pub youth: i64,
    pub sessions_held: i64,
    pub sessions_planned: i64,
    pub overdue_items: i64,
    pub recent_sessions: Vec<Session>,
    /// Planned sessions whose date has passed: held (and then counted) or cancelled, but not
    /// yet recorded so; oldest first.
    pub past_planned: Vec<Session>,
    /// Changes made on this laptop that no bundle has carried yet.
    pub unexported_changes: i64,
    pub last_export: Option<String>,
}

/// The report (`palabre report --json`; README, "Report").
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    pub period: Period,
    /// The region, cercle or commune the report is cut to (all None: the whole programme).
    pub place: Place,
    /// The same figures for the period just before (same length; a year before a year, a
    /// quarter before a quarter), when the period has both ends.
    pub previous: Option<Previous>,
    pub people: People,
    pub attendances: i64,
    pub activities: Activities,
    pub action_items: ActionItems,
    /// Held sessions with and without a photo or scan of their signed sheet.
    pub evidence: indicators::EvidenceCoverage,
    pub summary: String,
    pub lang: Lang,
}

/// The headline figures of the period before the report's, to compare with.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Previous {
    pub period: Period,
    pub people: i64,
    pub women: i64,
    pub youth: i64,
    pub attendances: i64,
    pub activities: i64,
}

fn previous(
    c: &rusqlite::Connection,
    population: &indicators::Population,
    period: Period,
    place: &Place,
) -> Result<Option<Previous>> {
    let Some(before) = period.previous() else { return Ok(None) };
    let (people, attendances) = indicators::people_in(c, population, before, place)?;
    let activities = indicators::activities(c, before, place)?;
    Ok(Some(Previous {
        period: before,
        women: people.by_sex["F"],
        youth: people.youth,
        people: people.total,
        attendances,
        activities: activities.total,
    }))
}

pub(crate) fn report(app: &Palabre, period: Period, place: &Place, lang: Lang) -> Result<Report> {
    let today = app.today();
    app.store().read(|c| {
        // The people are read once for the period and the one before (a million at HQ).
        let population = indicators::Population::load(c)?;
        let (people, attendances, backed) =
            indicators::people_and_backing_in(c, &population, period, place)?;
        let activities = indicators::activities(c, period, place)?;
        let summary = summary::sentence(lang, period, &people, &activities);
        Ok(Report {
            period,
            place: place.clone(),
            previous: previous(c, &population, period, place)?,
            attendances,
            evidence: indicators::evidence_coverage(c, period, place, attendances, &backed)?,
            action_items: indicators::action_items(c, place, today)?,
            people,
            activities,
            summary,
            lang,
        })
    })
}

pub(crate) fn participants(
    app: &Palabre,
    period: Period,
    place: &Place,
    names: NamedList,
) -> Result<indicators::Participants> {
    app.store().read(|c| indicators::participants(c, period, place, names))
}

pub(crate) fn overview(app: &Palabre) -> Result<Overview> {
    let today = app.today();
    let (people, _) =
        app.store().read(|c| indicators::people(c, Period::default(), &Place::default()))?;
    let (people_reached, women, youth) = (people.total, people.by_sex["F"], people.youth);
    let (sessions_held, sessions_planned, overdue_items, own_ops, exported, last_export) =
        app.store().read(|c| {
            let count = |status: SessionStatus| -> rusqlite::Result<i64> {
                c.query_row(
                    "SELECT count(*) FROM sessions WHERE deleted = 0 AND status = ?1",
                    [status.as_str()],
                    |r| r.get(0),
                )
            };
            let overdue: i64 = c.query_row(
                "SELECT count(*) FROM action_items i JOIN action_plans p ON p.id = i.plan_id AND p.deleted = 0
                  WHERE i.deleted = 0 AND i.status <> 'done' AND i.due_date < ?1",
                [today.to_string()],
                |r| r.get(0),
            )?;
            let own = crate::journal::oplog::own_last_seq(c)?;
            let exported = bookkeeping::number(c, Key::ExportedSeq)?;
            let last_export = bookkeeping::get(c, Key::LastExportAt)?;
            Ok((count(SessionStatus::Held)?, count(SessionStatus::Planned)?, overdue, own, exported, last_export))
        })?;
    let recent_sessions = crate::sessions::recent(app, 5)?;
    let mut past_planned = app.sessions(&SessionFilter {
        status: Some(SessionStatus::Planned),
        to: today.pred_opt(),
        ..Default::default()
    })?;
    past_planned.reverse();
    Ok(Overview {
        people_reached,
        women,
        youth,
        sessions_held,
        sessions_planned,
        overdue_items,
        recent_sessions,
        past_planned,
        unexported_changes: (own_ops - exported).max(0),
        last_export,
    })
}

#[cfg(test)]
mod tests {
    use crate::{Palabre, PersonInput, SessionInput};

    #[test]
    fn overview_counts_present_people_at_held_sessions_once() {
        let app = Palabre::open_in_memory().unwrap();
        app.init("t").unwrap();
        let s = |title: &str, status: &str| {
            app.add_session(&SessionInput {
                title: Some(title.into()),
                start_date: Some("2024-05-02".into()),
                status: Some(status.into()),
                ..Default::default()
            })
            .unwrap()
        };
        let held = s("a", "held");
        let other = s("b", "held");
        let planned = s("c", "planned");
        let later = app
            .add_session(&SessionInput {
                title: Some("d".into()),
                start_date: Some((app.today() + chrono::Days::new(3)).to_string()),
                ..Default::default()
            })
            .unwrap();
        let p = |name: &str, sex: &str, year: i32| {
            app.add_person(&PersonInput {
                full_name: Some(name.into()),
                sex: Some(sex.into()),
                birth_year: Some(year),
                ..Default::default()
            })
            .unwrap()
        };
        let young = p("Awa", "F", 2009); // 15 on 2024-05-02
        let older = p("Moussa", "M", 1988); // 36
        let absent = p("Hawa", "F", 2000);
        app.attend(held, &[young, older, absent]).unwrap();
        app.attend(other, &[young]).unwrap();
        app.attend(planned, &[absent]).unwrap();
        app.set_present(held, absent, false).unwrap();
        let o = app.overview().unwrap();
        assert_eq!((o.people_reached, o.women, o.youth), (2, 1, 1));
        assert_eq!((o.sessions_held, o.sessions_planned), (2, 2));
        assert_eq!(o.unexported_changes, app.ops().unwrap().len() as i64);
        assert_eq!(o.recent_sessions.len(), 4);
        // "c" was planned for 2024 and never marked held: the home screen flags it; the one in
        // three days' time is not late.
        let late: Vec<_> = o.past_planned.iter().map(|s| s.id).collect();
        assert_eq!(late, [planned]);
        assert!(!late.contains(&later));
    }
}
