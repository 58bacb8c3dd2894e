//! The report's figures, each computed from one query over the period. Definitions (also in the
//! README, "How figures are counted"):
//! - an *activity* is a held session whose start date is in the period (inclusive); planned ones
//!   are listed apart; cancelled and deleted sessions never count;
//! - a person is *reached* when marked present at an activity of the period; each person counts
//!   once, however many sessions; deleted people and deleted attendances never count;
//! - age is counted on the date of the person's first activity in the period (birth year only is
//!   known, so age = that year − birth year); *youth* is 15–35 inclusive (African Youth Charter);
//! - a session with two stakeholder groups counts once in each;
//! - action items are those of live plans, whatever the period (progress is a current state);
//!   one is *overdue* when due before today and not done.

use indexmap::IndexMap;

use chrono::{Datelike, NaiveDate};
use rusqlite::{Connection, OptionalExtension, params};

use crate::error::Result;
use crate::model::codes::{Group, ItemStatus, SessionKind, Sex};

pub const AGE_BANDS: [&str; 6] = ["0-14", "15-24", "25-35", "36-59", "60+", "unknown"];
/// The key used for people with no stakeholder group and sessions with no region.
pub const NONE: &str = "none";

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, Default)]
pub struct Period {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl Period {
    /// A period from what a person typed (YYYY-MM-DD, empty for an open end).
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
    ) -> std::result::Result<Period, crate::error::Invalid> {
        use crate::model::fields::optional_date;
        let from = from.map(|d| optional_date("from", d)).transpose()?.flatten();
        let to = to.map(|d| optional_date("to", d)).transpose()?.flatten();
        if let (Some(f), Some(t)) = (from, to)
            && t < f
        {
            return Err(crate::error::Invalid::EndBeforeStart {
                start: f.to_string(),
                end: t.to_string(),
            });
        }
        Ok(Period { from, to })
    }

    /// The period just before this one, of the same length: the year before a calendar year,
    /// the quarter before a quarter (whole months shift by months), else the same number of
    /// days. None when an end is open.
    pub fn previous(&self) -> Option<Period> {
        let (from, to) = (self.from?, self.to?);
        let whole_months = from.day() == 1 && to.succ_opt().is_some_and(|next| next.day() == 1);
        let (start, end) = if whole_months {
            let months = (to.year() * 12 + to.month0() as i32)
                - (from.year() * 12 + from.month0() as i32)
                + 1;
            let start =
                from.checked_sub_months(chrono::Months::new(u32::try_from(months).ok()?))?;
            (start, from.pred_opt()?)
        } else {
            let days = (to - from).num_days() + 1;
            (from.checked_sub_signed(chrono::Duration::days(days))?, from.pred_opt()?)
        };
        Some(Period { from: Some(start), to: Some(end) })
    }

    fn params(&self) -> (Option<String>, Option<String>) {
        (self.from.map(|d| d.to_string()), self.to.map(|d| d.to_string()))
    }
}

/// Where a report looks: a region, a cercle, a commune, or everywhere (all None). A session is
/// in the place when each named level matches its own, ignoring case and accents ("segou" is
/// Ségou). People and attendances follow their sessions; action items follow their plan's
/// session (a plan with no session is counted only for the whole programme).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Place {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cercle: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commune: Option<String>,
}

/// The condition "session `s` is in the place", with the place's folded names as ?3, ?4, ?5.
pub(crate) const IN_PLACE: &str = "(?3 IS NULL OR palabre_fold(s.region) = ?3)
    AND (?4 IS NULL OR palabre_fold(s.cercle) = ?4) AND (?5 IS NULL OR palabre_fold(s.commune) = ?5)";

/// People reached in a period (`?1` from, `?2` to; NULL for open ends) and a place (?3 to ?5,
/// `IN_PLACE`), one row per person with the date of their first session, in plain SQL: the
/// named list's query (the figures read `session_reach`, see `reach_in`; a test checks that
/// both find the same people). A merged duplicate's attendances count for the person it was
/// merged into.
fn reached_sql() -> String {
    format!(
        "SELECT p.id AS person_id, min(s.start_date) AS first_date
           FROM attendance a
           JOIN sessions s ON s.id = a.session_id AND s.deleted = 0 AND s.status = 'held'
           JOIN people d ON d.id = a.person_id AND d.deleted = 0
           JOIN people p ON p.id = coalesce(d.merged_into, d.id) AND p.deleted = 0
          WHERE a.deleted = 0 AND a.present = 1
            AND (?1 IS NULL OR s.start_date >= ?1) AND (?2 IS NULL OR s.start_date <= ?2)
            AND {IN_PLACE}
          GROUP BY p.id"
    )
}

