//! What a delivery's body is: the stored event with links to the article's reports
//! ("standard"), or a message for Slack's incoming webhooks, which Teams and Mattermost also
//! take ("slack").

use serde_json::{Value, json};

/// The body to send for a stored event; `public_url` is prefixed to the links ("" leaves
/// them as paths).
pub fn render(payload: &str, format: &str, public_url: &str) -> Result<Vec<u8>, String> {
    let mut event: Value =
        serde_json::from_str(payload).map_err(|error| format!("stored event: {error}"))?;
    add_links(&mut event, public_url);
    let body = if format == "slack" {
        slack(&event)
    } else {
        event
    };
    serde_json::to_vec(&body).map_err(|error| format!("event body: {error}"))
}

fn add_links(event: &mut Value, public_url: &str) {
    let Some(data) = event.get_mut("data").and_then(Value::as_object_mut) else {
        return;
    };
    let Some(article) = data.get("article_id").and_then(Value::as_str) else {
        return;
    };
    // Article ids are ASCII letters, digits and . _ : - only: nothing to escape in a URL.
    let article = article.to_owned();
    let links = json!({
        "report": format!("{public_url}/v1/reports/articles/{article}"),
        "feedback": format!("{public_url}/v1/reports/feedback?article_id={article}"),
        "article": format!("{public_url}/v1/articles/{article}"),
    });
    data.insert("links".into(), links);
}

/// `{"text": ..., "blocks": [...]}`: the text is the notification's fallback, the block the
/// message as shown.
fn slack(event: &Value) -> Value {
    let data = &event["data"];
    let article = data["article_id"].as_str().unwrap_or("?");
    let report = data["links"]["report"].as_str().unwrap_or_default();
    let text = match event["type"].as_str().unwrap_or_default() {
        "feedback.created" => format!(
            "New reader feedback on {article} ({} stars): {}",
            data["stars"],
            data["text"].as_str().unwrap_or_default()
        ),
        "article.rating_alert" => format!(
            "Rating alert: {article} fell below the threshold ({}): average {}, \
             Wilson lower bound {}, {} votes",
            data["breached"].as_str().unwrap_or_default(),
            data["average"],
            data["wilson_lower_bound"],
            data["vote_count"]
        ),
        "article.reset" => format!(
            "{article} was reset by {}: {} votes and {} feedback entries deleted",
            data["reset_by"].as_str().unwrap_or_default(),
            data["votes_deleted"],
            data["feedback_deleted"]
        ),
        _ => data["message"]
            .as_str()
            .unwrap_or("A message from Plaudit")
            .to_owned(),
    };
    let shown = if report.is_empty() {
        text.clone()
    } else {
        format!("{text}\n<{report}|Open the article's report>")
    };
    json!({
        "text": text,
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": shown}}],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_on_an_article_link_to_its_reports() {
        let stored = r#"{"type":"article.reset","timestamp":"t","data":{"article_id":"a1"}}"#;
        let body: Value =
            serde_json::from_slice(&render(stored, "standard", "https://r.example").unwrap())
                .unwrap();
        assert_eq!(
            body["data"]["links"]["report"],
            "https://r.example/v1/reports/articles/a1"
        );
    }

    #[test]
    fn slack_gets_text_and_blocks() {
        let stored = r#"{"type":"feedback.created","timestamp":"t","data":{"article_id":"a","stars":2,"text":"Too long"}}"#;
        let body: Value = serde_json::from_slice(&render(stored, "slack", "").unwrap()).unwrap();
        assert!(body["text"].as_str().unwrap().contains("Too long"));
        assert_eq!(body["blocks"][0]["type"], "section");
    }
}
