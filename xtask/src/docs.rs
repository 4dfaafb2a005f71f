//! Reading Paynet's GitBook pages: parameter tables, examples, service URLs.
//!
//! The pages are exported GitBook Markdown with its quirks: `{% tab %}`
//! wrappers, `**bold**` names, escaped underscores (`xact\_id`, and
//! `capture\\_reversal` inside links), `&#x20;` entities, type notes such as
//! `string (100)`, table rows that are really tab markers (`| {% endtab %} |`),
//! comma-less JSON in examples, and page chrome (an "Agent Instructions"
//! block) appended after the API content. After `{% endtabs %}` only a
//! service URL table (`Sistem | URL`) is read, up to the first rule or
//! heading: the rest is chrome.
//!
//! Tables may nest: a row named `Data[]` with no type starts an array of
//! objects whose fields are the rows after it that start with `=>`; a row
//! without a name inside such a run belongs to it too. A `Zorunlu` of
//! `Evet*` marks a field of an at-least-one-of group (the page's footnote
//! names the group).
//!
//! A table of fields after the tabs (before the page chrome) documents what
//! Paynet sends to the merchant: the refund page's "succeedUrl Adresine
//! Post Edilen Parametreler", the JSON Paynet posts to `succeedUrl`. It is
//! read as the page's callback table.

/// A cleaned cell: no bold markers, no escapes, no entities.
pub fn clean(cell: &str) -> String {
    cell.replace("&#x20;", " ")
        .replace("**", "")
        .replace("\\\\_", "_")
        .replace("\\_", "_")
        .replace("\\*", "*")
        .replace("\\[", "[")
        .replace("\\]", "]")
        .trim()
        .to_string()
}

/// A documented type, as the table's `Tip` column gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocType {
    /// The base name, lower case: string, int, decimal, float, bool, char, datetime.
    pub name: String,
    /// The length in `string (100)`.
    pub length: Option<u64>,
}

impl DocType {
    /// Parses `string`, `string (100)`, `char(3)`.
    pub fn parse(text: &str) -> DocType {
        let text = clean(text).to_ascii_lowercase();
        match text.split_once('(') {
            Some((name, rest)) => DocType {
                name: name.trim().to_string(),
                length: rest.trim_end_matches(')').trim().parse().ok(),
            },
            None => DocType {
                name: text.trim().to_string(),
                length: None,
            },
        }
    }
}

impl std::fmt::Display for DocType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.length {
            Some(n) => write!(f, "{} ({n})", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// One row of a parameter table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The field name, cleaned.
    pub name: String,
    /// The documented type.
    pub doc_type: DocType,
    /// The `Zorunlu` column, where the table has one (`Evet` → true;
    /// `Evet*` → false, with `one_of`).
    pub required: Option<bool>,
    /// `Evet*`: at least one field of the table's group must be sent.
    pub one_of: bool,
    /// The array row (`Data` for `Data[]`) whose items hold this field, for
    /// a `=>` row (and a nameless row among them); `None` at the top.
    pub parent: Option<String>,
    /// 1-based line in the page.
    pub line: usize,
}

/// A JSON example of a tab.
#[derive(Debug, Clone)]
pub struct Example {
    /// 1-based line of the example's first line.
    pub line: usize,
    /// The parsed example.
    pub value: serde_json::Value,
    /// True when the text was not valid JSON and commas had to be added.
    pub repaired: bool,
}

/// A URL the page names, with its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageUrl {
    /// The URL, unescaped.
    pub url: String,
    /// 1-based line.
    pub line: usize,
}

/// Everything read from one GitBook page.
#[derive(Debug, Default)]
pub struct Page {
    /// The URL in the page's first hint block (the service URL).
    pub url: Option<PageUrl>,
    /// `İstek Parametreleri`.
    pub request: Vec<Field>,
    /// `Dönüş Parametreleri`.
    pub response: Vec<Field>,
    /// The `Request` tab's example.
    pub example_request: Option<Example>,
    /// The `Response` tab's example.
    pub example_response: Option<Example>,
    /// `Canlı Sistem` in the service URL table.
    pub live_url: Option<PageUrl>,
    /// `Test Sistemi` in the service URL table.
    pub test_url: Option<PageUrl>,
    /// A parameter table after the tabs: what Paynet posts to the merchant
    /// (a callback's body).
    pub callback: Vec<Field>,
    /// Problems reading the page itself (an example that cannot be repaired).
    pub problems: Vec<(usize, String)>,
}