impl Place {
    /// A place from what a person typed; empty names are "every".
    pub fn new(region: Option<&str>, cercle: Option<&str>, commune: Option<&str>) -> Place {
        let name = |n: Option<&str>| n.map(str::trim).filter(|n| !n.is_empty()).map(str::to_string);
        Place { region: name(region), cercle: name(cercle), commune: name(commune) }
    }

    /// The whole programme: no level named.
    pub fn is_everywhere(&self) -> bool {
        self.params().iter().all(Option::is_none)
    }

    /// The named levels, most precise last ("Ségou › Ségou › Pelengana"), or None everywhere.
    pub fn label(&self) -> Option<String> {
        let parts: Vec<&str> = [&self.region, &self.cercle, &self.commune]
            .into_iter()
            .flatten()
            .map(|n| n.trim())
            .filter(|n| !n.is_empty())
            .collect();
        (!parts.is_empty()).then(|| parts.join(" › "))
    }

    pub(crate) fn params(&self) -> [Option<String>; 3] {
        // A name left empty (as a window may send it) is "every", not "none given".
        let folded = |n: &Option<String>| {
            n.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(crate::model::names::fold)
        };
        [folded(&self.region), folded(&self.cercle), folded(&self.commune)]
    }
}

/// The age band of an age ("unknown" when there is none or it is impossible).
pub fn age_band(age: Option<i32>) -> &'static str {
    match age {
        Some(a) if a < 0 => "unknown",
        Some(0..=14) => "0-14",
        Some(15..=24) => "15-24",
        Some(25..=35) => "25-35",
        Some(36..=59) => "36-59",
        Some(_) => "60+",
        None => "unknown",
    }
}

pub fn is_youth(age: Option<i32>) -> bool {
    age.is_some_and(|a| (15..=35).contains(&a))
}

/// Counts keyed by code, in the codes' own order (the order of the forms), not alphabetical.
pub type Counts = IndexMap<String, i64>;

fn zeroes<'a>(keys: impl IntoIterator<Item = &'a str>) -> Counts {
    keys.into_iter().map(|k| (k.to_string(), 0)).collect()
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct People {
    pub total: i64,
    pub by_sex: Counts,
    pub youth: i64,
    pub by_age_band: Counts,
    /// sex → age band → people.
    pub by_sex_and_age_band: IndexMap<String, Counts>,
    pub by_group: Counts,
}

/// Who was reached in a period, from three scans joined in memory on integer keys: the period's
/// held sessions, the live people (through the `people_reported` index, not their rows), and
/// each session's counted people (present, live attendances), kept ready in `session_reach`
/// (report/reach.rs). This is the report's one query plan: ten million attendances take well
/// under a second where walking their index took 1.7 s and a SQL join and GROUP BY 11 s.
/// What the figures need of a person: sex, birth year, stakeholder group.
type Reached = (Sex, Option<i32>, Option<Group>);

struct Reach<'p> {
    /// Per live person (by local num): sex, birth year, group.
    people: &'p [Option<Reached>],
    /// Per person num: the date of their first counted attendance in the period.
    first: Vec<Option<NaiveDate>>,
    attendances: i64,
    /// Counted attendances at sessions with a signed sheet attached.
    backed: i64,
    /// Counted attendances per session num.
    per_session: Vec<i64>,
}

/// What every cut of the report reads the same way, whatever its period and place: the live
/// people (by local num: sex, birth year, group), the merged duplicates' aliases, and the
/// sessions with a signed sheet. Loaded once when a document computes the figures of several
/// periods and places (the logframe's previous period and regions).
pub struct Population {
    people: Vec<Option<Reached>>,
    alias: std::collections::HashMap<usize, usize>,
    /// Per session num: a photo or scan of its signed sheet is attached.
    evidenced: Vec<bool>,
}

