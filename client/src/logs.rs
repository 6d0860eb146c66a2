//! Hands the client's log events to a host language's logging: what a binding installs so that
//! Python's `logging` or Node's warnings hear, for example, that a shared rate budget's Redis went
//! away. Only the `narvar` target's INFO, WARN and ERROR events pass; spans are not kept.

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
pub use tracing::Level;
use tracing::{Event, Metadata, Subscriber};

/// Installs, once per process (for this library's copy of `tracing`), a subscriber that gives
/// each INFO, WARN or ERROR event of the `narvar` target to `forward`, as one line: the message,
/// then its fields as `key=value`. Returns `false` when a subscriber was already installed
/// (a Rust program with its own keeps it).
///
/// ```
/// narvar::logs::forward_to(|level, line| eprintln!("{level}: {line}"));
/// ```
pub fn forward_to(forward: impl Fn(Level, String) + Send + Sync + 'static) -> bool {
    tracing::subscriber::set_global_default(Forwarder(Box::new(forward))).is_ok()
}

type Forward = Box<dyn Fn(Level, String) + Send + Sync>;

struct Forwarder(Forward);

impl Subscriber for Forwarder {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.is_event() && *metadata.level() <= Level::INFO && metadata.target().starts_with("narvar")
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut line = Line::default();
        event.record(&mut line);
        (self.0)(*event.metadata().level(), line.message + &line.fields)
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

/// An event as one line: the message, then ` key=value` for each field.
#[derive(Default)]
struct Line {
    message: String,
    fields: String,
}

impl Visit for Line {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        use std::fmt::Write as _;
        let _ = match field.name() {
            "message" => write!(self.message, "{value:?}"),
            name => write!(self.fields, " {name}={value:?}"),
        };
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.record_debug(field, &format_args!("{value}"));
    }
}
