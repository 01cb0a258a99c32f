//! Chinese tokenizers for the index.
//!
//! - `zh`: jieba-rs segmentation (search mode at index time, default mode for queries), lower-cased,
//!   punctuation and spaces dropped. The dictionary is jieba's default one plus `dict.txt`, the
//!   domain words of IP case work; one instance is shared by every tokenizer (it is ~30 MB).
//! - `bi`: overlapping character bigrams of CJK runs (a run of one character is kept as it is),
//!   other letters and digits as lower-cased words. It catches names jieba splits badly.
//!
//! Both put the **character offset** of a token in its position, so that a phrase query built
//! from a default-mode segmentation lines up with the overlapping search-mode tokens of the text.

use jieba_rs::{Jieba, TokenizeMode};
use std::sync::{Arc, OnceLock};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Tokenizer names, as registered in every index and used in the schema.
pub const ZH: &str = "zh";
pub const BIGRAM: &str = "bi";
pub const EXACT: &str = "exact";

/// The general dictionary: the words of jieba's `dict.txt` (MIT licence, as shipped with
/// jieba-rs 0.11) seen at least 5 times in its corpus, 136,547 of 349,045, without their
/// part-of-speech tags. It takes ~10 MB in memory where the whole one takes ~33 MB (the idle
/// server's budget is 60 MB); rarer words are cut into known ones instead, the same way for
/// the index and the query, and names jieba does not know are caught by the bigram field.
const GENERAL_DICT: &str = include_str!("jieba-dict.txt");

/// The domain dictionary (`word [freq] [tag]` per line), added on top.
const DOMAIN_DICT: &str = include_str!("dict.txt");

/// The shared jieba instance, built on first use (about 0.05 s).
pub fn jieba() -> Arc<Jieba> {
    static JIEBA: OnceLock<Arc<Jieba>> = OnceLock::new();
    JIEBA
        .get_or_init(|| {
            let mut j = Jieba::empty();
            j.load_dict(&mut GENERAL_DICT.as_bytes())
                .expect("the embedded dictionary is well-formed");
            for line in DOMAIN_DICT.lines() {
                let mut parts = line.split_whitespace();
                let Some(word) = parts.next() else { continue };
                if word.starts_with('#') {
                    continue;
                }
                let freq = parts.next().and_then(|f| f.parse().ok());
                j.add_word(word, freq, None);
            }
            Arc::new(j)
        })
        .clone()
}

/// Whether a token carries meaning (not only punctuation or spaces).
fn meaningful(word: &str) -> bool {
    word.chars().any(char::is_alphanumeric)
}

/// Whether `c` is a CJK ideograph (the unified blocks and their extensions, compatibility forms).
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F | 0x3007)
}

/// A finished list of tokens, handed out one by one.
pub struct Tokens {
    tokens: Vec<Token>,
    next: usize,
}

impl Tokens {
    fn new(tokens: Vec<Token>) -> Self {
        Self { tokens, next: 0 }
    }
}

impl TokenStream for Tokens {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }
    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

/// jieba segmentation as a tantivy tokenizer.
#[derive(Clone)]
pub struct ZhTokenizer {
    jieba: Arc<Jieba>,
    mode: TokenizeMode,
}

impl ZhTokenizer {
    /// Overlapping sub-words too (for indexing).
    pub fn index() -> Self {
        Self {
            jieba: jieba(),
            mode: TokenizeMode::Search,
        }
    }
    /// The plain segmentation (for queries: no overlapping sub-words to match as a phrase).
    pub fn query() -> Self {
        Self {
            jieba: jieba(),
            mode: TokenizeMode::Default,
        }
    }
}

impl Tokenizer for ZhTokenizer {
    type TokenStream<'a> = Tokens;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Tokens {
        let base = text.as_ptr() as usize;
        let mut tokens: Vec<Token> = self
            .jieba
            .tokenize(text, self.mode, true)
            .into_iter()
            .filter(|t| meaningful(t.word))
            .map(|t| {
                let from = t.word.as_ptr() as usize - base;
                Token {
                    offset_from: from,
                    offset_to: from + t.word.len(),
                    position: t.start,
                    position_length: t.end - t.start,
                    text: t.word.to_lowercase(),
                }
            })
            .collect();
        // Search mode emits a longer word after its parts (南京, 京市, 南京市); tantivy's snippets
        // and positions want tokens in the order of the text.
        tokens.sort_by_key(|t| (t.offset_from, t.offset_to));
        Tokens::new(tokens)
    }
}

/// CJK bigrams and lower-cased words.
#[derive(Clone, Default)]
pub struct BigramTokenizer;

impl Tokenizer for BigramTokenizer {
    type TokenStream<'a> = Tokens;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Tokens {
        Tokens::new(bigrams(text))
    }
}

/// A run of characters of one class: CJK ideographs, or other letters and digits.
#[derive(PartialEq, Clone, Copy)]
enum Class {
    Cjk,
    Word,
    Other,
}

