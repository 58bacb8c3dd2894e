//! What the CLI prints: one JSON document with `--json`, readable text otherwise. No rules here.

use std::fmt::Display;
use std::path::Path;

use palabre::DemoSummary;
use palabre::{
    ActionItem, ActionPlan, AttendanceLine, Device, Error, PeoplePage, Person, PersonSession,
    Session,
};
use serde::Serialize;
use serde_json::json;

/// Prints a line on stdout; a closed pipe (`palabre person list | head`) ends the program quietly.
macro_rules! say {
    ($($arg:tt)*) => { $crate::show::write_line(format_args!($($arg)*)) };
}

pub fn write_line(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    if let Err(e) = writeln!(std::io::stdout().lock(), "{args}")
        && e.kind() == std::io::ErrorKind::BrokenPipe
    {
        std::process::exit(0);
    }
}

pub struct Out {
    pub json: bool,
}

pub fn print_json(value: &impl Serialize) -> Result<(), Error> {
    say!(
        "{}",
        serde_json::to_string_pretty(value).map_err(|e| Error::BadOp { reason: e.to_string() })?
    );
    Ok(())
}

fn or_dash(s: &str) -> &str {
    if s.is_empty() { "-" } else { s }
}

fn date(d: Option<chrono::NaiveDate>) -> String {
    d.map_or_else(|| "-".to_string(), |d| d.to_string())
}

impl Out {
    /// A new id, alone on its line (or `{"id": …}`).
    pub fn id(&self, id: impl Display) -> Result<(), Error> {
        if self.json {
            print_json(&json!({ "id": id.to_string() }))
        } else {
            say!("{id}");
            Ok(())
        }
    }

    pub fn ids(&self, ids: &[impl Display]) -> Result<(), Error> {
        if self.json {
            return print_json(
                &json!({ "ids": ids.iter().map(ToString::to_string).collect::<Vec<_>>() }),
            );
        }
        ids.iter().for_each(|id| say!("{id}"));
        Ok(())
    }

    pub fn erased(&self, records: usize) -> Result<(), Error> {
        if self.json {
            return print_json(&json!({ "erased_records": records }));
        }
        say!(
            "Erased ({records} record{}): the personal data is blank here; export a bundle so that HQ forgets it too.",
            if records == 1 { "" } else { "s" }
        );
        Ok(())
    }

    pub fn done(&self, (): ()) -> Result<(), Error> {
        if self.json { print_json(&json!({ "ok": true })) } else { Ok(()) }
    }

    pub fn device(&self, device: &Device, key: Option<&Path>) -> Result<(), Error> {
        if self.json {
            return print_json(&json!({
                "device_id": device.device_id,
                "name": device.name,
                "fingerprint": device.fingerprint,
                "public_key": device.public_key,
                "created_at": device.created_at,
                "key_file": key,
            }));
        }
        say!("device      {}", device.name);
        say!("id          {}", device.device_id);
        say!("fingerprint {}", device.fingerprint);
        say!("public key  {}", device.public_key);
        if let Some(key) = key {
            say!("secret key  {} (keep it private; back it up with the database)", key.display());
        }
        Ok(())
    }

    pub fn demo(&self, demo: &DemoSummary, db: &Path) -> Result<(), Error> {
        if self.json {
            return print_json(demo);
        }
        say!(
            "Demo programme written to {}: {} sessions, {} people, {} attendances, {} action plans (device {}).",
            palabre::shown_location(db),
            demo.sessions,
            demo.people,
            demo.attendances,
            demo.plans,
            demo.device_name
        );
        Ok(())
    }

    pub fn sessions(&self, sessions: &[Session]) -> Result<(), Error> {
        if self.json {
            return print_json(&json!({ "sessions": sessions }));
        }
        let today = chrono::Local::now().date_naive();
        let mut late = 0;
        for s in sessions {
            // A planned session whose date has passed counts nowhere until marked held.
            let passed = s.status == palabre::SessionStatus::Planned
                && s.start_date.is_some_and(|d| d < today);
            late += usize::from(passed);
            say!(
                "{}  {}  {:<9}  {:<17}  {} ({}){}",
                s.id,
                date(s.start_date),
                s.status,
                s.kind,
                s.title,
                or_dash(&s.location()),
                if passed { "  ! date passed" } else { "" }
            );
        }
        if late > 0 {
            eprintln!(
                "{late} planned session(s) have a date in the past: if held, `palabre session edit ID --status held` (planned sessions count in no figure)"
            );
        }
        Ok(())
    }

