//! Canned responses: answers an agent inserts by typing `/` and their short code, and how a
//! search orders them.

use serde::Serialize;

use super::{CannedResponseId, MessageContent, ShortCode, Timestamp};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CannedResponse {
    pub id: CannedResponseId,
    pub short_code: ShortCode,
    pub content: MessageContent,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// How well a response matches a search, best first (API.md): its short code starts with the
/// words, contains them, or its content does (case-insensitively).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Match {
    CodeStarts,
    CodeContains,
    ContentContains,
}

impl Match {
    fn of(response: &CannedResponse, query: &str) -> Option<Self> {
        let code = response.short_code.as_str().to_lowercase();
        if code.starts_with(query) {
            Some(Self::CodeStarts)
        } else if code.contains(query) {
            Some(Self::CodeContains)
        } else if response.content.as_str().to_lowercase().contains(query) {
            Some(Self::ContentContains)
        } else {
            None
        }
    }
}

/// The responses a search `q` lists, in API.md's order: without `q` (or a blank one) all, by
/// short code; with it only the matches, grouped by how they match, each group by short code.
pub fn search(mut responses: Vec<CannedResponse>, q: Option<&str>) -> Vec<CannedResponse> {
    let query = q.map(|q| q.trim().to_lowercase()).unwrap_or_default();
    let mut ranked: Vec<(Match, CannedResponse)> = responses
        .drain(..)
        .filter_map(|response| {
            let rank = match query.as_str() {
                "" => Match::CodeStarts,
                words => Match::of(&response, words)?,
            };
            Some((rank, response))
        })
        .collect();
    ranked.sort_by(|(a, x), (b, y)| (a, &x.short_code.as_str()).cmp(&(b, &y.short_code.as_str())));
    ranked.into_iter().map(|(_, response)| response).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ulid::Ulid;

    fn response(code: &str, content: &str) -> CannedResponse {
        let at = Timestamp::from_unix_millis(0);
        CannedResponse {
            id: CannedResponseId::from_ulid(Ulid::new()),
            short_code: ShortCode::parse(code).unwrap(),
            content: MessageContent::parse(content).unwrap(),
            created_at: at,
            updated_at: at,
        }
    }

    fn codes(found: &[CannedResponse]) -> Vec<&str> {
        found.iter().map(|r| r.short_code.as_str()).collect()
    }

    #[test]
    fn a_search_lists_code_prefixes_then_code_matches_then_content_matches() {
        let all = vec![
            response("shipping", "We ship in 2 days. A REFUND takes 5."),
            response("refund-late", "Late refunds: ..."),
            response("late-refund", "..."),
            response("refund", "Your refund is on its way"),
            response("hello", "Hi {{customer.name}}"),
        ];
        assert_eq!(
            codes(&search(all.clone(), None)),
            ["hello", "late-refund", "refund", "refund-late", "shipping"]
        );
        assert_eq!(codes(&search(all.clone(), Some("  "))).len(), 5);
        assert_eq!(
            codes(&search(all.clone(), Some("Refund"))),
            ["refund", "refund-late", "late-refund", "shipping"]
        );
        assert!(search(all, Some("nothing like it")).is_empty());
    }
}
