//! Progress against the logframe for a period and a place: each indicator's value computed from
//! the report's figures, its target for the period, the same value for the period before, and
//! the breakdowns the catalogue asks for.
//!
//! The target of a period is the one set for exactly that period (a year, a quarter); for any
//! other period inside one year, the year's target (marked `annual`). A share's value is a
//! percentage rounded to one decimal.

use chrono::Datelike;
use indexmap::IndexMap;
use rusqlite::Connection;
use serde::Serialize;

use super::catalogue::Indicator;
use crate::error::Result;
use crate::i18n::Lang;
use crate::model::codes::{Disaggregation, ItemStatus, Measure, Sex};
use crate::report::indicators::{
    self, AGE_BANDS, ActionItems, Activities, EvidenceCoverage, People, Period, Place,
};

/// The report's figures for one period and place: what every measure is computed from.
pub struct Figures {
    pub people: People,
    pub attendances: i64,
    pub activities: Activities,
    pub items: ActionItems,
    pub evidence: EvidenceCoverage,
}

impl Figures {
    pub fn compute(
        conn: &Connection,
        population: &indicators::Population,
        period: Period,
        place: &Place,
        today: chrono::NaiveDate,
    ) -> Result<Figures> {
        let (people, attendances, backing) =
            indicators::people_and_backing_in(conn, population, period, place)?;
        Ok(Figures {
            evidence: indicators::evidence_coverage(conn, period, place, attendances, &backing)?,
            activities: indicators::activities(conn, period, place)?,
            items: indicators::action_items(conn, place, today)?,
            people,
            attendances,
        })
    }

    /// The value of `indicator` in these figures.
    pub fn value(&self, indicator: &Indicator) -> f64 {
        let group = indicator.group.map(|g| g.as_str()).unwrap_or_default();
        let get = |counts: &indicators::Counts, key: &str| counts.get(key).copied().unwrap_or(0);
        let share = |part: i64, whole: i64| {
            if whole == 0 { 0.0 } else { (part as f64 * 1000.0 / whole as f64).round() / 10.0 }
        };
        match indicator.measure {
            Measure::PeopleReached => self.people.total as f64,
            Measure::WomenReached => get(&self.people.by_sex, "F") as f64,
            Measure::YouthReached => self.people.youth as f64,
            Measure::PeopleInGroup => get(&self.people.by_group, group) as f64,
            Measure::Attendances => self.attendances as f64,
            Measure::ActivitiesHeld => self.activities.total as f64,
            Measure::ActivitiesWithGroup => get(&self.activities.by_group, group) as f64,
            Measure::ItemsDone => get(&self.items.by_status, ItemStatus::Done.as_str()) as f64,
            Measure::ShareWomen => share(get(&self.people.by_sex, "F"), self.people.total),
            Measure::ShareYouth => share(self.people.youth, self.people.total),
            Measure::SessionsWithEvidence => self.evidence.with_evidence as f64,
            Measure::ShareWithEvidence => {
                share(self.evidence.with_evidence, self.evidence.held_sessions)
            }
        }
    }

    /// The breakdown of `indicator` by sex, age band or group (region is computed apart), or
    /// None when the measure has none.
    fn breakdown(
        &self,
        indicator: &Indicator,
        by: Disaggregation,
    ) -> Option<IndexMap<String, f64>> {
        let as_f64 = |counts: &indicators::Counts| -> IndexMap<String, f64> {
            counts.iter().map(|(k, v)| (k.clone(), *v as f64)).collect()
        };
        let youth_bands = ["15-24", "25-35"];
        match (indicator.measure, by) {
            (Measure::PeopleReached, Disaggregation::Sex) => Some(as_f64(&self.people.by_sex)),
            (Measure::PeopleReached, Disaggregation::Age) => Some(as_f64(&self.people.by_age_band)),
            (Measure::PeopleReached, Disaggregation::Group) => Some(as_f64(&self.people.by_group)),
            (Measure::WomenReached, Disaggregation::Age) => {
                self.people.by_sex_and_age_band.get("F").map(as_f64)
            }
            (Measure::YouthReached, Disaggregation::Sex) => Some(
                Sex::ALL
                    .iter()
                    .map(|s| {
                        let bands = self.people.by_sex_and_age_band.get(s.as_str());
                        let n: i64 = youth_bands
                            .iter()
                            .map(|b| bands.and_then(|c| c.get(*b)).copied().unwrap_or(0))
                            .sum();
                        (s.as_str().to_string(), n as f64)
                    })
                    .collect(),
            ),
            (Measure::ActivitiesHeld, Disaggregation::Group) => {
                Some(as_f64(&self.activities.by_group))
            }
            _ => None,
        }
    }
}

/// The target that applies to a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Target {
    /// The period it was set for ("2024", "2024-Q3").
    pub period: String,
    pub value: i64,
    /// The year's target shown for a shorter period inside that year.
    pub annual: bool,
}

/// The keys a period's target may be found under: its exact year or quarter first, then the
/// year that holds it.
fn target_of(indicator: &Indicator, period: Period) -> Option<Target> {
    let (from, to) = (period.from?, period.to?);
    if from.year() != to.year() {
        return None;
    }
    let year = crate::model::fields::target_key(from.year(), None);
    let quarter = (from.day() == 1
        && from.month0() % 3 == 0
        && to.succ_opt().is_some_and(|n| n.day() == 1 && n.month0() == (from.month0() + 3) % 12))
    .then(|| crate::model::fields::target_key(from.year(), Some(from.month0() / 3 + 1)));
    let whole_year = from.ordinal() == 1 && to.month() == 12 && to.day() == 31;
    if let Some(q) = quarter
        && let Some(v) = indicator.targets.get(&q)
    {
        return Some(Target { period: q, value: *v, annual: false });
    }
    indicator.targets.get(&year).map(|v| Target {
        period: year.clone(),
        value: *v,
        annual: !whole_year,
    })
}

