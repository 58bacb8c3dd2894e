//! Declares the app's commands so that Tauri generates one `allow-<command>` permission each; the
//! capability file (capabilities/main.json) then grants exactly those the UI uses.

/// Every `#[tauri::command]` in src/commands.rs. A test checks this list against the handler and
/// the capability file.
const COMMANDS: &[&str] = &[
    "app_info",
    "setup_device",
    "open_demo",
    "overview",
    "list_sessions",
    "get_session",
    "add_session",
    "edit_session",
    "delete_session",
    "list_people",
    "find_people",
    "people_named_like",
    "set_unsaved",
    "close_window",
    "get_person",
    "add_person",
    "edit_person",
    "delete_person",
    "attend",
    "unattend",
    "set_present",
    "list_plans",
    "add_plan",
    "add_item",
    "set_item_status",
    "set_setting",
    "rename_device",
    "next_bundle_name",
    "export_bundle",
    "import_bundle",
    "list_devices",
    "trust_device",
    "list_conflicts",
    "resolve_conflict",
    "report",
    "export_report_xlsx",
    "export_report_csv",
    "save_attendance_sheet",
    "open_in_viewer",
    "list_orphans",
    "find_duplicates",
    "merge_people",
    "unmerge_person",
    "mark_distinct",
    "merge_history",
    "hq_status",
    "enroll_with_hq",
    "list_backups",
    "backup_now",
    "restore_backup",
    "about",
    "save_diagnostics",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("failed to run tauri-build");
}
