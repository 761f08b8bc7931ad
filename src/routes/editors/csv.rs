//! Report lists as CSV (RFC 4180, header row), each row encoded as the body is sent, with
//! cells that a spreadsheet would run as a formula defused.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web::Bytes};

/// True when the client asks for CSV in `Accept`.
pub fn wants_csv(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.split(',').any(|t| t.trim().starts_with("text/csv")))
}

/// A cell starting with = + - @ (or a tab or carriage return) is run as a formula by
/// spreadsheets; a leading apostrophe makes it text (OWASP's advice).
fn defuse(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}

fn encode_row(cells: &[String]) -> Bytes {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer
        .write_record(cells.iter().map(|cell| defuse(cell)))
        .expect("writing to memory cannot fail");
    Bytes::from(writer.into_inner().expect("writing to memory cannot fail"))
}

/// A `text/csv` response: the header row, then each row, turned into cells and encoded only
/// when the body reaches it; the records themselves are what the report fetched.
pub fn csv_response<Rows>(filename: &str, header_row: &[&str], rows: Rows) -> HttpResponse
where
    Rows: IntoIterator<Item = Vec<String>>,
    Rows::IntoIter: 'static,
{
    let header_row: Vec<String> = header_row.iter().map(|h| (*h).to_owned()).collect();
    let lines = std::iter::once(header_row)
        .chain(rows)
        .map(|row| Ok::<_, actix_web::Error>(encode_row(&row)));
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .streaming(futures_util::stream::iter(lines))
}

/// Like `csv_response`, for rows that come from the database as it yields them: the header
/// goes out at once, then rows in chunks of what is ready, so memory stays flat however long
/// the file. A failure past the header can only cut the download short (the status is sent).
pub fn csv_stream_response<Rows>(filename: &str, header_row: &[&str], rows: Rows) -> HttpResponse
where
    Rows: futures_util::Stream<Item = Result<Vec<String>, crate::store::StoreError>> + 'static,
{
    use futures_util::StreamExt;
    let header_row: Vec<String> = header_row.iter().map(|h| (*h).to_owned()).collect();
    let header = futures_util::stream::once(async move { Ok(encode_row(&header_row)) });
    let body = rows.ready_chunks(CSV_ROWS_PER_CHUNK).map(|rows| {
        let mut chunk = Vec::new();
        for row in rows {
            let row = row.map_err(|error| {
                tracing::error!(%error, "a CSV report failed while streaming");
                actix_web::error::ErrorServiceUnavailable("the report failed")
            })?;
            chunk.extend_from_slice(&encode_row(&row));
        }
        Ok::<_, actix_web::Error>(Bytes::from(chunk))
    });
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .streaming(header.chain(body))
}

/// Rows gathered into one write when they are ready together (about 30 KB of a ranking).
const CSV_ROWS_PER_CHUNK: usize = 256;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_follows_rfc_4180_and_formulas_are_defused() {
        let row = encode_row(&[
            "plain".into(),
            "with, comma".into(),
            "say \"hi\"".into(),
            "=HYPERLINK(\"x\")".into(),
            "-2+3".into(),
            "@SUM(A1)".into(),
            "line\nbreak".into(),
        ]);
        assert_eq!(
            std::str::from_utf8(&row).unwrap(),
            "plain,\"with, comma\",\"say \"\"hi\"\"\",\"'=HYPERLINK(\"\"x\"\")\",'-2+3,'@SUM(A1),\"line\nbreak\"\r\n"
        );
    }
}
