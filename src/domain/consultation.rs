//! Consultations (咨询): many requests to an assistance centre are questions, not cases. A
//! consultation records who asked, about what, the answer and the time it took; when a question
//! turns out to be a case it becomes a complaint or lead (the link is kept).

use crate::domain::contact::{has_control_multiline, normalise_multiline};
use crate::domain::uscc::Uscc;
use crate::error::FieldError;
use serde::{Deserialize, Serialize};

names! {
    /// What a consultation is about.
    ConsultTopic {
        PatentFiling = "patent_filing",
        InfringementRisk = "infringement_risk",
        Enforcement = "enforcement",
        Overseas = "overseas",
        TradeSecrets = "trade_secrets",
        Trademark = "trademark",
        Copyright = "copyright",
        Licensing = "licensing",
        Other = "other",
    }
}

names! {
    /// How the question reached the centre.
    ConsultChannel {
        /// Asked by the enterprise through weiquan.
        Online = "online",
        Phone = "phone",
        /// At the centre's or a workstation's counter.
        Visit = "visit",
        Email = "email",
    }
}

/// The shortest and longest question, in characters.
pub const QUESTION_CHARS: (usize, usize) = (5, 4000);
/// The longest answer, in characters.
pub const ANSWER_CHARS: usize = 8000;
/// The most minutes one consultation may record (a working day).
pub const MAX_MINUTES: u32 = 480;

/// A consultation as sent (`POST /api/v1/consultations`). An enterprise asks in its own name
/// online, so it sends only the topic and the question; staff recording a question taken by
/// phone, at a visit or by e-mail name the asker and may give the answer at once.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ConsultationInput {
    #[schema(required = true, value_type = ConsultTopic)]
    pub topic: String,
    #[schema(required = true, min_length = 5, max_length = 4000)]
    pub question: String,
    /// Staff: who asked (a person or an enterprise).
    #[schema(max_length = 100)]
    pub asker_name: Option<String>,
    /// Staff: a telephone number or e-mail address to answer to.
    #[schema(max_length = 100)]
    pub asker_contact: Option<String>,
    /// Staff: `phone`, `visit` or `email` (an enterprise's own question is `online`).
    #[schema(value_type = Option<ConsultChannel>)]
    pub channel: Option<String>,
    /// Staff: the asking enterprise's 统一社会信用代码, linking the consultation to it when it
    /// is registered here.
    #[schema(pattern = "^[0-9A-HJ-NPQRTUWXY]{18}$")]
    pub enterprise_uscc: Option<String>,
    /// Staff: the answer, when it was given at once.
    #[schema(max_length = 8000)]
    pub answer: Option<String>,
    /// Staff: minutes spent on it (1–480).
    #[schema(minimum = 1, maximum = 480)]
    pub minutes_spent: Option<u32>,
}

/// Who records a consultation, which decides the fields it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asker {
    /// An enterprise asking online in its own name.
    Enterprise,
    /// Staff of the answering organisation recording a question they took.
    Staff,
}

/// A consultation ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidConsultation {
    pub topic: ConsultTopic,
    pub question: String,
    pub channel: ConsultChannel,
    /// `None` for an enterprise (its name is taken from its record).
    pub asker_name: Option<String>,
    pub asker_contact: Option<String>,
    pub enterprise_uscc: Option<Uscc>,
    pub answer: Option<Answer>,
}

/// An answer ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub text: String,
    pub minutes: Option<u32>,
}

/// An answer as sent (`POST /api/v1/consultations/{id}/answer`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AnswerInput {
    #[schema(required = true, min_length = 1, max_length = 8000)]
    pub answer: String,
    /// Minutes spent on it (1–480).
    #[schema(minimum = 1, maximum = 480)]
    pub minutes_spent: Option<u32>,
}

fn line(errors: &mut Vec<FieldError>, field: &str, v: Option<&str>, max: usize) -> Option<String> {
    let v = v.map(str::trim).filter(|v| !v.is_empty())?;
    if v.chars().any(char::is_control) {
        errors.push(FieldError::new(field, "error.text.control"));
    } else if v.chars().count() > max {
        errors.push(FieldError::new(field, "error.text.too_long"));
    }
    Some(v.to_string())
}

/// A multi-line text of `min..=max` characters (lines kept, ends trimmed).
fn block(errors: &mut Vec<FieldError>, field: &str, v: &str, min: usize, max: usize) -> String {
    let text = normalise_multiline(v);
    let n = text.chars().count();
    if has_control_multiline(&text) {
        errors.push(FieldError::new(field, "error.text.control"));
    } else if n == 0 {
        errors.push(FieldError::new(field, "error.required"));
    } else if n < min {
        errors.push(FieldError::new(field, "error.consultation.question_short"));
    } else if n > max {
        errors.push(FieldError::new(field, "error.text.too_long"));
    }
    text
}

