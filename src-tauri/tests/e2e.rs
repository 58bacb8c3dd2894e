//! End-to-end tests of the real desktop app in its real webview (WebKitGTK), driven through
//! tauri-driver + WebKitWebDriver on a private Xvfb display. Each test gets its own database.

#[path = "e2e/driver.rs"]
mod driver;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use driver::{Display, Driver, Session};
use serde_json::json;

/// The passphrase the tests lock their databases with.
const PASSPHRASE: &str = "sable de Tombouctou";

/// One app at a time: the machine has two cores and WebKit is heavy.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

const APP: &str = env!("CARGO_BIN_EXE_palabre-desktop");
const ENTER: &str = "\u{E007}";

struct Harness {
    _dir: tempfile::TempDir,
    db: PathBuf,
    display: Display,
}

impl Harness {
    fn new() -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("palabre.db");
        Harness { _dir: dir, db, display: Display::start() }
    }

    /// Waits until no window holds this database (a window quit a moment ago may still be
    /// shutting down; the app refuses a second window on the same database).
    fn wait_until_closed(&self) {
        let mut name = self.db.as_os_str().to_owned();
        name.push(".window-lock");
        let Ok(file) = std::fs::OpenOptions::new().write(true).open(&name) else { return };
        // Under the whole suite, an app whose window was closed has (rarely) not exited within
        // 90 s: after 30 s it is ended, and the test says so on stderr (see the closing note of
        // issue 18: the cause is not found yet). Its data is committed; only the process lingers.
        let patience = std::time::Instant::now() + std::time::Duration::from_secs(30);
        let mut ended = false;
        while let Err(std::fs::TryLockError::WouldBlock) = file.try_lock() {
            if std::time::Instant::now() > patience && !ended {
                eprintln!(
                    "e2e: the previous window of {} did not exit in 30 s; ending it",
                    self.db.display()
                );
                let _ = std::process::Command::new("pkill").args(["-f", APP]).status();
                ended = true;
            }
            assert!(
                std::time::Instant::now() < patience + std::time::Duration::from_secs(30),
                "the previous window never closed, even when ended"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }

    /// Sets this laptop up through the first-start screen, then closes the window (so the test
    /// can fill the database directly before the next launch).
    fn set_up_and_quit(&self) {
        let (driver, app) = self.launch();
        set_up(&app);
        app.quit();
        drop(driver);
    }

    /// Starts the app on this harness's database and unlocks it with the tests' passphrase
    /// (choosing it, for a new database).
    fn launch(&self) -> (Driver, Session) {
        let (driver, session) = self.launch_locked();
        unlock(&session, PASSPHRASE);
        session.wait_until(
            "the database to open",
            "return !document.querySelector('#unlock-form') && !!document.querySelector('#view h1')",
            json!([]),
        );
        (driver, session)
    }

    /// Starts the app on this harness's database: the lock screen.
    fn launch_locked(&self) -> (Driver, Session) {
        self.wait_until_closed();
        let driver = Driver::start(&self.display, &[("PALABRE_DB", self.db.as_path())]);
        let session = driver.session(Path::new(APP));
        session.find("#unlock-form");
        (driver, session)
    }
}

/// Empties a field (to type it again).
fn clear_field(app: &Session, css: &str) {
    app.script("document.querySelector(arguments[0]).value = ''", json!([css]));
}

/// Types `passphrase` into the lock screen (twice when choosing one) and submits it.
fn unlock(app: &Session, passphrase: &str) {
    app.type_into("#passphrase", passphrase);
    if app.count("#passphrase-again") > 0 {
        app.type_into("#passphrase-again", passphrase);
    }
    app.click("#unlock");
}

/// The page fits the window's width (1280 px by default; laptops here are 1366×768).
fn assert_no_horizontal_scroll(app: &Session, page: &str) {
    let fits = app.script(
        "const d = document.documentElement; return d.scrollWidth <= d.clientWidth && window.innerWidth <= 1366",
        json!([]),
    );
    assert_eq!(fits, json!(true), "{page} scrolls sideways");
}

fn set_up(app: &Session) {
    app.wait_text("#view h1", "Bienvenue dans Palabre");
    app.type_into("input[name=device_name]", "Ségou-01");
    app.type_into("input[name=facilitator]", "Mariam Sidibé");
    app.click("#view form button[type=submit]");
    app.wait_text("#view h1", "Accueil");
}

/// The data is locked: a new laptop chooses its passphrase (twice), a restart asks for it, a
/// wrong one is refused at its field with nothing opened, and Settings says what is protected and
/// changes it.
#[test]
fn the_window_asks_for_the_passphrase_and_settings_can_change_it() {
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let h = Harness::new();
    let (driver, app) = h.launch_locked();
    // The lock screen speaks the language last used on this computer; French here.
    app.click("[data-lang=en]");
    app.wait_text("#view h1", "Protect the participants' data");
    app.click("[data-lang=fr]");
    app.wait_text("#view h1", "Protéger les données des participants");
    let nav =
        app.script("return getComputedStyle(document.getElementById('nav')).visibility", json!([]));
    assert_eq!(nav, json!("hidden"), "nothing to navigate to while locked");
    app.type_into("#passphrase", PASSPHRASE);
    app.type_into("#passphrase-again", "autre chose");
    app.click("#unlock");
    app.wait_text("[data-field=passphrase_again] .error", "Les deux phrases secrètes diffèrent");
    assert!(!h.db.exists(), "nothing is made before the passphrase is confirmed");
    clear_field(&app, "#passphrase-again");
    app.type_into("#passphrase-again", PASSPHRASE);
    app.click("#unlock");
    set_up(&app);
    app.quit();
    drop(driver);

    let (driver, app) = h.launch_locked();
    app.click("[data-lang=fr]");
    app.wait_text("#view h1", "Palabre est verrouillé");
    assert_eq!(app.count("#passphrase-again"), 0, "an existing database asks once");
    unlock(&app, "sable de tombouctou");
    app.wait_text("[data-field=passphrase] .error", "n'ouvre pas les données");
    clear_field(&app, "#passphrase");
    unlock(&app, PASSPHRASE);
    app.wait_text("#view h1", "Accueil");
    app.click("a[data-route=settings]");
    app.wait_text("#protection-state", "La base et ses sauvegardes sont chiffrées");
    app.wait_text("#recovery-state", "inscrivez cet ordinateur");
    app.click("#passphrase-fold summary");
    app.type_into("#current-passphrase", "pas la bonne");
    app.type_into("#changed-passphrase", "fleuve Niger à Kati");
    app.type_into("#changed-passphrase-again", "fleuve Niger à Kati");
    app.click("#change-passphrase");
    app.wait_text("[data-field=current] .error", "n'ouvre pas les données");
    clear_field(&app, "#current-passphrase");
    app.type_into("#current-passphrase", PASSPHRASE);
    app.click("#change-passphrase");
    app.wait_text("#toast", "Phrase secrète changée");
    app.quit();
    drop(driver);
    assert!(palabre::Palabre::open(&h.db, "fleuve Niger à Kati").is_ok());
    assert_eq!(palabre::Palabre::open(&h.db, PASSPHRASE).err().unwrap().code(), "wrong_passphrase");
}

/// HQ is set up from the first start (issue 19, item 1): the officer names the computer, herself
/// and the programme, chooses the keys' folder; the window asks her to back the keys up on two
/// sticks before going on, and shows the fingerprint to read to the facilitators.
#[test]
fn hq_is_set_up_from_the_first_start_and_backs_its_keys_up() {
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let h = Harness::new();
    let files = tempfile::tempdir().unwrap();
    let keys = files.path().join("keys");
    std::fs::create_dir(&keys).unwrap();
    let (driver, app) = h.launch();
    app.wait_text("#view h1", "Bienvenue dans Palabre");
    app.click("#become-hq");
    app.wait_text("#view h1", "Installer le siège du programme");
    app.type_into("#hq-device-name", "Bamako-Siège");
    app.type_into("#hq-officer", "Awa Traoré");
    app.type_into("#hq-programme", "Dialogues communautaires Mali");
    app.click("#hq-create");
    app.wait_text("#hq-form .form-error", "Choisissez d'abord le dossier");
    app.script("window.__TAURI__.dialog.open = async () => arguments[0]", json!([keys]));
    app.click("#hq-pick-dir");
    app.wait_text("#hq-dir", "keys");
    app.click("#hq-create");
    app.wait_text("#view h1", "Le siège est installé");
    app.wait_text("#view", "deux clés USB");
    let shown = app.text("#hq-fingerprint-shown");
    assert_eq!(
        app.script("return document.getElementById('hq-continue').disabled", json!([])),
        json!(true)
    );
    app.click("#hq-backed-up");
    app.click("#hq-continue");
    // HQ's computer opens on the HQ desk.
    app.wait_text("#view h1", "Bureau du siège");
    app.wait_text("#hq-no-laptops", "Aucun ordinateur");
    app.click("a[data-route=settings]");
    app.wait_text("#hq-self", "siège du programme");
    app.wait_text("#hq-recovery h2", "oublié sa phrase secrète");
    // HQ publishes to IATI: its identifiers, once, in the settings.
    app.type_into("#iati-org", "CH-FDJP-1234");
    app.click("#iati-org-form button[type=submit]");
    app.type_into("#iati-activity", "CH-FDJP-1234-MLI");
    app.click("#iati-activity-form button[type=submit]");
    app.wait_until(
        "the activity identifier is saved",
        "return document.querySelector('#iati-activity-form .form-error').hidden",
        json!([]),
    );
    // HQ edits the logframe: a donor's indicator, then its target for a quarter; a target in
    // words is refused at its field.
    app.go("#/report/indicators");
    app.wait_text("#view h1", "Catalogue des indicateurs");
    app.wait_text("#catalogue-hint", "Le siège définit les indicateurs");
    app.type_into("#indicator-code", "EU-2.1");
    app.type_into("#indicator-label-fr", "Femmes membres de groupements touchées");
    app.type_into("#indicator-label-en", "Women's group members reached");
    app.script("document.getElementById('indicator-measure').value = 'people_in_group'", json!([]));
    app.click("#indicator-form button[type=submit]");
    app.wait_text("#indicator-form [data-field='stakeholder group'] .error", "obligatoire");
    app.script("document.getElementById('indicator-group').value = 'womens_groups'", json!([]));
    app.click("#indicator-by-region");
    app.click("#indicator-form button[type=submit]");
    app.wait_text("#indicator-list", "EU-2.1");
    app.script("document.getElementById('target-code').value = 'EU-2.1'", json!([]));
    app.type_into("#target-period", "2025-Q5");
    app.type_into("#target-value", "40");
    app.click("#target-form button[type=submit]");
    app.wait_text("#target-form [data-field='target period'] .error", "2025-Q3");
    app.type_into("#target-period", "2025-Q1");
    app.click("#target-form button[type=submit]");
    app.wait_text("#indicator-list tr[data-code='EU-2.1'] .targets", "2025-Q1 : 40");
    app.quit();
    drop(driver);
    for file in ["hq-signing.key", "hq-age.key", "enrollment.palabre-hq"] {
        assert!(keys.join(file).exists(), "{file}");
    }
    let enrollment = palabre::exchange::documents::read_enrollment(
        &std::fs::read(keys.join("enrollment.palabre-hq")).unwrap(),
    )
    .unwrap();
    assert_eq!(enrollment.hq_fingerprint, shown);
    assert_eq!(enrollment.programme, "Dialogues communautaires Mali");
    let db = palabre::Palabre::open(&h.db, PASSPHRASE).unwrap();
    assert!(db.hq_status().unwrap().is_hq);
    assert_eq!(db.device().unwrap().name, "Bamako-Siège");
}

/// A facilitator forgot her passphrase: from the lock screen she saves a recovery request; HQ,
/// in its Settings, opens it and reads the one-time code shown; she opens Palabre with HQ's file
/// and the code, and chooses a new passphrase.
#[test]
fn a_forgotten_passphrase_is_recovered_through_hq_in_the_window() {
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let files = tempfile::tempdir().unwrap();
    let laptop = Harness::new();
    let hq_desk = Harness::new();
    let hq_pass = "bureau de Bamako 2026";
    let hq = palabre::Palabre::open(&hq_desk.db, hq_pass).unwrap();
    hq.init("HQ").unwrap();
    let keys = hq.hq_init(&files.path().join("keys"), Some("Mali")).unwrap();
    drop(hq);
    let db = palabre::Palabre::open(&laptop.db, PASSPHRASE).unwrap();
    db.init("Ségou-01").unwrap();
    db.enroll_file(&keys.enrollment).unwrap();
    drop(db);

    let stick = files.path().join("stick");
    std::fs::create_dir(&stick).unwrap();
    let (driver, app) = laptop.launch_locked();
    app.click("[data-lang=fr]");
    app.wait_text("#forgotten", "seule la clé secrète du siège");
    app.script("window.__TAURI__.dialog.open = async () => arguments[0]", json!([stick]));
    app.click("#recovery-request");
    app.wait_text("#toast", "Demande de récupération enregistrée");
    app.quit();
    drop(driver);
    let request = std::fs::read_dir(&stick).unwrap().next().unwrap().unwrap().path();

    let back = files.path().join("back");
    std::fs::create_dir(&back).unwrap();
    let (driver, app) = hq_desk.launch_locked();
    unlock(&app, hq_pass);
    app.wait_text("#view h1", "Bureau du siège");
    app.click("a[data-route=settings]");
    app.wait_text("#hq-recovery h2", "oublié sa phrase secrète");
    app.script(
        "const answers = [arguments[0], arguments[1]]; window.__TAURI__.dialog.open = async () => answers.shift()",
        json!([request, back]),
    );
    app.click("#answer-recovery");
    app.wait_text("#recovery-answer", "Fichier de récupération écrit");
    let code = app.text("#recovery-code-shown");
    assert_eq!(code.len(), 19, "{code}");
    app.quit();
    drop(driver);
    let recovery = std::fs::read_dir(&back).unwrap().next().unwrap().unwrap().path();

    let (driver, app) = laptop.launch_locked();
    app.click("#recover-fold summary");
    app.script("window.__TAURI__.dialog.open = async () => arguments[0]", json!([recovery]));
    app.click("#recovery-file");
    app.wait_text("#recovery-file-name", "palabre-recovery");
    app.type_into("#recovery-code", "AAAA-BBBB-CCCC-DDDD");
    app.type_into("#new-passphrase", "nouvelle phrase de Ségou");
    app.type_into("#new-passphrase-again", "nouvelle phrase de Ségou");
    app.click("#recover");
    app.wait_text("#recover-form .form-error", "code");
    clear_field(&app, "#recovery-code");
    app.type_into("#recovery-code", &code);
    app.click("#recover");
    app.wait_text("#view h1", "Accueil");
    app.quit();
    drop(driver);
    assert!(palabre::Palabre::open(&laptop.db, "nouvelle phrase de Ségou").is_ok());
}

#[test]
fn a_facilitator_records_a_session_and_finds_it_after_a_restart() {
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let h = Harness::new();
    let (driver, app) = h.launch();
    set_up(&app);

    // Register Aïssata in the people registry.
    app.click("a[data-route=people]");
    app.wait_text("#view h1", "Personnes");
    app.click("a[href='#/people/new']");
    app.type_into("#person-form input[name=full_name]", "Aïssata Traoré");
    app.type_into("#person-form input[name=age]", "24");
    app.click("#person-form button[type=submit]");
    app.wait_text("#view h1", "Aïssata Traoré");

    // Create a session.
    app.click("a[data-route=sessions]");
    app.click("#new-session");
    app.type_into("#session-form input[name=title]", "Dialogue femmes et autorités municipales");
    app.type_into("#session-form input[name=start_date]", "14/03/2024");
    app.click("#session-form input[value=womens_groups]");
    app.click("#session-form input[value=municipal_authorities]");
    app.click("#session-form button[type=submit]");
    app.wait_text("#view h1", "Dialogue femmes et autorités municipales");
    app.wait_text(".meta-list", "14/03/2024");

    // Typing "aissata" (no accents) finds her; Enter registers her.
    app.type_into("#registry-search", "aissata");
    app.wait_text("#registry-results", "Aïssata Traoré");
    app.press("#registry-search", ENTER);
    app.wait_text("#attendance-list", "Aïssata Traoré");

    // Quick-add a second person without leaving the page.
    app.click("#attendance details.quick summary");
    app.type_into("#quick-name", "Kadiatou Cissé");
    app.type_into("#quick-age", "31");
    app.click("#quick-add button[type=submit]");
    app.wait_text("#attendance-list", "Kadiatou Cissé");
    app.wait_text("#attendance-count", "2 inscrites · présentes : 2");
    assert_no_horizontal_scroll(&app, "the session page");

    // Mark one absent, then present again: both end present, as stored.
    app.click("#attendance-list tbody tr:first-child input[type=checkbox]");
    app.wait_text("#attendance-count", "présentes : 1");
    app.click("#attendance-list tbody tr:first-child input[type=checkbox]");
    app.wait_text("#attendance-count", "présentes : 2");

    // An action plan with an item, set to done in one click.
    app.click("#session-plans details.quick summary");
    app.type_into("#session-plans .plan-form input[name=title]", "Deux femmes au conseil communal");
    app.type_into("#session-plans .plan-form input[name=owner]", "Groupement Benkadi");
    app.click("#session-plans .plan-form button[type=submit]");
    app.wait_text("#session-plans .plan h3", "Deux femmes au conseil communal");
    app.click("#session-plans .plan details.quick summary");
    app.type_into("#session-plans .item-form input[name=description]", "Rencontrer le maire");
    app.type_into("#session-plans .item-form input[name=due]", "30/06/2024");
    app.click("#session-plans .item-form button[type=submit]");
    app.wait_text("#session-plans .items", "Rencontrer le maire");
    app.click("#session-plans .items button[data-status=done]");
    app.wait_until(
        "the item to be done",
        "const b = document.querySelector('#session-plans .items button[data-status=done]'); return !!b && b.getAttribute('aria-pressed') === 'true'",
        json!([]),
    );

    app.click("a[data-route=plans]");
    app.wait_text("#view h1", "Plans d'action");
    assert_no_horizontal_scroll(&app, "the action plans");
    app.click("a[data-route=sessions]");
    app.wait_text("#session-results", "Dialogue femmes");
    assert_no_horizontal_scroll(&app, "the session list");
    app.click("#session-results a");
    app.wait_text("#attendance h2", "Présences");

    // Switch to English without restarting.
    app.click("[data-lang=en]");
    app.wait_text("a[data-route=home]", "Home");
    app.wait_text("#attendance h2", "Attendance");
    app.wait_text("#attendance-count", "2 registered, 2 present");

    app.quit();
    drop(driver);

    // Restart: everything is still there, in English.
    let (_driver, app) = h.launch();
    app.wait_text("#view h1", "Home");
    app.wait_text("#unexported", "changes not yet exported");
    app.click("a[data-route=sessions]");
    app.wait_text("#session-results", "Dialogue femmes et autorités municipales");
    app.click("#session-results a");
    app.wait_text("#attendance-list", "Aïssata Traoré");
    app.wait_text("#attendance-list", "Kadiatou Cissé");
    assert_eq!(app.count("#attendance-list tbody tr"), 2);
    app.wait_until(
        "the item to be shown done",
        "const b = document.querySelector('#session-plans .items button[data-status=done]'); return !!b && b.getAttribute('aria-pressed') === 'true'",
        json!([]),
    );
    app.quit();

    let db = palabre::Palabre::open(&h.db, PASSPHRASE).unwrap();
    assert_eq!(db.people(0, 10).unwrap().total, 2);
    assert_eq!(db.info().unwrap().language, palabre::Lang::En);
}

#[test]
fn an_empty_name_shows_the_french_message_and_writes_nothing() {
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let h = Harness::new();
    let (driver, app) = h.launch();
    set_up(&app);
    app.go("#/people/new");
    app.find("#person-form");
    app.type_into("#person-form input[name=full_name]", "   ");
    app.click("#person-form button[type=submit]");
    app.wait_text("#person-form .field[data-field=name] .error", "Ce champ est obligatoire.");
    assert_eq!(
        app.script("return document.activeElement.name", json!([])),
        json!("full_name"),
        "focus goes to the field in error"
    );
    // Leaving the half-filled form asks first; Esc keeps the person on the page.
    app.click("a[data-route=home]");
    app.wait_text("#modal", "Modifications non enregistrées");
    app.press("#modal button.secondary", "\u{E00C}");
    app.wait_until(
        "the dialog to close",
        "return document.getElementById('modal').hidden",
        json!([]),
    );
    app.find("#person-form");
    app.quit();
    drop(driver);

    let db = palabre::Palabre::open(&h.db, PASSPHRASE).unwrap();
    assert_eq!(db.people(0, 10).unwrap().total, 0);
    let person_ops =
        db.ops().unwrap().iter().filter(|op| op.entity == palabre::Entity::Person).count();
    assert_eq!(person_ops, 0, "a refused person leaves no op");
}

/// Whether a window titled Palabre is mapped on `display`.
fn palabre_windows(display: &Display) -> usize {
    let out = std::process::Command::new("xdotool")
        .args(["search", "--onlyvisible", "--name", "^Palabre$"])
        .env("DISPLAY", &display.name)
        .output()
        .expect("xdotool is missing (make test installs it)");
    String::from_utf8_lossy(&out.stdout).lines().count()
}

#[test]
fn a_second_launch_focuses_the_running_window_instead_of_opening_the_database_again() {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let h = Harness::new();
    // Single-instance goes through the desktop session bus, as on a facilitator's laptop.
    let mut bus = Command::new("dbus-daemon")
        .args(["--session", "--nofork", "--print-address=1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("dbus-daemon is missing (make test installs it)");
    let mut address = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(bus.stdout.as_mut().unwrap()),
        &mut address,
    )
    .unwrap();
    let launch = || {
        Command::new(APP)
            .env("DISPLAY", &h.display.name)
            .env("DBUS_SESSION_BUS_ADDRESS", address.trim())
            .env("PALABRE_DB", &h.db)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut first = launch();
    let deadline = Instant::now() + Duration::from_secs(20);
    while palabre_windows(&h.display) == 0 {
        assert!(Instant::now() < deadline, "the first window never appeared");
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut second = launch();
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = second.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the second launch kept running");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "the second launch exits cleanly: {status}");
    assert!(first.try_wait().unwrap().is_none(), "the first window is still open");
    assert_eq!(palabre_windows(&h.display), 1, "one window, not two");
    let _ = first.kill();
    let _ = first.wait();
    let _ = bus.kill();
    let _ = bus.wait();
}

/// Trusts, one at a time, `count` laptops through the Trust button `button` finds (the list is
/// drawn again after each), confirming each in the dialog.
fn trust_each(app: &Session, button: &str, count: usize) {
    for _ in 0..count {
        app.click(button);
        app.wait_text("#modal", "Approuver cet ordinateur ?");
        app.click("#modal .dialog button.primary");
        app.wait_until(
            "the dialog to close",
            "return document.getElementById('modal').hidden",
            json!([]),
        );
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
}

/// The HQ desk (issue 19), in two windows: HQ imports a USB stick of three laptops' bundles in
/// one go (one result per file), trusts them from the list, writes every acknowledgement to a
/// folder and sends the registry of Ségou down to Ségou-02, a second facilitator there; in
/// Ségou-02's window she imports it, finds Kadidia (registered by Ségou-01) and records her
/// attendance, and HQ counts Kadidia once. Then Mopti-02 is stolen: declared lost, its later
/// bundle held and shown, and its replacement restored. The other laptops run through the core;
/// the file dialogs are answered in the page.
#[test]
fn the_hq_desk_imports_a_stick_trusts_acknowledges_sends_the_registry_and_replaces_a_lost_laptop() {
    use palabre::ImportOutcome;
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let h = Harness::new();
    let field = Harness::new();
    let files = tempfile::tempdir().unwrap();
    let dir = |name: &str| {
        let d = files.path().join(name);
        std::fs::create_dir_all(&d).unwrap();
        d
    };
    let hq_db = palabre::Palabre::open(&h.db, PASSPHRASE).unwrap();
    hq_db.init("Bamako-Siège").unwrap();
    let keys = hq_db.hq_init(&dir("keys"), Some("Dialogues Mali")).unwrap();
    drop(hq_db);
    let laptop = |db: PathBuf, name: &str| {
        let app = palabre::Palabre::open(db, PASSPHRASE).unwrap();
        app.init(name).unwrap();
        app.enroll_file(&keys.enrollment).unwrap();
        app
    };
    let held_in = |app: &palabre::Palabre, title: &str, region: &str| {
        app.add_session(&palabre::SessionInput {
            title: Some(title.into()),
            start_date: Some("2024-03-14".into()),
            status: Some("held".into()),
            region: Some(region.into()),
            ..Default::default()
        })
        .unwrap()
    };
    let register = |app: &palabre::Palabre, session, name: &str| {
        let id = app
            .add_person(&palabre::PersonInput {
                full_name: Some(name.into()),
                sex: Some("F".into()),
                ..Default::default()
            })
            .unwrap();
        app.attend(session, &[id]).unwrap();
        id
    };
    let segou = laptop(files.path().join("segou.db"), "Ségou-01");
    let s = held_in(&segou, "Dialogue femmes", "Ségou");
    let kadi = register(&segou, s, "Kadidia Traoré");
    let mopti = laptop(files.path().join("mopti.db"), "Mopti-02");
    let m = held_in(&mopti, "Dialogue jeunes", "Mopti");
    register(&mopti, m, "Hawa Cissé");
    // Ségou-02: the window's database, set up and enrolled; a follow-up session planned.
    let segou2 = laptop(field.db.clone(), "Ségou-02");
    let follow_up = held_in(&segou2, "Suivi à Markala", "Ségou");
    let stick = dir("stick");
    segou.export_bundle(&stick).unwrap();
    segou2.export_bundle(&stick).unwrap();
    mopti.export_bundle(&dir("stick/mopti")).unwrap();
    drop(segou2);
    std::fs::write(stick.join("notes.txt"), "pas un fichier Palabre").unwrap();

    let (driver, app) = h.launch();
    app.wait_text("#view h1", "Bureau du siège");
    // The whole stick, subfolder included, in one go.
    app.script("window.__TAURI__.dialog.open = async () => arguments[0]", json!([stick]));
    app.click("#hq-import-folder");
    app.wait_until(
        "three results",
        "return document.querySelectorAll('#hq-results [data-outcome=quarantined]').length === 3",
        json!([]),
    );
    app.wait_text("#hq-progress-text", "3 fichiers traités");
    trust_each(&app, "#hq-laptop-list button[data-action=trust]", 3);
    app.wait_until(
        "every laptop trusted",
        "return document.querySelectorAll('#hq-laptop-list button[data-action=registry]').length === 3",
        json!([]),
    );
    app.wait_text("#hq-laptop-list", "Mopti-02");

    // Acknowledgements for every laptop that sent changes, into a folder.
    let acks = dir("acks");
    app.script("window.__TAURI__.dialog.open = async () => arguments[0]", json!([acks]));
    app.click("#hq-ack-all");
    app.wait_text("#hq-ack-results", "Ségou-01");
    app.wait_text("#hq-ack-results", "Mopti-02");

    // The registry of Ségou goes down to Ségou-02.
    let down = dir("down");
    app.click("tr[data-name='Ségou-02'] button[data-action=registry]");
    app.wait_text("#hq-downlink h2", "Registre pour Ségou-02");
    app.type_into("#scope-regions", "Ségou");
    app.script("window.__TAURI__.dialog.open = async () => arguments[0]", json!([down]));
    app.click("#downlink-write");
    app.wait_text("#downlink-result", "1 personne,");

    // Mopti-02 is stolen at a checkpoint.
    app.click("tr[data-name='Mopti-02'] button[data-action=declare_lost]");
    app.wait_text("#modal", "perdu ou volé");
    app.click("#modal .dialog button.danger");
    app.wait_text("tr[data-name='Mopti-02']", "Perdu");
    assert_eq!(app.count("tr[data-name='Mopti-02'] button[data-action=registry]"), 0);
    app.quit();
    drop(driver);

    // In Ségou-02's window: the registry from the stick, then Kadidia found and recorded.
    let files_in = |d: &Path| palabre::Palabre::bundle_files_in(d).unwrap();
    let back = dir("back");
    let (driver, app) = field.launch();
    app.wait_text("#view h1", "Accueil");
    app.show("#/sync");
    app.script("window.__TAURI__.dialog.open = async () => arguments[0]", json!([files_in(&down)]));
    app.click("#import-bundles");
    app.wait_text("#import-results", "registre du siège : 1 personne,");
    app.show(&format!("#/sessions/{follow_up}"));
    app.type_into("#registry-search", "kadidia");
    app.wait_text("#registry-results", "Kadidia Traoré");
    app.press("#registry-search", ENTER);
    app.wait_text("#attendance-list", "Kadidia Traoré");
    app.show("#/sync");
    let hers = back.join("segou-02.palabre.age");
    app.script("window.__TAURI__.dialog.save = async () => arguments[0]", json!([hers]));
    app.click("#export-bundle");
    app.wait_text("#export-result", "segou-02");
    app.quit();
    drop(driver);

    // The thief exports from Mopti-02; a new laptop for its facilitator sends its first bundle.
    held_in(&mopti, "Séance du voleur", "Mopti");
    mopti.export_bundle(&back).unwrap();
    let replacement = laptop(files.path().join("mopti3.db"), "Mopti-03");
    replacement.export_bundle(&back).unwrap();

    let (driver, app) = h.launch();
    app.wait_text("#view h1", "Bureau du siège");
    app.script("window.__TAURI__.dialog.open = async () => arguments[0]", json!([back]));
    app.click("#hq-import-folder");
    app.wait_until(
        "three results",
        "return document.querySelectorAll('#hq-results li').length === 3",
        json!([]),
    );
    app.wait_text("#hq-results", "déclaré perdu");
    app.wait_text("#hq-held-list", "ORDINATEUR DÉCLARÉ PERDU");
    trust_each(&app, "tr[data-name='Mopti-03'] button[data-action=trust]", 1);
    app.wait_until(
        "Mopti-03 trusted",
        "return !!document.querySelector(\"tr[data-name='Mopti-03'] button[data-action=restore]\")",
        json!([]),
    );
    app.click("tr[data-name='Mopti-03'] button[data-action=restore]");
    app.wait_text("#hq-downlink h2", "Restaurer sur Mopti-03");
    let fingerprint = mopti.device().unwrap().fingerprint;
    app.script(
        "document.getElementById('restore-replaces').value = arguments[0]",
        json!([fingerprint]),
    );
    let restore = dir("restore");
    app.script("window.__TAURI__.dialog.open = async () => arguments[0]", json!([restore]));
    app.click("#downlink-write");
    app.wait_text("#downlink-result", "Restauration pour Mopti-03");
    app.wait_text("tr[data-name='Mopti-03']", "Remplace Mopti-02");
    app.quit();
    drop(driver);

    let restored: Vec<ImportOutcome> =
        files_in(&restore).iter().map(|p| replacement.import_bundle_file(p).unwrap()).collect();
    assert!(matches!(restored[..], [ImportOutcome::FromHq { .. }]), "{restored:?}");
    assert_eq!(replacement.find_people("hawa", 5).unwrap().len(), 1, "her people are back");
    let titles: Vec<String> =
        replacement.sessions(&Default::default()).unwrap().into_iter().map(|s| s.title).collect();
    assert!(titles.contains(&"Dialogue jeunes".to_string()), "her sessions are back");
    assert!(!titles.contains(&"Séance du voleur".to_string()), "nothing the thief wrote");
    let hq = palabre::Palabre::open(&h.db, PASSPHRASE).unwrap();
    let report = hq.report(palabre::Period::default(), palabre::Lang::Fr).unwrap();
    assert_eq!(report.people.total, 2, "Kadidia and Hawa, each counted once");
    assert_eq!(hq.person_sessions(kadi).unwrap().len(), 2, "Kadidia's two sessions");
    assert!(
        !hq.sessions(&Default::default()).unwrap().iter().any(|s| s.title == "Séance du voleur")
    );
}

/// HQ's Sync screen. The system's file dialogs cannot be driven through WebDriver, so the test
/// answers them by replacing the two dialog functions in the page; everything behind them (the
/// commands, the core, the files) is real.
#[test]
fn hq_imports_bundles_trusts_laptops_resolves_a_conflict_and_exports() {
    use palabre::ImportOutcome;
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let h = Harness::new();
    let files = tempfile::tempdir().unwrap();

    // Two laptops edit the same person's community without seeing each other.
    let a = palabre::Palabre::open(files.path().join("a.db"), PASSPHRASE).unwrap();
    a.init("Sévaré-01").unwrap();
    let b = palabre::Palabre::open(files.path().join("b.db"), PASSPHRASE).unwrap();
    b.init("Socoura-02").unwrap();
    let awa = a
        .add_person(&palabre::PersonInput {
            full_name: Some("Awa Diarra".into()),
            ..Default::default()
        })
        .unwrap();
    let first = a.export_bundle(files.path()).unwrap().path.unwrap();
    if let ImportOutcome::Quarantined { fingerprint, .. } = b.import_bundle_file(&first).unwrap() {
        b.trust_device(&fingerprint).unwrap();
    }
    let moved =
        |place: &str| palabre::PersonInput { community: Some(place.into()), ..Default::default() };
    a.edit_person(awa, &moved("Sévaré")).unwrap();
    b.edit_person(awa, &moved("Socoura")).unwrap();
    let fa = a.export_bundle(files.path()).unwrap().path.unwrap();
    let fb = b.export_bundle(files.path()).unwrap().path.unwrap();

    // This computer is the programme's HQ (set up from the CLI's `hq init`).
    let hq_db = palabre::Palabre::open(&h.db, PASSPHRASE).unwrap();
    hq_db.init("HQ Bamako").unwrap();
    hq_db.hq_init(&files.path().join("keys"), Some("Dialogues Mopti")).unwrap();
    drop(hq_db);
    let (driver, app) = h.launch();
    app.wait_text("#view h1", "Bureau du siège");
    app.click("a[data-route=sync]");
    app.wait_text("#view h1", "Synchronisation");
    // HQ is not told to send to HQ, nor that it is not enrolled.
    app.wait_text("#export h2", "Envoyer les modifications du siège");
    app.wait_text("#hq-encryption", "Cet ordinateur est le siège du programme");
    assert!(!app.text("#view").contains("Non inscrit"), "{}", app.text("#view"));
    assert_eq!(app.count("#plain-warning"), 0, "HQ is not warned that it is not enrolled");
    app.wait_text("#view", "Phrase secrète (seulement pour les paquets verrouillés)");
    app.show("#/settings");
    app.wait_text("#hq-self", "Cet ordinateur est le siège du programme");
    assert!(!app.text("#hq-section").contains("Non inscrit"));
    assert_eq!(app.count("#enrol-hq"), 0);
    app.show("#/sync");
    app.script("window.__TAURI__.dialog.open = async () => arguments[0]", json!([[fa, fb]]));
    app.click("#import-bundles");
    app.wait_until(
        "two results",
        "return document.querySelectorAll('#import-results [data-outcome=quarantined]').length === 2",
        json!([]),
    );
    app.wait_text("#import-results", "en attente : ordinateur « Sévaré-01 » inconnu");
    trust_each(&app, "#device-list button[data-fingerprint]", 2);
    app.wait_until(
        "no untrusted device",
        "return !document.querySelector('#device-list button[data-fingerprint]')",
        json!([]),
    );
    app.wait_text("#device-list", "Approuvé");

    app.wait_text("#conflicts .conflict h3", "Awa Diarra — Communauté");
    app.wait_text("#conflicts", "Sévaré");
    app.wait_text("#conflicts", "Socoura");
    app.click("#conflicts .conflict button");
    app.find("#no-conflicts");

    let out = files.path().join("hq-export.palabre");
    app.script("window.__TAURI__.dialog.save = async () => arguments[0]", json!([out]));
    app.click("#export-bundle");
    app.wait_text("#export-result", "hq-export.palabre");
    app.quit();
    drop(driver);

    let bundle = palabre::Palabre::verify_bundle(&std::fs::read(&out).unwrap()).unwrap();
    assert!(
        bundle.ops.iter().any(|op| op.field == "community"),
        "the resolution travels in HQ's export"
    );
    let hq = palabre::Palabre::open(&h.db, PASSPHRASE).unwrap();
    assert!(hq.conflicts().unwrap().is_empty());
    assert_eq!(hq.find_people("awa", 5).unwrap().len(), 1);
}

#[test]
fn the_demo_programme_opens_and_its_report_reads_like_the_programme() {
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let h = Harness::new();
    let (_driver, app) = h.launch();
    app.wait_text("#view h1", "Bienvenue dans Palabre");
    app.click("#open-demo");
    app.wait_text("#view h1", "Accueil");
    app.wait_text(".figures", "315");
    app.click("a[data-route=report]");
    app.wait_text(
        "#report-summary",
        "le programme a touché 315 personnes, presque toutes des femmes, dont deux tiers de jeunes. \
         Il a tenu trois activités avec les acteurs de sécurité et sept avec les acteurs de gouvernance et de justice.",
    );
    assert_eq!(
        app.count("#report-body section > svg.chart"),
        3,
        "three charts drawn without a network"
    );
    app.wait_text("#activities-by-group", "Acteurs de sécurité");
    // Over all time no target applies; over 2024 the logframe shows each indicator against its
    // target, with a chart of the targets achieved.
    app.wait_text("#report-indicators", "Aucune cible");
    app.type_into("#report-from", "01/01/2024");
    app.type_into("#report-to", "31/12/2024");
    app.click("#report-form button[type=submit]");
    app.wait_text("#report-summary", "En 2024, le programme a touché 315 personnes");
    app.wait_text("#report-indicators", "Personnes touchées par les dialogues");
    assert_eq!(app.count("#report-body section > svg.chart"), 4, "and the targets' chart");
    // The donor's breakdowns, folded under each indicator: PAL-1 by region names Ségou.
    app.click("#report-indicators details[data-code='PAL-1'] summary");
    app.wait_text("#report-indicators details[data-code='PAL-1']", "Ségou");
    assert_eq!(app.count("#report-indicators details[data-code='PAL-1'] svg.chart"), 4);
    app.wait_text("#report-previous", "Période précédente");
    app.wait_text("#report-indicators tbody tr:first-child", "315");
    app.wait_text("#report-indicators tbody tr:first-child", "105 %");
    // The donor report as a PDF (the save dialog answered).
    let files = tempfile::tempdir().unwrap();
    let donor = files.path().join("donor.pdf");
    app.script("window.__TAURI__.dialog.save = async () => arguments[0]", json!([donor]));
    app.click("#export-pdf");
    app.wait_text("#toast", "donor.pdf");
    let text = std::process::Command::new("pdftotext")
        .args([donor.to_str().unwrap(), "-"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Rapport d'avancement sur le cadre logique"), "{text}");
    assert!(text.contains("PAL-5"), "{text}");
    // Cut to a region typed without its accent.
    app.type_into("#report-region", "segou");
    app.click("#report-form button[type=submit]");
    app.wait_until(
        "the report is cut to Ségou",
        "return !document.getElementById('report-summary').textContent.includes('315 personnes')",
        json!([]),
    );
    app.click("#open-catalogue");
    app.wait_text("#view h1", "Catalogue des indicateurs");
    app.wait_text("#catalogue-hint", "Seul le siège peut les modifier");
    app.wait_text("#indicator-list", "PAL-8");
    assert_eq!(app.count("#indicator-form"), 0, "a laptop has no editing form");
    app.go("#/report");
    app.wait_text("#view h1", "Rapport");
    for field in ["#report-region", "#report-to"] {
        clear_field(&app, field);
    }
    app.type_into("#report-from", "01/01/2025");
    app.click("#report-form button[type=submit]");
    app.wait_text(
        "#report-summary",
        "Depuis le 01/01/2025, le programme n'a tenu aucune activité.",
    );
    app.click("[data-lang=en]");
    app.wait_text("#view h1", "Report");

    // Print a session's attendance sheet from its page (the save dialog answered, the viewer off).
    app.click("a[data-route=sessions]");
    app.click("#session-results tbody tr:nth-child(3) a");
    let title = {
        app.find("#print-sheet");
        app.text("#view h1")
    };
    app.click("#print-sheet");
    app.wait_text("#view h1", "Print attendance sheet");
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("sheet.pdf");
    app.script("window.__TAURI__.dialog.save = async () => arguments[0]", json!([pdf]));
    app.click("#sheet-lang");
    app.script("document.getElementById('sheet-lang').value = 'fr'", json!([]));
    app.click("#sheet-open");
    app.click("#sheet-form button[type=submit]");
    app.wait_text("#sheet-result", "sheet.pdf");
    app.quit();
    let text = std::process::Command::new("pdftotext")
        .args(["-layout", pdf.to_str().unwrap(), "-"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("FICHE DE PRÉSENCE"), "{text}");
    assert!(text.contains(&title), "the session's title {title:?} is on the sheet");
}

#[test]
fn a_laptop_enrols_with_hq_exports_encrypted_and_merges_a_duplicate() {
    use palabre::ImportOutcome;
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let h = Harness::new();
    let files = tempfile::tempdir().unwrap();
    let hq = palabre::Palabre::open(files.path().join("hq.db"), PASSPHRASE).unwrap();
    hq.init("HQ Bamako").unwrap();
    let keys = hq.hq_init(&files.path().join("keys"), Some("Dialogues Ségou")).unwrap();

    h.set_up_and_quit();
    // The same woman registered twice (merged further down).
    let db = palabre::Palabre::open(&h.db, PASSPHRASE).unwrap();
    for (name, community) in [("Aïssata Traoré", "Ségou"), ("Aissata Traore", "Markala")] {
        db.add_person(&palabre::PersonInput {
            full_name: Some(name.into()),
            sex: Some("F".into()),
            birth_year: Some(1990),
            community: Some(community.into()),
            ..Default::default()
        })
        .unwrap();
    }
    drop(db);

    let (driver, app) = h.launch();
    app.click("a[data-route=sync]");
    app.wait_text("#hq-encryption", "Non inscrit auprès du siège");
    app.click("a[data-route=settings]");
    app.script("window.__TAURI__.dialog.open = async () => arguments[0]", json!([keys.enrollment]));
    app.click("#enrol-hq");
    app.wait_text("#hq-fingerprint", &keys.fingerprint);

    app.click("a[data-route=sync]");
    app.wait_text("#hq-encryption", &format!("empreinte {}", keys.fingerprint));
    app.wait_text("#hq-acked", "Le siège n'a encore rien confirmé");
    let out = files.path().join("laptop.palabre.age");
    app.script("window.__TAURI__.dialog.save = async () => arguments[0]", json!([out]));
    app.click("#export-bundle");
    app.wait_text("#export-result", "laptop.palabre.age");

    // HQ opens it, acknowledges; the laptop imports the acknowledgement from the Sync screen.
    match hq.import_bundle_file(&out).unwrap() {
        ImportOutcome::Quarantined { fingerprint, .. } => {
            hq.trust_device(&fingerprint).unwrap();
        }
        other => panic!("{other:?}"),
    }
    let ack = hq.hq_ack(files.path(), None, false).unwrap().remove(0).path;
    app.script("window.__TAURI__.dialog.open = async () => arguments[0]", json!([[ack]]));
    app.click("#import-bundles");
    app.find("#import-results [data-outcome=acknowledged]");
    app.wait_text("#import-results", "le siège a tout jusqu'au");
    // The screen says so at once, without leaving it.
    app.wait_text("#hq-acked", "Le siège a tout jusqu'au");
    app.go("#/home");
    app.click("a[data-route=sync]");
    app.wait_text("#hq-acked", "Le siège a tout jusqu'au");

    // Merge her from the Duplicates screen, then undo.
    app.click("#open-duplicates");
    app.wait_text("#view h1", "Doublons");
    app.wait_text("#dup-list", "Communautés différentes : Ségou / Markala");
    assert_no_horizontal_scroll(&app, "Duplicates");
    app.click("#dup-list button[data-action=compare]");
    app.wait_text("#dup-compare", "Markala");
    app.click("#dup-compare tr[data-field=community] input[value=duplicate]");
    app.click("#dup-merge");
    app.wait_text("#modal", "Fusionner");
    app.click("#modal .dialog button.primary");
    app.wait_text("#dup-history", "fusionné dans Aïssata Traoré");
    app.find("#no-duplicates");
    app.click("#dup-history button[data-action=unmerge]");
    app.wait_text("#dup-history", "Annulé par Mariam Sidibé");
    // Proposed again once unmerged; "not the same person" puts it away for good.
    app.click("#dup-list button[data-action=distinct]");
    app.find("#no-duplicates");
    app.wait_text("#dup-history", "pas la même personne");

    // About: the version from Cargo.toml and where the data lives.
    app.click("a[data-route=about]");
    app.wait_text("#about-version", &format!("Palabre {}", env!("CARGO_PKG_VERSION")));
    app.wait_text("#about-data-folder", &h.db.parent().unwrap().display().to_string());
    app.wait_text("#about-font-0", "SIL Open Font License 1.1");
    // The diagnostics file for the IT person: counts and the log, no participant.
    let diagnostics = files.path().join("diagnostics.json");
    app.script("window.__TAURI__.dialog.save = async () => arguments[0]", json!([diagnostics]));
    app.click("#save-diagnostics");
    app.wait_text("#toast", "diagnostics.json");
    let text = std::fs::read_to_string(&diagnostics).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["rows"]["people"], 2);
    assert!(
        json["log"].as_array().unwrap().iter().any(|l| l.as_str().unwrap().contains("desktop"))
    );
    assert!(!text.contains("Traor") && !text.contains("Markala"), "{text}");
    // Settings lists the backups (one was made at start, one before the acknowledgement import).
    app.click("a[data-route=settings]");
    app.wait_text("#backup-list", "au démarrage");
    app.quit();
    drop(driver);

    let db = palabre::Palabre::open(&h.db, PASSPHRASE).unwrap();
    let history = db.merge_history().unwrap();
    let decisions: Vec<&str> = history.iter().map(|d| d.decision.as_str()).collect();
    assert_eq!(decisions.iter().filter(|d| **d == "merge").count(), 1, "{decisions:?}");
    assert_eq!(decisions.iter().filter(|d| **d == "distinct").count(), 1, "{decisions:?}");
    let merge = history.iter().find(|d| d.decision == "merge").unwrap();
    assert_eq!(merge.taken, ["community"]);
    assert!(merge.undone);
    assert_eq!(db.people(0, 10).unwrap().total, 2);
}

#[test]
fn a_backup_is_restored_from_settings() {
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let h = Harness::new();
    h.set_up_and_quit();
    // A backup of the set-up laptop, then a person recorded after it.
    let db = palabre::Palabre::open(&h.db, PASSPHRASE).unwrap();
    db.auto_backup("manual").unwrap().unwrap();
    let awa = palabre::PersonInput { full_name: Some("Awa Diarra".into()), ..Default::default() };
    db.add_person(&awa).unwrap();
    drop(db);

    let (driver, app) = h.launch();
    app.click("a[data-route=people]");
    app.wait_text("#view", "Awa Diarra");
    app.click("a[data-route=settings]");
    app.wait_text("#backup-list tr:first-child", "manuelle");
    app.click("#backup-list tr:first-child button");
    app.wait_text("#modal", "Restaurer cette sauvegarde ?");
    app.click("#modal .dialog button.danger");
    app.wait_text("#toast", "restaurée");
    app.click("a[data-route=people]");
    app.wait_text("#view", "Aucune personne");
    app.quit();
    drop(driver);

    let db = palabre::Palabre::open(&h.db, PASSPHRASE).unwrap();
    assert_eq!(db.people(0, 10).unwrap().total, 0);
    let kept = db.backups().unwrap().into_iter().find(|b| b.reason == "restore").unwrap();
    // The copy opens as a database with the key file of the database it was made from.
    let key_file = |p: &Path| PathBuf::from(format!("{}.dbkey", p.display()));
    std::fs::copy(key_file(&h.db), key_file(&kept.path)).unwrap();
    let before = palabre::Palabre::open(&kept.path, PASSPHRASE).unwrap();
    assert_eq!(before.people(0, 10).unwrap().people[0].full_name, "Awa Diarra");
}

#[test]
fn a_person_who_asks_to_be_forgotten_is_erased_from_her_page() {
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let h = Harness::new();
    h.set_up_and_quit();
    let db = palabre::Palabre::open(&h.db, PASSPHRASE).unwrap();
    let fanta = db
        .add_person(&palabre::PersonInput {
            full_name: Some("Fanta Camara".into()),
            phone: Some("76 55 44 33".into()),
            ..Default::default()
        })
        .unwrap();
    drop(db);

    let (driver, app) = h.launch();
    app.go(&format!("#/people/{fanta}"));
    app.wait_text("#view h1", "Fanta Camara");
    app.click("#erase-person");
    app.wait_text("#modal", "Oublier cette personne ?");
    app.wait_text("#modal", "irréversible");
    app.click("#modal .dialog button.danger");
    app.wait_text("#toast", "Oubliée");
    app.wait_text("#view h1", "Personne effacée");
    app.wait_text("#erased-note", "demandé à être oubliée");
    assert_eq!(app.count("#erase-person"), 0, "nothing more to do on an erased record");
    app.click("a[data-route=people]");
    app.wait_text("#view", "Aucune personne");
    app.quit();
    drop(driver);

    let db = palabre::Palabre::open(&h.db, PASSPHRASE).unwrap();
    assert!(db.person(fanta).unwrap().erased);
    drop(db);
    // The data folder, with the backup the window made at start (before the erasure).
    let mut folders = vec![h.db.parent().unwrap().to_path_buf()];
    let mut files = 0;
    while let Some(folder) = folders.pop() {
        for path in std::fs::read_dir(folder).unwrap().flatten().map(|e| e.path()) {
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            files += 1;
            let bytes = std::fs::read(&path).unwrap();
            for trace in [&b"Fanta"[..], b"fanta", b"76 55 44 33"] {
                let found = bytes.windows(trace.len()).any(|w| w == trace);
                assert!(!found, "{} keeps a trace", path.display());
            }
        }
    }
    assert!(files >= 2, "the database and at least one backup were searched");
}

#[test]
fn a_laptop_not_enrolled_is_warned_at_every_export_and_locks_its_bundle_with_a_passphrase() {
    use palabre::ImportOutcome;
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let h = Harness::new();
    let files = tempfile::tempdir().unwrap();
    h.set_up_and_quit();
    let db = palabre::Palabre::open(&h.db, PASSPHRASE).unwrap();
    let kadiatou =
        palabre::PersonInput { full_name: Some("Kadiatou Sow".into()), ..Default::default() };
    db.add_person(&kadiatou).unwrap();
    drop(db);

    let (driver, app) = h.launch();
    app.click("a[data-route=sync]");
    app.wait_text("#plain-warning", "Quiconque trouve le fichier");
    // Two different passphrases: nothing is exported.
    app.type_into("#export-passphrase", "sable chaud de Mopti");
    app.type_into("#export-passphrase-again", "sable chaud de mopti");
    app.click("#export-bundle");
    app.wait_text("#view [data-field=passphrase_again] .error", "diffèrent");
    app.script("document.getElementById('export-passphrase-again').value = ''", json!([]));
    app.type_into("#export-passphrase-again", "sable chaud de Mopti");
    let locked = files.path().join("locked.palabre.age");
    app.script("window.__TAURI__.dialog.save = async () => arguments[0]", json!([locked]));
    app.click("#export-bundle");
    app.wait_text("#export-result", "Verrouillé par la phrase secrète");
    // Without the passphrase, the warning comes again, and asks first.
    app.wait_text("#plain-warning", "Quiconque trouve le fichier");
    app.click("#use-passphrase");
    let plain = files.path().join("plain.palabre");
    app.script("window.__TAURI__.dialog.save = async () => arguments[0]", json!([plain]));
    app.click("#export-bundle");
    app.wait_text("#modal", "Exporter sans chiffrement ?");
    app.click("#modal .dialog button.secondary");
    assert!(!plain.exists(), "cancelled: nothing written");
    app.click("#export-bundle");
    app.wait_text("#modal", "Exporter sans chiffrement ?");
    app.click("#modal .dialog button.danger");
    app.wait_text("#export-result", "plain.palabre");
    // Its size, and that it fits an e-mail.
    app.wait_text("#export-result", "Ko — tient dans un e-mail ou un message.");
    app.quit();
    drop(driver);

    let bytes = std::fs::read(&locked).unwrap();
    assert!(!bytes.windows(8).any(|w| w == b"Kadiatou"));
    let hq = palabre::Palabre::open(files.path().join("hq.db"), PASSPHRASE).unwrap();
    hq.init("HQ Bamako").unwrap();
    let refused = hq.import_bundle_file(&locked).unwrap();
    assert!(
        matches!(&refused, ImportOutcome::Rejected { code, .. } if code == "needs_passphrase"),
        "{refused:?}"
    );
    let opened =
        hq.import_bundle_files_with_passphrase(&[&locked], "sable chaud de Mopti").unwrap();
    assert!(matches!(opened[0], ImportOutcome::Quarantined { .. }), "{opened:?}");
    assert!(palabre::Palabre::verify_bundle(&std::fs::read(&plain).unwrap()).is_ok());
}

/// Text nodes and labels on the page that read "null", "undefined" or "NaN": what a view
/// printed by mistake. (The licence texts on About are prose — "null and void" — and skipped.)
fn stray_words(app: &Session) -> Vec<String> {
    let found = app.script(
        "const bad = []; const word = /\\b(null|undefined|NaN)\\b/;
         const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
         while (walk.nextNode()) {
           const node = walk.currentNode;
           if (node.parentElement && node.parentElement.closest('pre')) continue;
           if (word.test(node.nodeValue)) bad.push(node.nodeValue.trim());
         }
         for (const e of document.querySelectorAll('[aria-label],[title],[placeholder]'))
           for (const a of ['aria-label', 'title', 'placeholder']) {
             const v = e.getAttribute(a); if (v && word.test(v)) bad.push(a + '=' + v); }
         return bad;",
        json!([]),
    );
    serde_json::from_value(found).unwrap()
}

#[test]
fn no_screen_of_the_demo_prints_null_in_either_language_or_size() {
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let h = Harness::new();
    let (_driver, app) = h.launch();
    app.click("#open-demo");
    app.wait_text("#view h1", "Accueil");
    // A session with no summary and no recommendations, made in the window.
    app.show("#/sessions/new");
    app.type_into("#session-form input[name=title]", "Séance sans résumé");
    app.type_into("#session-form input[name=start_date]", "02/02/2024");
    app.click("#session-form button[type=submit]");
    app.wait_text("#view h1", "Séance sans résumé");
    let bare = app.script("return location.hash", json!([])).as_str().unwrap().to_string();

    let db = palabre::Palabre::open(&h.db, PASSPHRASE).unwrap();
    let held = db
        .sessions(&palabre::SessionFilter {
            status: Some(palabre::SessionStatus::Held),
            ..Default::default()
        })
        .unwrap();
    let session = format!("#/sessions/{}", held[0].id);
    let person = format!("#/people/{}", db.people(0, 1).unwrap().people[0].id);
    let routes = [
        "#/home",
        "#/sessions",
        session.as_str(),
        bare.as_str(),
        "#/sessions/new",
        "#/people",
        person.as_str(),
        "#/people/new",
        "#/plans",
        "#/sync",
        "#/sync/duplicates",
        "#/report",
        "#/print",
        "#/settings",
        "#/about",
    ];
    for lang in ["fr", "en"] {
        app.click(&format!("[data-lang={lang}]"));
        app.wait_until(
            "the language",
            "return document.documentElement.lang === arguments[0]",
            json!([lang]),
        );
        for (width, height) in [(1366, 768), (1024, 600)] {
            app.resize(width, height);
            for route in routes {
                app.show(route);
                if route == "#/report" {
                    app.find("#report-summary");
                }
                let stray = stray_words(&app);
                assert!(stray.is_empty(), "{route} ({lang}, {width}×{height}) shows {stray:?}");
                assert_no_horizontal_scroll(&app, route);
            }
        }
        // At 1280 px the navigation holds on one row.
        app.resize(1280, 760);
        app.show("#/home");
        let rows = app.script(
            "const links = [...document.querySelectorAll('#nav a')].map((a) => a.getBoundingClientRect().top);
             return new Set(links.map(Math.round)).size",
            json!([]),
        );
        assert_eq!(rows, json!(1), "the nav wraps at 1280 px in {lang}");
    }

    // The report: French groups in the form's order, labels on the chart not cut.
    app.click("[data-lang=fr]");
    app.show("#/home");
    app.show("#/report");
    app.find("#report-summary");
    let order = app.script(
        "return [...document.querySelectorAll('#activities-by-group table tbody tr td:first-child')].map((td) => td.textContent)",
        json!([]),
    );
    let order: Vec<String> = serde_json::from_value(order).unwrap();
    let expected: Vec<String> = palabre::Group::ALL
        .iter()
        .map(|g| palabre::translate(palabre::Lang::Fr, &format!("group.{g}"), &[]))
        .collect();
    assert_eq!(order, expected);
    let cut = app.script(
        "const box = document.querySelector('#activities-by-group svg.chart');
         const left = box.getBoundingClientRect().left;
         return [...box.querySelectorAll('text.label')].filter((t) => t.getBoundingClientRect().left < left - 1).map((t) => t.textContent)",
        json!([]),
    );
    assert_eq!(cut, json!([]), "chart labels run out of the chart");
    // Long labels wrap onto lines of their own, whole.
    let labels = app.script(
        "return [...document.querySelectorAll('#activities-by-group svg.chart text.label')]
           .map((t) => [...t.querySelectorAll('tspan')].map((s) => s.textContent).join(' '))",
        json!([]),
    );
    let labels: Vec<String> = serde_json::from_value(labels).unwrap();
    assert_eq!(labels, expected, "every group's label, whole, on the chart");
}

/// Asks the window to close as a window manager would (WM_DELETE_WINDOW), with python3-xlib.
fn ask_window_to_close(display: &Display) {
    let out = std::process::Command::new("xdotool")
        .args(["search", "--onlyvisible", "--name", "^Palabre$"])
        .env("DISPLAY", &display.name)
        .output()
        .expect("xdotool is missing (make test installs it)");
    let window =
        String::from_utf8_lossy(&out.stdout).lines().next().expect("no window").to_string();
    let script = "import sys\nfrom Xlib import X, display, protocol\n\
        d = display.Display(sys.argv[1])\nw = d.create_resource_object('window', int(sys.argv[2]))\n\
        p = d.intern_atom('WM_PROTOCOLS')\nq = d.intern_atom('WM_DELETE_WINDOW')\n\
        w.send_event(protocol.event.ClientMessage(window=w, client_type=p, data=(32, [q, X.CurrentTime, 0, 0, 0])), event_mask=X.NoEventMask)\n\
        d.flush()\n";
    // Debian's python3 (with python3-xlib), not another on the PATH.
    let status = std::process::Command::new("/usr/bin/python3")
        .args(["-c", script, &display.name, &window])
        .status()
        .expect("/usr/bin/python3 is missing (make test installs python3 and python3-xlib)");
    assert!(status.success(), "python3-xlib could not send WM_DELETE_WINDOW");
}

#[test]
fn registering_attendance_does_not_breed_duplicates_and_a_draft_is_not_lost_on_close() {
    use std::time::{Duration, Instant};
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let h = Harness::new();
    h.set_up_and_quit();
    // Twelve Aïssatas in the registry, and one more woman.
    let db = palabre::Palabre::open(&h.db, PASSPHRASE).unwrap();
    let surnames = [
        "Traoré",
        "Cissé",
        "Diarra",
        "Keïta",
        "Coulibaly",
        "Sangaré",
        "Maïga",
        "Diallo",
        "Touré",
        "Konaté",
        "Sidibé",
        "Dembélé",
    ];
    for (i, surname) in surnames.iter().enumerate() {
        db.add_person(&palabre::PersonInput {
            full_name: Some(format!("Aïssata {surname}")),
            sex: Some("F".into()),
            birth_year: Some(1980 + i as i32),
            community: Some("Sévaré".into()),
            ..Default::default()
        })
        .unwrap();
    }
    drop(db);

    let (_driver, app) = h.launch();
    // A session recorded after the fact defaults to held; one in the future to planned.
    app.show("#/sessions/new");
    app.type_into("#session-form input[name=start_date]", "01/01/2099");
    app.wait_until(
        "planned",
        "return document.querySelector('#session-form select[name=status]').value === 'planned'",
        json!([]),
    );
    app.type_into("#session-form input[name=start_date]", "14/03/2024");
    app.wait_until(
        "held",
        "return document.querySelector('#session-form select[name=status]').value === 'held'",
        json!([]),
    );
    app.type_into("#session-form input[name=title]", "Dialogue à Sévaré");
    app.type_into("#session-form input[name=place]", "Mairie de Sévaré");
    app.click("#session-form input[value=womens_groups]");
    app.click("#session-form button[type=submit]");
    app.wait_text("#view h1", "Dialogue à Sévaré");
    app.wait_text(".meta-list", "Tenue");

    // The search says how many match, and shows what tells namesakes apart.
    app.type_into("#registry-search", "aissata");
    app.wait_text("#registry-count", "10 affichées sur 12");
    app.wait_text("#registry-results", "Aïssata Cissé · Femme · née en 1981 · Sévaré");
    app.press("#registry-search", ENTER);
    app.wait_text("#attendance-list", "Aïssata Cissé");
    app.type_into("#registry-search", "aissata ciss");
    app.wait_text("#registry-count", "1 personne trouvée");
    app.wait_text("#registry-results .already", "Déjà sur la liste");
    assert_eq!(app.count("#registry-results button"), 0, "no button to register her twice");

    // Quick-add: focus moves in; community empty; the session's group chosen; a namesake warns.
    app.click("#attendance details.quick summary");
    app.wait_until(
        "focus in the form",
        "return document.activeElement.id === 'quick-name'",
        json!([]),
    );
    assert_eq!(
        app.script("return document.getElementById('quick-community').value", json!([])),
        json!("")
    );
    assert_eq!(
        app.script("return document.getElementById('quick-group').value", json!([])),
        json!("womens_groups")
    );
    app.type_into("#quick-name", "Aissata Traore");
    app.wait_text("#quick-add .namesakes", "Déjà dans le registre ?");
    app.wait_text("#quick-add .namesakes", "Aïssata Traoré");
    app.click("#quick-add .namesakes button");
    app.wait_text("#attendance-list", "Aïssata Traoré");
    assert_eq!(app.count("#attendance-list tbody tr"), 2, "registered, not created again");

    // Remove asks first; Esc keeps her.
    app.click("#attendance-list tbody tr:first-child button.remove");
    app.wait_text("#modal", "Retirer de la séance ?");
    app.press("#modal button.secondary", "\u{E00C}");
    app.wait_until(
        "the dialog to close",
        "return document.getElementById('modal').hidden",
        json!([]),
    );
    assert_eq!(app.count("#attendance-list tbody tr"), 2);
    app.click("#attendance-list tbody tr:first-child button.remove");
    app.click("#modal .dialog button.danger");
    app.wait_until(
        "one left",
        "return document.querySelectorAll('#attendance-list tbody tr').length === 1",
        json!([]),
    );

    // A draft: closing the window asks; "stay" keeps the window and the draft.
    app.click("#attendance details.quick summary");
    app.type_into("#quick-name", "Fanta Brouillon");
    ask_window_to_close(&h.display);
    app.wait_text("#modal", "Modifications non enregistrées");
    app.click("#modal .dialog button.secondary");
    app.wait_until(
        "the dialog to close",
        "return document.getElementById('modal').hidden",
        json!([]),
    );
    assert_eq!(
        app.script("return document.getElementById('quick-name').value", json!([])),
        json!("Fanta Brouillon")
    );
    assert_eq!(palabre_windows(&h.display), 1);
    // Asked again and confirmed, the window closes.
    ask_window_to_close(&h.display);
    app.wait_text("#modal", "Modifications non enregistrées");
    app.click("#modal .dialog button.danger");
    let deadline = Instant::now() + Duration::from_secs(15);
    while palabre_windows(&h.display) != 0 {
        assert!(Instant::now() < deadline, "the window did not close");
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(app);

    let db = palabre::Palabre::open(&h.db, PASSPHRASE).unwrap();
    assert_eq!(db.people(0, 50).unwrap().total, 12, "no person was created twice, no draft saved");
    let s = db.sessions(&Default::default()).unwrap().remove(0);
    assert_eq!(s.status, palabre::SessionStatus::Held);
    assert_eq!(db.attendance(s.id).unwrap().len(), 1);
}

/// A facilitator prints a session's sheet, photographs the signed page (here: renders it), and
/// attaches the photo from the session page; a photo without a code dropped on the page is
/// attached by hand; the Sessions page imports a phone's folder, recognises the photo already
/// attached and asks which session the other one is; the report counts the session as backed.
#[test]
fn a_photo_of_a_signed_sheet_is_attached_from_the_session_page_and_the_report_counts_it() {
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let h = Harness::new();
    let (_driver, app) = h.launch();
    app.wait_text("#view h1", "Bienvenue dans Palabre");
    app.click("#open-demo");
    app.wait_text("#view h1", "Accueil");
    app.show("#/sessions");
    app.script(
        "document.querySelector('#session-results tbody tr .status.held').closest('tr').querySelector('a').click()",
        json!([]),
    );
    app.find("#print-sheet");
    let title = app.text("#view h1");
    let session_hash = app.script("return location.hash", json!([])).as_str().unwrap().to_string();
    app.wait_text("#evidence", "Aucune feuille signée jointe à cette séance.");

    // The printed sheet, page 1, as a scanner or a careful phone photo gives it.
    app.click("#print-sheet");
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("sheet.pdf");
    app.script("window.__TAURI__.dialog.save = async () => arguments[0]", json!([pdf]));
    app.click("#sheet-open");
    app.click("#sheet-form button[type=submit]");
    app.wait_text("#sheet-result", "sheet.pdf");
    let photo = dir.path().join("IMG_0001");
    let status = std::process::Command::new("pdftoppm")
        .args(["-png", "-r", "150", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&pdf)
        .arg(&photo)
        .status()
        .unwrap();
    assert!(status.success());
    let photo = photo.with_extension("png");

    // Attached from the session page's button: filed by its code, page 1, with a thumbnail.
    app.show(&session_hash);
    app.script("window.__TAURI__.dialog.open = async () => [arguments[0]]", json!([photo]));
    app.click("#attach-evidence");
    app.wait_text("#evidence-results", "rangée par son code");
    app.wait_text("#evidence-results", &format!("jointe à « {title} », Page 1 /"));
    app.wait_until(
        "the thumbnail",
        "const img = document.querySelector('#evidence-list figure.evidence img.thumb'); return !!img && img.src.startsWith('data:image/jpeg')",
        json!([]),
    );
    // A photo without a code, dropped on the page (what the window passes on from the system).
    let plain = dir.path().join("IMG_0002.jpg");
    let status = std::process::Command::new("convert")
        .args(["-size", "800x600", "xc:gray85"])
        .arg(&plain)
        .status()
        .unwrap();
    assert!(status.success());
    app.script("window.palabreDropped([arguments[0]])", json!([plain]));
    app.wait_text("#evidence-results", "rangée à la main");
    app.wait_until(
        "two sheets",
        "return document.querySelectorAll('#evidence-list figure.evidence').length === 2",
        json!([]),
    );
    app.wait_text("#evidence-list", "jointe par ");

    // A phone's folder: the same photo again, and one without a code that asks its session.
    let phone = dir.path().join("phone").join("DCIM");
    std::fs::create_dir_all(&phone).unwrap();
    std::fs::copy(&photo, phone.join("IMG_0001.png")).unwrap();
    let other = phone.join("IMG_0003.jpg");
    let status = std::process::Command::new("convert")
        .args(["-size", "700x500", "xc:gray70"])
        .arg(&other)
        .status()
        .unwrap();
    assert!(status.success());
    app.show("#/sessions");
    app.script(
        "window.__TAURI__.dialog.open = async () => arguments[0]",
        json!([dir.path().join("phone")]),
    );
    app.click("#import-sheets");
    app.wait_text("#import-sheets-progress", "0 fichier(s) joint(s) sur 2");
    app.wait_text("#import-sheets-results", "déjà jointe");
    app.wait_text("#import-sheets-results", "aucun code de feuille lisible");
    let id = session_hash.trim_start_matches("#/sessions/").to_string();
    app.script(
        "const s = document.querySelector('#import-sheets-results select.ask-session'); s.value = arguments[0];",
        json!([id]),
    );
    app.click("#import-sheets-results .ask button");
    app.wait_text("#import-sheets-results", "rangée à la main");

    // The report: this session is backed; others are listed without a signed sheet.
    app.show("#/report");
    app.wait_text("#report-evidence", "ont leur feuille signée");
    let without = app.text("#without-evidence");
    assert!(!without.contains(&title), "{title} has its sheet: {without}");
    assert!(app.count("#without-evidence li") >= 1);
    app.show(&session_hash);
    app.wait_until(
        "three sheets",
        "return document.querySelectorAll('#evidence-list figure.evidence').length === 3",
        json!([]),
    );
    app.quit();
}

/// A new, empty database on the tests' PostgreSQL server (scripts/with-postgres.sh).
fn fresh_server_db() -> String {
    let base = std::env::var("PALABRE_TEST_POSTGRES").expect(
        "PALABRE_TEST_POSTGRES is not set: run the tests with `make test` (scripts/with-postgres.sh starts the server)",
    );
    let mut client = postgres::Client::connect(&base, postgres::NoTls).unwrap();
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    let name = format!("e2e_{}_{}", std::process::id(), nanos.as_nanos());
    client.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    format!("{}/{name}", base.rsplit_once('/').unwrap().0)
}

/// HQ outgrows one computer (issue 23): the first officer moves HQ to a PostgreSQL server from
/// Settings; a second officer's new computer joins it from the first-start screen with a copy of
/// HQ's keys, and sees the same programme; what one desk writes, the other reads.
#[test]
fn two_officers_share_hq_through_a_database_server_in_the_window() {
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let first = Harness::new();
    let keys = first._dir.path().join("keys");
    {
        let hq = palabre::Palabre::open(&first.db, PASSPHRASE).unwrap();
        hq.init("Bamako-Siège").unwrap();
        hq.hq_init(&keys, Some("Dialogues communautaires Mali")).unwrap();
        hq.demo(1).unwrap();
    }
    let url = fresh_server_db();
    let (driver, app) = first.launch();
    app.click("a[data-route=settings]");
    app.wait_text("#server-section h2", "Serveur de base de données");
    // A server that does not answer: said at the form, nothing changed.
    app.type_into("#migrate-url", "postgres://agent@127.0.0.1:1/palabre");
    app.click("#migrate-go");
    app.wait_text("#modal", "Déplacer le siège sur le serveur ?");
    app.click("#modal .dialog button.primary");
    app.wait_text("#migrate-form .form-error", "serveur de base de données du siège");
    clear_field(&app, "#migrate-url");
    app.type_into("#migrate-url", &url);
    app.click("#migrate-go");
    app.wait_text("#modal", "Déplacer le siège sur le serveur ?");
    app.click("#modal .dialog button.primary");
    app.wait_text("#server-shown", "Ce siège est tenu par le serveur postgres://palabre@");
    app.quit();
    drop(driver);

    let second = Harness::new();
    let copied = second._dir.path().join("keys-copy");
    std::fs::create_dir(&copied).unwrap();
    for file in ["hq-signing.key", "hq-age.key", "enrollment.palabre-hq"] {
        std::fs::copy(keys.join(file), copied.join(file)).unwrap();
    }
    let (driver, app) = second.launch();
    app.wait_text("#view h1", "Bienvenue dans Palabre");
    app.click("#join-server");
    app.wait_text("#view h1", "Rejoindre le serveur du siège");
    app.type_into("#server-url", &url);
    app.click("#join-go");
    app.wait_text("#join-form .form-error", "Choisissez d'abord le dossier");
    app.script("window.__TAURI__.dialog.open = async () => arguments[0]", json!([copied]));
    app.click("#join-pick-dir");
    app.wait_text("#join-dir", "keys-copy");
    app.click("#join-go");
    app.wait_text("#view h1", "Bureau du siège");
    app.click("a[data-route=settings]");
    app.wait_text("#server-shown", "Ce siège est tenu par le serveur");
    app.go("#/report");
    app.wait_text("#view", "315");
    app.quit();
    drop(driver);

    // Both desks hold the same programme; a change on one is read on the other.
    let a = palabre::Palabre::open(&first.db, PASSPHRASE).unwrap();
    let b = palabre::Palabre::open(&second.db, PASSPHRASE).unwrap();
    assert!(b.hq_status().unwrap().is_hq);
    assert_eq!(a.synced_snapshot().unwrap(), b.synced_snapshot().unwrap());
    a.add_person(&palabre::PersonInput {
        full_name: Some("Oumou Diarra".into()),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(b.search_people("oumou diarra", 5).unwrap().total, 1);
}
