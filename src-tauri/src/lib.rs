//! Palabre's desktop shell: a Tauri 2 window over the plain HTML UI in ../ui. Everything real
//! happens in the `palabre` core; this crate wires commands to it and owns the window.

pub mod commands;
pub mod error;
pub mod state;
pub mod viewer;

use tauri::{Manager, Runtime};

/// The command handler, shared by the app and the command tests.
pub fn handler<R: Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        commands::app_info,
        commands::setup_device,
        commands::open_demo,
        commands::overview,
        commands::list_sessions,
        commands::get_session,
        commands::add_session,
        commands::edit_session,
        commands::delete_session,
        commands::list_people,
        commands::find_people,
        commands::people_named_like,
        commands::set_unsaved,
        commands::close_window,
        commands::get_person,
        commands::add_person,
        commands::edit_person,
        commands::delete_person,
        commands::attend,
        commands::unattend,
        commands::set_present,
        commands::list_plans,
        commands::add_plan,
        commands::add_item,
        commands::set_item_status,
        commands::set_setting,
        commands::rename_device,
        commands::next_bundle_name,
        commands::export_bundle,
        commands::import_bundle,
        commands::list_devices,
        commands::trust_device,
        commands::list_conflicts,
        commands::resolve_conflict,
        commands::report,
        commands::export_report_xlsx,
        commands::export_report_csv,
        commands::save_attendance_sheet,
        commands::open_in_viewer,
        commands::list_orphans,
        commands::find_duplicates,
        commands::merge_people,
        commands::unmerge_person,
        commands::mark_distinct,
        commands::merge_history,
        commands::hq_status,
        commands::enroll_with_hq,
        commands::list_backups,
        commands::backup_now,
        commands::restore_backup,
        commands::about,
        commands::save_diagnostics,
    ]
}

/// The app's configuration, assets and permissions (tauri.conf.json, ../ui, capabilities/).
pub fn context<R: Runtime>() -> tauri::Context<R> {
    tauri::generate_context!()
}

/// Starts the app. A second launch on the same database focuses the running window instead of
/// opening the database a second time; a launch on another database opens its own window.
/// Closing the window while a form holds unsaved input asks first (the page answers).
pub fn run() {
    let db = palabre::default_db_path();
    palabre::logging::init(&db, "desktop");
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(
            tauri_plugin_single_instance::Builder::new()
                .dbus_id(state::instance_id(&db))
                .callback(|app, _args, _cwd| {
                    if let Some(window) = app.get_webview_window("main") {
                        let _ = window.unminimize();
                        let _ = window.show();
                        let _ = window.set_focus();
                    }
                })
                .build(),
        )
        .manage(state::AppState::open(&db))
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::CloseRequested { api, .. } = event
                && window.state::<state::AppState>().has_unsaved()
                && let Some(webview) = window.get_webview_window(window.label())
            {
                // The page asks "leave without saving?" and calls close_window if so.
                api.prevent_close();
                let _ =
                    webview.eval("window.palabreCloseRequested && window.palabreCloseRequested()");
            }
        })
        .setup(|app| {
            let handle = app.handle().clone();
            std::thread::spawn(move || handle.state::<state::AppState>().daily_backup());
            Ok(())
        })
        .invoke_handler(handler())
        .run(context())
        .expect("error while running Palabre");
}
