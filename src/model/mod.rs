//! Domain types and stable codes (docs/DESIGN.md §3), and the validation that turns what a
//! person typed into field changes. Types here know nothing of SQL; `changes()` methods return
//! the (field, value) list that the single write path turns into ops.

pub mod attendance;
pub mod codes;
pub mod fields;
pub mod ids;
pub mod names;
pub mod person;
pub mod plan;
pub mod rules;
pub mod session;

use serde_json::Value;

use crate::error::Invalid;

/// Field changes ready for the oplog, built while validating an input.
#[derive(Debug, Default)]
pub struct Changes(pub Vec<(&'static str, Value)>);

impl Changes {
    pub fn push(&mut self, field: &'static str, value: impl Into<Value>) {
        self.0.push((field, value.into()));
    }

    /// An optional free-text field: `Some("")` clears it, `None` leaves it alone.
    pub fn text(
        &mut self,
        field: &'static str,
        label: &'static str,
        input: &Option<String>,
        max: usize,
    ) -> Result<(), Invalid> {
        if let Some(value) = input {
            self.push(field, fields::text(label, value, max)?);
        }
        Ok(())
    }

    /// A text that must not be empty; required when creating, optional when editing.
    pub fn required(
        &mut self,
        field: &'static str,
        label: &'static str,
        input: &Option<String>,
        creating: bool,
        max: usize,
    ) -> Result<(), Invalid> {
        match input {
            Some(value) => self.push(field, fields::required(label, value, max)?),
            None if creating => return Err(Invalid::Empty { field: label }),
            None => {}
        }
        Ok(())
    }

    /// A stable code: the one given, else `default` when creating.
    pub fn code(
        &mut self,
        field: &'static str,
        given: Option<&'static str>,
        default: &'static str,
        creating: bool,
    ) {
        if let Some(code) = given.or(creating.then_some(default)) {
            self.push(field, code);
        }
    }

    /// Ends a validation. On creation every text field not given gets "" and the row gets its
    /// tombstone field, so a row never depends on column defaults.
    pub fn finish(mut self, creating: bool, text_fields: &[&'static str]) -> Changes {
        if creating {
            for field in text_fields {
                if !self.0.iter().any(|(f, _)| f == field) {
                    self.push(field, "");
                }
            }
            self.push("deleted", false);
        }
        self
    }
}