impl Page {
    /// True when the page has parameter tables at all.
    pub fn has_tables(&self) -> bool {
        !self.request.is_empty() || !self.response.is_empty() || !self.callback.is_empty()
    }
}

fn cells(line: &str) -> Option<Vec<String>> {
    let t = line.trim();
    if !t.starts_with('|') {
        return None;
    }
    let inner = t.trim_start_matches('|').trim_end_matches('|');
    Some(inner.split('|').map(clean).collect())
}

fn is_separator(cells: &[String]) -> bool {
    cells
        .iter()
        .all(|c| !c.is_empty() && c.chars().all(|ch| ch == '-' || ch == ':'))
}

/// True for the header row of a parameter table (`Parametre İsmi | Tip`).
fn is_field_header(line: &str) -> bool {
    cells(line).is_some_and(|row| {
        let has = |name: &str| row.iter().any(|h| h.eq_ignore_ascii_case(name));
        has("Parametre İsmi") && has("Tip")
    })
}

/// Reads a parameter table starting at line index `start`: the header row,
/// the separator, then rows until the table ends. Rows whose first cell is a
/// tab marker (`{% endtab %}`) or empty are not fields.
fn table(lines: &[&str], start: usize) -> Vec<Field> {
    let mut fields = Vec::new();
    let Some(header) = lines.get(start).and_then(|l| cells(l)) else {
        return fields;
    };
    let column = |name: &str| header.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (Some(name_col), Some(type_col)) = (column("Parametre İsmi"), column("Tip")) else {
        return fields;
    };
    let required_col = column("Zorunlu");
    // The array whose `=>` rows are being read, and whether the last row
    // was one of them.
    let mut array: Option<String> = None;
    let mut last_nested = false;
    for (index, line) in lines.iter().enumerate().skip(start + 1) {
        let Some(row) = cells(line) else { break };
        if is_separator(&row) {
            continue;
        }
        let raw = row.get(name_col).cloned().unwrap_or_default();
        let type_text = row.get(type_col).map(String::as_str).unwrap_or("");
        if raw.starts_with("{%") || (raw.is_empty() && type_text.is_empty()) {
            continue;
        }
        let (name, nested) = match raw.strip_prefix("=>") {
            Some(rest) => (rest.trim().to_string(), true),
            None if raw.is_empty() => (raw, last_nested),
            None => (raw, false),
        };
        let required_cell = required_col.and_then(|c| row.get(c));
        let one_of = required_cell.is_some_and(|v| v.eq_ignore_ascii_case("evet*"));
        let required = required_cell.map(|v| v.eq_ignore_ascii_case("evet"));
        let parent = if nested { array.clone() } else { None };
        last_nested = nested;
        if let Some(items) = name.strip_suffix("[]")
            && type_text.is_empty()
        {
            array = Some(items.to_string());
            fields.push(Field {
                name: items.to_string(),
                doc_type: DocType {
                    name: "array".into(),
                    length: None,
                },
                required,
                one_of,
                parent,
                line: index + 1,
            });
            continue;
        }
        fields.push(Field {
            name,
            doc_type: DocType::parse(type_text),
            required,
            one_of,
            parent,
            line: index + 1,
        });
    }
    fields
}

/// Adds the commas the vendor's examples leave out between members:
/// a line that ends a value, followed by a line that starts a member.
pub fn repair_json(text: &str) -> String {
    let quoted: Vec<String> = text.lines().map(quote_bare_key).collect();
    let lines: Vec<&str> = quoted.iter().map(String::as_str).collect();
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        out.push_str(line);
        let trimmed = line.trim_end();
        let next = lines[i + 1..]
            .iter()
            .map(|l| l.trim())
            .find(|l| !l.is_empty());
        let ends_value = !trimmed.is_empty()
            && !trimmed.ends_with(',')
            && !trimmed.ends_with('{')
            && !trimmed.ends_with('[')
            && !trimmed.ends_with(':');
        if ends_value && next.is_some_and(|n| n.starts_with('"')) {
            out.push(',');
        }
        out.push('\n');
    }
    out
}

