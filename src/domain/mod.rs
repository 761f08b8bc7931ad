//! Values that cannot hold invalid data: once a handler holds one, nobody checks it again.

mod api_key;
mod article_id;
mod feedback_status;
mod feedback_text;
mod revision;
mod session_token;
mod stars;
mod voter;

pub use api_key::{ApiKey, Scope};
pub use article_id::ArticleId;
pub use feedback_status::FeedbackStatus;
pub use feedback_text::FeedbackText;
pub use revision::Revision;
pub use session_token::SessionToken;
pub use stars::Stars;
pub use voter::{VoterHash, VoterId, VoterKey};
