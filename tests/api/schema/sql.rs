//! SQL expressions in one form for both dialects, so that the catalogs' texts can be compared.

/// SQL split into tokens: words lowercased, string literals kept as written, comments dropped,
/// quoted identifiers unquoted.
pub(super) fn tokens(sql: &str) -> Vec<String> {
    let chars: Vec<char> = sql.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_whitespace() {
            i += 1;
        } else if c == '-' && chars.get(i + 1) == Some(&'-') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            i += 2;
            while i < chars.len() && !(chars[i - 1] == '*' && chars[i] == '/') {
                i += 1;
            }
            i += 1;
        } else if c == '\'' {
            i += 1;
            // '' inside a literal is a quote, not its end.
            while i < chars.len() {
                if chars[i] == '\'' && chars.get(i + 1) == Some(&'\'') {
                    i += 2;
                } else if chars[i] == '\'' {
                    break;
                } else {
                    i += 1;
                }
            }
            i += 1;
            tokens.push(chars[start..i.min(chars.len())].iter().collect());
        } else if c == '"' || c == '`' {
            i += 1;
            while i < chars.len() && chars[i] != c {
                i += 1;
            }
            tokens.push(
                chars[start + 1..i]
                    .iter()
                    .collect::<String>()
                    .to_lowercase(),
            );
            i += 1;
        } else if c.is_alphanumeric() || c == '_' {
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '.')
            {
                i += 1;
            }
            tokens.push(chars[start..i].iter().collect::<String>().to_lowercase());
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            if [">=", "<=", "<>", "!=", "::", "||"].contains(&two.as_str()) {
                tokens.push(two);
                i += 2;
            } else {
                tokens.push(c.to_string());
                i += 1;
            }
        }
    }
    tokens
}

/// An expression (a CHECK, a default, an index predicate) in the form both catalogs agree on:
/// casts and parentheses dropped, `x BETWEEN a AND b` as `x >= a and x <= b`, PostgreSQL's
/// `x = ANY (ARRAY[...])` as `x in ...`, `!=` as `<>`. Dropping parentheses cannot tell
/// `a and (b or c)` from `(a and b) or c`; no check here is built like that.
pub(super) fn normalise(tokens: Vec<String>) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let token = tokens[i].as_str();
        match token {
            "(" | ")" => i += 1,
            "::" => {
                // A cast: `::text`, `::character varying`, `::double precision`, `::text[]`.
                i += 2;
                if matches!(tokens.get(i - 1).map(String::as_str), Some("character"))
                    && tokens.get(i).is_some_and(|t| t == "varying")
                    || matches!(tokens.get(i - 1).map(String::as_str), Some("double"))
                        && tokens.get(i).is_some_and(|t| t == "precision")
                {
                    i += 1;
                }
                if tokens.get(i).is_some_and(|t| t == "[")
                    && tokens.get(i + 1).is_some_and(|t| t == "]")
                {
                    i += 2;
                }
            }
            "!=" => {
                out.push("<>".into());
                i += 1;
            }
            "=" if tokens.get(i + 1).is_some_and(|t| t == "any") => {
                // `= ANY (ARRAY[a, b])` is PostgreSQL's `IN (a, b)`.
                out.push("in".into());
                i += 2;
            }
            "array" | "[" | "]" => i += 1,
            _ => {
                out.push(token.to_owned());
                i += 1;
            }
        }
    }
    // `x between a and b`, once parentheses are gone, with single-token operands.
    let mut rewritten: Vec<String> = Vec::new();
    let mut i = 0;
    while i < out.len() {
        if out[i] == "between"
            && i > 0
            && out.get(i + 2).is_some_and(|t| t == "and")
            && i + 3 < out.len()
        {
            let subject = rewritten.pop().expect("a token before between");
            rewritten.extend([
                subject.clone(),
                ">=".into(),
                out[i + 1].clone(),
                "and".into(),
                subject,
                "<=".into(),
                out[i + 3].clone(),
            ]);
            i += 4;
        } else {
            rewritten.push(out[i].clone());
            i += 1;
        }
    }
    rewritten.join(" ").replace(" , ", ", ")
}

pub(super) fn normalise_sql(sql: &str) -> String {
    normalise(tokens(sql))
}

#[test]
fn both_catalogs_forms_of_a_check_normalise_alike() {
    let pairs = [
        // As written in migrations/sqlite, and as PostgreSQL's pg_get_constraintdef shows it.
        (
            "stars BETWEEN 1 AND 5",
            "CHECK (((stars >= 1) AND (stars <= 5)))",
        ),
        (
            "scope IN ('read', 'admin')",
            "CHECK ((scope = ANY (ARRAY['read'::text, 'admin'::text])))",
        ),
        (
            "\"vote_count\" >= 0 -- never negative",
            "CHECK ((vote_count >= 0))",
        ),
    ];
    for (sqlite, postgres) in pairs {
        let mut postgres = tokens(postgres);
        postgres.remove(0);
        assert_eq!(normalise(tokens(sqlite)), normalise(postgres), "{sqlite}");
    }
    assert_eq!(
        normalise_sql("scope IN ('read', 'admin')"),
        "scope in 'read', 'admin'"
    );
    assert_ne!(
        normalise_sql("stars BETWEEN 1 AND 5"),
        normalise_sql("stars BETWEEN 1 AND 4")
    );
}
