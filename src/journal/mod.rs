//! The journal: Palabre's ground floor. Every change to synced data is an *op* (one field of one
//! row, stamped by a hybrid logical clock); local edits are written by `OpWriter`, other devices'
//! ops are merged by `merge`, and both reach the tables only through `apply_all` (last writer
//! wins per field, against the row's field clocks). The allow-list of synced entities and fields
//! is here too (`schema`).
//!
//! The journal imports only the model, the errors and the store. Data derived from synced rows —
//! the search index, the aliases of merged people, anything later — is kept up to date through
//! [`Derived`], which upper modules implement and the facade hands to the journal; the journal
//! never names them. See docs/DESIGN.md §4.

pub mod clock;
pub mod derived;
pub mod erasure;
pub mod hlc;
pub mod oplog;
pub mod schema;

pub use derived::{Derived, DerivedBatch, RowChange};
