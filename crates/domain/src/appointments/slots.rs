//! Slots: the times an office gives appointments at, and the rules for taking, moving and
//! cancelling one.
//!
//! - An office takes appointments on the days it opens (its hours for that weekday) that are not
//!   rest days of the Ley Federal del Trabajo art. 74 or a closing day the fund adds
//!   ([`Holidays`]). Saturdays count where the office opens on Saturdays.
//! - Each open day is cut into slots of [`SlotRules::minutes`] from opening time; a slot must end
//!   by closing time. Each slot takes as many appointments as the office has desks.
//! - A member books from tomorrow to [`SlotRules::window_days`] calendar days after today: never
//!   today, never in the past.
//! - An appointment can be moved or cancelled online until the day before it.
//!
//! Times are the office's own wall clock; days are compared with today in Mexico City.

use std::collections::BTreeMap;

use time::{Date, Duration, Time};

use super::offices::{Office, minute_of_day};
use crate::requests::Holidays;

const MINUTES_PER_DAY: u16 = 24 * 60;

/// When an appointment starts: a day and the minute after midnight, on the office's clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Slot {
    pub day: Date,
    pub minute: u16,
}

impl Slot {
    pub fn new(day: Date, minute: u16) -> Option<Slot> {
        (minute < MINUTES_PER_DAY).then_some(Slot { day, minute })
    }

    /// A day written YYYY-MM-DD and a time written HH:MM.
    pub fn parse(day: &str, time: &str) -> Option<Slot> {
        let day = crate::dates::parse_iso(day).ok()?;
        Slot::new(day, Slot::parse_time(time)?)
    }

    /// "10:30" (or "9:30") as minutes after midnight.
    pub fn parse_time(text: &str) -> Option<u16> {
        let (h, m) = text.trim().split_once(':')?;
        if h.is_empty() || h.len() > 2 || m.len() != 2 {
            return None;
        }
        let (h, m) = (h.parse::<u16>().ok()?, m.parse::<u16>().ok()?);
        (h < 24 && m < 60).then_some(h * 60 + m)
    }

    pub fn time(&self) -> Time {
        let hour = u8::try_from(self.minute / 60).unwrap_or(0);
        let minute = u8::try_from(self.minute % 60).unwrap_or(0);
        Time::from_hms(hour, minute, 0).unwrap_or(Time::MIDNIGHT)
    }

    /// "10:30".
    pub fn time_text(&self) -> String {
        format!("{:02}:{:02}", self.minute / 60, self.minute % 60)
    }
}

/// How slots are cut and how far ahead they are offered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlotRules {
    /// The length of a slot, in minutes.
    pub minutes: u16,
    /// The last day a member can book is this many calendar days after today.
    pub window_days: u16,
}

impl Default for SlotRules {
    fn default() -> Self {
        SlotRules {
            minutes: 30,
            window_days: 30,
        }
    }
}

/// Why a slot cannot be taken, moved or cancelled, with a stable code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SlotError {
    /// The day has passed.
    #[error("appointment_in_the_past")]
    Past,
    /// Today, or beyond the booking window.
    #[error("appointment_outside_window")]
    OutsideWindow,
    /// The office is closed then, or no slot starts at that time.
    #[error("slot_not_offered")]
    NotOffered,
    /// The appointment is today or has passed: it can no longer be changed online.
    #[error("appointment_too_late_to_change")]
    TooLateToChange,
}

impl SlotError {
    pub fn code(&self) -> &'static str {
        match self {
            SlotError::Past => "appointment_in_the_past",
            SlotError::OutsideWindow => "appointment_outside_window",
            SlotError::NotOffered => "slot_not_offered",
            SlotError::TooLateToChange => "appointment_too_late_to_change",
        }
    }
}

/// Whether the office gives appointments on `day`.
pub fn is_open(office: &Office, day: Date, holidays: &Holidays) -> bool {
    office.hours_on(day.weekday()).is_some() && !holidays.is_holiday(day)
}

/// The slots of `office` on `day`, in order; none when it is closed.
pub fn slots_on(office: &Office, day: Date, rules: &SlotRules, holidays: &Holidays) -> Vec<Slot> {
    let Some(hours) = office.hours_on(day.weekday()) else {
        return Vec::new();
    };
    if holidays.is_holiday(day) || rules.minutes == 0 {
        return Vec::new();
    }
    let (opens, closes) = (minute_of_day(hours.opens), minute_of_day(hours.closes));
    (0..)
        .map(|n: u16| opens.saturating_add(n.saturating_mul(rules.minutes)))
        .take_while(|start| start.saturating_add(rules.minutes) <= closes)
        .filter_map(|minute| Slot::new(day, minute))
        .collect()
}

/// The days a member may book on `today`: from tomorrow to `window_days` after today.
pub fn window(today: Date, rules: &SlotRules) -> (Date, Date) {
    let first = today.next_day().unwrap_or(today);
    let last = today
        .checked_add(Duration::days(i64::from(rules.window_days)))
        .unwrap_or(today);
    (first, last)
}