    pub fn session(
        &self,
        s: &Session,
        attendance: &[AttendanceLine],
        plans: &[ActionPlan],
    ) -> Result<(), Error> {
        if self.json {
            return print_json(&json!({ "session": s, "attendance": attendance, "plans": plans }));
        }
        let groups: Vec<&str> = s.groups.iter().map(|g| g.as_str()).collect();
        say!("{}", s.title);
        say!("  id           {}", s.id);
        say!("  kind         {}    status {}", s.kind, s.status);
        say!("  dates        {} – {}", date(s.start_date), date(s.end_date.or(s.start_date)));
        say!("  place        {}", or_dash(&s.location()));
        say!("  groups       {}", or_dash(&groups.join(", ")));
        say!("  theme        {}", or_dash(&s.theme));
        say!("  facilitator  {}", or_dash(&s.facilitator));
        if !s.summary.is_empty() {
            say!("  summary      {}", s.summary);
        }
        for r in &s.recommendations {
            say!("  recommends   {r}");
        }
        let present = attendance.iter().filter(|a| a.present).count();
        say!("  attendance   {} registered, {} present", attendance.len(), present);
        for a in attendance {
            let age = a.age.map_or_else(|| "?".to_string(), |a| a.to_string());
            let mark = if a.present { "present" } else { "absent " };
            say!(
                "    {}  {mark}  {:<30} {} {:>3}  {}",
                a.person_id,
                if a.erased { "(erased person)" } else { a.full_name.as_str() },
                a.sex,
                age,
                a.role
            );
        }
        for p in plans {
            say!("  plan         {} — {} ({})", p.title, p.owner, p.id);
        }
        Ok(())
    }

    pub fn people_page(&self, page: &PeoplePage) -> Result<(), Error> {
        if self.json {
            return print_json(page);
        }
        self.people(&page.people)?;
        let end = page.offset + page.people.len();
        if (end as i64) < page.total || page.offset > 0 {
            eprintln!(
                "people {}–{} of {} (use --offset and --limit for more)",
                page.offset + 1,
                end,
                page.total
            );
        }
        Ok(())
    }

    /// A search's result, with how many match in all when not all are shown.
    pub fn found(&self, found: &palabre::PeopleFound) -> Result<(), Error> {
        if self.json {
            return print_json(found);
        }
        self.people(&found.people)?;
        if found.more {
            eprintln!(
                "{} shown of more than {}: type more of the name",
                found.people.len(),
                found.total
            );
        } else if found.people.len() < found.total {
            eprintln!(
                "{} shown of {}: type more of the name, or raise --limit",
                found.people.len(),
                found.total
            );
        }
        Ok(())
    }

    /// A newly registered person's id; and, on stderr, the people already registered under a
    /// name like hers (a possible duplicate, to check before recording attendance).
    pub fn added_person(&self, id: palabre::PersonId, namesakes: &[Person]) -> Result<(), Error> {
        if self.json {
            return print_json(
                &json!({ "id": id.to_string(), "registered_under_a_like_name": namesakes }),
            );
        }
        say!("{id}");
        if !namesakes.is_empty() {
            eprintln!(
                "note: {} other record(s) already have a name like this one — the same person? \
                 (check with `palabre person show ID`; merge with `palabre person merge`):",
                namesakes.len()
            );
            for p in namesakes {
                let born = p.birth_year.map_or_else(|| "-".to_string(), |y| y.to_string());
                eprintln!("  {}  {}  {}  {}", p.id, p.full_name, born, or_dash(&p.community));
            }
        }
        Ok(())
    }

    pub fn people(&self, people: &[Person]) -> Result<(), Error> {
        if self.json {
            return print_json(&json!({ "people": people }));
        }
        for p in people {
            let born = p.birth_year.map_or_else(|| "-".to_string(), |y| y.to_string());
            let community = or_dash(&p.community);
            say!(
                "{}  {:<30} {}  {:>4}  {}{}",
                p.id,
                p.full_name,
                p.sex,
                born,
                community,
                no_consent(p)
            );
        }
        Ok(())
    }

    pub fn person(&self, p: &Person, sessions: &[PersonSession]) -> Result<(), Error> {
        if self.json {
            return print_json(&json!({ "person": p, "sessions": sessions }));
        }
        let born = match (p.birth_year, p.birth_year_estimated) {
            (Some(y), true) => format!("about {y}"),
            (Some(y), false) => y.to_string(),
            (None, _) => "-".to_string(),
        };
        if p.erased {
            say!("(erased at their request)");
        } else {
            say!("{}", p.full_name);
        }
        say!("  id         {}", p.id);
        say!("  sex        {}    born {born}", p.sex);
        say!("  role       {}", or_dash(&p.role));
        say!("  group      {}", p.group.map_or("-", |g| g.as_str()));
        say!("  community  {}", or_dash(&p.community));
        say!("  phone      {}", or_dash(&p.phone));
        say!(
            "  consent    {}",
            if p.consent { format!("yes ({})", date(p.consent_date)) } else { "no".into() }
        );
        if let Some(answers) = &p.disability {
            let text: Vec<String> = answers.iter().map(|(d, l)| format!("{d}={l}")).collect();
            say!("  functioning {}", text.join(", "));
        }
        if !p.notes.is_empty() {
            say!("  notes      {}", p.notes);
        }
        for s in sessions {
            say!(
                "  attended   {}  {}{}",
                date(s.start_date),
                s.title,
                if s.present { "" } else { " (absent)" }
            );
        }
        Ok(())
    }

