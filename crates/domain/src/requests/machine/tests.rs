//! Every kind × state × action × actor: the allowed transitions are listed here by hand, from the
//! rules in the module's documentation, and everything not listed must be refused with the right
//! reason.

use std::collections::{BTreeSet, HashMap};

use super::*;
use ActionName as A;
use RequestStage as S;

fn reason(code: &str) -> ReasonCode {
    ReasonCode::parse(code).unwrap()
}

/// A state of each stage (with a reason where the stage has one).
fn state_of(stage: RequestStage) -> RequestState {
    let reason = stage.has_reason().then(|| reason("deed_scan_illegible"));
    RequestState::from_parts(stage, reason).unwrap()
}

fn action_of(name: ActionName) -> Action {
    let reason = matches!(name, A::AskForCorrection | A::Reject).then(|| reason("no_zero_balance"));
    name.with_reason(reason).unwrap()
}

/// The transitions the rules allow, written out: (kind, from, action, actor) → to.
fn allowed() -> HashMap<(RequestKind, S, A, Actor), S> {
    let mut rows = HashMap::new();
    let mut allow = |kind, from, action, actor, to| {
        assert!(rows.insert((kind, from, action, actor), to).is_none());
    };
    for kind in RequestKind::ALL {
        allow(kind, S::Draft, A::Submit, Actor::Member, S::Submitted);
        allow(
            kind,
            S::Submitted,
            A::StartReview,
            Actor::Operator,
            S::InReview,
        );
        allow(
            kind,
            S::InReview,
            A::AskForCorrection,
            Actor::Operator,
            S::NeedsCorrection,
        );
        allow(
            kind,
            S::NeedsCorrection,
            A::Resubmit,
            Actor::Member,
            S::Submitted,
        );
        allow(kind, S::InReview, A::Approve, Actor::Operator, S::Approved);
        allow(kind, S::InReview, A::Reject, Actor::Operator, S::Rejected);
        allow(kind, S::Approved, A::Complete, Actor::Operator, S::Done);
        for from in [S::Draft, S::Submitted, S::InReview, S::NeedsCorrection] {
            allow(kind, from, A::Cancel, Actor::Member, S::Cancelled);
        }
    }
    // The cancellation letter is decided by checking the ledger, without a review.
    for actor in [Actor::Operator, Actor::System] {
        let letter = RequestKind::CancellationLetter;
        allow(letter, S::Submitted, A::Approve, actor, S::Approved);
        allow(letter, S::Submitted, A::Reject, actor, S::Rejected);
    }
    // Letters issued, deposits made and credits signed are recorded by the system.
    for kind in [
        RequestKind::CreditApplication,
        RequestKind::CancellationLetter,
        RequestKind::OverpaymentRefund,
        RequestKind::PensionerRefund,
    ] {
        allow(kind, S::Approved, A::Complete, Actor::System, S::Done);
    }
    rows
}

#[test]
fn every_allowed_transition_is_taken_and_every_other_is_refused_for_the_right_reason() {
    let allowed = allowed();
    let mut taken = 0;
    for kind in RequestKind::ALL {
        for from in RequestStage::ALL {
            for name in ActionName::ALL {
                for actor in Actor::ALL {
                    let state = state_of(from);
                    let action = action_of(name);
                    let got = transition(kind, &state, &action, actor);
                    let case = format!(
                        "{} {} {} by {}",
                        kind.code(),
                        from.code(),
                        name.code(),
                        actor.code()
                    );
                    match allowed.get(&(kind, from, name, actor)) {
                        Some(to) => {
                            let next = got.unwrap_or_else(|e| panic!("{case}: refused {e:?}"));
                            assert_eq!(next.stage(), *to, "{case}");
                            // The reason given with the action is the one the state keeps.
                            if to.has_reason() {
                                assert_eq!(
                                    next.reason(),
                                    Some(&reason("no_zero_balance")),
                                    "{case}"
                                );
                            }
                            taken += 1;
                        }
                        None => {
                            let someone_can = Actor::ALL
                                .iter()
                                .any(|a| allowed.contains_key(&(kind, from, name, *a)));
                            let expected = if from.is_closed() {
                                TransitionError::Closed { stage: from }
                            } else if someone_can {
                                TransitionError::NotPermitted {
                                    actor,
                                    action: name,
                                }
                            } else {
                                TransitionError::WrongState {
                                    stage: from,
                                    action: name,
                                }
                            };
                            assert_eq!(got, Err(expected), "{case}");
                        }
                    }
                }
            }
        }
    }
    assert_eq!(taken, 6 * 11 + 4 + 4);
}

#[test]
fn available_actions_are_exactly_the_allowed_ones() {
    let allowed = allowed();
    for kind in RequestKind::ALL {
        for from in RequestStage::ALL {
            for actor in Actor::ALL {
                let expected: Vec<ActionName> = ActionName::ALL
                    .into_iter()
                    .filter(|name| allowed.contains_key(&(kind, from, *name, actor)))
                    .collect();
                assert_eq!(available_actions(kind, &state_of(from), actor), expected);
            }
        }
    }
}