/// The days of the window on which `office` is open.
pub fn open_days(
    office: &Office,
    today: Date,
    rules: &SlotRules,
    holidays: &Holidays,
) -> Vec<Date> {
    let (first, last) = window(today, rules);
    let mut days = Vec::new();
    let mut day = first;
    while day <= last {
        if is_open(office, day, holidays) {
            days.push(day);
        }
        match day.next_day() {
            Some(next) => day = next,
            None => break,
        }
    }
    days
}

/// Whether a member may book `slot` at `office` on `today`.
pub fn check_booking(
    office: &Office,
    slot: Slot,
    today: Date,
    rules: &SlotRules,
    holidays: &Holidays,
) -> Result<(), SlotError> {
    if slot.day < today {
        return Err(SlotError::Past);
    }
    let (first, last) = window(today, rules);
    if slot.day < first || slot.day > last {
        return Err(SlotError::OutsideWindow);
    }
    if !slots_on(office, slot.day, rules, holidays).contains(&slot) {
        return Err(SlotError::NotOffered);
    }
    Ok(())
}

/// Whether an appointment at `slot` can still be moved or cancelled online on `today`: until
/// the day before it.
pub fn check_change(slot: Slot, today: Date) -> Result<(), SlotError> {
    if today < slot.day {
        Ok(())
    } else {
        Err(SlotError::TooLateToChange)
    }
}

/// One slot and the places left in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Availability {
    pub slot: Slot,
    pub capacity: u32,
    pub free: u32,
}

