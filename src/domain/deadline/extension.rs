//! Extensions of a clock: which tier may add how much, and who decides (DOMAIN.md: e.g. the
//! closing limit +≤1 month by the department head, +≤2 months by the next-higher department).

use super::Rule;

/// Why an extension cannot be requested or granted (catalogue keys).
pub type Refusal = &'static str;

/// Checks a request for `amount` more units of `rule` at `tier`, given what that tier already
/// granted on this clock. Returns the remaining allowance after this request.
pub fn check(rule: &Rule, tier: &str, amount: u32, already: u32) -> Result<u32, Refusal> {
    let t = rule
        .extensions
        .iter()
        .find(|t| t.tier == tier)
        .ok_or("error.extension.tier")?;
    if amount == 0 {
        return Err("error.extension.amount");
    }
    let left = t.cap.saturating_sub(already);
    if amount > left {
        return Err("error.extension.cap");
    }
    Ok(left - amount)
}

/// Who decides a tier: `Own` = the owning office's users with the tier's approver role;
/// `Parent` = supervisors of the owning office's parent (the next-higher department).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decider {
    Own,
    Parent,
}

/// The office that decides `tier`.
pub fn decider(tier: &str) -> Decider {
    if tier == "higher_department" {
        Decider::Parent
    } else {
        Decider::Own
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::deadline::Rules;

    #[test]
    fn caps_hold_per_tier() {
        let rule = Rules::builtin().get("ar.closing").expect("closing rule");
        assert_eq!(check(rule, "department_head", 1, 0), Ok(0));
        assert_eq!(
            check(rule, "department_head", 2, 0),
            Err("error.extension.cap")
        );
        assert_eq!(
            check(rule, "department_head", 1, 1),
            Err("error.extension.cap")
        );
        assert_eq!(check(rule, "higher_department", 2, 0), Ok(0));
        assert_eq!(check(rule, "higher_department", 1, 1), Ok(0));
        assert_eq!(check(rule, "panel", 1, 0), Err("error.extension.tier"));
        assert_eq!(
            check(rule, "department_head", 0, 0),
            Err("error.extension.amount")
        );
        let docket = Rules::builtin().get("ar.docket").unwrap();
        assert_eq!(check(docket, "department_head", 5, 0), Ok(0));
        assert_eq!(decider("higher_department"), Decider::Parent);
        assert_eq!(decider("department_head"), Decider::Own);
    }
}