    pub fn plans(&self, plans: &[ActionPlan]) -> Result<(), Error> {
        if self.json {
            return print_json(&json!({ "plans": plans }));
        }
        for p in plans {
            let done = p.items.iter().filter(|i| i.status == palabre::ItemStatus::Done).count();
            let overdue = p.items.iter().filter(|i| i.overdue).count();
            say!(
                "{}  {} — {}  [{done}/{} done, {overdue} overdue]",
                p.id,
                p.owner,
                p.title,
                p.items.len()
            );
        }
        Ok(())
    }

    pub fn plan(&self, p: &ActionPlan) -> Result<(), Error> {
        if self.json {
            return print_json(&json!({ "plan": p }));
        }
        say!("{}", p.title);
        say!("  id         {}", p.id);
        say!("  owner      {}", p.owner);
        say!("  community  {}", or_dash(&p.community));
        say!("  status     {}", p.status);
        if !p.problem.is_empty() {
            say!("  problem    {}", p.problem);
        }
        if !p.objective.is_empty() {
            say!("  objective  {}", p.objective);
        }
        for i in &p.items {
            self.item_line(i);
        }
        Ok(())
    }

    fn item_line(&self, i: &ActionItem) {
        let flag = if i.overdue { "  OVERDUE" } else { "" };
        say!(
            "  {}  {:<11}  due {}  {} ({}){flag}",
            i.id,
            i.status,
            date(i.due_date),
            i.description,
            or_dash(&i.responsible)
        );
    }

    pub fn item(&self, i: &ActionItem) -> Result<(), Error> {
        if self.json {
            return print_json(&json!({ "item": i }));
        }
        self.item_line(i);
        Ok(())
    }
}

