//! Password rules: what a new password must be wherever one is set (registration, an
//! administrator's create or reset, one's own change, a reset by e-mail), and how often a reset
//! by e-mail may be asked for. Errors are catalogue keys.

/// Fewest characters of a password.
pub const MIN_CHARS: usize = 8;
/// Most characters of a password (keeps hashing cheap for an attacker-supplied input).
pub const MAX_CHARS: usize = 128;
/// A passphrase at least this long may be of one kind of character only.
pub const PASSPHRASE_CHARS: usize = 16;

/// How long a reset link works, in minutes.
pub const RESET_TOKEN_MINUTES: i64 = 30;
/// The window reset requests are counted in, in minutes.
pub const RESET_WINDOW_MINUTES: i64 = 60;
/// Reset e-mails one account receives per window at most.
pub const RESET_MAX_PER_ACCOUNT: u64 = 3;
/// Reset requests one client address may make per window at most.
pub const RESET_MAX_PER_ADDRESS: u64 = 10;

/// Checks a new password for the account `username`: 8–128 characters, not the username (or it
/// reversed), not trivially guessed (a run or repetition of characters, a keyboard row, a common
/// password or word with digits and symbols around it), and of at least two kinds of character
/// (letters, digits, symbols) unless it is a passphrase of 16 characters or more.
pub fn check_new_password(password: &str, username: &str) -> Result<(), &'static str> {
    let len = password.chars().count();
    if len < MIN_CHARS {
        return Err("error.password.short");
    }
    if len > MAX_CHARS {
        return Err("error.password.long");
    }
    let lower = password.to_lowercase();
    let name = username.trim().to_lowercase();
    if !name.is_empty() && (lower == name || lower == name.chars().rev().collect::<String>()) {
        return Err("error.password.username");
    }
    if trivial(&lower) {
        return Err("error.password.weak");
    }
    if kinds(password) < 2 && len < PASSPHRASE_CHARS {
        return Err("error.password.kinds");
    }
    Ok(())
}

/// Keyboard rows and columns people type as passwords (checked forwards and backwards).
const KEYBOARD: [&str; 8] = [
    "1234567890",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "1q2w3e4r5t6y7u8i9o0p",
    "qazwsxedcrfvtgbyhnujmikolp",
    "!@#$%^&*()",
];

/// Words and numbers that make up the most common passwords (lower case).
const COMMON: [&str; 44] = [
    "password",
    "passwd",
    "pass",
    "admin",
    "administrator",
    "root",
    "user",
    "test",
    "guest",
    "welcome",
    "letmein",
    "login",
    "qwerty",
    "iloveyou",
    "woaini",
    "monkey",
    "dragon",
    "master",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "superman",
    "abc",
    "abcd",
    "weiquan",
    "china",
    "beijing",
    "shanghai",
    "zhongguo",
    "changeme",
    "default",
    "secret",
    "hello",
    "love",
    "520",
    "1314",
    "5201314",
    "888",
    "8888",
    "666",
    "6666",
    "123",
    "007",
];

/// How many kinds of character: lower-case letters, upper-case letters, digits, anything else.
fn kinds(p: &str) -> usize {
    let mut seen = [false; 4];
    for c in p.chars() {
        let k = if c.is_ascii_lowercase() {
            0
        } else if c.is_ascii_uppercase() {
            1
        } else if c.is_ascii_digit() {
            2
        } else {
            3
        };
        seen[k] = true;
    }
    seen.iter().filter(|s| **s).count()
}

/// Whether a (lower-case) password is easily guessed: trivial as a whole, made of at most three
/// trivial runs (letters, digits, symbols: `abc12345`, `password2026!`), or a common word written
/// with look-alike characters and digits or symbols around it (`P@ssw0rd1`).
fn trivial(p: &str) -> bool {
    if trivial_run(p) {
        return true;
    }
    let runs = runs(p);
    if runs.len() <= 3 && runs.iter().all(|r| trivial_run(r)) {
        return true;
    }
    let core = p.trim_matches(|c: char| !c.is_ascii_alphabetic());
    COMMON.contains(&unleet(core).as_str())
}

/// The password cut where the kind of character changes (letters, digits, anything else).
fn runs(p: &str) -> Vec<String> {
    let kind = |c: char| {
        if c.is_alphabetic() {
            0
        } else if c.is_ascii_digit() {
            1
        } else {
            2
        }
    };
    let mut out: Vec<String> = Vec::new();
    let mut last = None;
    for c in p.chars() {
        match out.last_mut() {
            Some(run) if last == Some(kind(c)) => run.push(c),
            _ => out.push(c.to_string()),
        }
        last = Some(kind(c));
    }
    out
}