impl Population {
    pub fn load(conn: &Connection) -> Result<Population> {
        let mut people: Vec<Option<Reached>> = Vec::new();
        {
            let mut stmt = conn.prepare_cached(
                "SELECT num, sex, birth_year, stakeholder_group FROM people INDEXED BY people_reported
                  WHERE deleted = 0 AND merged_into IS NULL",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let index = usize::try_from(r.get::<_, i64>(0)?).unwrap_or(0);
                let sex = r
                    .get_ref(1)?
                    .as_str_or_null()
                    .ok()
                    .flatten()
                    .and_then(|s| Sex::parse(s).ok())
                    .unwrap_or(Sex::X);
                let group = r
                    .get_ref(3)?
                    .as_str_or_null()
                    .ok()
                    .flatten()
                    .and_then(|g| Group::parse(g).ok());
                if people.len() <= index {
                    people.resize(index + 1, None);
                }
                people[index] = Some((sex, r.get(2)?, group));
            }
        }
        // Merged duplicates count as the person they were merged into (see duplicates::links).
        let mut alias: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
        {
            let mut stmt = conn.prepare_cached(
                "SELECT d.num, k.num FROM people d JOIN people k ON k.id = d.merged_into
                  WHERE d.merged_into IS NOT NULL AND d.deleted = 0",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let from = usize::try_from(r.get::<_, i64>(0)?).unwrap_or(usize::MAX);
                let to = usize::try_from(r.get::<_, i64>(1)?).unwrap_or(usize::MAX);
                alias.insert(from, to);
            }
        }
        // Sessions (by num) with a photo or scan of their signed sheet.
        let mut evidenced: Vec<bool> = Vec::new();
        {
            let mut stmt = conn.prepare_cached(
                "SELECT DISTINCT s.num FROM evidence e JOIN sessions s ON s.id = e.session_id
                   JOIN evidence_files f ON f.sha256 = e.sha256
                  WHERE e.deleted = 0",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                if let Ok(n) = usize::try_from(r.get::<_, i64>(0)?) {
                    if evidenced.len() <= n {
                        evidenced.resize(n + 1, false);
                    }
                    evidenced[n] = true;
                }
            }
        }
        Ok(Population { people, alias, evidenced })
    }
}

fn reach_in<'p>(
    conn: &Connection,
    population: &'p Population,
    period: Period,
    place: &Place,
) -> Result<Reach<'p>> {
    let (from, to) = period.params();
    let [region, cercle, commune] = place.params();
    let mut sessions: Vec<Option<NaiveDate>> = Vec::new();
    {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT num, start_date FROM sessions s WHERE deleted = 0 AND status = 'held'
                   AND (?1 IS NULL OR start_date >= ?1) AND (?2 IS NULL OR start_date <= ?2)
                   AND {IN_PLACE}"
        ))?;
        let mut rows = stmt.query(params![from, to, region, cercle, commune])?;
        while let Some(r) = rows.next()? {
            let num: i64 = r.get(0)?;
            let date: Option<NaiveDate> =
                r.get::<_, Option<String>>(1)?.and_then(|d| d.parse().ok());
            let index = usize::try_from(num).unwrap_or(0);
            if sessions.len() <= index {
                sessions.resize(index + 1, None);
            }
            sessions[index] = date;
        }
    }
    let Population { people, alias, evidenced } = population;
    let mut first: Vec<Option<NaiveDate>> = vec![None; people.len()];
    let mut attendances = 0;
    let mut backed = 0;
    let mut per_session = vec![0i64; sessions.len()];
    let mut count = |session: usize, date: NaiveDate, list: &str| {
        for person in list.split(',') {
            let Ok(person) = person.parse::<usize>() else { continue };
            let person = if alias.is_empty() {
                person
            } else {
                alias.get(&person).copied().unwrap_or(person)
            };
            if !matches!(people.get(person), Some(Some(_))) {
                continue;
            }
            attendances += 1;
            backed += i64::from(evidenced.get(session).copied().unwrap_or(false));
            per_session[session] += 1;
            let slot = &mut first[person];
            if slot.is_none_or(|d| date < d) {
                *slot = Some(date);
            }
        }
    };
    // Each session's counted people, kept ready by the merge (report/reach.rs). A scan reads
    // every list (SQLite loads a row's whole text to return it), so a period or place holding
    // a small part of the sessions (the period before, one region) reads its own by key.
    let chosen: Vec<(usize, NaiveDate)> =
        sessions.iter().enumerate().filter_map(|(n, d)| Some((n, (*d)?))).collect();
    let listed: i64 =
        conn.query_row("SELECT coalesce(max(session_num), 0) FROM session_reach", [], |r| {
            r.get(0)
        })?;
    if (chosen.len() as i64) * 4 < listed {
        let mut stmt =
            conn.prepare_cached("SELECT people FROM session_reach WHERE session_num = ?1")?;
        for (session, date) in chosen {
            let list: Option<String> = stmt.query_row([session as i64], |r| r.get(0)).optional()?;
            if let Some(list) = list {
                count(session, date, &list);
            }
        }
    } else {
        let mut stmt = conn.prepare_cached("SELECT session_num, people FROM session_reach")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let session = usize::try_from(r.get::<_, i64>(0)?).unwrap_or(usize::MAX);
            let Some(Some(date)) = sessions.get(session) else { continue };
            let Some(list) = r.get_ref(1)?.as_str_or_null().ok().flatten() else { continue };
            count(session, *date, list);
        }
    }
    Ok(Reach { people, first, attendances, backed, per_session })
}

