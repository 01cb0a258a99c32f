//! The human explanation of a clock, in Chinese: start, count, days skipped, pauses, extensions.

use super::{Event, Grant, Pause, Rule, Unit};
use crate::domain::calendar::Calendar;
use chrono::{DateTime, FixedOffset};

#[allow(clippy::too_many_arguments)]
pub(super) fn explain(
    rule: &Rule,
    amount: u32,
    start: &Event,
    due_at: DateTime<FixedOffset>,
    paused: &[Pause],
    grants: &[Grant],
    cal: &Calendar,
    provisional: bool,
) -> String {
    let fmt = |t: DateTime<FixedOffset>| t.format("%Y-%m-%d %H:%M").to_string();
    // Every code named in words: the event's label, a unit's Chinese name.
    let event = crate::i18n::t(crate::i18n::Lang::Zh, &start.kind.key());
    let mut parts = vec![format!("自 {}（{event}）起算", fmt(start.instant()))];
    if rule.set_in_notice && start.period_days.is_some() {
        parts.push("期间按通知书所定".to_string());
    }
    if rule.set_by_office && start.period_days.is_some() {
        parts.push("期间按本机构服务承诺".to_string());
    }
    parts.push(match rule.unit {
        Unit::Hours => format!("{amount} 小时"),
        Unit::WorkingDays => format!("{amount} 个工作日，起算日不计入"),
        Unit::CalendarDays => format!("{amount} 日，起算日不计入，期满日为休息日的顺延"),
        Unit::CalendarMonths => format!("{amount} 个月，期满日为休息日的顺延"),
    });
    if rule.unit != Unit::Hours {
        let (from, to) = (start.instant().date_naive(), due_at.date_naive());
        let mut off = Vec::new();
        let mut makeup = Vec::new();
        for d in from.iter_days().skip(1).take_while(|d| *d < to) {
            let day = cal.day(d);
            if let Some(h) = day.holiday {
                off.push(format!("{}{}", d.format("%m-%d"), h.chinese()));
            }
            if day.makeup_workday.is_some() {
                makeup.push(d.format("%m-%d").to_string());
            }
        }
        if !off.is_empty() {
            parts.push(format!("期间法定节假日：{}", off.join("、")));
        }
        if !makeup.is_empty() {
            parts.push(format!("调休上班日：{}", makeup.join("、")));
        }
    }
    for p in paused {
        parts.push(match p.until {
            Some(u) => format!("{} 至 {} 中止计算", fmt(p.from), fmt(u)),
            None => format!("自 {} 起中止计算（尚未恢复）", fmt(p.from)),
        });
    }
    let unit_of = |tier: &str| {
        let unit = rule
            .extensions
            .iter()
            .find(|t| t.tier == tier)
            .map(|t| t.unit)
            .unwrap_or(rule.unit);
        match unit {
            Unit::Hours => "小时",
            Unit::WorkingDays => "个工作日",
            Unit::CalendarDays => "日",
            Unit::CalendarMonths => "个月",
        }
    };
    for g in grants {
        let unit = unit_of(&g.tier);
        parts.push(match g.tier.as_str() {
            "evidence_period_extended" => {
                format!("当事人申请延长举证期限 {} 日，期限相应顺延", g.amount)
            }
            "public_notice_served" => format!("公告送达期间 {} 日不计入", g.amount),
            "department_head" => format!("经部门负责人批准延长 {} {unit}", g.amount),
            "higher_department" => format!("经上级部门批准延长 {} {unit}", g.amount),
            "panel" => format!("经合议组决定延长 {} {unit}", g.amount),
            _ => format!("经批准延长 {} {unit}", g.amount),
        });
    }
    let end = if rule.unit == Unit::Hours {
        fmt(due_at)
    } else {
        format!(
            "{} 24:00",
            (due_at.date_naive() - chrono::Days::new(1)).format("%Y-%m-%d")
        )
    };
    parts.push(format!("截止 {end}（北京时间）"));
    if provisional {
        parts.push("涉及尚未公布放假安排的年份，按周末推算，待公布后重算".to_string());
    }
    parts.push(match rule.basis {
        super::Basis::Law => format!("依据：{}", rule.source),
        super::Basis::ServiceStandard => format!("服务承诺（非法定时限）：{}", rule.source),
    });
    parts.join("；") + "。"
}
