//! A last net under every route: an error response that some other layer (actix-cors, actix's
//! own extractors) wrote as plain text is turned into problem+json, keeping its headers.

use super::{PROBLEM_JSON, problem_body};
use actix_web::body::MessageBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::header;
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};

/// Plain-text bodies longer than this are not echoed as the problem's detail.
const MAX_ECHOED_DETAIL: usize = 300;

pub fn problem_for_every_error<B>() -> ErrorHandlers<B>
where
    B: MessageBody + 'static,
{
    ErrorHandlers::new().default_handler(|res: ServiceResponse<B>| {
        let is_problem = res
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
        if is_problem {
            return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
        }
        let status = res.status();
        let (req, original) = res.into_parts();
        let headers = original.headers().clone();
        Ok(ErrorHandlerResponse::Future(Box::pin(async move {
            let text = actix_web::body::to_bytes(original.into_body())
                .await
                .ok()
                .and_then(|bytes| String::from_utf8(bytes.to_vec()).ok())
                .filter(|text| !text.trim().is_empty() && text.len() <= MAX_ECHOED_DETAIL);
            let reason = status.canonical_reason().unwrap_or("Error");
            let detail = text.unwrap_or_else(|| format!("the request was refused: {reason}"));
            let mut builder = actix_web::HttpResponse::build(status);
            for (name, value) in headers.iter() {
                if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
                    builder.append_header((name.clone(), value.clone()));
                }
            }
            let response = problem_body(&mut builder, status, "urn:plaudit:problem:http", detail);
            Ok(ServiceResponse::new(req, response).map_into_right_body::<B>())
        })))
    })
}