/// Quotes a member name the vendor left bare (`   xact_id:"x"` →
/// `   "xact_id":"x"`).
fn quote_bare_key(line: &str) -> String {
    let body = line.trim_start();
    let indent = &line[..line.len() - body.len()];
    let key_len = body
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(body.len());
    let (key, rest) = body.split_at(key_len);
    let starts_like_a_key = key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
    if starts_like_a_key
        && rest.trim_start().starts_with(':')
        && !matches!(key, "true" | "false" | "null")
    {
        format!("{indent}\"{key}\"{rest}")
    } else {
        line.to_string()
    }
}

fn example(
    lines: &[&str],
    tab_line: usize,
    problems: &mut Vec<(usize, String)>,
) -> Option<Example> {
    let open = (tab_line..lines.len()).find(|&i| lines[i].trim().starts_with("```"))?;
    let close = (open + 1..lines.len()).find(|&i| lines[i].trim().starts_with("```"))?;
    let text = lines[open + 1..close].join("\n");
    match serde_json::from_str(&text) {
        Ok(value) => Some(Example {
            line: open + 2,
            value,
            repaired: false,
        }),
        Err(first) => match serde_json::from_str(&repair_json(&text)) {
            Ok(value) => Some(Example {
                line: open + 2,
                value,
                repaired: true,
            }),
            Err(_) => {
                problems.push((
                    open + 2 + first.line().saturating_sub(1),
                    format!("the example is not JSON and commas do not repair it: {first}"),
                ));
                None
            }
        },
    }
}

fn url_in(line: &str) -> Option<String> {
    let start = line.find("<http")?;
    let end = line[start..].find('>')?;
    Some(clean(&line[start + 1..start + end]))
}

/// Reads one row of a service URL table (`Canlı Sistem` or `Test Sistemi`).
fn service_row(page: &mut Page, line: &str, index: usize) {
    if let Some(row) = cells(line)
        && let Some(url) = url_in(line)
    {
        let name = row.first().map(String::as_str).unwrap_or("");
        if name.contains("Canlı") {
            page.live_url = Some(PageUrl {
                url,
                line: index + 1,
            });
        } else if name.contains("Test") {
            page.test_url = Some(PageUrl {
                url,
                line: index + 1,
            });
        }
    }
}

