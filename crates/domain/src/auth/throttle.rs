//! Slowing down password guessing (NIST SP 800-63B §5.2.2) without locking the real member out.
//!
//! Failures are counted per account and per address, in the database so every instance sees
//! them. A few failures cost nothing; then each new attempt must wait, longer each time, up to a
//! ceiling. Attempts made while waiting are refused without checking the password. After 100
//! consecutive failures on an account the password alone no longer suffices: the member also
//! types a code sent to their verified contact, which an attacker does not have. So a flood of
//! wrong passwords from many addresses can delay the member by at most `MAX_DELAY`, never lock
//! them out.

use time::Duration;

/// Failures that cost no wait.
pub const FREE_FAILURES: u32 = 3;
/// The longest wait between attempts on one account or from one address.
pub const MAX_DELAY: Duration = Duration::seconds(30);
/// Consecutive account failures after which a one-time code is also required.
pub const STEP_UP_AFTER: u32 = 100;

/// The wait that `failures` consecutive failures impose before the next attempt.
pub fn delay(failures: u32) -> Duration {
    if failures <= FREE_FAILURES {
        return Duration::ZERO;
    }
    let exponent = (failures - FREE_FAILURES - 1).min(10);
    (Duration::seconds(1) * 2i32.pow(exponent)).min(MAX_DELAY)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Check the password now.
    Proceed { code_required: bool },
    /// Refuse without checking; tell the member how long to wait.
    Wait(Duration),
}

/// Whether an attempt may go ahead, given each counter's failures and the time since its last
/// failure.
pub fn decide(account: (u32, Duration), address: (u32, Duration)) -> Decision {
    let remaining = |(failures, since): (u32, Duration)| delay(failures) - since;
    let wait = remaining(account).max(remaining(address));
    if wait > Duration::ZERO {
        Decision::Wait(wait)
    } else {
        Decision::Proceed {
            code_required: account.0 >= STEP_UP_AFTER,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_stop_growing() {
        assert_eq!(delay(0), Duration::ZERO);
        assert_eq!(delay(3), Duration::ZERO);
        assert_eq!(delay(4), Duration::seconds(1));
        assert_eq!(delay(5), Duration::seconds(2));
        assert_eq!(delay(8), Duration::seconds(16));
        assert_eq!(delay(9), MAX_DELAY);
        assert_eq!(delay(10_000), MAX_DELAY);
    }

    #[test]
    fn a_flood_delays_but_never_locks_out() {
        let (flooded, after_wait) = ((10_000, MAX_DELAY), (0, Duration::ZERO));
        assert_eq!(
            decide(flooded, after_wait),
            Decision::Proceed {
                code_required: true
            }
        );
        let just_failed = (10_000, Duration::seconds(1));
        assert_eq!(
            decide(just_failed, after_wait),
            Decision::Wait(Duration::seconds(29))
        );
        assert_eq!(
            decide((2, Duration::ZERO), (0, Duration::ZERO)),
            Decision::Proceed {
                code_required: false
            }
        );
        assert_eq!(
            decide((0, Duration::ZERO), (6, Duration::seconds(1))),
            Decision::Wait(Duration::seconds(3))
        );
    }
}
