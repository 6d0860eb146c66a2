//! The embedded sandbox: the fake Narvar in-process on 127.0.0.1, driven directly (no admin
//! HTTP round trips from JavaScript).

use napi::bindgen_prelude::*;
use napi_derive::napi;
use std::time::Duration;

/// How `Sandbox.start()` starts one.
#[napi(object)]
pub struct SandboxOptions {
    pub port: Option<u16>,
    pub seed: Option<f64>,
    /// Requests per 60 s per account (the sandbox answers 429 beyond).
    pub rate_limit: Option<u32>,
}

#[napi]
pub struct NativeSandbox {
    inner: Option<narvar_sandbox::Sandbox>,
}

fn refused(message: impl std::fmt::Display) -> Error {
    Error::new(Status::InvalidArg, message.to_string())
}

#[napi]
impl NativeSandbox {
    /// Starts a sandbox on its own threads (they never keep Node alive).
    #[napi(factory)]
    pub fn start(options: SandboxOptions) -> Result<Self> {
        let config = narvar_sandbox::SandboxConfig {
            port: options.port.unwrap_or(0),
            seed: options.seed.map(|s| s as u64).unwrap_or(7),
            rate_limit: options.rate_limit.map(|n| (n, Duration::from_secs(60))),
            ..Default::default()
        };
        let sandbox = narvar_sandbox::Sandbox::start_in_background(config)
            .map_err(|e| Error::new(Status::GenericFailure, format!("the sandbox cannot start: {e}")))?;
        Ok(NativeSandbox { inner: Some(sandbox) })
    }

    #[napi(getter)]
    pub fn url(&self) -> Result<String> {
        Ok(self.get()?.url().to_owned())
    }

    /// The test accounts and their current credentials, as JSON text.
    #[napi]
    pub fn accounts(&self) -> Result<String> {
        Ok(serde_json::to_string(&self.get()?.accounts()).unwrap_or_default())
    }

    /// Moves the simulated clock forward (at most ten years at a time).
    #[napi]
    pub fn advance(&self, seconds: f64) -> Result<()> {
        let sandbox = self.get()?;
        if !(seconds.is_finite() && (0.0..=3650.0 * 86_400.0).contains(&seconds)) {
            return Err(refused(format!("the clock only moves forward, at most ten years at a time (got {seconds} s)")));
        }
        sandbox.advance(Duration::from_secs_f64(seconds));
        Ok(())
    }

    /// Adds a fault rule (JSON, as `POST /_sandbox/faults` takes one); its id.
    #[napi]
    pub fn add_fault(&self, rule_json: String) -> Result<String> {
        let rule: narvar_sandbox::FaultRule = serde_json::from_str(&rule_json).map_err(|e| refused(format!("fault: {e}")))?;
        self.get()?.add_fault(rule).map_err(refused)
    }

    #[napi]
    pub fn clear_faults(&self) -> Result<()> {
        self.get()?.clear_faults();
        Ok(())
    }

    /// The request log (credentials redacted), as JSON text.
    #[napi]
    pub fn requests(&self) -> Result<String> {
        Ok(serde_json::to_string(&self.get()?.requests()).unwrap_or_default())
    }

    /// Registers a webhook endpoint (JSON, as `POST /_sandbox/webhooks` takes one).
    #[napi]
    pub fn add_webhook(&self, endpoint_json: String) -> Result<String> {
        let endpoint: narvar_sandbox::NewWebhook =
            serde_json::from_str(&endpoint_json).map_err(|e| refused(format!("webhook: {e}")))?;
        let registered = self.get()?.add_webhook(endpoint).map_err(refused)?;
        Ok(serde_json::to_string(&registered).unwrap_or_default())
    }

    /// The events raised so far, as JSON text.
    #[napi]
    pub fn events(&self, topic: Option<String>) -> Result<String> {
        Ok(serde_json::to_string(&self.get()?.events(topic.as_deref())).unwrap_or_default())
    }

    #[napi]
    pub fn reset(&self) -> Result<()> {
        self.get()?.reset();
        Ok(())
    }

    /// The token admin requests carry in `x-sandbox-admin-token`.
    #[napi(getter)]
    pub fn admin_token(&self) -> Result<String> {
        Ok(self.get()?.admin_token().to_owned())
    }

    /// Stops serving; idempotent.
    #[napi]
    pub fn stop(&mut self) {
        if let Some(mut sandbox) = self.inner.take() {
            sandbox.stop();
        }
    }
}

impl NativeSandbox {
    fn get(&self) -> Result<&narvar_sandbox::Sandbox> {
        self.inner.as_ref().ok_or_else(|| Error::new(Status::GenericFailure, "the sandbox was stopped"))
    }
}
