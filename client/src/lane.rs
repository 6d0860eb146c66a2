//! Where a binding's synchronous calls run: a current-thread tokio runtime of the calling thread.
//! With the client's per-thread connections ([`crate::ClientBuilder::connections_per_thread`]),
//! every step of a request happens on the thread that asked, with no hand-off to an I/O thread
//! and back (the Python binding's sync calls and the mobile binding's `*Blocking` calls).
//!
//! `generation` is a number the caller changes when the runtimes of earlier threads must be
//! forgotten rather than dropped: in a forked child, its parent's threads do not exist. A caller
//! that never forks passes 0.
//!
//! ```no_run
//! # fn demo(client: narvar::Client) -> Result<(), String> {
//! narvar::lane::drop_retired(0);
//! let order = narvar::lane::with_lane(0, |rt| rt.block_on(client.orders().get("1001")))?;
//! # Ok(()) }
//! ```

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use tokio::runtime::Runtime;

/// A thread's runtime and the fork generation it was made in.
struct Lane {
    generation: u64,
    runtime: Option<Runtime>,
}

impl Drop for Lane {
    /// Runs as its thread exits, when tokio's own thread-locals may already be gone, so the
    /// runtime is not dropped here but handed to a live thread (see [`drop_retired`]).
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            RETIRED.lock().unwrap_or_else(|p| p.into_inner()).push((self.generation, rt));
            ANY_RETIRED.store(true, Ordering::Release);
        }
    }
}

/// Runtimes of threads that have exited, waiting to be dropped.
static RETIRED: Mutex<Vec<(u64, Runtime)>> = Mutex::new(Vec::new());
/// Whether `RETIRED` may hold any (read on every call, so no lock then).
static ANY_RETIRED: AtomicBool = AtomicBool::new(false);

thread_local! {
    static LANE: RefCell<Option<Lane>> = const { RefCell::new(None) };
}

/// Drops the runtimes of threads that have exited, which closes their connections. A forked
/// child forgets its parent's instead: their threads do not exist in it.
pub fn drop_retired(generation: u64) {
    if !ANY_RETIRED.swap(false, Ordering::AcqRel) {
        return;
    }
    let retired = std::mem::take(&mut *RETIRED.lock().unwrap_or_else(|p| p.into_inner()));
    for (g, rt) in retired {
        if g == generation {
            drop(rt);
        } else {
            std::mem::forget(rt);
        }
    }
}

/// Runs `f` with this thread's runtime, made on first use, and made anew in a forked child
/// (whose inherited one belongs to the parent and is forgotten, never dropped).
pub fn with_lane<R>(generation: u64, f: impl FnOnce(&Runtime) -> R) -> Result<R, String> {
    LANE.with(|cell| {
        let mut slot = cell.try_borrow_mut().map_err(|_| "a call is already running on this thread".to_owned())?;
        let current = match slot.as_ref() {
            Some(lane) if lane.generation == generation => lane.runtime.as_ref(),
            _ => None,
        };
        if let Some(rt) = current {
            return Ok(f(rt));
        }
        if let Some(mut stale) = slot.take() {
            std::mem::forget(stale.runtime.take());
        }
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
        let lane = slot.insert(Lane { generation, runtime: Some(rt) });
        match lane.runtime.as_ref() {
            Some(rt) => Ok(f(rt)),
            None => Err("no runtime".to_owned()),
        }
    })
}

/// Lets the tasks a request dropped half-way woke (its connection closing) run now. A lane's
/// runtime runs only while a call does, so without this a cancelled, interrupted or timed-out
/// request's socket would stay open until this thread's next call. For the error path only.
pub fn settle(rt: &Runtime) {
    rt.block_on(async {
        for _ in 0..4 {
            tokio::task::yield_now().await;
        }
    });
}
