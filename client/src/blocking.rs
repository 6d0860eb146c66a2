//! The whole API, synchronous: each call runs on a private tokio runtime.
//!
//! ```no_run
//! let client = narvar::blocking::Client::new(narvar::Client::builder().base_url("http://127.0.0.1:8080").basic_auth("acme", "tok_test_acme"))?;
//! let order = client.orders().get("1001")?;
//! # Ok::<(), narvar::NarvarError>(())
//! ```

use crate::{ClientBuilder, NarvarError, Result};
use std::future::Future;
use std::sync::Arc;

/// A synchronous client.
#[derive(Clone)]
pub struct Client {
    inner: crate::Client,
    runtime: Arc<tokio::runtime::Runtime>,
}

impl Client {
    /// Builds the client and its runtime.
    pub fn new(builder: ClientBuilder) -> Result<Client> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .thread_name("narvar-blocking")
            .build()
            .map_err(|e| NarvarError::new(crate::ErrorCode::Configuration, format!("The client's runtime cannot start: {e}.")))?;
        // reqwest's pool belongs to the runtime that first used it: build inside ours.
        let inner = {
            let _guard = runtime.enter();
            builder.build()?
        };
        Ok(Client { inner, runtime: Arc::new(runtime) })
    }

    /// From `NARVAR_*` environment variables.
    pub fn from_env() -> Result<Client> {
        Client::new(ClientBuilder::from_env()?)
    }

    /// The async client underneath.
    pub fn inner(&self) -> &crate::Client {
        &self.inner
    }

    /// Runs a future to completion on the client's runtime. Called from inside another tokio
    /// runtime, it runs on a scoped thread instead of panicking.
    pub fn block<T: Send>(&self, f: impl Future<Output = T> + Send) -> T {
        if tokio::runtime::Handle::try_current().is_ok() {
            std::thread::scope(|s| s.spawn(|| self.runtime.block_on(f)).join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
        } else {
            self.runtime.block_on(f)
        }
    }

    /// Runs any operation.
    pub fn execute<O: narvar_core::Operation>(&self, op: O) -> Result<crate::Response<O::Output>> {
        self.block(self.inner.execute(op))
    }

    /// The journey of an order.
    pub fn journey(&self, order_number: &str) -> Result<narvar_core::journey::Journey> {
        self.block(self.inner.journey(order_number))
    }
}