/// A run that adds nothing to guess: one or two characters, a common word or number, a year
/// (19xx, 20xx), a run of consecutive characters, one short piece repeated, or a keyboard row.
fn trivial_run(r: &str) -> bool {
    let chars: Vec<char> = r.chars().collect();
    let n = chars.len();
    if n <= 2 || COMMON.contains(&r) {
        return true;
    }
    if n == 4
        && (r.starts_with("19") || r.starts_with("20"))
        && r.bytes().all(|b| b.is_ascii_digit())
    {
        return true;
    }
    let step = |a: char, b: char, up: bool| {
        let (a, b) = if up { (a, b) } else { (b, a) };
        b as u32 == a as u32 + 1 || (a == '9' && b == '0')
    };
    let consecutive = |up: bool| chars.windows(2).all(|w| step(w[0], w[1], up));
    if consecutive(true) || consecutive(false) {
        return true;
    }
    let repeated = (1..=n / 2)
        .any(|unit| n.is_multiple_of(unit) && chars.chunks(unit).all(|c| c == &chars[..unit]));
    if repeated {
        return true;
    }
    KEYBOARD.iter().any(|row| {
        let backwards: String = row.chars().rev().collect();
        row.contains(r) || backwards.contains(r)
    })
}

/// Look-alike characters read as the letters they stand for (`p@ssw0rd` → `password`).
fn unleet(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0' => 'o',
            '1' | '!' => 'i',
            '3' => 'e',
            '4' | '@' => 'a',
            '5' | '$' => 's',
            '7' => 't',
            other => other,
        })
        .collect()
}

/// What a user typed to find their account for a reset (a username or an e-mail address),
/// folded for comparison; `None` when nothing usable is left.
pub fn reset_identifier(input: &str) -> Option<String> {
    let folded: String = input
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_control())
        .take(254)
        .collect();
    (!folded.is_empty()).then_some(folded)
}

/// Whether a client address that asked `asked` times in the window may ask again.
pub fn address_may_ask(asked: u64) -> bool {
    asked < RESET_MAX_PER_ADDRESS
}

/// Whether an account that was sent `sent` reset e-mails in the window may be sent another.
pub fn account_may_receive(sent: u64) -> bool {
    sent < RESET_MAX_PER_ACCOUNT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_of_mixed_kinds_pass() {
        for ok in [
            "demo12345",
            "Huarui-2026",
            "xinrui-2026!",
            "Nantong2026!",
            "NewSecret2026",
            "Rugao-2026",
            "x7#Kp2!m",
            "a1b2c3d4e5",
            "王敏的密码2026",
            "correcthorsebatterystaple",
        ] {
            assert_eq!(check_new_password(ok, "huarui"), Ok(()), "{ok}");
        }
    }

    #[test]
    fn length_is_bounded() {
        assert_eq!(
            check_new_password("Ab1!x", "u"),
            Err("error.password.short")
        );
        assert_eq!(
            check_new_password(&"Ab1!".repeat(33), "u"),
            Err("error.password.long")
        );
    }

    #[test]
    fn one_kind_of_character_is_refused_below_passphrase_length() {
        for weak in ["qwpzkrmt", "QWPZKRMT", "83917462", "&*^%$#@!~"] {
            assert_eq!(
                check_new_password(weak, "someone"),
                Err("error.password.kinds"),
                "{weak}"
            );
        }
    }

    #[test]
    fn trivially_guessed_passwords_are_refused() {
        for weak in [
            "abcdefgh",
            "12345678",
            "87654321",
            "1234567890",
            "aaaaaaaaaa",
            "abcabcabc",
            "12121212",
            "password",
            "Password1",
            "P@ssw0rd",
            "p@ssw0rd2026",
            "Password2026!",
            "qwertyui",
            "qwer1234",
            "1qaz2wsx",
            "1q2w3e4r",
            "abc12345",
            "Ab123456",
            "a1234567",
            "iloveyou1314",
            "woaini1314",
            "admin123",
        ] {
            assert_eq!(
                check_new_password(weak, "someone"),
                Err("error.password.weak"),
                "{weak}"
            );
        }
    }

    #[test]
    fn the_username_is_not_a_password() {
        assert_eq!(
            check_new_password("Huarui2026", "huarui2026"),
            Err("error.password.username")
        );
        assert_eq!(
            check_new_password("6202iuRauH", "huarui2026"),
            Err("error.password.username")
        );
        assert_eq!(check_new_password("Huarui-2026", "huarui"), Ok(()));
    }

    #[test]
    fn reset_identifiers_are_folded() {
        assert_eq!(
            reset_identifier("  Wang.Min@Example.CN \n").as_deref(),
            Some("wang.min@example.cn")
        );
        assert_eq!(reset_identifier(" \t "), None);
        assert_eq!(reset_identifier(&"a".repeat(400)).unwrap().len(), 254);
    }

    #[test]
    fn reset_requests_are_throttled_per_account_and_address() {
        assert!(address_may_ask(0) && address_may_ask(RESET_MAX_PER_ADDRESS - 1));
        assert!(!address_may_ask(RESET_MAX_PER_ADDRESS));
        assert!(account_may_receive(RESET_MAX_PER_ACCOUNT - 1));
        assert!(!account_may_receive(RESET_MAX_PER_ACCOUNT));
    }
}
