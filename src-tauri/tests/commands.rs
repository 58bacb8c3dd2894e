//! The window's commands without a window: the mock runtime with the app's real context (so the
//! capability file's permissions apply), invoking commands as the UI does.

use palabre_desktop::state::AppState;
use serde_json::{Value, json};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
use tauri::webview::InvokeRequest;
use tauri::{App, Manager, WebviewWindow, WebviewWindowBuilder};

const PASSPHRASE: &str = "sable de Tombouctou";

/// The app on `db`, still locked.
fn locked(db: &std::path::Path) -> (App<MockRuntime>, WebviewWindow<MockRuntime>) {
    let app = mock_builder()
        .manage(AppState::open(db))
        .invoke_handler(palabre_desktop::handler())
        .build(palabre_desktop::context())
        .expect("the app builds");
    let window = WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap();
    (app, window)
}

/// The app on `db`, unlocked with the tests' passphrase.
fn app(db: &std::path::Path) -> (App<MockRuntime>, WebviewWindow<MockRuntime>) {
    let (app, window) = locked(db);
    invoke(&window, "unlock", json!({ "passphrase": PASSPHRASE, "again": PASSPHRASE })).unwrap();
    (app, window)
}

fn invoke(window: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(window, request).map(|body| body.deserialize::<Value>().unwrap())
}

/// The window starts locked: every command but the lock screen's answers `locked`; a new
/// database asks for the passphrase twice; the database then opens with it only.
#[test]
fn the_window_starts_locked_and_opens_with_the_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    {
        let (_app, w) = locked(&db);
        assert_eq!(invoke(&w, "lock_state", json!({})).unwrap()["state"], "new");
        assert_eq!(invoke(&w, "app_info", json!({})).unwrap_err()["code"], "locked");
        let mismatch = json!({ "passphrase": PASSPHRASE, "again": "autre chose encore" });
        assert_eq!(invoke(&w, "unlock", mismatch).unwrap_err()["code"], "passphrase_mismatch");
        let short = json!({ "passphrase": "court", "again": "court" });
        assert_eq!(invoke(&w, "unlock", short).unwrap_err()["code"], "passphrase_too_short");
        assert!(!db.exists(), "nothing is made before a passphrase is accepted");
        invoke(&w, "unlock", json!({ "passphrase": PASSPHRASE, "again": PASSPHRASE })).unwrap();
        assert_eq!(invoke(&w, "lock_state", json!({})).unwrap()["state"], "open");
        assert_eq!(invoke(&w, "app_info", json!({})).unwrap()["initialized"], false);
        let protection = invoke(&w, "protection", json!({})).unwrap();
        assert_eq!(
            (protection["encrypted"].clone(), protection["recovery_copy"].clone()),
            (json!(true), json!(false))
        );
    }
    // Another start, on a database made before (the mock app above keeps its window's lock).
    let db = dir.path().join("q.db");
    drop(palabre::Palabre::open(&db, PASSPHRASE).unwrap());
    let (_app, w) = locked(&db);
    assert_eq!(invoke(&w, "lock_state", json!({})).unwrap()["state"], "locked");
    let wrong = json!({ "passphrase": "sable de tombouctou" });
    assert_eq!(invoke(&w, "unlock", wrong).unwrap_err()["code"], "wrong_passphrase");
    invoke(&w, "unlock", json!({ "passphrase": PASSPHRASE })).unwrap();
    let changed =
        json!({ "current": PASSPHRASE, "passphrase": "fleuve Niger", "again": "fleuve Niger" });
    invoke(&w, "change_passphrase", changed).unwrap();
    assert!(palabre::Palabre::open(&db, "fleuve Niger").is_ok());
}

