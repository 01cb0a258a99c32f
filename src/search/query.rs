//! What a user typed, as words (pure, unit-tested), and as an index query over the fields the
//! user may search.
//!
//! Every word must match (in some field); a word jieba splits into several needs all of them;
//! a quoted phrase must appear as written. A word also matches as an identifier: case number,
//! credit code, listing URL or right number in any notation.

use super::doc::id_terms;
use super::schema::Fields;
use super::tokenize::{BigramTokenizer, ZhTokenizer, tokens};
use crate::domain::rights::PatentNumber;
use tantivy::Term;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};

/// Longest query accepted, in characters.
pub const MAX_CHARS: usize = 200;
/// Most words (and phrases) in one query.
pub const MAX_WORDS: usize = 12;

/// A word or a quoted phrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub phrase: bool,
}

/// Why a query cannot be run; each has a catalogue message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryError {
    Empty,
    TooLong,
    TooManyWords,
    /// Only punctuation or symbols: nothing to look for.
    NothingToSearch,
}

impl QueryError {
    pub fn message_key(self) -> &'static str {
        match self {
            Self::Empty => "error.search.empty",
            Self::TooLong => "error.search.too_long",
            Self::TooManyWords => "error.search.too_many_words",
            Self::NothingToSearch => "error.search.nothing",
        }
    }
}

fn opening(c: char) -> Option<char> {
    match c {
        '"' => Some('"'),
        '“' => Some('”'),
        '「' => Some('」'),
        '『' => Some('』'),
        _ => None,
    }
}

/// Splits a query into words and quoted phrases. Full-width spaces separate words too; an
/// unclosed quote runs to the end.
pub fn parse(input: &str) -> Result<Vec<Word>, QueryError> {
    let q = input.trim();
    if q.is_empty() {
        return Err(QueryError::Empty);
    }
    if q.chars().count() > MAX_CHARS {
        return Err(QueryError::TooLong);
    }
    let mut words = Vec::new();
    let mut chars = q.chars().peekable();
    let mut current = String::new();
    let push = |words: &mut Vec<Word>, text: &mut String, phrase: bool| {
        let t = text.trim().to_string();
        text.clear();
        if t.chars().any(char::is_alphanumeric) {
            words.push(Word { text: t, phrase });
        }
    };
    while let Some(c) = chars.next() {
        if let Some(close) = opening(c) {
            push(&mut words, &mut current, false);
            let mut phrase = String::new();
            for d in chars.by_ref() {
                if d == close || (close == '”' && d == '"') {
                    break;
                }
                phrase.push(d);
            }
            push(&mut words, &mut phrase, true);
        } else if c.is_whitespace() {
            push(&mut words, &mut current, false);
        } else {
            current.push(c);
        }
    }
    push(&mut words, &mut current, false);
    let words = join_numbers(words);
    if words.is_empty() {
        return Err(QueryError::NothingToSearch);
    }
    if words.len() > MAX_WORDS {
        return Err(QueryError::TooManyWords);
    }
    Ok(words)
}

/// Words that together spell a patent number (`ZL 2024 1098 7654.1`) become one word.
fn join_numbers(words: Vec<Word>) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let mut joined = None;
        for j in (i + 2..=words.len().min(i + 6)).rev() {
            if words[i..j].iter().any(|w| w.phrase) {
                continue;
            }
            let text: String = words[i..j].iter().map(|w| w.text.as_str()).collect();
            if PatentNumber::parse(&text).is_ok() {
                joined = Some((j, text));
                break;
            }
        }
        match joined {
            Some((j, text)) => {
                out.push(Word {
                    text,
                    phrase: false,
                });
                i = j;
            }
            None => {
                out.push(words[i].clone());
                i += 1;
            }
        }
    }
    out
}

