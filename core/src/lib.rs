//! # narvar-core
//!
//! The sans-IO core of the narvar SDK for Narvar's post-purchase API: models, validation,
//! operations (request building and response reading), the one public error, pure retry and
//! rate decisions, a runtime-free driver, webhook verification and the journey model.
//!
//! It opens no socket, reads no clock and draws no random number: the [`http::Transport`],
//! [`http::Sleep`] and [`http::Entropy`] it needs are passed in.
//!
//! ```
//! use narvar_core::ops::{GetOrder, Operation, RequestContext};
//! use narvar_core::{Credentials, Environment};
//! let endpoints = Environment::Staging.endpoints();
//! let credentials = Credentials::basic("acme", "tok_9f2");
//! let ctx = RequestContext { endpoints: &endpoints, credentials: &credentials, tracer_id: "t-1",
//!     user_agent: "narvar-sdk/0.1.0", now_unix: 0, idempotency_key: None };
//! let req = GetOrder { order_number: "A 1001/x".into() }.to_request(&ctx).unwrap();
//! assert_eq!(req.url, "https://ws-st01.narvar.qa/api/v1/orders/A%201001%2Fx");
//! ```

#![forbid(unsafe_code)]
#![allow(missing_docs)] // models document their fields where the reference says something

#[macro_use]
pub mod macros;

pub mod budget;
pub mod codec;
pub mod config;
pub mod conformance;
pub mod drift;
pub mod driver;
pub mod envelope;
pub mod error;
pub mod export;
pub mod http;
pub mod journey;
pub mod models;
pub mod ops;
pub mod policy;
pub mod schema;
pub mod secret;
pub mod tokens;
pub mod validate;
pub mod values;
pub mod webhooks;

pub use config::{BasicAuth, CredentialProvider, Credentials, Endpoints, Environment, StaticCredentials, TrackingKey};
pub use driver::{CallOptions, Driver, DriverConfig};
pub use error::{ErrorCode, FieldError, NarvarError, Response, ResponseMeta};
pub use ops::{Operation, REGISTRY};
pub use secret::Secret;
pub use values::{Amount, Quantity, ReturnQuantity};
