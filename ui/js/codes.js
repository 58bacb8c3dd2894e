// The core's stable codes (src/model/codes.rs, docs/DESIGN.md §3), in the forms' order; a test
// (tests/i18n.rs) checks this copy against the core. Their labels come from the i18n files.

export const KINDS = ['dialogue', 'workshop', 'training', 'multi_stakeholder', 'follow_up', 'other'];
export const GROUPS = [
  'womens_groups', 'youth', 'security_actors', 'governance_justice', 'municipal_authorities',
  'traditional_leaders', 'religious_leaders', 'civil_society', 'other',
];
export const SESSION_STATUSES = ['planned', 'held', 'cancelled'];
export const SEXES = ['F', 'M', 'X'];
export const ITEM_STATUSES = ['not_started', 'in_progress', 'done', 'blocked'];