#[test]
fn the_ui_flow_through_commands() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, w) = app(&dir.path().join("p.db"));
    let info = invoke(&w, "app_info", json!({})).unwrap();
    assert_eq!(info["initialized"], false);
    assert_eq!(info["language"], "fr");

    let device = invoke(
        &w,
        "setup_device",
        json!({ "deviceName": "Ségou-01", "facilitator": "Mariam Sidibé" }),
    )
    .unwrap();
    assert_eq!(device["name"], "Ségou-01");
    let session = invoke(
        &w,
        "add_session",
        json!({ "input": {
        "title": "Dialogue", "start_date": "2024-03-14", "groups": ["womens_groups"] } }),
    )
    .unwrap();
    let person = invoke(
        &w,
        "add_person",
        json!({ "input": { "full_name": "Aïssata Traoré", "sex": "F", "age": 24 } }),
    )
    .unwrap();
    invoke(&w, "attend", json!({ "session": session, "people": [person] })).unwrap();
    let found = invoke(&w, "find_people", json!({ "query": "aissata", "limit": 5 })).unwrap();
    assert_eq!(found["people"][0]["id"], person);
    let detail = invoke(&w, "get_session", json!({ "id": session })).unwrap();
    assert_eq!(
        detail["session"]["facilitator"], "Mariam Sidibé",
        "new sessions get the facilitator"
    );
    assert_eq!(detail["attendance"][0]["full_name"], "Aïssata Traoré");
    invoke(&w, "set_present", json!({ "session": session, "person": person, "present": false }))
        .unwrap();
    let detail = invoke(&w, "get_session", json!({ "id": session })).unwrap();
    assert_eq!(detail["attendance"][0]["present"], false);

    let plan = invoke(
        &w,
        "add_plan",
        json!({ "input": { "title": "Plan", "owner": "Benkadi", "session_id": session } }),
    )
    .unwrap();
    let item = invoke(
        &w,
        "add_item",
        json!({ "plan": plan, "input": { "description": "Plaidoyer", "due_date": "2024-06-30" } }),
    )
    .unwrap();
    let done = invoke(&w, "set_item_status", json!({ "item": item, "status": "done" })).unwrap();
    assert_eq!(done["status"], "done");
    assert_eq!(
        invoke(&w, "list_plans", json!({ "session": session })).unwrap()[0]["items"][0]["status"],
        "done"
    );

    invoke(&w, "set_setting", json!({ "setting": "language", "value": "en" })).unwrap();
    assert_eq!(invoke(&w, "app_info", json!({})).unwrap()["language"], "en");
    let overview = invoke(&w, "overview", json!({})).unwrap();
    assert!(overview["unexported_changes"].as_i64().unwrap() > 0);
}

#[test]
fn errors_reach_the_ui_as_code_message_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, w) = app(&dir.path().join("p.db"));
    let err = invoke(&w, "add_person", json!({ "input": { "full_name": "x" } })).unwrap_err();
    assert_eq!(err["code"], "not_initialized");
    invoke(&w, "setup_device", json!({ "deviceName": "Kati-01", "facilitator": "Awa" })).unwrap();
    let err = invoke(&w, "add_person", json!({ "input": { "full_name": " " } })).unwrap_err();
    assert_eq!(
        err,
        json!({ "code": "empty_field", "field": "name", "message": "The name is empty. Fill it in and save again.", "details": null })
    );
    let err = invoke(&w, "setup_device", json!({ "deviceName": "Again", "facilitator": "Awa" }))
        .unwrap_err();
    assert_eq!(err["code"], "already_initialized");
    let listed = invoke(&w, "list_people", json!({ "offset": 0, "limit": 10 })).unwrap();
    assert_eq!(listed["total"], 0, "refused writes left nothing");
}

#[test]
fn a_database_that_cannot_be_opened_is_reported_by_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    std::fs::write(&db, "not a database, just text that is long enough to be read").unwrap();
    let (_app, w) = locked(&db);
    let unlock = json!({ "passphrase": PASSPHRASE });
    assert_eq!(invoke(&w, "unlock", unlock).unwrap_err()["code"], "not_a_database");
    assert_eq!(invoke(&w, "app_info", json!({})).unwrap_err()["code"], "locked");
}