/// People reached in the period, and the attendances counted to reach them.
pub fn people(conn: &Connection, period: Period, place: &Place) -> Result<(People, i64)> {
    people_in(conn, &Population::load(conn)?, period, place)
}

/// `people` with the population already loaded (see [`Population`]).
pub fn people_in(
    conn: &Connection,
    population: &Population,
    period: Period,
    place: &Place,
) -> Result<(People, i64)> {
    people_and_backing_in(conn, population, period, place)
        .map(|(people, attendances, _)| (people, attendances))
}

/// `people`, and how many of the counted attendances are at sessions with a signed sheet
/// attached (a photo or scan kept as evidence).
pub fn people_and_backing(
    conn: &Connection,
    period: Period,
    place: &Place,
) -> Result<(People, i64, Backing)> {
    people_and_backing_in(conn, &Population::load(conn)?, period, place)
}

/// `people_and_backing` with the population already loaded (see [`Population`]).
pub fn people_and_backing_in(
    conn: &Connection,
    population: &Population,
    period: Period,
    place: &Place,
) -> Result<(People, i64, Backing)> {
    let sexes = || Sex::ALL.iter().map(|s| s.as_str());
    let mut out = People {
        total: 0,
        by_sex: zeroes(sexes()),
        youth: 0,
        by_age_band: zeroes(AGE_BANDS),
        by_sex_and_age_band: sexes().map(|s| (s.to_string(), zeroes(AGE_BANDS))).collect(),
        by_group: zeroes(Group::ALL.iter().map(|g| g.as_str()).chain([NONE])),
    };
    let reach = reach_in(conn, population, period, place)?;
    // Tallied by the codes' positions, then named: a million people reached are a million
    // increments, not four million map entries made from strings.
    let sexes_n = Sex::ALL.len();
    let mut by_sex_and_band = vec![0i64; sexes_n * AGE_BANDS.len()];
    let mut by_group = vec![0i64; Group::ALL.len() + 1];
    for (person, first) in reach.first.iter().enumerate() {
        let (Some(first), Some(Some((sex, birth_year, group)))) = (first, reach.people.get(person))
        else {
            continue;
        };
        let age = birth_year.map(|b| first.year() - b);
        let band =
            AGE_BANDS.iter().position(|b| *b == age_band(age)).unwrap_or(AGE_BANDS.len() - 1);
        by_sex_and_band[*sex as usize * AGE_BANDS.len() + band] += 1;
        out.youth += i64::from(is_youth(age));
        by_group[group.map_or(Group::ALL.len(), |g| g as usize)] += 1;
    }
    for (s, sex) in Sex::ALL.iter().enumerate() {
        for (b, band) in AGE_BANDS.iter().enumerate() {
            let n = by_sex_and_band[s * AGE_BANDS.len() + b];
            out.total += n;
            *out.by_sex.entry(sex.as_str().to_string()).or_default() += n;
            *out.by_age_band.entry(band.to_string()).or_default() += n;
            *out.by_sex_and_age_band
                .entry(sex.as_str().to_string())
                .or_default()
                .entry(band.to_string())
                .or_default() += n;
        }
    }
    for (g, n) in by_group.iter().enumerate() {
        let group = Group::ALL.get(g).map_or(NONE, |g| g.as_str());
        *out.by_group.entry(group.to_string()).or_default() += n;
    }
    Ok((out, reach.attendances, Backing { backed: reach.backed, per_session: reach.per_session }))
}

