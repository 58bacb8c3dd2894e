//! Every incoming value is held to the rules of local entry: a bundle signed by a trusted laptop
//! (which may run a modified build) that carries a value the forms would refuse is refused whole,
//! with a reason naming the field, and HQ's database is unchanged.

mod common;

use palabre::exchange::bundle::{self, Manifest};
use palabre::journal::hlc::Hlc;
use palabre::{Entity, ImportOutcome, Op, Palabre};
use serde_json::{Value, json};
use uuid::Uuid;

/// HQ, and a laptop whose first bundle HQ has merged and whose key it trusts.
fn trusted_laptop() -> (Palabre, Palabre) {
    let hq = common::memory_hq();
    hq.init("HQ").unwrap();
    let laptop = common::app();
    common::person(&laptop, "Aminata Diarra");
    common::session(&laptop, "Dialogue des femmes", "2024-03-14");
    let (_, first) = laptop.export_bundle_bytes().unwrap();
    assert!(matches!(hq.import_bundle_bytes(&first).unwrap(), ImportOutcome::Quarantined { .. }));
    hq.trust_device(&laptop.device().unwrap().fingerprint).unwrap();
    (hq, laptop)
}

/// A bundle signed by `laptop` holding a valid op, then `entity.field = value`, numbered after
/// the laptop's own ops.
fn signed_bundle(laptop: &Palabre, entity: Entity, field: &str, value: Value) -> Vec<u8> {
    let device = laptop.device().unwrap();
    let last = laptop.ops().unwrap().iter().map(|o| o.op_seq).max().unwrap();
    let hlc = laptop.ops().unwrap().iter().map(|o| o.hlc.0).max().unwrap();
    let op = |n: i64, entity: Entity, field: &str, value: Value| Op {
        device_id: device.device_id,
        op_seq: last + n,
        hlc: Hlc(hlc + n),
        entity,
        row_id: Uuid::now_v7(),
        field: field.to_string(),
        value,
        prev_hlc: None,
        prev_device: None,
    };
    let ops = vec![
        op(1, Entity::Person, "full_name", json!("Kadiatou Cissé")),
        op(2, entity, field, value),
    ];
    let manifest = Manifest::for_ops(&device, &ops, 2, None, "2026-12-03T10:00:00Z".into());
    bundle::write(&laptop.signing_key().unwrap(), manifest, &ops).0
}

/// Imports a bundle carrying `entity.field = value` and checks it is refused whole, naming the
/// field, with HQ's data untouched.
fn refused(entity: Entity, field: &str, value: Value) {
    let (hq, laptop) = trusted_laptop();
    let before = hq.synced_snapshot().unwrap();
    let ops_before = hq.ops().unwrap().len();
    let bytes = signed_bundle(&laptop, entity, field, value);
    match hq.import_bundle_bytes(&bytes).unwrap() {
        ImportOutcome::Rejected { code, reason } => {
            assert_eq!(code, "bad_op", "{field}: {reason}");
            assert!(reason.contains(&format!("'{field}'")), "the reason names the field: {reason}");
        }
        other => panic!("{field}: a value the forms refuse was accepted: {other:?}"),
    }
    assert_eq!(hq.synced_snapshot().unwrap(), before, "{field}: HQ's data changed");
    assert_eq!(hq.ops().unwrap().len(), ops_before, "{field}: an op was stored");
}

#[test]
fn a_sex_code_the_app_does_not_know_is_refused() {
    refused(Entity::Person, "sex", json!("Q"));
}

#[test]
fn a_birth_year_of_99999_is_refused() {
    refused(Entity::Person, "birth_year", json!(99999));
}

#[test]
fn the_30th_of_february_is_refused() {
    refused(Entity::Session, "start_date", json!("2024-02-30"));
}

#[test]
fn a_session_status_that_does_not_exist_is_refused() {
    refused(Entity::Session, "status", json!("imaginary"));
}

#[test]
fn a_stakeholder_group_that_does_not_exist_is_refused() {
    refused(Entity::Person, "stakeholder_group", json!("martians"));
    refused(Entity::Session, "groups", json!(["womens_groups", "martians"]));
}

#[test]
fn a_100000_character_name_is_refused() {
    refused(Entity::Person, "full_name", json!("A".repeat(100_000)));
}

#[test]
fn an_empty_name_is_refused() {
    refused(Entity::Person, "full_name", json!("   "));
}

#[test]
fn a_phone_that_is_not_a_number_is_refused_without_repeating_it() {
    let (hq, laptop) = trusted_laptop();
    let bytes = signed_bundle(&laptop, Entity::Person, "phone", json!("ask Fatoumata"));
    let ImportOutcome::Rejected { reason, .. } = hq.import_bundle_bytes(&bytes).unwrap() else {
        panic!("accepted");
    };
    assert!(reason.contains("'phone'"), "{reason}");
    assert!(!reason.contains("Fatoumata"), "the refusal repeats what the bundle carried: {reason}");
}

#[test]
fn an_attendance_role_and_a_reference_that_are_not_the_apps_are_refused() {
    refused(Entity::Attendance, "role", json!("king"));
    refused(Entity::Attendance, "person_id", json!("not an id"));
}

#[test]
fn a_plan_status_an_item_status_and_an_overlong_note_are_refused() {
    refused(Entity::Plan, "status", json!("forgotten"));
    refused(Entity::Item, "status", json!("maybe"));
    refused(Entity::Person, "notes", json!("n".repeat(10_001)));
}

#[test]
fn values_the_forms_write_still_travel() {
    let (hq, laptop) = trusted_laptop();
    let bytes = signed_bundle(&laptop, Entity::Person, "birth_year", json!(1990));
    assert!(
        matches!(
            hq.import_bundle_bytes(&bytes).unwrap(),
            ImportOutcome::Applied { new_ops: 2, .. }
        ),
        "a valid bundle built the same way is merged"
    );
}

/// The indicator catalogue is HQ's: a trusted laptop (a modified build) that sends a well-formed
/// change to it, raising a target to make its figures look good, is refused whole, and HQ's
/// catalogue and data are unchanged; a malformed one is refused by the field's rule.
#[test]
fn a_laptop_cannot_redefine_the_logframe() {
    let (hq, laptop) = trusted_laptop();
    let before = hq.synced_snapshot().unwrap();
    let catalogue = hq.indicators().unwrap();
    let bytes = signed_bundle(&laptop, Entity::Indicator, "targets", json!({"2024": 1}));
    match hq.import_bundle_bytes(&bytes).unwrap() {
        ImportOutcome::Rejected { code, reason } => {
            assert_eq!(code, "bad_op", "{reason}");
            assert!(reason.contains("indicator catalogue"), "{reason}");
        }
        other => panic!("a laptop changed the catalogue: {other:?}"),
    }
    assert_eq!(hq.synced_snapshot().unwrap(), before);
    assert_eq!(hq.indicators().unwrap(), catalogue);
    refused(Entity::Indicator, "targets", json!({"2024-Q9": 5}));
    refused(Entity::Indicator, "disaggregations", json!(["sex", "caste"]));
    // A target key the app would never find ("2025-Q03" for 2025-Q3) is refused too.
    refused(Entity::Indicator, "targets", json!({"2025-Q03": 5}));
}