/// src/commands.rs is the one list of commands (build.rs derives the handler and the permissions
/// from it): the capability file grants exactly those commands and the file dialogs, and
/// ui/js/api.js calls exactly those commands.
#[test]
fn the_capability_and_the_ui_agree_with_the_commands() {
    let root = env!("CARGO_MANIFEST_DIR");
    let declared: Vec<String> = palabre_desktop::COMMANDS.iter().map(|c| c.to_string()).collect();
    assert!(declared.len() > 40, "too few commands found: {declared:?}");
    assert!(declared.contains(&"close_window".to_string()), "generic commands are listed too");
    let api = std::fs::read_to_string(format!("{root}/../ui/js/api.js")).unwrap();
    let mut called: Vec<String> = api
        .match_indices("call('")
        .map(|(at, _)| api[at + 6..].split('\'').next().unwrap().to_string())
        .collect();
    called.sort();
    called.dedup();
    let mut sorted = declared.clone();
    sorted.sort();
    assert_eq!(called, sorted, "ui/js/api.js calls exactly the app's commands");
    let capability: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{root}/capabilities/main.json")).unwrap(),
    )
    .unwrap();
    let allowed: Vec<String> = capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .filter(|p| !p.contains(':'))
        .map(|p| p.trim_start_matches("allow-").replace('-', "_"))
        .collect();
    assert_eq!(allowed, declared, "the capability allows exactly the app's commands");
    let system: Vec<&str> = capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str())
        .filter(|p| p.contains(':'))
        .collect();
    assert_eq!(
        system,
        ["dialog:allow-open", "dialog:allow-save"],
        "and of the system, only the file dialogs"
    );
}

/// A refusal carries the numbers its message needs (the range, the limit), so that the window can
/// say "between 0 and 500" rather than "out of range"; and search says how many match.
#[test]
fn refusals_carry_their_limits_and_searches_their_counts() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, w) = app(&dir.path().join("p.db"));
    invoke(&w, "setup_device", json!({ "deviceName": "Ségou-01", "facilitator": "Awa" })).unwrap();
    let info = invoke(&w, "app_info", json!({})).unwrap();
    let max = info["max_blank_rows"].as_u64().unwrap();
    let err = invoke(
        &w,
        "save_attendance_sheet",
        json!({ "session": null, "lang": "fr", "blankRows": max + 1, "path": dir.path().join("s.pdf") }),
    )
    .unwrap_err();
    assert_eq!(err["code"], "out_of_range");
    assert_eq!(err["details"], json!({ "value": max + 1, "min": 0, "max": max }));
    assert!(!dir.path().join("s.pdf").exists(), "nothing written");
    let long = "a".repeat(201);
    let err = invoke(&w, "add_person", json!({ "input": { "full_name": long } })).unwrap_err();
    assert_eq!(err["code"], "too_long");
    assert_eq!(err["details"], json!({ "len": 201, "max": 200 }));

    for name in ["Aïssata Traoré", "Aïssata Cissé", "Aïssata Diarra"] {
        invoke(&w, "add_person", json!({ "input": { "full_name": name } })).unwrap();
    }
    let found = invoke(&w, "find_people", json!({ "query": "aissata", "limit": 2 })).unwrap();
    assert_eq!(found["total"], 3);
    assert_eq!(found["more"], false);
    assert_eq!(found["people"].as_array().unwrap().len(), 2);
    let like =
        invoke(&w, "people_named_like", json!({ "name": "aissata traore", "limit": 5 })).unwrap();
    assert_eq!(like.as_array().unwrap().len(), 1);
    assert_eq!(like[0]["full_name"], "Aïssata Traoré");
    // The window's unsaved-input flag, which closing the window asks about.
    invoke(&w, "set_unsaved", json!({ "unsaved": true })).unwrap();
    assert!(_app.state::<AppState>().has_unsaved());
    invoke(&w, "set_unsaved", json!({ "unsaved": false })).unwrap();
    assert!(!_app.state::<AppState>().has_unsaved());
}

/// One window per database: a second window on the same database is refused with a message
/// that says to use the first one; another database opens normally.
#[test]
fn a_second_window_on_the_same_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let unlock =
        |state: &AppState| state.unlock_with(|path| palabre::Palabre::open(path, PASSPHRASE));
    let first = AppState::open(&db);
    unlock(&first).unwrap();
    assert!(first.app().is_ok());
    let second = AppState::open(&db);
    assert!(second.lock_state().refused.is_some(), "the lock screen says it at once");
    let refused = unlock(&second).err().expect("a second window is refused");
    assert_eq!(refused.code, "already_open");
    assert!(refused.message.contains("already open"), "{}", refused.message);
    assert!(second.app().is_err());
    let other = AppState::open(&dir.path().join("other.db"));
    assert!(unlock(&other).is_ok(), "another database opens");
    drop(first);
    assert!(unlock(&AppState::open(&db)).is_ok(), "the lock ends with the first window");
    assert_ne!(
        palabre_desktop::state::instance_id(&db),
        palabre_desktop::state::instance_id(&dir.path().join("other.db")),
        "each database has its own single-instance name"
    );
}
