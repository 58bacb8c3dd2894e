//! Derived data: what the upper layers keep beside the synced rows (a search index, the aliases
//! of merged people…) and must refresh when a row changes, for local and merged writes alike.
//! They implement [`Derived`]; the facade passes the list to the journal, which calls each one
//! for every row it writes, then once at the end of the batch.

use rusqlite::Connection;

use crate::error::Result;
use crate::journal::schema::Entity;

/// One row the journal has just written.
#[derive(Debug, Clone, Copy)]
pub struct RowChange<'a> {
    pub entity: Entity,
    pub row: &'a str,
    /// The fields whose value changed (the ops that won them).
    pub fields: &'a [&'static str],
    /// The row did not exist before this batch wrote it.
    pub arrived: bool,
    /// Arriving, this session or person completed attendance rows that named it before it was
    /// here (their `session_num`/`person_num` are now set).
    pub linked: bool,
}

/// A kind of derived data. Implementations are stateless; per-batch state lives in the
/// [`DerivedBatch`] that `batch` returns.
pub trait Derived: Sync {
    fn batch(&self) -> Box<dyn DerivedBatch + '_>;
}

/// The derived data's view of one batch of writes (one `apply_all`).
pub trait DerivedBatch {
    /// A row was written.
    fn row(&mut self, conn: &Connection, change: &RowChange<'_>) -> Result<()>;
    /// Every row of the batch is written.
    fn finish(&mut self, _conn: &Connection) -> Result<()> {
        Ok(())
    }
}