/// What `reach` counted for `evidence_coverage`.
pub struct Backing {
    backed: i64,
    per_session: Vec<i64>,
}

/// A held session of the period with its counted attendance and its attached sheets.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct HeldSession {
    #[serde(flatten)]
    pub session: SessionRef,
    pub attendances: i64,
    /// Live attachments (photos and scans of the signed sheet).
    pub sheets: i64,
}

/// Paper evidence over the period's held sessions: which have a photo or scan of their signed
/// sheet (an attachment whose file this database holds), which do not (listed, by date), and
/// the share of attendance so backed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EvidenceCoverage {
    pub held_sessions: i64,
    pub with_evidence: i64,
    /// Counted attendances at sessions with a signed sheet attached.
    pub attendances_backed: i64,
    /// `attendances_backed` over the counted attendances, in percent (0 when there are none).
    pub share_backed_percent: f64,
    /// Held sessions of the period with no attached sheet, oldest first.
    pub without: Vec<SessionRef>,
    /// Every held session of the period, oldest first.
    pub sessions: Vec<HeldSession>,
}

pub fn evidence_coverage(
    conn: &Connection,
    period: Period,
    place: &Place,
    attendances: i64,
    backing: &Backing,
) -> Result<EvidenceCoverage> {
    let backed = backing.backed;
    let (from, to) = period.params();
    let [region, cercle, commune] = place.params();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT s.id, s.title, s.start_date, s.region,
                (SELECT count(*) FROM evidence e JOIN evidence_files f ON f.sha256 = e.sha256
                  WHERE e.session_id = s.id AND e.deleted = 0),
                s.num
           FROM sessions s
          WHERE s.deleted = 0 AND s.status = 'held'
            AND (?1 IS NULL OR s.start_date >= ?1) AND (?2 IS NULL OR s.start_date <= ?2)
            AND {IN_PLACE}
          ORDER BY s.start_date, s.title"
    ))?;
    let mut out = EvidenceCoverage {
        held_sessions: 0,
        with_evidence: 0,
        attendances_backed: backed,
        share_backed_percent: if attendances > 0 {
            (backed as f64 * 1000.0 / attendances as f64).round() / 10.0
        } else {
            0.0
        },
        without: Vec::new(),
        sessions: Vec::new(),
    };
    let mut rows = stmt.query(params![from, to, region, cercle, commune])?;
    while let Some(r) = rows.next()? {
        out.held_sessions += 1;
        let session = SessionRef {
            id: r.get(0)?,
            title: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
            start_date: r.get(2)?,
            region: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
        };
        let sheets: i64 = r.get(4)?;
        let num = usize::try_from(r.get::<_, i64>(5)?).unwrap_or(usize::MAX);
        if sheets > 0 {
            out.with_evidence += 1;
        } else {
            out.without.push(session.clone());
        }
        let attendances = backing.per_session.get(num).copied().unwrap_or(0);
        out.sessions.push(HeldSession { session, attendances, sheets });
    }
    Ok(out)
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SessionRef {
    pub id: String,
    pub title: String,
    pub start_date: Option<String>,
    pub region: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Activities {
    pub total: i64,
    pub by_kind: Counts,
    pub by_group: Counts,
    /// Regions in name order; sessions with no region last.
    pub by_region: Counts,
    /// Planned (not yet held) sessions of the period, listed apart.
    pub planned: Vec<SessionRef>,
}

pub fn activities(conn: &Connection, period: Period, place: &Place) -> Result<Activities> {
    let mut out = Activities {
        total: 0,
        by_kind: zeroes(SessionKind::ALL.iter().map(|k| k.as_str())),
        by_group: zeroes(Group::ALL.iter().map(|g| g.as_str())),
        by_region: Counts::new(),
        planned: Vec::new(),
    };
    let (from, to) = period.params();
    let [region, cercle, commune] = place.params();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, title, status, kind, groups, region, start_date FROM sessions s
          WHERE deleted = 0 AND status IN ('held', 'planned')
            AND (?1 IS NULL OR start_date >= ?1) AND (?2 IS NULL OR start_date <= ?2)
            AND {IN_PLACE}
          ORDER BY start_date, title"
    ))?;
    let mut rows = stmt.query(params![from, to, region, cercle, commune])?;
    while let Some(r) = rows.next()? {
        let status: Option<String> = r.get(2)?;
        let region: String = r.get::<_, Option<String>>(5)?.unwrap_or_default();
        if status.as_deref() == Some("planned") {
            out.planned.push(SessionRef {
                id: r.get(0)?,
                title: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                start_date: r.get(6)?,
                region,
            });
            continue;
        }
        out.total += 1;
        let kind: Option<String> = r.get(3)?;
        let kind =
            kind.as_deref().and_then(|k| SessionKind::parse(k).ok()).unwrap_or(SessionKind::Other);
        *out.by_kind.entry(kind.as_str().to_string()).or_default() += 1;
        let groups: Vec<String> = r
            .get::<_, Option<String>>(4)?
            .and_then(|g| serde_json::from_str(&g).ok())
            .unwrap_or_default();
        let mut seen = Vec::new();
        for group in groups.iter().filter_map(|g| Group::parse(g).ok()) {
            if !seen.contains(&group) {
                seen.push(group);
                *out.by_group.entry(group.as_str().to_string()).or_default() += 1;
            }
        }
        let region = if region.trim().is_empty() { NONE.to_string() } else { region };
        *out.by_region.entry(region).or_default() += 1;
    }
    out.by_region.sort_by(|a, _, b, _| {
        (a == NONE).cmp(&(b == NONE)).then_with(|| crate::model::names::compare(a, b))
    });
    Ok(out)
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ActionItems {
    pub total: i64,
    pub by_status: Counts,
    pub overdue: i64,
}

