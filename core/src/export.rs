//! What a bulk export of orders reports, in every language: each order is exported, missing or
//! failed, and none is dropped without a word. The CLI's `orders export` and the bindings'
//! `orders.export` keep one [`ExportTally`] and end with [`ExportTally::finish`].

use crate::error::{ErrorCode, NarvarError};

/// How many orders shown in an export's error; the rest are counted.
const NAMED: usize = 10;

/// The outcome of each order of an export.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExportTally {
    /// Orders read and written.
    pub exported: usize,
    /// Order numbers Narvar has no order for.
    pub missing: Vec<String>,
    /// Orders that failed otherwise, with their error.
    pub failed: Vec<(String, NarvarError)>,
}

impl ExportTally {
    /// Records one order's outcome.
    pub fn record(&mut self, order_number: &str, outcome: Result<(), &NarvarError>) {
        match outcome {
            Ok(()) => self.exported += 1,
            Err(e) if e.code == ErrorCode::NotFound => self.missing.push(order_number.to_owned()),
            Err(e) => self.failed.push((order_number.to_owned(), e.clone())),
        }
    }

    /// The number exported, or one error naming what was not: `not_found` when every miss is a
    /// missing order, else the code of the first failure.
    ///
    /// ```
    /// use narvar_core::export::ExportTally;
    /// use narvar_core::{ErrorCode, NarvarError};
    /// let mut t = ExportTally::default();
    /// t.record("1001", Ok(()));
    /// t.record("1002", Err(&NarvarError::new(ErrorCode::NotFound, "No order.")));
    /// let e = t.finish().unwrap_err();
    /// assert_eq!(e.code, ErrorCode::NotFound);
    /// assert_eq!(e.message, "1 of 2 orders were not exported: 1002 (not found).");
    /// ```
    pub fn finish(&self) -> Result<usize, NarvarError> {
        let not_exported = self.missing.len() + self.failed.len();
        if not_exported == 0 {
            return Ok(self.exported);
        }
        let mut named: Vec<String> = self.missing.iter().map(|n| format!("{n} (not found)")).collect();
        named.extend(self.failed.iter().map(|(n, e)| format!("{n} ({})", e.code.as_str().replace('_', " "))));
        let more = named.len().saturating_sub(NAMED);
        named.truncate(NAMED);
        let tail = if more > 0 { format!(" and {more} more") } else { String::new() };
        let code = self.failed.first().map_or(ErrorCode::NotFound, |(_, e)| e.code);
        Err(NarvarError::new(
            code,
            format!("{not_exported} of {} orders were not exported: {}{tail}.", self.exported + not_exported, named.join(", ")),
        ))
    }
}