impl Out {
    /// What an export wrote; on a laptop, a plain bundle is said to be plain every time.
    pub fn exported(&self, e: &palabre::Exported, is_hq: bool) -> Result<(), Error> {
        if e.lock == palabre::Lock::Nothing && !is_hq {
            eprintln!(
                "warning: this bundle is not encrypted — this laptop is not enrolled with HQ, so anyone who gets the file can read it. Export with --passphrase to lock it, and give HQ the passphrase by phone."
            );
        }
        if self.json {
            return print_json(e);
        }
        let path =
            e.path.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| e.file_name.clone());
        say!("{path}");
        if e.ops > 0 {
            eprintln!(
                "bundle #{} holds {} changes (ops {}–{}): {}{}",
                e.bundle_seq,
                e.ops,
                e.first_seq,
                e.last_seq,
                size_text(e.bytes as u64),
                if e.bytes <= 20 << 20 { ", fits an e-mail or a phone message" } else { "" }
            );
        } else {
            eprintln!("bundle #{} holds no changes", e.bundle_seq);
        }
        if e.evidence > 0 {
            eprintln!("with {} photo(s) or scan(s) of signed sheets", e.evidence);
        }
        if e.parts.len() > 1 {
            eprintln!(
                "spread over {} bundles (each within the size cap); send them all to HQ:",
                e.parts.len()
            );
            for part in &e.parts {
                let path = part
                    .path
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| part.file_name.clone());
                eprintln!(
                    "  {path}: {} changes, {} sheet file(s), {}",
                    part.ops,
                    part.evidence,
                    size_text(part.bytes as u64)
                );
            }
        }
        if e.lock == palabre::Lock::Passphrase {
            eprintln!("locked with the passphrase: give it to HQ by phone, not with the file");
        }
        Ok(())
    }

    /// One line per file given to `evidence add`.
    pub fn filings(
        &self,
        results: &[(std::path::PathBuf, Result<palabre::Filing, Error>)],
    ) -> Result<(), Error> {
        use palabre::{Filing, Unfiled};
        if self.json {
            let list: Vec<_> = results
                .iter()
                .map(|(file, result)| match result {
                    Ok(filing) => json!({ "file": file, "result": filing }),
                    Err(e) => json!({ "file": file, "error": { "code": e.code(), "message": e.to_string() } }),
                })
                .collect();
            return print_json(&json!({ "files": list }));
        }
        for (file, result) in results {
            let file = file.display();
            match result {
                Ok(Filing::Filed { evidence, session_title, turned, original_size }) => {
                    let page = match (evidence.page, evidence.pages) {
                        (Some(p), Some(n)) => format!(", page {p} of {n}"),
                        (Some(p), None) => format!(", page {p}"),
                        _ => String::new(),
                    };
                    let how = if evidence.filed_by_code { "by its code" } else { "as asked" };
                    let turned = if *turned > 0 { ", turned upright" } else { "" };
                    say!(
                        "{file}: attached to '{session_title}'{page} ({how}{turned}; {} → {}) {}",
                        size_text(*original_size as u64),
                        size_text(evidence.size as u64),
                        evidence.id
                    );
                }
                Ok(Filing::AlreadyAttached { session_title, .. }) => {
                    say!("{file}: already attached to '{session_title}'; nothing added")
                }
                Ok(Filing::NeedsSession { reason: Unfiled::UnknownSession, .. }) => say!(
                    "{file}: not attached: its code names a session that is not in this database. Import the files of the laptop that recorded it first, or check that the sheet is this programme's"
                ),
                Ok(Filing::NeedsSession { reason, .. }) => {
                    let why = match reason {
                        Unfiled::BlankSheet => "it is a blank sheet (its code names no session)",
                        _ => "no sheet code can be read on it",
                    };
                    say!(
                        "{file}: not attached: {why}. Say which session: palabre evidence add SESSION {file}"
                    )
                }
                Err(e) => say!("{file}: not attached: {e}"),
            }
        }
        Ok(())
    }

    pub fn evidence_list(&self, list: &[palabre::Evidence]) -> Result<(), Error> {
        if self.json {
            return print_json(&json!({ "evidence": list }));
        }
        if list.is_empty() {
            say!("No signed sheet attached to this session yet.");
        }
        for e in list {
            let page = e.page.map_or_else(|| "page ?".to_string(), |p| format!("page {p}"));
            say!(
                "{}  {page}  {}  {}  attached by {} on {}{}",
                e.id,
                if e.media_type == "application/pdf" { "PDF" } else { "photo" },
                size_text(e.size as u64),
                e.attached_by,
                e.attached_at.get(..10).unwrap_or(&e.attached_at),
                if e.filed_by_code { " (by its code)" } else { "" }
            );
        }
        Ok(())
    }

    pub fn imported(
        &self,
        results: &[(std::path::PathBuf, palabre::ImportOutcome)],
    ) -> Result<(), Error> {
        if self.json {
            let list: Vec<_> = results.iter().map(|(file, outcome)| json!({ "file": file, "result": outcome, "line": outcome.to_string() })).collect();
            return print_json(&json!({ "imports": list }));
        }
        for (file, outcome) in results {
            say!("{}: {outcome}", file.display());
        }
        Ok(())
    }

    pub fn verified(&self, file: &Path, b: &palabre::Bundle) -> Result<(), Error> {
        let m = &b.manifest;
        if self.json {
            return print_json(
                &json!({ "valid": true, "manifest": m, "fingerprint": b.fingerprint }),
            );
        }
        say!(
            "{}: valid bundle #{} from {} (fingerprint {}), {} changes",
            file.display(),
            m.bundle_seq,
            m.device.name,
            b.fingerprint,
            m.ops.count
        );
        Ok(())
    }

    pub fn inspected(&self, b: &palabre::Bundle) -> Result<(), Error> {
        let mut by_entity = std::collections::BTreeMap::<&str, usize>::new();
        for op in &b.ops {
            *by_entity.entry(op.entity.as_str()).or_default() += 1;
        }
        if self.json {
            return print_json(
                &json!({ "manifest": b.manifest, "fingerprint": b.fingerprint, "ops_by_entity": by_entity }),
            );
        }
        let m = &b.manifest;
        say!("bundle      {} (#{}, format {})", m.bundle_id, m.bundle_seq, m.format_version);
        say!("device      {} {} (fingerprint {})", m.device.name, m.device.id, b.fingerprint);
        say!("created     {} by Palabre {}", m.created_at, m.app_version);
        say!("ops         {} ({}–{})", m.ops.count, m.ops.first_seq, m.ops.last_seq);
        for (entity, count) in by_entity {
            say!("  {entity:<11} {count}");
        }
        if let Some(prev) = &m.prev_bundle_hash {
            say!("follows     manifest {prev}");
        }
        Ok(())
    }

    pub fn devices(&self, devices: &[palabre::DeviceStatus]) -> Result<(), Error> {
        if self.json {
            let list: Vec<_> = devices
                .iter()
                .map(|d| json!({ "device": d, "missing_text": d.missing_text() }))
                .collect();
            return print_json(&json!({ "devices": list }));
        }
        for d in devices {
            let trust = if d.this_device {
                "this laptop"
            } else if d.trusted {
                "trusted"
            } else {
                "NOT TRUSTED"
            };
            let held = if d.ops == 0 {
                "no changes received".to_string()
            } else {
                format!("ops 1–{} complete ({} held)", d.gap_free_seq, d.ops)
            };
            let trust = if d.lost_at.is_some() { "LOST" } else { trust };
            say!("{}  {}  {trust}  bundle #{}  {held}", d.fingerprint, d.name, d.last_bundle_seq);
            if let Some(facilitator) = &d.facilitator {
                say!("    facilitator: {facilitator}");
            }
            if let Some(at) = &d.last_change_at {
                say!("    newest change made {at}");
            }
            for line in d.missing_text() {
                say!("    {line}");
            }
            if let Some(offset) = d.clock_offset_s.filter(|_| d.clock_off) {
                say!("    CLOCK: {}", palabre::clock_text(offset));
            }
            if let Some(at) = &d.lost_at {
                say!("    declared lost on {at}: its bundles are held, never merged");
            }
            if let Some(old) = &d.successor_of {
                say!("    replaces {old}");
            }
            if d.quarantined_bundles > 0 && d.lost_at.is_some() {
                say!(
                    "    {} bundle(s) held, not merged: `palabre hq held` lists them",
                    d.quarantined_bundles
                );
            } else if d.quarantined_bundles > 0 {
                say!(
                    "    {} bundle(s) waiting: compare the fingerprint, then `palabre device trust \"{}\"`",
                    d.quarantined_bundles,
                    d.fingerprint
                );
            }
            if d.forks > 0 {
                say!("    FORK: {} change number(s) signed twice with different content", d.forks);
            }
        }
        Ok(())
    }

    pub fn trusted(&self, t: &palabre::Trusted) -> Result<(), Error> {
        if self.json {
            return print_json(t);
        }
        say!("trusted {} ({})", t.name, t.fingerprint);
        for outcome in &t.merged {
            say!("  held bundle: {outcome}");
        }
        Ok(())
    }

    pub fn conflicts(&self, conflicts: &[palabre::Conflict]) -> Result<(), Error> {
        if self.json {
            return print_json(&json!({ "conflicts": conflicts }));
        }
        for c in conflicts {
            say!("{} {} {} ({})", c.entity.as_str(), c.row_id, c.field, c.label);
            say!(
                "  current  {}  by {} at {}",
                c.current.value,
                c.current.device_name,
                c.current.time
            );
            for o in &c.others {
                say!("  other    {}  by {} at {}", o.value, o.device_name, o.time);
            }
        }
        Ok(())
    }
}