fn class(c: char) -> Class {
    if is_cjk(c) {
        Class::Cjk
    } else if c.is_alphanumeric() {
        Class::Word
    } else {
        Class::Other
    }
}

fn bigrams(text: &str) -> Vec<Token> {
    // (byte offset, char position, char) of every character.
    let chars: Vec<(usize, usize, char)> = text
        .char_indices()
        .enumerate()
        .map(|(pos, (off, c))| (off, pos, c))
        .collect();
    let end_of = |i: usize| chars.get(i).map(|c| c.0).unwrap_or(text.len());
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let kind = class(chars[i].2);
        let mut j = i;
        while j < chars.len() && class(chars[j].2) == kind {
            j += 1;
        }
        match kind {
            Class::Other => {}
            Class::Word => out.push(Token {
                offset_from: chars[i].0,
                offset_to: end_of(j),
                position: chars[i].1,
                position_length: j - i,
                text: text[chars[i].0..end_of(j)].to_lowercase(),
            }),
            Class::Cjk if j - i == 1 => out.push(Token {
                offset_from: chars[i].0,
                offset_to: end_of(j),
                position: chars[i].1,
                position_length: 1,
                text: text[chars[i].0..end_of(j)].to_string(),
            }),
            Class::Cjk => {
                for k in i..j - 1 {
                    out.push(Token {
                        offset_from: chars[k].0,
                        offset_to: end_of(k + 2),
                        position: chars[k].1,
                        position_length: 2,
                        text: text[chars[k].0..end_of(k + 2)].to_string(),
                    });
                }
            }
        }
        i = j;
    }
    out
}

/// An exact-match token: the whole (trimmed, lower-cased) value.
#[derive(Clone, Default)]
pub struct ExactTokenizer;

impl Tokenizer for ExactTokenizer {
    type TokenStream<'a> = Tokens;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Tokens {
        let t = text.trim();
        let tokens = if t.is_empty() {
            Vec::new()
        } else {
            let from = t.as_ptr() as usize - text.as_ptr() as usize;
            vec![Token {
                offset_from: from,
                offset_to: from + t.len(),
                position: 0,
                position_length: 1,
                text: t.to_lowercase(),
            }]
        };
        Tokens::new(tokens)
    }
}

/// The tokens of `text` with `tokenizer`: (position, text).
pub fn tokens<T: Tokenizer>(mut tokenizer: T, text: &str) -> Vec<(usize, String)> {
    let mut stream = tokenizer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        let t = stream.token();
        out.push((t.position, t.text.clone()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words<T: Tokenizer>(t: T, text: &str) -> Vec<String> {
        tokens(t, text).into_iter().map(|(_, w)| w).collect()
    }

    #[test]
    fn jieba_finds_two_character_words_and_drops_punctuation() {
        let w = words(
            ZhTokenizer::index(),
            "被请求人在展会上许诺销售侵权产品，涉及美国市场。",
        );
        for expected in ["展会", "侵权", "美国", "许诺销售", "请求"] {
            assert!(w.iter().any(|x| x == expected), "{expected} in {w:?}");
        }
        assert!(!w.iter().any(|x| x == "，" || x == "。"), "{w:?}");
    }

    #[test]
    fn domain_words_stay_whole() {
        let w = words(ZhTokenizer::query(), "专精特新小巨人企业申请行政裁决");
        assert!(w.contains(&"专精特新".to_string()), "{w:?}");
        assert!(w.contains(&"行政裁决".to_string()), "{w:?}");
    }

    #[test]
    fn tokens_come_in_the_order_of_the_text() {
        let t = tokens(ZhTokenizer::index(), "南京市长江大桥，北京市");
        let positions: Vec<usize> = t.iter().map(|(p, _)| *p).collect();
        let mut sorted = positions.clone();
        sorted.sort();
        assert_eq!(positions, sorted, "{t:?}");
    }

    #[test]
    fn positions_are_character_offsets() {
        let t = tokens(ZhTokenizer::query(), "锂电池隔膜 Lithium");
        let lithium = t.iter().find(|(_, w)| w == "lithium").expect("latin word");
        assert_eq!(lithium.0, 6);
    }

    #[test]
    fn bigrams_overlap_and_words_are_lowercased() {
        assert_eq!(
            tokens(BigramTokenizer, "华信精密 ABC-12 展"),
            vec![
                (0, "华信".to_string()),
                (1, "信精".to_string()),
                (2, "精密".to_string()),
                (5, "abc".to_string()),
                (9, "12".to_string()),
                (12, "展".to_string()),
            ]
        );
    }

    #[test]
    fn exact_is_one_token() {
        assert_eq!(
            tokens(ExactTokenizer, "  ZL202310123456.6 "),
            vec![(0, "zl202310123456.6".to_string())]
        );
        assert!(tokens(ExactTokenizer, "   ").is_empty());
    }
}
