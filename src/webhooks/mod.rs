//! Webhooks leave here: the delivery worker (`worker.rs`) takes due events from the outbox
//! (see `crate::store::webhooks`), renders them (`body.rs`), signs them per Standard Webhooks
//! (`signing.rs`, with secrets sealed at rest by `sealing.rs`) and sends them to targets that may be reached (`target.rs`).

mod body;
mod retry;
mod sealing;
mod signing;
pub mod target;
mod worker;

pub use retry::backoff;
pub use sealing::SecretSealer;
pub use signing::{SECRET_PREFIX, new_secret, sign};
pub use worker::{Deliverer, DelivererHandle};
