//! Baseline for read throughput: a bare actix-web handler returning a constant JSON body (the
//! harness passes one of Plaudit's own rating bodies, so the sizes match). No database, no
//! middleware: what the framework alone costs.

use actix_web::{App, HttpResponse, HttpServer, web};

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let bind = std::env::var("BIND").unwrap_or_else(|_| "127.0.0.1:18099".into());
    let body: &'static str = Box::leak(
        std::env::var("BODY")
            .unwrap_or_else(|_| "{}".into())
            .into_boxed_str(),
    );
    HttpServer::new(move || {
        App::new().route(
            "/rating",
            web::get().to(move || async move {
                HttpResponse::Ok()
                    .content_type("application/json")
                    .body(body)
            }),
        )
    })
    .bind(bind)?
    .run()
    .await
}