/// One breakdown of an indicator's value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breakdown {
    pub by: Disaggregation,
    /// Value per code (sex, age band, group) or region name, in the codes' order.
    pub values: IndexMap<String, f64>,
}

/// One row of the donor's table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorProgress {
    pub code: String,
    pub vocabulary: String,
    pub label: String,
    pub measure: Measure,
    pub percent: bool,
    pub baseline: Option<i64>,
    pub baseline_year: Option<i32>,
    pub target: Option<Target>,
    pub actual: f64,
    /// The value over the period before (same length), when the period has both ends.
    pub previous: Option<f64>,
    /// `actual` over the target, in percent (one decimal), when there is a target above 0.
    pub achieved_percent: Option<f64>,
    pub breakdowns: Vec<Breakdown>,
}

/// Progress of the whole catalogue for a period and place.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Progress {
    pub period: Period,
    pub previous_period: Option<Period>,
    pub place: Place,
    pub lang: Lang,
    pub indicators: Vec<IndicatorProgress>,
}

pub fn progress(
    conn: &Connection,
    catalogue: &[Indicator],
    period: Period,
    place: &Place,
    lang: Lang,
    today: chrono::NaiveDate,
) -> Result<Progress> {
    // The people, aliases and signed sheets are read once for every cut below.
    let population = indicators::Population::load(conn)?;
    let figures = Figures::compute(conn, &population, period, place, today)?;
    let previous_period = period.previous();
    let before = previous_period
        .map(|p| Figures::compute(conn, &population, p, place, today))
        .transpose()?;
    // Regions, when an indicator is broken down by them: the figures of each region of the
    // period's activities (in the report's order), within the place.
    let by_region = catalogue.iter().any(|i| i.disaggregations.contains(&Disaggregation::Region));
    let mut regions: Vec<(String, Figures)> = Vec::new();
    if by_region {
        // Spellings of one region ("Ségou", "SEGOU") are one place, named by the spelling most
        // of its activities use.
        let mut names: indexmap::IndexMap<String, (String, i64)> = indexmap::IndexMap::new();
        for (region, n) in
            figures.activities.by_region.iter().filter(|(r, _)| *r != indicators::NONE)
        {
            let entry = names
                .entry(crate::model::names::fold(region.trim()))
                .or_insert_with(|| (region.clone(), *n));
            if *n > entry.1 {
                *entry = (region.clone(), *n);
            }
        }
        for (region, _) in names.into_values() {
            let within = Place { region: Some(region.clone()), ..place.clone() };
            regions.push((
                region.clone(),
                Figures::compute(conn, &population, period, &within, today)?,
            ));
        }
    }
    let indicators = catalogue
        .iter()
        .map(|indicator| {
            let actual = figures.value(indicator);
            let target = target_of(indicator, period);
            let breakdowns = indicator
                .disaggregations
                .iter()
                .filter_map(|by| {
                    let values = match by {
                        Disaggregation::Region => Some(
                            regions.iter().map(|(r, f)| (r.clone(), f.value(indicator))).collect(),
                        ),
                        _ => figures.breakdown(indicator, *by),
                    }?;
                    Some(Breakdown { by: *by, values })
                })
                .collect();
            IndicatorProgress {
                code: indicator.code.clone(),
                vocabulary: indicator.vocabulary.clone(),
                label: indicator.label(lang).to_string(),
                measure: indicator.measure,
                percent: indicator.is_percent(),
                baseline: indicator.baseline,
                baseline_year: indicator.baseline_year,
                achieved_percent: target
                    .as_ref()
                    .filter(|t| t.value > 0)
                    .map(|t| (actual * 1000.0 / t.value as f64).round() / 10.0),
                target,
                actual,
                // Action items are a state of today, not of a period: nothing to compare.
                previous: before
                    .as_ref()
                    .filter(|_| indicator.measure != Measure::ItemsDone)
                    .map(|b| b.value(indicator)),
                breakdowns,
            }
        })
        .collect();
    Ok(Progress { period, previous_period, place: place.clone(), lang, indicators })
}

/// The age bands, in the order of the tables (re-exported for the exports' headers).
pub const BANDS: [&str; 6] = AGE_BANDS;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::catalogue::builtin;

    fn period(from: &str, to: &str) -> Period {
        Period::parse(Some(from), Some(to)).unwrap()
    }

    #[test]
    fn a_period_takes_its_own_target_or_its_years() {
        let mut pal1 = builtin().into_iter().next().unwrap();
        pal1.targets.insert("2024-Q2".into(), 80);
        let year = target_of(&pal1, period("2024-01-01", "2024-12-31")).unwrap();
        assert_eq!(year, Target { period: "2024".into(), value: 300, annual: false });
        let q2 = target_of(&pal1, period("2024-04-01", "2024-06-30")).unwrap();
        assert_eq!(q2, Target { period: "2024-Q2".into(), value: 80, annual: false });
        let q3 = target_of(&pal1, period("2024-07-01", "2024-09-30")).unwrap();
        assert_eq!(q3, Target { period: "2024".into(), value: 300, annual: true });
        assert_eq!(target_of(&pal1, period("2024-12-01", "2025-01-31")), None);
        assert_eq!(target_of(&pal1, period("2025-01-01", "2025-12-31")), None);
        assert_eq!(target_of(&pal1, Period::default()), None);
    }
}
