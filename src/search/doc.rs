//! What the index keeps of a case ([`CaseDoc`], read from the database by `store::search`) and
//! how it becomes a tantivy document.

use super::schema::Fields;
use crate::domain::rights::{PatentNumber, TrademarkNumber, check_digit};
use crate::domain::srdi::SrdiLevel;
use crate::domain::uscc::Uscc;
use chrono::{DateTime, Utc};
use tantivy::TantivyDocument;

/// A case as the index sees it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CaseDoc {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub description: String,
    pub queue: String,
    pub state: String,
    pub channel: String,
    pub region_code: String,
    pub srdi_rank: i16,
    pub next_due_at: Option<DateTime<Utc>>,
    pub open: bool,
    // Who may see it.
    pub owner_org_id: i64,
    pub filer_org_id: Option<i64>,
    pub share_org_ids: Vec<i64>,
    pub referred_to_org_id: Option<i64>,
    pub assignee_user_id: Option<i64>,
    pub assignee_org_id: Option<i64>,
    pub awaiting_triage: bool,
    // Text.
    pub parties: Vec<Party>,
    pub rights: Vec<Right>,
    /// Channel facts as words: exhibition name, venue, booth, organiser; overseas country.
    pub facts: Vec<String>,
    pub complainant_uscc: Option<String>,
    /// Evidence descriptions: (text, uploaded by the filing enterprise).
    pub evidence: Vec<(String, bool)>,
    /// Officer notes and reasons from internal events.
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Party {
    pub name: String,
    pub uscc: Option<String>,
    pub address: Option<String>,
    pub listing_url: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Right {
    pub kind: String,
    pub number: Option<String>,
    pub title: String,
    pub holder: Option<String>,
}

/// The exact-field terms of an identifier someone typed or stored: every normal form it has.
/// A patent number in any notation (`ZL202310123456.6`, `202310123456.6`, `2023101234566`,
/// the digits without their check digit) gives its compact form; a credit code its canonical
/// form; anything else itself, lower-cased.
pub fn id_terms(value: &str) -> Vec<String> {
    let v = value.trim();
    let mut out = vec![v.to_lowercase()];
    if let Ok(p) = PatentNumber::parse(v) {
        out.push(p.compact().to_lowercase());
    } else {
        let digits: String = v
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '.')
            .collect();
        let digits = digits
            .strip_prefix("ZL")
            .or_else(|| digits.strip_prefix("zl"))
            .unwrap_or(&digits);
        if (digits.len() == 12 || digits.len() == 8) && digits.bytes().all(|b| b.is_ascii_digit()) {
            out.push(format!("{digits}{}", check_digit(digits)).to_lowercase());
        }
    }
    if let Ok(u) = Uscc::parse(v) {
        out.push(u.as_str().to_lowercase());
    }
    if let Ok(t) = TrademarkNumber::parse(v) {
        out.push(format!("tm{}", t.as_str()));
    }
    out.sort();
    out.dedup();
    out.retain(|t| !t.is_empty());
    out
}

/// The stored terms of a right number: its compact form (patents) or `tm` + digits (trademarks).
fn right_terms(kind: &str, number: &str) -> Vec<String> {
    let mut out = vec![number.trim().to_lowercase()];
    if kind == "trademark" {
        if let Ok(t) = TrademarkNumber::parse(number) {
            out.push(format!("tm{}", t.as_str()));
        }
    } else if let Ok(p) = PatentNumber::parse(number) {
        out.push(p.compact().to_lowercase());
    }
    out
}

/// The sort key of "most urgent first, SRDI first among equally urgent": due seconds (none due:
/// last) shifted, with the SRDI rank inverted in the low bits.
pub fn urgency(next_due_at: Option<DateTime<Utc>>, srdi_rank: i16) -> u64 {
    let due = next_due_at
        .map(|d| (d.timestamp().max(0) as u64).min(u64::MAX >> 3))
        .unwrap_or(u64::MAX >> 3);
    (due << 2) | (3 - srdi_rank.clamp(0, 3) as u64)
}

/// The prefecture-level code a region facet counts (`320602` → `320600`).
pub fn prefecture(code: &str) -> String {
    if code.len() == 6 && code.is_ascii() {
        format!("{}00", &code[..4])
    } else {
        code.to_string()
    }
}

/// The Chinese name of a country or region code (ISO 3166-1 alpha-2) where weiquan's users
/// most often seek help abroad, so that `美国` finds a case filed with `US`.
pub fn country_name_zh(code: &str) -> Option<&'static str> {
    const NAMES: [(&str, &str); 30] = [
        ("US", "美国"),
        ("DE", "德国"),
        ("JP", "日本"),
        ("KR", "韩国"),
        ("GB", "英国"),
        ("FR", "法国"),
        ("IT", "意大利"),
        ("ES", "西班牙"),
        ("NL", "荷兰"),
        ("BE", "比利时"),
        ("CH", "瑞士"),
        ("AT", "奥地利"),
        ("SE", "瑞典"),
        ("PL", "波兰"),
        ("RU", "俄罗斯"),
        ("CA", "加拿大"),
        ("MX", "墨西哥"),
        ("BR", "巴西"),
        ("AU", "澳大利亚"),
        ("IN", "印度"),
        ("SG", "新加坡"),
        ("MY", "马来西亚"),
        ("TH", "泰国"),
        ("VN", "越南"),
        ("ID", "印度尼西亚"),
        ("AE", "阿联酋"),
        ("SA", "沙特阿拉伯"),
        ("TR", "土耳其"),
        ("ZA", "南非"),
        ("EG", "埃及"),
    ];
    let code = code.trim().to_ascii_uppercase();
    NAMES.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

