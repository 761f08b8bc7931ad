//! Values that cannot hold invalid data: once a handler holds one, nobody checks it again.

mod article_id;
mod stars;
mod voter;

pub use article_id::ArticleId;
pub use stars::Stars;
pub use voter::{VoterHash, VoterId, VoterKey};