pub fn action_items(conn: &Connection, place: &Place, today: NaiveDate) -> Result<ActionItems> {
    let mut out = ActionItems {
        total: 0,
        by_status: zeroes(ItemStatus::ALL.iter().map(|s| s.as_str())),
        overdue: 0,
    };
    let [region, cercle, commune] = place.params();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT i.status, i.due_date FROM action_items i
           JOIN action_plans p ON p.id = i.plan_id AND p.deleted = 0
          WHERE i.deleted = 0
            AND (?3 IS NULL AND ?4 IS NULL AND ?5 IS NULL
                 OR EXISTS (SELECT 1 FROM sessions s WHERE s.id = p.session_id AND {IN_PLACE}))"
    ))?;
    let mut rows = stmt.query(params![None::<String>, None::<String>, region, cercle, commune])?;
    while let Some(r) = rows.next()? {
        let status: Option<String> = r.get(0)?;
        let status = status
            .as_deref()
            .and_then(|s| ItemStatus::parse(s).ok())
            .unwrap_or(ItemStatus::NotStarted);
        let due: Option<NaiveDate> = r.get::<_, Option<String>>(1)?.and_then(|d| d.parse().ok());
        out.total += 1;
        *out.by_status.entry(status.as_str().to_string()).or_default() += 1;
        out.overdue += i64::from(crate::model::plan::ActionItem::is_overdue(due, status, today));
    }
    Ok(out)
}

/// Whether a report's files carry a list of the people reached, by name. Never by default: a
/// named list is an explicit choice, and people without recorded consent are left out of it
/// unless the officer asks for everyone. The figures count everyone either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NamedList {
    /// Figures only (the default).
    #[default]
    None,
    /// The people reached who gave their consent.
    Consented,
    /// Everyone reached, with or without recorded consent.
    Everyone,
}

