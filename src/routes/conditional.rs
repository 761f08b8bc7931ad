//! Conditional GETs: an ETag of the body, and 304 when the client's copy is still current.

use actix_web::HttpMessage;
use actix_web::HttpRequest;
use actix_web::http::header::{EntityTag, IfNoneMatch};
use sha2::{Digest, Sha256};

/// Weak, because a compressed and a plain copy share it.
pub fn entity_tag(body: &[u8]) -> EntityTag {
    let digest = Sha256::digest(body);
    EntityTag::new_weak(crate::hex::encode(&digest[..8]))
}

/// Whether the request's `If-None-Match` names `tag` (or `*`).
pub fn client_has(req: &HttpRequest, tag: &EntityTag) -> bool {
    match req.get_header::<IfNoneMatch>() {
        Some(IfNoneMatch::Any) => true,
        Some(IfNoneMatch::Items(tags)) => tags.iter().any(|t| t.weak_eq(tag)),
        None => false,
    }
}
