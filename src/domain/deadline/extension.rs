//! Extensions of a clock: which tier may add how much, and who decides (DOMAIN.md: e.g. the
//! closing limit +≤1 month by the department head, +≤2 months by the next-higher department).

use super::Rule;

/// Why an extension cannot be requested or granted (catalogue keys).
pub type Refusal = &'static str;

/// Checks a request for `amount` more units of `rule` at `tier`, given what each tier has already
/// granted on this clock (`granted(tier)`). Returns the remaining allowance after this request.
pub fn check(
    rule: &Rule,
    tier: &str,
    amount: u32,
    granted: impl Fn(&str) -> u32,
) -> Result<u32, Refusal> {
    let t = rule
        .extensions
        .iter()
        .find(|t| t.tier == tier)
        .ok_or("error.extension.tier")?;
    if amount == 0 {
        return Err("error.extension.amount");
    }
    if t.after.as_deref().is_some_and(|first| granted(first) == 0) {
        return Err("error.extension.first_tier");
    }
    let left = t.limit().saturating_sub(granted(tier));
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

    /// What each tier has granted: the department head `head`, the higher department `higher`.
    fn so_far(head: u32, higher: u32) -> impl Fn(&str) -> u32 {
        move |tier| match tier {
            "department_head" => head,
            "higher_department" => higher,
            _ => 0,
        }
    }

    #[test]
    fn caps_hold_per_tier() {
        let rule = Rules::builtin().get("ar.closing").expect("closing rule");
        assert_eq!(check(rule, "department_head", 1, so_far(0, 0)), Ok(0));
        assert_eq!(
            check(rule, "department_head", 2, so_far(0, 0)),
            Err("error.extension.cap")
        );
        assert_eq!(
            check(rule, "department_head", 1, so_far(1, 0)),
            Err("error.extension.cap")
        );
        assert_eq!(check(rule, "higher_department", 2, so_far(1, 0)), Ok(0));
        assert_eq!(check(rule, "higher_department", 1, so_far(1, 1)), Ok(0));
        assert_eq!(
            check(rule, "panel", 1, so_far(0, 0)),
            Err("error.extension.tier")
        );
        assert_eq!(
            check(rule, "department_head", 0, so_far(0, 0)),
            Err("error.extension.amount")
        );
        let docket = Rules::builtin().get("ar.docket").unwrap();
        assert_eq!(check(docket, "department_head", 5, |_| 0), Ok(0));
        assert_eq!(decider("higher_department"), Decider::Parent);
        assert_eq!(decider("department_head"), Decider::Own);
    }

    /// Art. 37: the next-higher department extends only a clock its department head has
    /// extended already.
    #[test]
    fn the_second_tier_comes_after_the_first() {
        let rule = Rules::builtin().get("ar.closing").unwrap();
        assert_eq!(
            check(rule, "higher_department", 2, so_far(0, 0)),
            Err("error.extension.first_tier")
        );
        assert_eq!(check(rule, "higher_department", 2, so_far(1, 0)), Ok(0));
    }

    /// Art. 22: the panel decides an extension of the answer period, with no figure in the
    /// law, for a respondent at home or abroad.
    #[test]
    fn the_panel_extends_an_answer_period_without_a_fixed_cap() {
        for id in ["ar.answer", "ar.answer_abroad"] {
            let rule = Rules::builtin().get(id).unwrap();
            assert_eq!(check(rule, "panel", 30, |_| 0).map(|_| ()), Ok(()), "{id}");
            assert_eq!(check(rule, "panel", 20, |_| 30).map(|_| ()), Ok(()), "{id}");
            assert_eq!(
                check(
                    rule,
                    "panel",
                    crate::domain::deadline::UNCAPPED_MAX + 1,
                    |_| 0
                ),
                Err("error.extension.cap")
            );
        }
    }
}