impl NamedList {
    pub fn parse(value: &str) -> std::result::Result<NamedList, crate::error::Invalid> {
        match value.trim() {
            "" | "none" => Ok(NamedList::None),
            "consented" => Ok(NamedList::Consented),
            "everyone" => Ok(NamedList::Everyone),
            other => Err(crate::error::Invalid::UnknownCode {
                field: "names",
                value: other.to_string(),
                allowed: "none, consented, everyone".into(),
            }),
        }
    }
}

/// The named list of a report's files: who is on it, and how many reached people were left out
/// for lack of recorded consent.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Participants {
    pub list: NamedList,
    pub people: Vec<Participant>,
    pub without_consent_left_out: usize,
}

/// One reached person, for the participant list of the spreadsheet.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Participant {
    pub full_name: String,
    pub sex: String,
    pub age: Option<i32>,
    pub group: Option<String>,
    pub role: String,
    pub community: String,
    pub phone: String,
    pub first_date: NaiveDate,
    pub sessions: i64,
    pub consent: bool,
}

pub fn participants(
    conn: &Connection,
    period: Period,
    place: &Place,
    list: NamedList,
) -> Result<Participants> {
    if list == NamedList::None {
        return Ok(Participants::default());
    }
    let (from, to) = period.params();
    let [region, cercle, commune] = place.params();
    let mut stmt = conn.prepare(&format!(
        "WITH reached AS ({})
         SELECT p.full_name, p.sex, p.birth_year, p.stakeholder_group, p.role, p.community, p.phone, r.first_date,
                coalesce(p.consent, 0),
                (SELECT count(DISTINCT s.id) FROM attendance a JOIN sessions s ON s.id = a.session_id AND s.deleted = 0
                                  AND s.status = 'held'
                  WHERE a.person_id IN (SELECT p.id UNION ALL SELECT id FROM people WHERE merged_into = p.id AND deleted = 0)
                    AND a.deleted = 0 AND a.present = 1
                    AND (?1 IS NULL OR s.start_date >= ?1) AND (?2 IS NULL OR s.start_date <= ?2)
                    AND {IN_PLACE})
           FROM reached r JOIN people p ON p.id = r.person_id
          WHERE coalesce(p.erased, 0) = 0
          ORDER BY p.full_name COLLATE palabre, p.id",
        reached_sql()
    ))?;
    let rows = stmt.query_map(params![from, to, region, cercle, commune], |r| {
        let first: String = r.get(7)?;
        let first_date = first.parse().unwrap_or_default();
        let birth_year: Option<i32> = r.get(2)?;
        Ok(Participant {
            full_name: r.get::<_, Option<String>>(0)?.unwrap_or_default(),
            sex: r.get::<_, Option<String>>(1)?.unwrap_or_else(|| "X".into()),
            age: birth_year.map(|b| NaiveDate::year(&first_date) - b),
            group: r.get(3)?,
            role: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
            community: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
            phone: r.get::<_, Option<String>>(6)?.unwrap_or_default(),
            first_date,
            consent: r.get(8)?,
            sessions: r.get(9)?,
        })
    })?;
    let mut people = rows.collect::<Result<Vec<_>, _>>()?;
    let before = people.len();
    if list == NamedList::Consented {
        people.retain(|p| p.consent);
    }
    Ok(Participants { list, without_consent_left_out: before - people.len(), people })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_bands_and_youth_at_their_edges() {
        assert_eq!(age_band(Some(14)), "0-14");
        assert_eq!(age_band(Some(15)), "15-24");
        assert_eq!(age_band(Some(24)), "15-24");
        assert_eq!(age_band(Some(25)), "25-35");
        assert_eq!(age_band(Some(35)), "25-35");
        assert_eq!(age_band(Some(36)), "36-59");
        assert_eq!(age_band(Some(60)), "60+");
        assert_eq!(age_band(None), "unknown");
        assert_eq!(age_band(Some(-2)), "unknown");
        assert!(
            !is_youth(Some(14)) && is_youth(Some(15)) && is_youth(Some(35)) && !is_youth(Some(36))
        );
    }
}