impl Out {
    pub fn path(&self, path: &Path) -> Result<(), Error> {
        if self.json {
            print_json(&json!({ "path": path }))
        } else {
            say!("{}", path.display());
            Ok(())
        }
    }

    pub fn report(&self, r: &palabre::Report) -> Result<(), Error> {
        if self.json {
            return print_json(r);
        }
        say!("{}", r.summary);
        say!("");
        let p = &r.people;
        say!(
            "people reached  {}   (F {}, M {}, X {}; youth 15–35: {})",
            p.total,
            p.by_sex["F"],
            p.by_sex["M"],
            p.by_sex["X"],
            p.youth
        );
        say!(
            "by age band     {}",
            p.by_age_band.iter().map(|(b, n)| format!("{b}: {n}")).collect::<Vec<_>>().join(", ")
        );
        say!("attendances     {}", r.attendances);
        say!("activities      {} held, {} planned", r.activities.total, r.activities.planned.len());
        for (group, n) in r.activities.by_group.iter().filter(|(_, n)| **n > 0) {
            say!("  {group:<22} {n}");
        }
        let items = &r.action_items;
        say!(
            "action items    {} ({} overdue): {}",
            items.total,
            items.overdue,
            items.by_status.iter().map(|(s, n)| format!("{s} {n}")).collect::<Vec<_>>().join(", ")
        );
        let e = &r.evidence;
        say!(
            "signed sheets   {} of {} held sessions; {} % of attendance backed",
            e.with_evidence,
            e.held_sessions,
            e.share_backed_percent
        );
        if !e.without.is_empty() {
            say!("held sessions without a signed sheet:");
            for s in &e.without {
                say!(
                    "  {}  {}  {}  {}",
                    s.start_date.as_deref().unwrap_or("-"),
                    s.title,
                    s.region,
                    s.id
                );
            }
        }
        Ok(())
    }

    pub fn indicators(&self, list: &[palabre::Indicator]) -> Result<(), Error> {
        if self.json {
            return print_json(&json!({ "indicators": list }));
        }
        for i in list {
            let group = i.group.map(|g| format!(" ({g})")).unwrap_or_default();
            let by: Vec<&str> = i.disaggregations.iter().map(|d| d.as_str()).collect();
            say!("{:<10} {}", i.code, i.label_fr);
            say!("{:<10} {}", "", i.label_en);
            say!(
                "{:<10} counts {}{group}; by {}; baseline {} ({}); vocabulary {}",
                "",
                i.measure,
                if by.is_empty() { "—".to_string() } else { by.join(", ") },
                i.baseline.map_or("—".into(), |b| b.to_string()),
                i.baseline_year.map_or("—".into(), |y| y.to_string()),
                i.vocabulary
            );
            if !i.targets.is_empty() {
                let targets: Vec<String> =
                    i.targets.iter().map(|(p, v)| format!("{p}: {v}")).collect();
                say!("{:<10} targets {}", "", targets.join(", "));
            }
        }
        Ok(())
    }

