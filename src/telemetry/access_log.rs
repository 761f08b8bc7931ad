//! The access log: one line per request, written by hand in the same shape as the general
//! formatter's lines (text or JSON), straight to the log thread's queue.
//!
//! Why by hand: counted with callgrind (`LOG=info bench/instructions.sh`), a rating read cost
//! 53,000 instructions with the access log off and 80,000 with it on, 12,000 of them in the
//! general formatter's event path (a visitor per field, escaping writers, colour codes that
//! are not even printed, a look-up of the request's span). A line of known shape needs none of
//! that. Lines that are not the access line still go through tracing; so does this one where
//! the fast path is not installed (a terminal with colours, or the tests' in-process apps).

use std::cell::RefCell;
use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::OnceLock;
use std::time::SystemTime;
use tracing_appender::non_blocking::NonBlocking;

/// The target the access line is filtered by: `PLAUDIT_LOG=info,plaudit::access=off` turns
/// the access log off and keeps the rest.
pub const TARGET: &str = "plaudit::access";

/// Where access lines go once `init` has installed the log thread.
static OUTPUT: OnceLock<Output> = OnceLock::new();

struct Output {
    queue: NonBlocking,
    json: bool,
}

/// Each worker thread's buffer, kept between requests, and its own handle on the queue
/// (cloned once per thread rather than once per line).
struct Writer {
    line: String,
    queue: Option<NonBlocking>,
}

thread_local! {
    static WRITER: RefCell<Writer> = const {
        RefCell::new(Writer {
            line: String::new(),
            queue: None,
        })
    };
}

pub(super) fn install(queue: NonBlocking, json: bool) {
    let _ = OUTPUT.set(Output { queue, json });
}

/// One finished request, as logged.
pub struct Finished<'a> {
    pub method: &'a str,
    pub request_id: &'a str,
    pub path: &'a str,
    pub status: u16,
    pub latency_ms: f64,
}

/// Writes the line if the access log is on; false if the fast path is not installed, so that
/// the caller logs through tracing instead.
pub fn write(finished: &Finished<'_>) -> bool {
    let Some(output) = OUTPUT.get() else {
        return false;
    };
    if !tracing::enabled!(target: TARGET, tracing::Level::INFO) {
        return true;
    }
    WRITER.with_borrow_mut(|writer| {
        let Writer { line, queue } = writer;
        line.clear();
        if output.json {
            json_line(line, finished);
        } else {
            text_line(line, finished);
        }
        line.push('\n');
        let queue = queue.get_or_insert_with(|| output.queue.clone());
        // The queue is not lossy and takes the whole line as one message; an error here
        // means the log thread is gone (shutdown), and there is nowhere left to say so.
        let _ = queue.write_all(line.as_bytes());
    });
    true
}

/// `2026-12-02T09:32:45.123456Z  INFO request{method=GET request_id=…}: plaudit::access:
/// request finished path=/v1/… status=200 latency_ms=0.12`, as tracing's text format has it.
fn text_line(line: &mut String, f: &Finished<'_>) {
    let now = humantime::format_rfc3339_micros(SystemTime::now());
    let _ = write!(line, "{now}  INFO request{{method={} request_id=", f.method);
    push_visible(line, f.request_id);
    let _ = write!(line, "}}: {TARGET}: request finished path=");
    push_visible(line, f.path);
    let _ = write!(line, " status={} latency_ms={:.2}", f.status, f.latency_ms);
}

/// The same line as tracing's JSON format writes it, keys in the same places.
fn json_line(line: &mut String, f: &Finished<'_>) {
    let now = humantime::format_rfc3339_micros(SystemTime::now());
    let span =
        serde_json::json!({"method": f.method, "request_id": f.request_id, "name": "request"});
    let value = serde_json::json!({
        "timestamp": now.to_string(),
        "level": "INFO",
        "fields": {
            "message": "request finished",
            "path": f.path,
            "status": f.status,
            "latency_ms": format!("{:.2}", f.latency_ms),
        },
        "target": TARGET,
        "span": span,
        "spans": [span],
    });
    let _ = write!(line, "{value}");
}

/// Text as is, but control characters escaped: a path or id must not be able to forge a
/// second line or send a terminal escape (the general formatter escapes them too).
fn push_visible(line: &mut String, text: &str) {
    if text.chars().any(char::is_control) {
        line.extend(text.chars().flat_map(char::escape_default));
    } else {
        line.push_str(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finished(path: &str) -> Finished<'_> {
        Finished {
            method: "GET",
            request_id: "r-1",
            path,
            status: 200,
            latency_ms: 0.123,
        }
    }

    #[test]
    fn the_text_line_has_the_general_formatters_shape() {
        let mut line = String::new();
        text_line(&mut line, &finished("/v1/articles/a1/rating"));
        let (time, rest) = line.split_once("  ").unwrap();
        assert!(humantime::parse_rfc3339(time).is_ok(), "{time}");
        assert_eq!(
            rest,
            "INFO request{method=GET request_id=r-1}: plaudit::access: request finished \
             path=/v1/articles/a1/rating status=200 latency_ms=0.12"
        );
    }

    #[test]
    fn control_characters_cannot_start_a_line_of_their_own() {
        let mut line = String::new();
        text_line(
            &mut line,
            &finished("/a\n2026-01-01T00:00:00Z  ERROR forged\u{1b}[31m"),
        );
        assert!(!line.contains('\n') && !line.contains('\u{1b}'), "{line}");
        assert!(line.contains(r"/a\n2026"), "{line}");
    }

    #[test]
    fn the_json_line_is_one_object_with_the_span_and_fields() {
        let mut line = String::new();
        json_line(&mut line, &finished("/v1/\"quoted\"\n"));
        let value: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(value["fields"]["path"], "/v1/\"quoted\"\n");
        assert_eq!(value["fields"]["status"], 200);
        assert_eq!(value["fields"]["latency_ms"], "0.12");
        assert_eq!(value["span"]["request_id"], "r-1");
        assert_eq!(value["target"], TARGET);
        assert!(!line.contains('\n'));
    }
}
