//! Rules of offer alerts: which preferences a student may store, and which
//! opted-in students a published or edited offer alerts. Plain functions: the
//! caller looks up whether the portal exists and ranks the candidates.

use std::collections::HashMap;

use super::{Message, OfferKind, Violation, ViolationCode};

/// The matching score's scale: alerts compare against the same number the
/// rankings show.
pub const SCORE_RANGE: std::ops::RangeInclusive<f64> = 0.0..=1.0;

/// Longest portal name accepted, in characters.
pub const MAX_PORTAL_CHARS: usize = 200;

/// What a student asked to be alerted of.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertWish {
    /// Lowest score that alerts, on [`SCORE_RANGE`].
    pub min_score: f64,
    /// Kinds of offer wanted; empty means every kind.
    pub kinds: Vec<OfferKind>,
}

impl AlertWish {
    /// Whether an eligible candidate with `score` for an offer of `kind` is alerted.
    pub fn wants(&self, kind: OfferKind, score: f64, eligible: bool) -> bool {
        eligible && score >= self.min_score && (self.kinds.is_empty() || self.kinds.contains(&kind))
    }
}

/// The students to alert of an offer of `kind`: among the ranked `candidates`
/// (`(student, score, eligible)`), those whose wish it meets, in the
/// candidates' order. `wishes` holds only the students not yet alerted of
/// the offer.
pub fn alert_recipients(
    kind: OfferKind,
    candidates: impl IntoIterator<Item = (i64, f64, bool)>,
    wishes: &HashMap<i64, AlertWish>,
) -> Vec<i64> {
    candidates
        .into_iter()
        .filter(|(student, score, eligible)| wishes.get(student).is_some_and(|w| w.wants(kind, *score, *eligible)))
        .map(|(student, ..)| student)
        .collect()
}

/// Checks alert preferences: the score on the matching scale, each kind once,
/// and a portal when alerts are on; `portal_exists` says whether the portal
/// named is a partner portal's subscription.
pub fn validate_alerts(
    enabled: bool,
    min_score: f64,
    kinds: &[OfferKind],
    portal: Option<&str>,
    portal_exists: bool,
) -> Vec<Violation> {
    let mut out = Vec::new();
    if !SCORE_RANGE.contains(&min_score) {
        out.push(Violation::new("min_score", ViolationCode::OutOfRange, Message::new("alert-min-score-out-of-range")));
    }
    for (i, kind) in kinds.iter().enumerate() {
        if kinds[..i].contains(kind) {
            out.push(Violation::new(
                format!("kinds[{i}]"),
                ViolationCode::Duplicate,
                Message::new("alert-kind-already-listed"),
            ));
        }
    }
    match portal.map(str::trim) {
        None | Some("") if enabled => {
            out.push(Violation::new("portal", ViolationCode::Required, Message::new("alert-portal-required")));
        }
        None | Some("") => {}
        Some(name) if name.chars().count() > MAX_PORTAL_CHARS => out.push(Violation::new(
            "portal",
            ViolationCode::TooLong,
            Message::new("too-long").arg("max", MAX_PORTAL_CHARS),
        )),
        Some(name) if !portal_exists => out.push(Violation::new(
            "portal",
            ViolationCode::Unknown,
            Message::new("alert-portal-unknown").arg("name", name.to_owned()),
        )),
        Some(_) => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use OfferKind::{Internship, WorkStudy};

    #[test]
    fn a_wish_is_met_by_an_eligible_offer_of_its_kinds_at_its_score() {
        let any = AlertWish { min_score: 0.6, kinds: vec![] };
        let work_study = AlertWish { min_score: 0.0, kinds: vec![WorkStudy] };
        let cases = [
            (&any, Internship, 0.6, true, true),
            (&any, WorkStudy, 0.9, true, true),
            (&any, Internship, 0.59, true, false),
            (&any, Internship, 1.0, false, false),
            (&work_study, WorkStudy, 0.0, true, true),
            (&work_study, Internship, 1.0, true, false),
            (&work_study, WorkStudy, 0.5, false, false),
        ];
        for (wish, kind, score, eligible, expected) in cases {
            assert_eq!(wish.wants(kind, score, eligible), expected, "{wish:?} {kind} {score} {eligible}");
        }
    }

    #[test]
    fn recipients_are_the_candidates_whose_wish_the_offer_meets() {
        let wishes: HashMap<i64, AlertWish> = [
            (1, AlertWish { min_score: 0.5, kinds: vec![] }),
            (2, AlertWish { min_score: 0.5, kinds: vec![] }),
            (3, AlertWish { min_score: 0.9, kinds: vec![] }),
            (4, AlertWish { min_score: 0.0, kinds: vec![WorkStudy] }),
        ]
        .into();
        // 5 has no wish (or was alerted already); 2 is not eligible in the last case.
        let candidates = [(2, 0.8, true), (1, 0.7, true), (3, 0.7, true), (4, 0.7, true), (5, 0.7, true)];
        let cases = [
            (Internship, candidates, vec![2, 1]),
            (WorkStudy, candidates, vec![2, 1, 4]),
            (WorkStudy, [(2, 0.8, false), (1, 0.4, true), (3, 0.95, true), (4, 0.0, true), (5, 1.0, true)], vec![3, 4]),
        ];
        for (kind, candidates, expected) in cases {
            assert_eq!(alert_recipients(kind, candidates, &wishes), expected, "{kind} {candidates:?}");
        }
    }

    #[test]
    fn each_rule_names_its_field() {
        let long = "p".repeat(MAX_PORTAL_CHARS + 1);
        // (enabled, min_score, kinds, portal, the portal exists, the fields and codes refused)
        type Case<'a> = (bool, f64, Vec<OfferKind>, Option<&'a str>, bool, Vec<(&'a str, ViolationCode)>);
        let cases: [Case<'_>; 9] = [
            (true, 0.6, vec![Internship], Some("jobs-portal"), true, vec![]),
            (false, 0.0, vec![], None, false, vec![]),
            (false, 1.0, vec![], Some(""), false, vec![]),
            (true, 0.6, vec![], None, false, vec![("portal", ViolationCode::Required)]),
            (true, 0.6, vec![], Some("  "), false, vec![("portal", ViolationCode::Required)]),
            (false, 0.6, vec![], Some("nowhere"), false, vec![("portal", ViolationCode::Unknown)]),
            (true, 0.6, vec![], Some(&long), true, vec![("portal", ViolationCode::TooLong)]),
            (true, 60.0, vec![], Some("jobs-portal"), true, vec![("min_score", ViolationCode::OutOfRange)]),
            (
                false,
                -0.1,
                vec![Internship, WorkStudy, Internship],
                None,
                false,
                vec![("min_score", ViolationCode::OutOfRange), ("kinds[2]", ViolationCode::Duplicate)],
            ),
        ];
        for (enabled, score, kinds, portal, exists, expected) in cases {
            let found: Vec<(String, ViolationCode)> = validate_alerts(enabled, score, &kinds, portal, exists)
                .into_iter()
                .map(|v| (v.field, v.code))
                .collect();
            let expected: Vec<(String, ViolationCode)> = expected.into_iter().map(|(f, c)| (f.to_owned(), c)).collect();
            assert_eq!(found, expected, "{enabled} {score} {kinds:?} {portal:?}");
        }
    }
}