    pub fn progress(&self, p: &palabre::Progress) -> Result<(), Error> {
        if self.json {
            return print_json(p);
        }
        let num = |v: f64, percent: bool| {
            let n = if v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v:.1}") };
            if percent { format!("{n} %") } else { n }
        };
        say!(
            "{:<10} {:>10} {:>10} {:>10} {:>9}  indicator",
            "code",
            "actual",
            "target",
            "previous",
            "achieved"
        );
        for i in &p.indicators {
            say!(
                "{:<10} {:>10} {:>10} {:>10} {:>9}  {}",
                i.code,
                num(i.actual, i.percent),
                i.target.as_ref().map_or("—".into(), |t| format!(
                    "{}{}",
                    num(t.value as f64, i.percent),
                    if t.annual { "*" } else { "" }
                )),
                i.previous.map_or("—".into(), |v| num(v, i.percent)),
                i.achieved_percent.map_or("—".into(), |a| format!("{a:.0} %")),
                i.label
            );
            for b in &i.breakdowns {
                // Categories with nothing in them are left out of the line.
                let values: Vec<String> = b
                    .values
                    .iter()
                    .filter(|(_, v)| **v != 0.0)
                    .map(|(k, v)| format!("{k} {}", num(*v, i.percent)))
                    .collect();
                let values = if values.is_empty() { "—".to_string() } else { values.join(", ") };
                say!("{:<10}   by {}: {values}", "", b.by);
            }
        }
        if p.indicators.iter().any(|i| i.target.as_ref().is_some_and(|t| t.annual)) {
            say!("* the year's target (no target set for this exact period)");
        }
        Ok(())
    }

    pub fn settings(
        &self,
        settings: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<(), Error> {
        if self.json {
            return print_json(settings);
        }
        for (name, value) in settings {
            say!("{name:<14} {}", value.as_str().unwrap_or_default());
        }
        Ok(())
    }

    pub fn orphans(&self, orphans: &[palabre::Orphan]) -> Result<(), Error> {
        if self.json {
            return print_json(&json!({ "orphans": orphans }));
        }
        for o in orphans {
            say!(
                "{} {} waits for {} {}",
                o.entity,
                o.row_id,
                o.missing,
                o.parent_id.as_deref().unwrap_or("?")
            );
        }
        Ok(())
    }
}

/// The CLI speaks English; reasons use the interface's English strings.
fn why(reason: &palabre::Reason) -> String {
    palabre::translate(
        palabre::Lang::En,
        &format!("dup.why.{}", reason.code),
        &[("detail", reason.detail.clone())],
    )
}

fn person_line(p: &Person) -> String {
    format!(
        "{}  {}  {}  born {}  {}  {}{}",
        p.id,
        p.full_name,
        p.sex.as_str(),
        p.birth_year.map_or_else(|| "-".to_string(), |y| y.to_string()),
        or_dash(&p.community),
        or_dash(&p.phone),
        no_consent(p)
    )
}

/// Who has no recorded consent shows at a glance in the registry: she stays out of named exports.
fn no_consent(p: &Person) -> &'static str {
    if p.consent { "" } else { "  (no consent recorded)" }
}

impl Out {
    pub fn duplicates(&self, found: &palabre::Candidates) -> Result<(), Error> {
        if self.json {
            return print_json(found);
        }
        say!("{} candidate pair(s)", found.total);
        for c in &found.pairs {
            say!("");
            say!("{}/100 {}", c.score, c.level.as_str());
            say!("  {}", person_line(&c.a));
            say!("  {}", person_line(&c.b));
            for r in &c.reasons {
                say!("  {:+} {}", r.points, why(r));
            }
        }
        Ok(())
    }

    pub fn merged(&self, merged: &palabre::Merged) -> Result<(), Error> {
        if self.json {
            return print_json(merged);
        }
        say!("merged into {} {}", merged.keep.id, merged.keep.full_name);
        if !merged.taken.is_empty() {
            say!("taken from the duplicate: {}", merged.taken.join(", "));
        }
        Ok(())
    }

    pub fn unmerged(&self, unmerged: &palabre::Unmerged) -> Result<(), Error> {
        if self.json {
            return print_json(unmerged);
        }
        say!(
            "{} {} is separate from {} again",
            unmerged.person.id,
            unmerged.person.full_name,
            unmerged.kept_with
        );
        if !unmerged.kept_edits.is_empty() {
            say!("edited since the merge, kept as they are: {}", unmerged.kept_edits.join(", "));
        }
        Ok(())
    }