/// The SRDI level name of a rank (`none` for 0).
pub fn srdi_level(rank: i16) -> &'static str {
    SrdiLevel::from_rank(rank).map_or("none", SrdiLevel::as_str)
}

impl CaseDoc {
    pub fn to_document(&self, f: &Fields) -> TantivyDocument {
        let mut d = TantivyDocument::new();
        d.add_u64(f.id, self.id as u64);
        d.add_text(f.number, &self.number);
        d.add_text(f.title, &self.title);
        d.add_text(f.description, &self.description);
        let mut details = Vec::new();
        for p in &self.parties {
            details.push(p.name.as_str());
            details.extend(p.address.as_deref());
        }
        for r in &self.rights {
            details.push(r.title.as_str());
            details.extend(r.holder.as_deref());
        }
        details.extend(self.facts.iter().map(String::as_str));
        let details = details.join("\n");
        d.add_text(f.details, &details);
        let (mine, others): (Vec<_>, Vec<_>) = self.evidence.iter().partition(|(_, filer)| *filer);
        let join = |v: Vec<&(String, bool)>| {
            v.into_iter()
                .map(|(t, _)| t.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        };
        let (mine, others) = (join(mine), join(others));
        d.add_text(f.filer_evidence, &mine);
        d.add_text(f.evidence, &others);
        let notes = self.notes.join("\n");
        d.add_text(f.notes, &notes);
        for t in [&self.title, &self.description, &details, &mine] {
            if !t.is_empty() {
                for field in [f.all, f.public, f.bi_all, f.bi_public] {
                    d.add_text(field, t);
                }
            }
        }
        for t in [&others, &notes] {
            if !t.is_empty() {
                d.add_text(f.all, t);
                d.add_text(f.bi_all, t);
            }
        }

        let mut ids = vec![self.number.to_lowercase()];
        for p in &self.parties {
            ids.extend(p.uscc.iter().map(|u| u.to_lowercase()));
            ids.extend(p.listing_url.iter().map(|u| u.trim().to_lowercase()));
        }
        ids.extend(self.complainant_uscc.iter().map(|u| u.to_lowercase()));
        for r in &self.rights {
            if let Some(n) = &r.number {
                ids.extend(right_terms(&r.kind, n));
            }
        }
        ids.sort();
        ids.dedup();
        for t in ids {
            d.add_text(f.ids, &t);
        }

        d.add_u64(f.owner, self.owner_org_id as u64);
        if let Some(o) = self.filer_org_id {
            d.add_u64(f.filer, o as u64);
        }
        for o in &self.share_org_ids {
            d.add_u64(f.share, *o as u64);
        }
        if let Some(o) = self.referred_to_org_id {
            d.add_u64(f.referred, o as u64);
        }
        if let Some(o) = self.assignee_org_id {
            d.add_u64(f.assignee_org, o as u64);
        }
        if self.awaiting_triage {
            for p in crate::domain::region::prefixes(&self.region_code) {
                d.add_text(f.triage_region, p);
            }
        }

        d.add_text(f.queue, &self.queue);
        d.add_text(f.state, &self.state);
        d.add_text(f.channel, &self.channel);
        d.add_text(f.region, prefecture(&self.region_code));
        d.add_text(f.srdi, srdi_level(self.srdi_rank));
        let mut kinds: Vec<&str> = self.rights.iter().map(|r| r.kind.as_str()).collect();
        kinds.sort();
        kinds.dedup();
        for k in kinds {
            d.add_text(f.kind, k);
        }
        if let Some(u) = self.assignee_user_id {
            d.add_u64(f.assignee, u as u64);
        }
        d.add_u64(f.open, u64::from(self.open));
        d.add_i64(
            f.due,
            self.next_due_at.map(|t| t.timestamp()).unwrap_or(i64::MAX),
        );
        d.add_u64(f.urgency, urgency(self.next_due_at, self.srdi_rank));
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patent_numbers_in_every_notation_share_a_term() {
        let stored = right_terms("invention_patent", "ZL202310123456.6");
        for typed in [
            "ZL202310123456.6",
            "zl202310123456.6",
            "202310123456.6",
            "2023101234566",
            "ZL 2023 1012 3456.6",
            "202310123456",
        ] {
            let q = id_terms(typed);
            assert!(
                q.iter().any(|t| stored.contains(t)),
                "{typed}: {q:?} vs {stored:?}"
            );
        }
        // A wrong check digit is a different number.
        assert!(
            !id_terms("202310123456.7")
                .iter()
                .any(|t| stored.contains(t))
        );
    }

    #[test]
    fn trademark_numbers_match_with_or_without_their_wrapping() {
        let stored = right_terms("trademark", "第12345678号");
        assert!(id_terms("12345678").iter().any(|t| stored.contains(t)));
    }

    #[test]
    fn urgency_orders_due_first_then_srdi() {
        let t = |s: i64| Some(DateTime::<Utc>::from_timestamp(s, 0).unwrap());
        assert!(urgency(t(100), 0) < urgency(t(200), 2));
        assert!(urgency(t(100), 2) < urgency(t(100), 1));
        assert!(urgency(t(100), 1) < urgency(t(100), 0));
        assert!(urgency(t(1 << 40), 0) < urgency(None, 2));
    }
}