fn minutes(errors: &mut Vec<FieldError>, m: Option<u32>) -> Option<u32> {
    if let Some(m) = m
        && !(1..=MAX_MINUTES).contains(&m)
    {
        errors.push(FieldError::new(
            "minutes_spent",
            "error.consultation.minutes",
        ));
    }
    m
}

/// Validates an answer.
pub fn validate_answer(input: &AnswerInput) -> Result<Answer, Vec<FieldError>> {
    let mut errors = Vec::new();
    let text = block(&mut errors, "answer", &input.answer, 1, ANSWER_CHARS);
    let minutes = minutes(&mut errors, input.minutes_spent);
    if errors.is_empty() {
        Ok(Answer { text, minutes })
    } else {
        Err(errors)
    }
}

/// Validates a consultation; every problem is reported at once.
pub fn validate(
    input: &ConsultationInput,
    who: Asker,
) -> Result<ValidConsultation, Vec<FieldError>> {
    let mut errors = Vec::new();
    let topic = ConsultTopic::parse(input.topic.trim());
    if topic.is_none() {
        errors.push(FieldError::new("topic", "error.consultation.topic"));
    }
    let (min, max) = QUESTION_CHARS;
    let question = block(&mut errors, "question", &input.question, min, max);
    let staff_only = |errors: &mut Vec<FieldError>, field: &str, given: bool| {
        if given {
            errors.push(FieldError::new(field, "error.consultation.staff_only"));
        }
    };
    let filled = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
    let mut valid = ValidConsultation {
        topic: topic.unwrap_or(ConsultTopic::Other),
        question,
        channel: ConsultChannel::Online,
        asker_name: None,
        asker_contact: None,
        enterprise_uscc: None,
        answer: None,
    };
    match who {
        Asker::Enterprise => {
            // An enterprise's own question: its name, contact and channel are known.
            staff_only(&mut errors, "asker_name", filled(&input.asker_name));
            staff_only(&mut errors, "asker_contact", filled(&input.asker_contact));
            staff_only(
                &mut errors,
                "enterprise_uscc",
                filled(&input.enterprise_uscc),
            );
            staff_only(&mut errors, "answer", filled(&input.answer));
            staff_only(&mut errors, "minutes_spent", input.minutes_spent.is_some());
            if let Some(c) = input.channel.as_deref().map(str::trim)
                && !c.is_empty()
                && c != ConsultChannel::Online.as_str()
            {
                errors.push(FieldError::new("channel", "error.consultation.channel"));
            }
        }
        Asker::Staff => {
            valid.asker_name = line(&mut errors, "asker_name", input.asker_name.as_deref(), 100);
            if valid.asker_name.is_none() {
                errors.push(FieldError::new("asker_name", "error.required"));
            }
            valid.asker_contact = line(
                &mut errors,
                "asker_contact",
                input.asker_contact.as_deref(),
                100,
            );
            match input
                .channel
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
            {
                None => errors.push(FieldError::new("channel", "error.required")),
                Some(c) => match ConsultChannel::parse(c) {
                    Some(ch) if ch != ConsultChannel::Online => valid.channel = ch,
                    _ => errors.push(FieldError::new("channel", "error.consultation.channel")),
                },
            }
            if let Some(u) = input
                .enterprise_uscc
                .as_deref()
                .map(str::trim)
                .filter(|u| !u.is_empty())
            {
                match Uscc::parse(u) {
                    Ok(u) => valid.enterprise_uscc = Some(u),
                    Err(e) => errors.push(FieldError::new("enterprise_uscc", e.message_key())),
                }
            }
            let answer = input.answer.as_deref().filter(|a| !a.trim().is_empty());
            let minutes = minutes(&mut errors, input.minutes_spent);
            if let Some(a) = answer {
                let text = block(&mut errors, "answer", a, 1, ANSWER_CHARS);
                valid.answer = Some(Answer { text, minutes });
            } else if minutes.is_some() {
                errors.push(FieldError::new(
                    "answer",
                    "error.consultation.minutes_without_answer",
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(valid)
    } else {
        Err(errors)
    }
}

/// Where a consultation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Waiting for an answer.
    Open,
    Answered,
    /// It became a complaint or lead.
    Converted,
}

impl Status {
    pub fn of(answered: bool, converted: bool) -> Self {
        match (answered, converted) {
            (_, true) => Self::Converted,
            (true, false) => Self::Answered,
            (false, false) => Self::Open,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Answered => "answered",
            Self::Converted => "converted",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Open, Self::Answered, Self::Converted]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(r: Result<ValidConsultation, Vec<FieldError>>) -> Vec<String> {
        r.err()
            .unwrap_or_default()
            .iter()
            .map(|e| format!("{}={}", e.field, e.message.key))
            .collect()
    }

    fn staff() -> ConsultationInput {
        ConsultationInput {
            topic: "overseas".into(),
            question: "美国客户发来侵权警告函，应如何应对？".into(),
            asker_name: Some("赵敏".into()),
            asker_contact: Some("13900000000".into()),
            channel: Some("phone".into()),
            ..Default::default()
        }
    }

    #[test]
    fn an_enterprise_asks_with_a_topic_and_a_question_only() {
        let input = ConsultationInput {
            topic: "trade_secrets".into(),
            question: "离职员工带走客户名单怎么办？".into(),
            ..Default::default()
        };
        let v = validate(&input, Asker::Enterprise).unwrap();
        assert_eq!(v.topic, ConsultTopic::TradeSecrets);
        assert_eq!(v.channel, ConsultChannel::Online);
        assert_eq!(v.asker_name, None);
        let answered = ConsultationInput {
            answer: Some("自己回答".into()),
            asker_name: Some("别人".into()),
            ..input
        };
        assert_eq!(
            fields(validate(&answered, Asker::Enterprise)),
            [
                "asker_name=error.consultation.staff_only",
                "answer=error.consultation.staff_only"
            ]
        );
    }

    #[test]
    fn staff_name_the_asker_and_how_they_asked() {
        let v = validate(&staff(), Asker::Staff).unwrap();
        assert_eq!(v.channel, ConsultChannel::Phone);
        assert_eq!(v.asker_name.as_deref(), Some("赵敏"));
        let online = ConsultationInput {
            channel: Some("online".into()),
            asker_name: None,
            ..staff()
        };
        assert_eq!(
            fields(validate(&online, Asker::Staff)),
            [
                "asker_name=error.required",
                "channel=error.consultation.channel"
            ]
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let bad = ConsultationInput {
            topic: "weather".into(),
            question: "问".into(),
            enterprise_uscc: Some("123".into()),
            minutes_spent: Some(0),
            ..staff()
        };
        assert_eq!(
            fields(validate(&bad, Asker::Staff)),
            [
                "topic=error.consultation.topic",
                "question=error.consultation.question_short",
                "enterprise_uscc=error.uscc.length",
                "minutes_spent=error.consultation.minutes",
                "answer=error.consultation.minutes_without_answer",
            ]
        );
        let control = ConsultationInput {
            question: "有控制字符\u{7}的问题".into(),
            ..staff()
        };
        assert_eq!(
            fields(validate(&control, Asker::Staff)),
            ["question=error.text.control"]
        );
    }

    #[test]
    fn an_answer_given_at_once_is_kept_with_its_minutes() {
        let v = validate(
            &ConsultationInput {
                answer: Some("  先固定证据，再评估是否应诉。\n可申请海外维权援助。 ".into()),
                minutes_spent: Some(25),
                ..staff()
            },
            Asker::Staff,
        )
        .unwrap();
        let a = v.answer.unwrap();
        assert_eq!(a.text, "先固定证据，再评估是否应诉。\n可申请海外维权援助。");
        assert_eq!(a.minutes, Some(25));
    }

    #[test]
    fn answers_need_text_and_sensible_minutes() {
        assert!(
            validate_answer(&AnswerInput {
                answer: "可以".into(),
                minutes_spent: Some(MAX_MINUTES)
            })
            .is_ok()
        );
        let keys: Vec<&str> = validate_answer(&AnswerInput {
            answer: "  ".into(),
            minutes_spent: Some(MAX_MINUTES + 1),
        })
        .unwrap_err()
        .iter()
        .map(|e| e.message.key)
        .collect();
        assert_eq!(keys, ["error.required", "error.consultation.minutes"]);
    }

    #[test]
    fn status_follows_answer_and_conversion() {
        assert_eq!(Status::of(false, false), Status::Open);
        assert_eq!(Status::of(true, false), Status::Answered);
        assert_eq!(Status::of(false, true), Status::Converted);
        assert_eq!(Status::parse("answered"), Some(Status::Answered));
        assert_eq!(Status::parse("closed"), None);
    }
}