    pub fn merge_history(&self, history: &[palabre::Decision]) -> Result<(), Error> {
        if self.json {
            return print_json(&json!({ "history": history }));
        }
        for d in history {
            let what = if d.decision == "merge" { "merged into" } else { "not the same person as" };
            say!(
                "{}  {} {} {} {}  by {}",
                d.decided_at,
                d.duplicate_name,
                d.duplicate_id,
                what,
                d.keep_name,
                d.decided_by
            );
            if !d.taken.is_empty() {
                say!("  taken: {}", d.taken.join(", "));
            }
            if d.undone {
                say!(
                    "  undone {} by {}",
                    d.undone_at.as_deref().unwrap_or("-"),
                    d.undone_by.as_deref().unwrap_or("-")
                );
            }
        }
        Ok(())
    }
}

impl Out {
    pub fn sheet_codes(
        &self,
        read: &[(std::path::PathBuf, Option<palabre::SheetCode>)],
    ) -> Result<(), Error> {
        if self.json {
            let list: Vec<_> = read
                .iter()
                .map(|(file, code)| {
                    json!({
                        "file": file,
                        "found": code.is_some(),
                        "session_id": code.as_ref().and_then(|c| c.session).map(|s| s.to_string()),
                        "check": code.as_ref().and_then(|c| c.check.clone()),
                        "page": code.as_ref().map(|c| c.page),
                        "pages": code.as_ref().map(|c| c.pages),
                    })
                })
                .collect();
            return print_json(&json!({ "sheets": list }));
        }
        for (file, code) in read {
            match code {
                Some(palabre::SheetCode { session: Some(id), check, page, pages }) => say!(
                    "{}: session {id} (code {}), page {page} of {pages}",
                    file.display(),
                    check.as_deref().unwrap_or("")
                ),
                Some(palabre::SheetCode { session: None, page, pages, .. }) => {
                    say!("{}: a blank sheet, page {page} of {pages}", file.display())
                }
                None => say!("{}: no sheet code found", file.display()),
            }
        }
        Ok(())
    }

    pub fn downlink(&self, written: &palabre::DownlinkWritten) -> Result<(), Error> {
        if self.json {
            return print_json(written);
        }
        let c = &written.counts;
        say!("{}", written.path.display());
        say!(
            "{} #{} for {} ({}): {} people, {} sessions, {} attendances, {} action plans, {} merge decisions; {} changes, {} bytes",
            written.kind.as_str(),
            written.serial,
            written.for_device.name,
            written.for_device.fingerprint,
            c.people,
            c.sessions,
            c.attendance,
            c.plans,
            c.links,
            written.ops,
            written.bytes
        );
        if let Some(old) = &written.replaces {
            say!("replaces {} ({}), declared lost", old.name, old.fingerprint);
        }
        say!("area: {}", written.scope.describe());
        eprintln!(
            "It is encrypted to that laptop only. Carry it on a USB stick; the facilitator imports it like a bundle."
        );
        Ok(())
    }

    /// `value` as JSON, or one line of text.
    pub fn line(&self, value: &impl Serialize, text: &str) -> Result<(), Error> {
        if self.json {
            return print_json(value);
        }
        say!("{text}");
        Ok(())
    }

    pub fn lost(&self, lost: &palabre::LostMarked) -> Result<(), Error> {
        if self.json {
            return print_json(lost);
        }
        if lost.newly {
            say!("{} ({}) declared lost on {}", lost.name, lost.fingerprint, lost.lost_at);
        } else {
            say!(
                "{} ({}) was already declared lost on {}",
                lost.name,
                lost.fingerprint,
                lost.lost_at
            );
        }
        eprintln!(
            "Its bundles will be held, not merged. Set up the new laptop, import its first bundle, trust it, then `palabre hq restore --for NEW --replaces OLD --out DIR`."
        );
        Ok(())
    }

    pub fn held(&self, held: &[palabre::HeldBundle]) -> Result<(), Error> {
        if self.json {
            return print_json(&json!({ "held": held }));
        }
        for h in held {
            let why = if h.reason == "lost" { "LAPTOP DECLARED LOST" } else { "not trusted yet" };
            say!(
                "{}  {} ({})  bundle #{}  ops {}–{} ({} changes)  made {}  received {}  {why}",
                h.bundle_id,
                h.device,
                h.fingerprint,
                h.bundle_seq,
                h.first_seq,
                h.last_seq,
                h.ops,
                h.created_at,
                h.received_at
            );
        }
        Ok(())
    }

    pub fn hq_keys(&self, keys: &palabre::HqKeys) -> Result<(), Error> {
        if self.json {
            return print_json(keys);
        }
        say!("HQ fingerprint: {}", keys.fingerprint);
        say!("enrollment file for the laptops: {}", keys.enrollment.display());
        say!(
            "secret keys (mode 600): {} and {}",
            keys.signing_key.display(),
            keys.age_key.display()
        );
        eprintln!(
            "BACK UP the folder {} now, on two encrypted USB sticks kept in different places. \
             Without hq-age.key no bundle from the laptops can ever be opened again; whoever \
             holds hq-signing.key can tell laptops what HQ has received. Never email these two files.",
            keys.dir.display()
        );
        Ok(())
    }

