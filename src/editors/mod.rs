//! Editors' side of Plaudit: key authentication, and the reports they read.

mod auth;
mod csv;
pub mod reports;

pub use auth::{AdminKey, ReadKey};
pub use csv::{csv_response, wants_csv};
