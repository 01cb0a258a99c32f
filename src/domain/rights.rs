//! Identifiers of the rights a case asserts: Chinese patent / application numbers (with their
//! check digit) and trademark registration numbers.

use std::fmt;

/// Why a string is not a patent number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatentNumberError {
    /// Not 12 digits (2004 on) or 8 digits (before 2004) plus a check digit.
    Shape,
    /// The check digit does not match.
    CheckDigit,
}

impl PatentNumberError {
    pub fn message_key(self) -> &'static str {
        match self {
            Self::Shape => "error.patent.shape",
            Self::CheckDigit => "error.patent.check",
        }
    }
}

/// What a patent number's type digit says about the right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatentType {
    Invention,
    UtilityModel,
    Design,
}

/// A Chinese patent or application number, normalised to `YYYYTNNNNNNN.C` (or the 8-digit form
/// `YYTNNNNN.C` before 2004). Accepted as typed with or without `ZL`, the dot and spaces.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PatentNumber {
    digits: String,
    check: char,
}

impl PatentNumber {
    pub fn parse(input: &str) -> Result<Self, PatentNumberError> {
        let cleaned: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '.' && *c != '．')
            .collect::<String>()
            .to_ascii_uppercase();
        let body = cleaned.strip_prefix("ZL").unwrap_or(&cleaned);
        let (digits, check) = match body.char_indices().last() {
            Some((i, c)) => (&body[..i], c),
            None => return Err(PatentNumberError::Shape),
        };
        if !(digits.len() == 12 || digits.len() == 8) || !digits.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(PatentNumberError::Shape);
        }
        if !(check.is_ascii_digit() || check == 'X') {
            return Err(PatentNumberError::Shape);
        }
        if check_digit(digits) != check {
            return Err(PatentNumberError::CheckDigit);
        }
        Ok(Self {
            digits: digits.to_string(),
            check,
        })
    }

    /// `202310123456.6`.
    pub fn as_application_number(&self) -> String {
        format!("{}.{}", self.digits, self.check)
    }

    /// `ZL202310123456.6`, as printed on a patent certificate.
    pub fn as_patent_number(&self) -> String {
        format!("ZL{}.{}", self.digits, self.check)
    }

    /// Digits and check digit with nothing between (`2023101234566`), for exact search.
    pub fn compact(&self) -> String {
        format!("{}{}", self.digits, self.check)
    }

    /// The type the number's type digit indicates (PCT national-phase numbers included).
    pub fn patent_type(&self) -> Option<PatentType> {
        let type_digit = if self.digits.len() == 12 {
            self.digits.as_bytes()[4]
        } else {
            self.digits.as_bytes()[2]
        };
        match type_digit {
            b'1' | b'8' => Some(PatentType::Invention),
            b'2' | b'9' => Some(PatentType::UtilityModel),
            b'3' => Some(PatentType::Design),
            _ => None,
        }
    }
}

impl fmt::Display for PatentNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_patent_number())
    }
}

/// Σ digitᵢ × weightᵢ mod 11, `X` for 10; weights 2,3,4,5,6,7,8,9,2,3,4,5 (12 digits) or 2…9 (8).
/// The check character of the 12 (or 8) digits of an application number (GB/T 2659 weights,
/// mod 11, 10 written X).
pub fn check_digit(digits: &str) -> char {
    const WEIGHTS: [u32; 12] = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];
    let sum: u32 = digits
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    match sum % 11 {
        10 => 'X',
        n => char::from_digit(n, 10).unwrap_or('0'),
    }
}

/// A trademark registration number: 1–10 digits, optionally prefixed `第` and suffixed `号`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TrademarkNumber(String);

impl TrademarkNumber {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let s = input.trim();
        let s = s.strip_prefix('第').unwrap_or(s);
        let s = s.strip_suffix('号').unwrap_or(s).trim();
        let s = s.trim_start_matches('0');
        if s.is_empty() || s.len() > 10 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err("error.trademark.number");
        }
        Ok(Self(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_notation_of_a_patent_number_means_the_same_number() {
        let expected = PatentNumber::parse("ZL202310123456.6").unwrap();
        for typed in [
            "202310123456.6",
            "2023101234566",
            "zl 2023 1012 3456.6",
            "ZL202310123456．6",
            " ZL2023101234566 ",
        ] {
            assert_eq!(PatentNumber::parse(typed).unwrap(), expected, "{typed}");
        }
        assert_eq!(expected.as_patent_number(), "ZL202310123456.6");
        assert_eq!(expected.as_application_number(), "202310123456.6");
        assert_eq!(expected.compact(), "2023101234566");
        assert_eq!(expected.patent_type(), Some(PatentType::Invention));
    }

    #[test]
    fn pre_2004_numbers_and_x_check_digits() {
        let old = PatentNumber::parse("ZL95115608.X").unwrap();
        assert_eq!(old.as_patent_number(), "ZL95115608.X");
        assert_eq!(PatentNumber::parse("95115608x").unwrap(), old);
        assert_eq!(
            PatentNumber::parse("ZL202320000001.0").map(|p| p.patent_type()),
            Ok(Some(PatentType::UtilityModel))
        );
    }

    #[test]
    fn wrong_check_digits_and_shapes_are_refused() {
        assert_eq!(
            PatentNumber::parse("ZL202310123456.7"),
            Err(PatentNumberError::CheckDigit)
        );
        for bad in [
            "",
            "ZL",
            "ZL20231012345.6",
            "ZL2023101234567.6",
            "ZL20231012345A.6",
            "ZL202310123456.Y",
            "CN202310123456.6",
        ] {
            assert_eq!(
                PatentNumber::parse(bad),
                Err(PatentNumberError::Shape),
                "{bad}"
            );
        }
    }

    #[test]
    fn trademark_numbers() {
        assert_eq!(
            TrademarkNumber::parse("第12345678号").unwrap().as_str(),
            "12345678"
        );
        assert_eq!(
            TrademarkNumber::parse(" 0012345 ").unwrap().as_str(),
            "12345"
        );
        for bad in ["", "第号", "12345678901", "12a45", "000"] {
            assert!(TrademarkNumber::parse(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn a_completed_number_parses_and_any_changed_digit_is_caught(digits in "[0-9]{12}", pos in 0usize..12, delta in 1u8..10) {
            let number = format!("{digits}.{}", check_digit(&digits));
            prop_assert!(PatentNumber::parse(&number).is_ok());
            let mut changed = digits.clone().into_bytes();
            changed[pos] = b'0' + (changed[pos] - b'0' + delta) % 10;
            let changed = String::from_utf8(changed).unwrap();
            let forged = format!("{changed}.{}", check_digit(&digits));
            prop_assert_eq!(PatentNumber::parse(&forged), Err(PatentNumberError::CheckDigit));
        }
    }
}