    pub fn enrolled(&self, e: &palabre::Enrollment) -> Result<(), Error> {
        if self.json {
            return print_json(e);
        }
        say!("enrolled with HQ of {}", e.programme);
        say!("HQ fingerprint: {}", e.hq_fingerprint);
        eprintln!(
            "Read this fingerprint to HQ by phone: it must match theirs. Exports are now encrypted to HQ."
        );
        Ok(())
    }

    pub fn acks(&self, acks: &[palabre::AckWritten]) -> Result<(), Error> {
        if self.json {
            return print_json(&json!({ "acks": acks }));
        }
        for a in acks {
            say!("{}", a.path.display());
            for d in &a.devices {
                eprintln!("  {}: every change up to {}", d.name, d.op_seq);
            }
        }
        Ok(())
    }

    pub fn migrated(&self, m: &palabre::Migrated) -> Result<(), Error> {
        if self.json {
            return print_json(m);
        }
        say!(
            "HQ moved to {}: {} rows sent ({} changes, {} devices)",
            m.server,
            m.rows,
            m.ops,
            m.devices
        );
        say!("checked: a copy rebuilt from the server gives the same report and the same rows");
        say!("this database is now a desk of it; other officers open it with --db {}", m.server);
        Ok(())
    }

    pub fn hq_status(&self, s: &palabre::HqStatus) -> Result<(), Error> {
        if self.json {
            return print_json(s);
        }
        if let Some(dir) = &s.hq_dir {
            say!("this database is HQ's (keys in {dir})");
        }
        if let Some(server) = &s.server {
            say!("a desk of the HQ held by {server}: every change goes through the server");
        }
        match &s.enrollment {
            Some(e) => say!(
                "enrolled with HQ {} ({}): exports are encrypted",
                e.hq_fingerprint,
                e.programme
            ),
            None => say!("not enrolled with an HQ: exports are signed but not encrypted"),
        }
        match &s.acked_until {
            Some(until) => say!("HQ has everything up to {until} (change {})", s.acked_seq),
            None => say!("HQ has acknowledged nothing yet"),
        }
        say!("{} change(s) not acknowledged", s.unacknowledged);
        Ok(())
    }
}

impl Out {
    pub fn lock_state(&self, db: &Path, state: palabre::DatabaseState) -> Result<(), Error> {
        if self.json {
            return print_json(&json!({ "path": palabre::shown_location(db), "state": state }));
        }
        match state {
            palabre::DatabaseState::New => say!(
                "{}: no database yet; the first command makes it, encrypted, with the passphrase you choose",
                palabre::shown_location(db)
            ),
            palabre::DatabaseState::Plain => say!(
                "{}: made by an earlier Palabre, not encrypted; the next command encrypts it in place with the passphrase you choose (a backup first)",
                palabre::shown_location(db)
            ),
            palabre::DatabaseState::Locked => say!(
                "{}: encrypted; PALABRE_PASSPHRASE or the typed passphrase unlocks it",
                palabre::shown_location(db)
            ),
        }
        Ok(())
    }

    pub fn protection(&self, p: &palabre::Protection) -> Result<(), Error> {
        if self.json {
            return print_json(p);
        }
        say!(
            "the database and its backups are {}",
            if p.encrypted { "encrypted" } else { "not encrypted" }
        );
        if let Some(key) = &p.key_file {
            say!(
                "its key, locked with the passphrase: {} (copy it with every copy of the database)",
                key.display()
            );
        }
        if p.recovery_copy {
            say!("HQ can recover it if the passphrase is forgotten (`palabre passphrase request`)");
        } else {
            say!("no recovery copy for HQ yet: it is made when this laptop is enrolled with HQ");
        }
        Ok(())
    }

    pub fn recovery_made(&self, made: &palabre::RecoveryMade) -> Result<(), Error> {
        if self.json {
            return print_json(made);
        }
        say!("recovery file: {}", made.path.display());
        say!(
            "one-time code (read it to the facilitator by phone, never send it with the file): {}",
            made.code
        );
        Ok(())
    }

    pub fn backups(&self, backups: &[palabre::Backup]) -> Result<(), Error> {
        if self.json {
            return print_json(&json!({ "backups": backups }));
        }
        for b in backups {
            say!("{}  {:<16} {:>10} bytes  {}", b.created_at, b.reason, b.bytes, b.path.display());
        }
        Ok(())
    }

    pub fn restored(&self, r: &palabre::Restored) -> Result<(), Error> {
        if self.json {
            return print_json(r);
        }
        say!("restored from {}", r.from.display());
        if let Some(previous) = &r.previous {
            say!("the database as it was is kept in {}", previous.path.display());
        }
        Ok(())
    }
}

/// A file size as people read it: "212 KB", "4.1 MB".
fn size_text(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MB", bytes as f64 / (1 << 20) as f64)
    } else {
        format!("{} KB", bytes.div_ceil(1 << 10))
    }
}