/// A term query on `field` that scores.
fn term_q(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

/// The tokens as a phrase on `field` (one token: a term), or nothing.
fn phrase_q(field: Field, toks: &[(usize, String)]) -> Option<Box<dyn Query>> {
    match toks {
        [] => None,
        [(_, t)] => Some(term_q(field, t)),
        _ => {
            let first = toks[0].0;
            let terms = toks
                .iter()
                .map(|(p, t)| (p - first, Term::from_field_text(field, t)))
                .collect();
            Some(Box::new(PhraseQuery::new_with_offset(terms)))
        }
    }
}

fn boosted(q: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if boost == 1.0 {
        q
    } else {
        Box::new(BoostQuery::new(q, boost))
    }
}

/// Whether a word may be an identifier (case number, credit code, right number, URL): it has
/// ASCII letters or digits.
fn identifier_like(text: &str) -> bool {
    text.bytes().any(|b| b.is_ascii_alphanumeric())
}

/// One word: its jieba tokens in the user's text field (a phrase when quoted, all of them
/// otherwise), or — when jieba cuts the word into several pieces, as with names it does not
/// know — its bigrams as a phrase; or an identifier. A word that is one dictionary word is one
/// term query, which the permission filter skips through cheaply. Title matches add to the score.
fn word_query(w: &Word, f: &Fields, internal: bool) -> Option<Box<dyn Query>> {
    let (zh_field, bi_field) = if internal {
        (f.all, f.bi_all)
    } else {
        (f.public, f.bi_public)
    };
    let zh = tokens(ZhTokenizer::query(), &w.text);
    let whole = zh.len() == 1 && zh[0].1 == w.text.to_lowercase();
    let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if w.phrase {
        if let Some(q) = phrase_q(zh_field, &zh) {
            any.push((Occur::Should, q));
        }
    } else if zh.len() == 1 {
        any.push((Occur::Should, term_q(zh_field, &zh[0].1)));
    } else if !zh.is_empty() {
        let each = zh
            .iter()
            .map(|(_, t)| (Occur::Must, term_q(zh_field, t)))
            .collect();
        any.push((Occur::Should, Box::new(BooleanQuery::new(each))));
    }
    // Bigrams catch names jieba does not know: it cuts them into single characters, which the
    // text (segmented in context) need not contain. A word of known words needs no bigrams, and
    // a phrase of bigrams over common characters is the most expensive query there is.
    let unknown = zh
        .iter()
        .any(|(_, t)| t.chars().count() == 1 && t.chars().all(super::tokenize::is_cjk));
    if !whole && unknown {
        let bi = tokens(BigramTokenizer, &w.text);
        if let Some(q) = phrase_q(bi_field, &bi) {
            any.push((Occur::Should, boosted(q, 0.5)));
        }
    }
    if !w.phrase && identifier_like(&w.text) {
        for t in id_terms(&w.text) {
            any.push((Occur::Should, boosted(term_q(f.ids, &t), 4.0)));
        }
    }
    let core: Box<dyn Query> = match any.len() {
        0 => return None,
        1 => any.pop().map(|(_, q)| q)?,
        _ => Box::new(BooleanQuery::new(any)),
    };
    // A title match ranks higher; it is optional, so it only scores what the core found.
    let title: Vec<(Occur, Box<dyn Query>)> = zh
        .iter()
        .map(|(_, t)| (Occur::Should, boosted(term_q(f.title, t), 2.0)))
        .collect();
    if title.is_empty() || w.phrase {
        return Some(core);
    }
    let mut parts = vec![(Occur::Must, core)];
    parts.extend(title);
    Some(Box::new(BooleanQuery::new(parts)))
}

/// All words, each required.
pub fn text_query(words: &[Word], f: &Fields, internal: bool) -> Box<dyn Query> {
    let all = words
        .iter()
        .filter_map(|w| word_query(w, f, internal))
        .map(|q| (Occur::Must, q))
        .collect();
    Box::new(BooleanQuery::new(all))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(text: &str, phrase: bool) -> Word {
        Word {
            text: text.into(),
            phrase,
        }
    }

    #[test]
    fn words_phrases_and_full_width_spaces() {
        assert_eq!(
            parse("锂电池　展会 \"侵犯 专利\" “南通华信”").unwrap(),
            vec![
                w("锂电池", false),
                w("展会", false),
                w("侵犯 专利", true),
                w("南通华信", true)
            ]
        );
        assert_eq!(
            parse("隔膜\"未闭合的 引号").unwrap(),
            vec![w("隔膜", false), w("未闭合的 引号", true)]
        );
    }

    #[test]
    fn empty_and_absurd_queries_are_refused_with_a_reason() {
        assert_eq!(parse("   "), Err(QueryError::Empty));
        assert_eq!(parse("，。！？ ***"), Err(QueryError::NothingToSearch));
        assert_eq!(parse(&"专利".repeat(101)), Err(QueryError::TooLong));
        assert_eq!(parse(&"词 ".repeat(13)), Err(QueryError::TooManyWords));
        assert!(parse(&"词 ".repeat(12)).is_ok());
        for e in [
            QueryError::Empty,
            QueryError::TooLong,
            QueryError::TooManyWords,
            QueryError::NothingToSearch,
        ] {
            assert!(e.message_key().starts_with("error.search."));
        }
    }

    #[test]
    fn a_patent_number_written_with_spaces_is_one_word() {
        assert_eq!(
            parse("隔膜 ZL 2023 1012 3456.6 展会").unwrap(),
            vec![
                w("隔膜", false),
                w("ZL202310123456.6", false),
                w("展会", false)
            ]
        );
        assert_eq!(parse("2023 年 展会").unwrap().len(), 3);
    }

    #[test]
    fn query_syntax_characters_are_plain_text() {
        assert_eq!(parse("title:锂电池 AND (展会)").unwrap().len(), 3);
    }
}
