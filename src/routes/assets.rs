//! Files compiled into the binary (the widget, its demo pages, the API documentation), served
//! gzipped to clients that take it and revalidated by their ETag.

use super::conditional::{client_has, entity_tag};
use actix_web::http::header::{
    self, AcceptEncoding, CacheControl, CacheDirective, ETag, Encoding, EntityTag, Header,
    Preference, Quality,
};
use actix_web::{HttpRequest, HttpResponse, web};
use flate2::Compression;
use flate2::write::GzEncoder;
use std::io::Write;
use std::sync::OnceLock;

/// What the demo pages allow: their own scripts, styles and API, nothing inline. The widget
/// must work under it, since publishers may have a policy as strict.
pub(in crate::routes) const STRICT_CSP: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; \
    style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; \
    frame-ancestors 'none'";

/// Short enough that a fix to the widget reaches every publisher's page within minutes; the
/// ETag makes the revalidation after that cheap.
const MAX_AGE_SECS: u32 = 300;

/// Serves each asset at its path (GET and HEAD), gzipped for clients that accept it, and
/// revalidated by its ETag.
pub(in crate::routes) fn serve_assets(
    cfg: &mut web::ServiceConfig,
    assets: &[(&str, &'static Asset)],
) {
    for &(path, asset) in assets {
        cfg.service(
            super::resource(path)
                .route(super::get().to(move |req: HttpRequest| async move { asset.serve(&req) })),
        );
    }
}

/// A file served as it was at build time.
pub(in crate::routes) struct Asset {
    body: &'static str,
    content_type: &'static str,
    csp: Option<&'static str>,
    etag: OnceLock<EntityTag>,
    gzipped: OnceLock<Vec<u8>>,
}

impl Asset {
    pub(in crate::routes) const fn new(
        body: &'static str,
        content_type: &'static str,
        csp: Option<&'static str>,
    ) -> Self {
        Self {
            body,
            content_type,
            csp,
            etag: OnceLock::new(),
            gzipped: OnceLock::new(),
        }
    }

    /// Compressed once, at gzip's best level: actix's `Compress` uses a fast level, which sent
    /// the widget as 8.5 KB instead of 7.
    fn gzipped(&self) -> &[u8] {
        self.gzipped.get_or_init(|| {
            let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
            // Writing to a Vec cannot fail.
            encoder
                .write_all(self.body.as_bytes())
                .expect("gzip into memory");
            encoder.finish().expect("gzip into memory")
        })
    }

    fn etag(&self) -> &EntityTag {
        self.etag.get_or_init(|| entity_tag(self.body.as_bytes()))
    }

    pub(in crate::routes) fn serve(&'static self, req: &HttpRequest) -> HttpResponse {
        let etag = self.etag();
        let unchanged = client_has(req, etag);
        let mut response = if unchanged {
            HttpResponse::NotModified()
        } else {
            HttpResponse::Ok()
        };
        response
            .insert_header(ETag(etag.clone()))
            .insert_header(CacheControl(vec![
                CacheDirective::Public,
                CacheDirective::MaxAge(MAX_AGE_SECS),
            ]))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            // Lets publishers whose pages require it (COEP: require-corp) load the widget.
            .insert_header(("Cross-Origin-Resource-Policy", "cross-origin"));
        if let Some(csp) = self.csp {
            response.insert_header((header::CONTENT_SECURITY_POLICY, csp));
        }
        // The ETag is weak, so both encodings share it.
        response.insert_header((header::VARY, "Accept-Encoding"));
        if unchanged {
            return response.finish();
        }
        response.content_type(self.content_type);
        if accepts_gzip(req) {
            response
                .insert_header((header::CONTENT_ENCODING, "gzip"))
                .body(self.gzipped())
        } else {
            response.body(self.body)
        }
    }
}

/// Whether to send gzip: the client accepts it (an encoding it does not name gets the q of
/// `*`, RFC 9110), and does not rank the plain file above it.
fn accepts_gzip(req: &HttpRequest) -> bool {
    let Ok(accepted) = AcceptEncoding::parse(req) else {
        return false;
    };
    let quality = |wanted: Preference<Encoding>| {
        accepted
            .iter()
            .find(|item| item.item == wanted)
            .map(|item| item.quality)
    };
    let any = quality(Preference::Any);
    let gzip = quality(Preference::Specific(Encoding::gzip()))
        .or(any)
        .unwrap_or(Quality::ZERO);
    let identity = quality(Preference::Specific(Encoding::identity())).or(any);
    gzip > Quality::ZERO && identity.is_none_or(|identity| gzip >= identity)
}