/// Every slot of `office` from `from` to `to` that lies in the window seen on `today`, with the
/// places left given how many are `booked` in each.
pub fn availability(
    office: &Office,
    (from, to): (Date, Date),
    today: Date,
    rules: &SlotRules,
    holidays: &Holidays,
    booked: &BTreeMap<Slot, u32>,
) -> Vec<Availability> {
    let (first, last) = window(today, rules);
    let (from, to) = (from.max(first), to.min(last));
    let mut out = Vec::new();
    let mut day = from;
    while day <= to {
        for slot in slots_on(office, day, rules, holidays) {
            let taken = booked.get(&slot).copied().unwrap_or(0);
            out.push(Availability {
                slot,
                capacity: office.desks,
                free: office.desks.saturating_sub(taken),
            });
        }
        match day.next_day() {
            Some(next) => day = next,
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::appointments::Offices;
    use crate::reference::ReferenceTables;
    use time::macros::date;

    fn offices() -> Offices {
        Offices::embedded(&ReferenceTables::embedded().unwrap().states).unwrap()
    }

    #[test]
    fn a_usual_office_gives_twelve_half_hours_and_monterrey_nineteen_and_saturdays() {
        let offices = offices();
        let rules = SlotRules::default();
        let h = Holidays::federal();
        let toluca = offices.by_code("MEX01").unwrap();
        // Wednesday 2 December 2026.
        let slots = slots_on(toluca, date!(2026 - 12 - 02), &rules, &h);
        assert_eq!(slots.len(), 12);
        assert_eq!(slots[0].time_text(), "08:30");
        assert_eq!(
            slots[11].time_text(),
            "14:00",
            "the last ends at closing time"
        );
        assert!(slots_on(toluca, date!(2026 - 12 - 05), &rules, &h).is_empty());
        let monterrey = offices.by_code("NLE01").unwrap();
        let friday = slots_on(monterrey, date!(2026 - 12 - 04), &rules, &h);
        assert_eq!(friday.len(), 19);
        assert_eq!(friday.last().unwrap().time_text(), "17:30");
        assert_eq!(
            slots_on(monterrey, date!(2026 - 12 - 05), &rules, &h).len(),
            12
        );
        assert!(slots_on(monterrey, date!(2026 - 12 - 06), &rules, &h).is_empty());
        // Hour-long slots: six in 8:30–14:30.
        let hourly = SlotRules {
            minutes: 60,
            ..rules
        };
        assert_eq!(
            slots_on(toluca, date!(2026 - 12 - 02), &hourly, &h).len(),
            6
        );
        // 50-minute slots: 8:30, 9:20, …, 13:30 fits (ends 14:20), 14:20 does not.
        let odd = SlotRules {
            minutes: 50,
            ..rules
        };
        let last = *slots_on(toluca, date!(2026 - 12 - 02), &odd, &h)
            .last()
            .unwrap();
        assert_eq!(last.time_text(), "13:30");
    }

    #[test]
    fn offices_close_on_rest_days_and_days_the_fund_adds() {
        let offices = offices();
        let monterrey = offices.by_code("NLE01").unwrap();
        let rules = SlotRules::default();
        // Monday 16 November 2026 (Revolution Day) and Friday 25 December.
        let h = Holidays::federal();
        for day in [date!(2026 - 11 - 16), date!(2026 - 12 - 25)] {
            assert!(!is_open(monterrey, day, &h));
            assert!(slots_on(monterrey, day, &rules, &h).is_empty());
        }
        let closed = Holidays::with_extra([date!(2026 - 12 - 02)]);
        assert!(slots_on(monterrey, date!(2026 - 12 - 02), &rules, &closed).is_empty());
    }

    #[test]
    fn the_window_runs_from_tomorrow_for_thirty_days_on_open_days_only() {
        let offices = offices();
        let rules = SlotRules::default();
        let h = Holidays::federal();
        // Wednesday 25 November 2026.
        let today = date!(2026 - 11 - 25);
        assert_eq!(
            window(today, &rules),
            (date!(2026 - 11 - 26), date!(2026 - 12 - 25))
        );
        let toluca = offices.by_code("MEX01").unwrap();
        let days = open_days(toluca, today, &rules, &h);
        // 26–27 Nov (2), 30 Nov–4 Dec (7), 7–11 (12), 14–18 (17), 21–24 (21); 25 Dec closed.
        assert_eq!(days.len(), 21);
        assert_eq!(days[0], date!(2026 - 11 - 26));
        assert_eq!(*days.last().unwrap(), date!(2026 - 12 - 24));
        let monterrey = offices.by_code("NLE01").unwrap();
        // Monterrey adds the four Saturdays: 28 Nov, 5, 12 and 19 Dec.
        assert_eq!(open_days(monterrey, today, &rules, &h).len(), 25);
    }

    #[test]
    fn a_booking_must_be_an_offered_slot_inside_the_window() {
        let offices = offices();
        let rules = SlotRules::default();
        let h = Holidays::federal();
        let toluca = offices.by_code("MEX01").unwrap();
        let today = date!(2026 - 11 - 25);
        let at = |day, time| Slot::parse(day, time).unwrap();
        let check = |slot| check_booking(toluca, slot, today, &rules, &h);
        assert_eq!(check(at("2026-11-26", "08:30")), Ok(()));
        assert_eq!(check(at("2026-12-24", "14:00")), Ok(()));
        assert_eq!(check(at("2026-11-24", "10:00")), Err(SlotError::Past));
        assert_eq!(
            check(at("2026-11-25", "14:00")),
            Err(SlotError::OutsideWindow)
        );
        assert_eq!(
            check(at("2026-12-28", "10:00")),
            Err(SlotError::OutsideWindow)
        );
        for (day, time) in [
            ("2026-11-28", "10:00"), // a Saturday in Toluca
            ("2026-11-26", "14:30"), // closing time
            ("2026-11-26", "10:15"), // not a slot's start
            ("2026-11-26", "07:00"), // before opening
        ] {
            assert_eq!(
                check(at(day, time)),
                Err(SlotError::NotOffered),
                "{day} {time}"
            );
        }
    }

    #[test]
    fn changes_are_allowed_until_the_day_before() {
        let slot = Slot::parse("2026-12-03", "10:30").unwrap();
        assert_eq!(check_change(slot, date!(2026 - 12 - 02)), Ok(()));
        assert_eq!(
            check_change(slot, date!(2026 - 12 - 03)),
            Err(SlotError::TooLateToChange)
        );
        assert_eq!(
            check_change(slot, date!(2026 - 12 - 04)),
            Err(SlotError::TooLateToChange)
        );
    }

    #[test]
    fn availability_subtracts_bookings_and_stays_in_the_window() {
        let offices = offices();
        let rules = SlotRules::default();
        let h = Holidays::federal();
        let toluca = offices.by_code("MEX01").unwrap();
        let today = date!(2026 - 11 - 25);
        let slot = Slot::parse("2026-11-26", "09:00").unwrap();
        let booked = BTreeMap::from([(slot, toluca.desks - 1)]);
        let list = availability(
            toluca,
            (date!(2026 - 11 - 20), date!(2026 - 11 - 27)),
            today,
            &rules,
            &h,
            &booked,
        );
        assert_eq!(list.len(), 24, "26 and 27 November only");
        let nine = list.iter().find(|a| a.slot == slot).unwrap();
        assert_eq!((nine.capacity, nine.free), (toluca.desks, 1));
        let full = BTreeMap::from([(slot, toluca.desks + 3)]);
        let list = availability(toluca, (slot.day, slot.day), today, &rules, &h, &full);
        assert_eq!(list.iter().find(|a| a.slot == slot).unwrap().free, 0);
    }

    #[test]
    fn times_parse_and_print() {
        assert_eq!(Slot::parse_time("9:30"), Some(570));
        assert_eq!(Slot::parse_time("09:30"), Some(570));
        for bad in ["24:00", "10:60", "1030", "10:5", "", "aa:bb"] {
            assert_eq!(Slot::parse_time(bad), None, "{bad}");
        }
        let slot = Slot::parse("2026-12-03", "10:30").unwrap();
        assert_eq!(slot.time(), time::macros::time!(10:30));
        assert_eq!(slot.time_text(), "10:30");
        assert_eq!(Slot::new(date!(2026 - 12 - 03), 1440), None);
    }
}
