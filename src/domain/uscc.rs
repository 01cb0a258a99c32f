//! 统一社会信用代码 (unified social credit code), GB 32100-2015: 18 characters whose last one is a
//! check character over the first seventeen.

use std::fmt;

/// The 31 characters the standard allows, in the order of their values (no I, O, S, V, Z).
const CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights for positions 1..=17 (3^(i-1) mod 31).
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Why a string is not a valid 统一社会信用代码.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsccError {
    /// Not exactly 18 characters.
    Length,
    /// A character outside the standard's alphabet (I, O, S, V, Z, punctuation, lower-case after folding…).
    Character,
    /// Positions 3–8 must be the 6-digit administrative division code.
    Region,
    /// The check character does not match the first seventeen.
    CheckCharacter,
}

impl UsccError {
    /// Message-catalogue key for this error.
    pub fn message_key(self) -> &'static str {
        match self {
            Self::Length => "error.uscc.length",
            Self::Character => "error.uscc.character",
            Self::Region => "error.uscc.region",
            Self::CheckCharacter => "error.uscc.check",
        }
    }
}

/// A validated 统一社会信用代码, upper-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Uscc(String);

impl Uscc {
    /// Parses a code; surrounding white space is ignored and letters are upper-cased.
    pub fn parse(input: &str) -> Result<Self, UsccError> {
        let code: String = input.trim().to_ascii_uppercase();
        if code.chars().count() != 18 {
            return Err(UsccError::Length);
        }
        let bytes = code.as_bytes();
        let mut values = [0u32; 18];
        for (i, b) in bytes.iter().enumerate() {
            values[i] = value_of(*b).ok_or(UsccError::Character)?;
        }
        if !bytes[2..8].iter().all(u8::is_ascii_digit) {
            return Err(UsccError::Region);
        }
        if check_character(&values[..17]) != bytes[17] {
            return Err(UsccError::CheckCharacter);
        }
        Ok(Self(code))
    }

    /// The code as stored and shown.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The administrative division code embedded in positions 3–8.
    pub fn region_code(&self) -> &str {
        &self.0[2..8]
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn value_of(b: u8) -> Option<u32> {
    CHARSET.iter().position(|c| *c == b).map(|p| p as u32)
}

/// Computes the check character for the first seventeen character values.
fn check_character(values: &[u32]) -> u8 {
    let sum: u32 = values.iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    let check = (31 - sum % 31) % 31;
    CHARSET[check as usize]
}

/// Completes a 17-character body with its check character (used to build demo and test data).
pub fn complete(body: &str) -> Option<Uscc> {
    let body = body.to_ascii_uppercase();
    if body.len() != 17 {
        return None;
    }
    let values: Option<Vec<u32>> = body.bytes().map(value_of).collect();
    let check = check_character(&values?);
    Uscc::parse(&format!("{body}{}", check as char)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_published_codes_of_well_known_companies() {
        for code in [
            "914403001922038216",
            "91330100716105852F",
            "9144030071526726XG",
        ] {
            assert!(Uscc::parse(code).is_ok(), "{code} should be valid");
        }
    }

    #[test]
    fn folds_case_and_trims() {
        let uscc = Uscc::parse(" 9144030071526726xg ").unwrap();
        assert_eq!(uscc.as_str(), "9144030071526726XG");
        assert_eq!(uscc.region_code(), "440300");
    }

    #[test]
    fn rejects_a_wrong_check_character() {
        assert_eq!(
            Uscc::parse("914403001922038217"),
            Err(UsccError::CheckCharacter)
        );
    }

    #[test]
    fn rejects_wrong_lengths() {
        assert_eq!(Uscc::parse("91440300192203821"), Err(UsccError::Length));
        assert_eq!(Uscc::parse("9144030019220382161"), Err(UsccError::Length));
        assert_eq!(Uscc::parse(""), Err(UsccError::Length));
    }

    #[test]
    fn rejects_letters_outside_the_alphabet_and_non_ascii() {
        assert_eq!(Uscc::parse("91440300192203821I"), Err(UsccError::Character));
        assert_eq!(
            Uscc::parse("9144030019220382１6"),
            Err(UsccError::Character)
        );
        assert_eq!(Uscc::parse("91440300192203821-"), Err(UsccError::Character));
    }

    #[test]
    fn rejects_a_non_numeric_region() {
        let bad = complete("91A4030019220382").map(|_| ());
        assert!(bad.is_none(), "16 characters are not a body");
        let body = "91A40300192203821";
        let code = format!(
            "{body}{}",
            check_character(
                &body
                    .bytes()
                    .map(|b| value_of(b).unwrap())
                    .collect::<Vec<_>>()
            ) as char
        );
        assert_eq!(Uscc::parse(&code), Err(UsccError::Region));
    }

    #[test]
    fn every_completed_body_parses_and_any_single_change_is_caught() {
        let uscc = complete("91320600MA1MXXXX0").unwrap();
        let code = uscc.as_str().to_string();
        for (i, _) in code.char_indices().take(17) {
            for c in CHARSET.iter().map(|b| *b as char) {
                let mut changed: Vec<char> = code.chars().collect();
                if changed[i] == c {
                    continue;
                }
                changed[i] = c;
                let changed: String = changed.into_iter().collect();
                assert!(
                    Uscc::parse(&changed).is_err(),
                    "{changed} must not validate"
                );
            }
        }
    }
}