/// Reads a page.
pub fn parse(markdown: &str) -> Page {
    let all: Vec<&str> = markdown.lines().collect();
    // Page chrome follows the tabs: read nothing after `{% endtabs %}`.
    let end = all
        .iter()
        .position(|l| l.contains("{% endtabs %}"))
        .map(|i| i + 1)
        .unwrap_or(all.len());
    let lines = &all[..end];
    let mut page = Page::default();
    // A service URL table, and a callback table, may follow the tabs,
    // before the chrome.
    let mut index = end;
    while index < all.len() {
        let line = all[index];
        let trimmed = line.trim();
        if trimmed == "---" || trimmed.starts_with("# ") {
            break;
        }
        if page.callback.is_empty() && is_field_header(line) {
            page.callback = table(&all, index);
            while index + 1 < all.len() && cells(all[index + 1]).is_some() {
                index += 1;
            }
        } else {
            service_row(&mut page, line, index);
        }
        index += 1;
    }
    let mut tab: Option<String> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        if let Some(rest) = line.strip_prefix("{% tab title=\"") {
            tab = rest.split('"').next().map(str::to_string);
        } else if page.url.is_none()
            && tab.is_none()
            && let Some(url) = url_in(line)
        {
            page.url = Some(PageUrl { url, line: i + 1 });
        }
        match tab.as_deref() {
            Some("İstek Parametreleri") if page.request.is_empty() && cells(line).is_some() => {
                page.request = table(lines, i);
            }
            Some("Dönüş Parametreleri") if page.response.is_empty() && cells(line).is_some() => {
                page.response = table(lines, i);
            }
            Some("Request" | "Örnek İstek")
                if page.example_request.is_none() && line.starts_with("```") =>
            {
                page.example_request = example(lines, i, &mut page.problems);
            }
            Some("Response" | "Örnek Dönüş")
                if page.example_response.is_none() && line.starts_with("```") =>
            {
                page.example_response = example(lines, i, &mut page.problems);
            }
            Some("Service Url") => service_row(&mut page, lines[i], i),
            _ => {}
        }
        // A table or example was read from here; skip to its end.
        if matches!(
            tab.as_deref(),
            Some("İstek Parametreleri" | "Dönüş Parametreleri")
        ) && cells(line).is_some()
        {
            while i + 1 < lines.len() && cells(lines[i + 1]).is_some() {
                i += 1;
            }
        }
        if line.contains("{% endtab %}") {
            tab = None;
        }
        i += 1;
    }
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_lose_bold_escapes_and_entities() {
        assert_eq!(clean(" **xact\\_id** "), "xact_id");
        assert_eq!(clean("&#x20;Ön otorizasyon"), "Ön otorizasyon");
        assert_eq!(clean("capture\\\\_reversal"), "capture_reversal");
    }

    #[test]
    fn type_notes_give_name_and_length() {
        assert_eq!(
            DocType::parse("string (100)"),
            DocType {
                name: "string".into(),
                length: Some(100)
            }
        );
        assert_eq!(
            DocType::parse("char(3)"),
            DocType {
                name: "char".into(),
                length: Some(3)
            }
        );
        assert_eq!(
            DocType::parse(" Decimal "),
            DocType {
                name: "decimal".into(),
                length: None
            }
        );
        assert_eq!(DocType::parse("string (100)").to_string(), "string (100)");
    }

    #[test]
    fn tables_inside_tabs_skip_tab_marker_rows() {
        let page = parse(
            "{% tabs %}\n{% tab title=\"İstek Parametreleri\" %}\n\n| Parametre İsmi | Tip | Zorunlu | Açıklama |\n| --- | --- | --- | --- |\n| **xact\\_id** | string (100) | Evet | id |\n| **note** | string | Hayır | x |\n| {% endtab %} | | | |\n\n{% tab title=\"Dönüş Parametreleri\" %}\n\n| Parametre İsmi | Tip | Açıklama |\n| --- | --- | --- |\n| **code** | string | c |\n| {% endtab %} | | |\n{% endtabs %}\n",
        );
        assert_eq!(page.request.len(), 2);
        assert_eq!(page.request[0].name, "xact_id");
        assert_eq!(page.request[0].doc_type.length, Some(100));
        assert_eq!(page.request[0].required, Some(true));
        assert_eq!(page.request[0].line, 6);
        assert_eq!(page.request[1].required, Some(false));
        assert_eq!(page.response.len(), 1);
        assert_eq!(page.response[0].required, None);
        assert_eq!(page.response[0].line, 14);
    }

    #[test]
    fn nested_rows_nameless_rows_and_at_least_one_of_marks_are_read() {
        let page = parse(
            "{% tabs %}\n{% tab title=\"İstek Parametreleri\" %}\n\n| Parametre İsmi | Tip | Zorunlu | Açıklama |\n| --- | --- | --- | --- |\n| **xact\\_id** | string | Evet\\* | a |\n| **reference\\_no** | string | Evet\\* | b |\n| {% endtab %} | | | |\n\n{% tab title=\"Dönüş Parametreleri\" %}\n\n| Parametre İsmi | Tip | Açıklama |\n| --- | --- | --- |\n| **Data\\[]** | | |\n| =>id | string | i |\n| | string | e-mail |\n| =>phone | string | p |\n| message | string | m |\n| {% endtab %} | | |\n{% endtabs %}\n\n| Sistem | URL |\n| --- | --- |\n| Canlı Sistem | <https://api.example/v1/c> |\n\n---\n| Sistem | URL |\n| Test Sistemi | <https://chrome.example/x> |\n",
        );
        assert_eq!(page.request.len(), 2);
        assert!(
            page.request
                .iter()
                .all(|f| f.one_of && f.required == Some(false))
        );
        let rows: Vec<(&str, &str, Option<&str>)> = page
            .response
            .iter()
            .map(|f| {
                (
                    f.name.as_str(),
                    f.doc_type.name.as_str(),
                    f.parent.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("Data", "array", None),
                ("id", "string", Some("Data")),
                ("", "string", Some("Data")),
                ("phone", "string", Some("Data")),
                ("message", "string", None),
            ]
        );
        assert_eq!(page.live_url.unwrap().url, "https://api.example/v1/c");
        assert_eq!(page.test_url, None);
    }

    #[test]
    fn a_table_after_the_tabs_is_the_callback_and_a_spaced_arrow_is_read() {
        let page = parse(
            "{% tabs %}\n{% tab title=\"Dönüş Parametreleri\" %}\n\n| Parametre İsmi | Tip | Açıklama |\n| --- | --- | --- |\n| **Data\\[]** | | |\n| =>id | string | i |\n| => agent\\_id | string | a |\n| {% endtab %} | | |\n{% endtabs %}\n\n## succeedUrl Adresine Post Edilen Parametreler\n\nText.\n\n| Parametre İsmi | Tip | Açıklama |\n| --- | --- | --- |\n| **xact\\_id** | string | x |\n| **code** | string | c |\n\n---\n# Agent Instructions\n\n| Parametre İsmi | Tip |\n| --- | --- |\n| **ghost** | string |\n",
        );
        let nested: Vec<(&str, Option<&str>)> = page
            .response
            .iter()
            .map(|f| (f.name.as_str(), f.parent.as_deref()))
            .collect();
        assert_eq!(
            nested,
            [
                ("Data", None),
                ("id", Some("Data")),
                ("agent_id", Some("Data"))
            ]
        );
        let callback: Vec<(&str, usize)> = page
            .callback
            .iter()
            .map(|f| (f.name.as_str(), f.line))
            .collect();
        assert_eq!(callback, [("xact_id", 18), ("code", 19)]);
        assert!(page.callback.iter().all(|f| f.required.is_none()));
    }

    #[test]
    fn bare_member_names_are_quoted() {
        let page = parse(
            "{% tabs %}\n{% tab title=\"Örnek İstek\" %}\n```\n{\n   xact_id:\"xk_1\"\n}\n```\n{% endtab %}\n{% endtabs %}\n",
        );
        let request = page.example_request.unwrap();
        assert!(request.repaired);
        assert_eq!(request.value, serde_json::json!({"xact_id": "xk_1"}));
    }

    #[test]
    fn comma_less_examples_are_repaired_and_said_so() {
        let page = parse(
            "{% tabs %}\n{% tab title=\"Response\" %}\n\n```\n{\n\"a\": 1\n\"b\": \"x\"\n\"c\": true\n}\n```\n\n{% endtab %}\n{% tab title=\"Request\" %}\n```\n{ \"xact_id\":\"x\" }\n```\n{% endtab %}\n{% endtabs %}\n",
        );
        let response = page.example_response.unwrap();
        assert!(response.repaired);
        assert_eq!(response.line, 5);
        assert_eq!(
            response.value,
            serde_json::json!({"a": 1, "b": "x", "c": true})
        );
        let request = page.example_request.unwrap();
        assert!(!request.repaired);
    }

    #[test]
    fn an_example_commas_cannot_fix_is_a_problem_with_its_line() {
        let page = parse(
            "{% tabs %}\n{% tab title=\"Response\" %}\n```\n{\n\"a\": [1\n}\n```\n{% endtab %}\n{% endtabs %}\n",
        );
        assert!(page.example_response.is_none());
        assert_eq!(page.problems.len(), 1);
        assert!(page.problems[0].0 >= 4, "{:?}", page.problems);
    }

    #[test]
    fn urls_come_from_the_hint_and_the_service_table_and_chrome_is_ignored() {
        let page = parse(
            "# T\n{% hint style=\"success\" %}\n<https://api.example/v1/a\\\\_b>\n{% endhint %}\n{% tabs %}\n{% tab title=\"Service Url\" %}\n\n| Sistem | URL |\n| --- | --- |\n| **Canlı Sistem** | <https://api.example/v1/a\\\\_b> |\n| **Test Sistemi** | <https://test.example/v1/a\\\\_b> |\n| {% endtab %} | |\n| {% endtabs %} | |\n\n---\n# Agent Instructions\n\n| Parametre İsmi | Tip |\n| --- | --- |\n| **ghost** | string |\n```\nGET https://doc.example/x.md?ask=<question>\n```\n",
        );
        assert_eq!(
            page.url,
            Some(PageUrl {
                url: "https://api.example/v1/a_b".into(),
                line: 3
            })
        );
        assert_eq!(
            page.live_url.as_ref().unwrap().url,
            "https://api.example/v1/a_b"
        );
        assert_eq!(page.live_url.as_ref().unwrap().line, 10);
        assert_eq!(
            page.test_url.as_ref().unwrap().url,
            "https://test.example/v1/a_b"
        );
        assert!(!page.has_tables());
    }
}
