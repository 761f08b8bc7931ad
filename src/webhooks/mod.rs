//! Webhooks leave here: the delivery worker (`worker.rs`) takes due events from the outbox
//! (see `crate::store::webhooks`), renders them (`body.rs`), signs them per Standard Webhooks
//! (`signing.rs`) and sends them to targets that may be reached (`target.rs`).

mod body;
mod signing;
pub mod target;
mod worker;

pub use signing::{SECRET_PREFIX, sign};
pub use worker::{Deliverer, DelivererHandle, backoff};