#[test]
fn every_stage_is_reachable_and_every_open_stage_has_a_way_out() {
    let allowed = allowed();
    for kind in RequestKind::ALL {
        let mut reached = BTreeSet::from([S::Draft]);
        loop {
            let more: BTreeSet<S> = allowed
                .iter()
                .filter(|((k, from, _, _), _)| *k == kind && reached.contains(from))
                .map(|(_, to)| *to)
                .collect();
            if more.is_subset(&reached) {
                break;
            }
            reached.extend(more);
        }
        assert_eq!(reached.len(), RequestStage::ALL.len(), "{}", kind.code());
        for from in RequestStage::ALL.into_iter().filter(|s| !s.is_closed()) {
            assert!(
                allowed.keys().any(|(k, f, _, _)| *k == kind && *f == from),
                "{} is stuck at {}",
                kind.code(),
                from.code()
            );
        }
    }
}

#[test]
fn the_cancellation_letter_can_be_issued_by_the_system_alone() {
    let kind = RequestKind::CancellationLetter;
    let submitted = transition(kind, &RequestState::Draft, &Action::Submit, Actor::Member).unwrap();
    let approved = transition(kind, &submitted, &Action::Approve, Actor::System).unwrap();
    let done = transition(kind, &approved, &Action::Complete, Actor::System).unwrap();
    assert_eq!(done, RequestState::Done);
    // Deeds need a person at each step.
    let deeds = RequestKind::Deeds;
    assert_eq!(
        transition(
            deeds,
            &RequestState::Submitted,
            &Action::Approve,
            Actor::Operator
        ),
        Err(TransitionError::WrongState {
            stage: S::Submitted,
            action: A::Approve
        })
    );
    assert_eq!(
        transition(
            deeds,
            &RequestState::Approved,
            &Action::Complete,
            Actor::System
        ),
        Err(TransitionError::NotPermitted {
            actor: Actor::System,
            action: A::Complete
        })
    );
}

#[test]
fn a_member_cannot_cancel_after_a_decision_nor_decide_their_own_request() {
    let kind = RequestKind::PensionerRefund;
    assert_eq!(
        transition(
            kind,
            &RequestState::Approved,
            &Action::Cancel,
            Actor::Member
        )
        .unwrap_err()
        .code(),
        "request_wrong_state"
    );
    assert_eq!(
        transition(
            kind,
            &RequestState::InReview,
            &Action::Approve,
            Actor::Member
        )
        .unwrap_err()
        .code(),
        "request_not_permitted"
    );
    let rejected = state_of(S::Rejected);
    assert_eq!(
        transition(kind, &rejected, &Action::Cancel, Actor::Member)
            .unwrap_err()
            .code(),
        "request_closed"
    );
}

#[test]
fn the_next_step_belongs_to_whoever_the_rules_let_move() {
    let allowed = allowed();
    for from in RequestStage::ALL {
        let owner = next_owner(&state_of(from));
        let movers: BTreeSet<&str> = allowed
            .keys()
            .filter(|(_, f, name, _)| *f == from && *name != A::Cancel)
            .map(|(_, _, _, actor)| actor.code())
            .collect();
        let expected = match owner {
            Owner::Member => BTreeSet::from(["member"]),
            Owner::Fund => BTreeSet::from(["operator", "system"]),
            Owner::Nobody => BTreeSet::new(),
        };
        if owner == Owner::Fund {
            assert!(
                movers.contains("operator") && movers.is_subset(&expected),
                "{}",
                from.code()
            );
        } else {
            assert_eq!(movers, expected, "{}", from.code());
        }
    }
}

#[test]
fn states_round_trip_through_their_parts_and_need_their_reason() {
    for stage in RequestStage::ALL {
        let state = state_of(stage);
        assert_eq!(RequestStage::from_code(stage.code()), Some(stage));
        assert_eq!(
            RequestState::from_parts(state.stage(), state.reason().cloned()),
            Some(state.clone())
        );
        let flipped = if stage.has_reason() {
            None
        } else {
            Some(reason("x"))
        };
        assert_eq!(
            RequestState::from_parts(stage, flipped),
            None,
            "{}",
            stage.code()
        );
    }
    for name in ActionName::ALL {
        assert_eq!(ActionName::from_code(name.code()), Some(name));
        assert_eq!(action_of(name).name(), name);
    }
}

#[test]
fn reason_codes_are_snake_case_words() {
    for good in ["no_zero_balance", "clabe_not_in_member_name", "a", "rfc2"] {
        assert_eq!(ReasonCode::parse(good).unwrap().as_str(), good);
    }
    let long = "a".repeat(65);
    for bad in [
        "",
        "No",
        "1st",
        "with space",
        "acentuación",
        "dash-ed",
        long.as_str(),
    ] {
        assert_eq!(ReasonCode::parse(bad), Err(ReasonCodeError), "{bad}");
    }
}
