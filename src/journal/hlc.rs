//! Hybrid logical clock: wall-clock milliseconds plus a counter, packed into one i64 so that SQLite
//! compares it natively. A device's clock never goes backwards, even when the laptop's wall clock
//! does (a dead CMOS battery is common in the field): the last value is persisted and every new
//! stamp is strictly greater than it and than every stamp seen from other devices.
//! Ties between devices are broken by device id, which makes (hlc, device_id) a total order.

use chrono::{DateTime, Utc};

use crate::model::ids::DeviceId;

const COUNTER_BITS: u32 = 16;
const COUNTER_MAX: i64 = (1 << COUNTER_BITS) - 1;

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
pub struct Hlc(pub i64);

impl Hlc {
    pub fn new(wall_ms: i64, counter: i64) -> Self {
        Hlc((wall_ms << COUNTER_BITS) | (counter & COUNTER_MAX))
    }

    pub fn wall_ms(self) -> i64 {
        self.0 >> COUNTER_BITS
    }

    pub fn counter(self) -> i64 {
        self.0 & COUNTER_MAX
    }

    /// The next stamp for a local event at wall time `now_ms`: strictly greater than `self`.
    pub fn tick(self, now_ms: i64) -> Hlc {
        if now_ms > self.wall_ms() {
            Hlc::new(now_ms, 0)
        } else if self.counter() < COUNTER_MAX {
            Hlc::new(self.wall_ms(), self.counter() + 1)
        } else {
            // The counter is exhausted within one millisecond: borrow the next millisecond.
            Hlc::new(self.wall_ms() + 1, 0)
        }
    }

    /// Takes note of a stamp received from another device, so later local stamps exceed it.
    pub fn observe(self, remote: Hlc) -> Hlc {
        self.max(remote)
    }

    pub fn now_ms() -> i64 {
        Utc::now().timestamp_millis()
    }

    /// The wall-clock part as a UTC time, for people.
    pub fn time(self) -> Option<DateTime<Utc>> {
        DateTime::from_timestamp_millis(self.wall_ms())
    }
}

impl std::fmt::Display for Hlc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.time() {
            Some(t) => write!(f, "{}+{}", t.format("%Y-%m-%dT%H:%M:%S%.3fZ"), self.counter()),
            None => write!(f, "{}", self.0),
        }
    }
}

/// The total order of writes: the higher stamp wins a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Stamp {
    pub hlc: Hlc,
    pub device: DeviceId,
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn tick_follows_the_wall_clock_when_it_moves_forward() {
        let t = Hlc::new(1_000, 5).tick(2_000);
        assert_eq!((t.wall_ms(), t.counter()), (2_000, 0));
    }

    #[test]
    fn tick_stays_monotonic_when_the_wall_clock_jumps_back() {
        let mut clock = Hlc::new(10_000, 0);
        let mut seen = vec![clock];
        for now in [9_000, 5_000, 10_000, 0, 10_001, 10_001] {
            clock = clock.tick(now);
            assert!(clock > *seen.last().unwrap(), "{clock:?} after {seen:?}");
            seen.push(clock);
        }
        assert_eq!(seen[1], Hlc::new(10_000, 1));
        assert_eq!(seen[5], Hlc::new(10_001, 0));
    }

    #[test]
    fn counter_overflow_borrows_the_next_millisecond() {
        let t = Hlc::new(7, COUNTER_MAX).tick(7);
        assert_eq!((t.wall_ms(), t.counter()), (8, 0));
    }

    #[test]
    fn observing_a_remote_stamp_makes_later_ticks_exceed_it() {
        let remote = Hlc::new(50_000, 3);
        let local = Hlc::new(1_000, 0).observe(remote).tick(1_001);
        assert!(local > remote);
    }

    #[test]
    fn equal_clocks_are_ordered_by_device_id() {
        let hlc = Hlc::new(1, 1);
        let a = Stamp { hlc, device: DeviceId(Uuid::from_u128(1)) };
        let b = Stamp { hlc, device: DeviceId(Uuid::from_u128(2)) };
        assert!(a < b);
        let later = Stamp { hlc: Hlc::new(1, 2), device: DeviceId(Uuid::from_u128(1)) };
        assert!(later > b, "the clock decides before the device id");
    }

    #[test]
    fn packed_form_orders_like_the_pair() {
        assert!(Hlc::new(2, 0) > Hlc::new(1, COUNTER_MAX));
        assert_eq!(Hlc::new(1_732_780_000_000, 9).wall_ms(), 1_732_780_000_000);
    }
}
