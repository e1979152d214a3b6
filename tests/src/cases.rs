//! Case counts for the property suites.
//!
//! `cargo test` runs each property [`DEFAULT_CASES`] times; `cargo xtask fuzz` sets
//! `PROPTEST_CASES` (release build) and sums the `xdm-fuzz-cases` lines the properties print.

use std::sync::atomic::{AtomicU64, Ordering};

/// Cases per property in a plain `cargo test`.
pub const DEFAULT_CASES: u32 = 256;

/// The prefix of the line each property prints when it finishes (`xdm-fuzz-cases <name> <n>`).
pub const REPORT_PREFIX: &str = "xdm-fuzz-cases";

/// Cases per property: `PROPTEST_CASES` when set to a positive number, else [`DEFAULT_CASES`].
pub fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.trim().parse::<u32>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(DEFAULT_CASES)
}

/// Counts the cases one property actually ran and reports them when dropped.
#[derive(Debug)]
pub struct CaseCounter {
    name: &'static str,
    count: AtomicU64,
}

impl CaseCounter {
    /// A counter for the property `name`.
    pub const fn new(name: &'static str) -> Self {
        CaseCounter {
            name,
            count: AtomicU64::new(0),
        }
    }

    /// Records one case.
    pub fn hit(&self) {
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    /// Cases recorded so far.
    pub fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    /// Prints `xdm-fuzz-cases <name> <count>` (captured by the test harness unless
    /// `--nocapture`, which `cargo xtask fuzz` passes).
    pub fn report(&self) {
        println!("{REPORT_PREFIX} {} {}", self.name, self.count());
    }
}

/// Sums the case counts in a test run's output.
///
/// ```
/// let out = "running 2 tests\nxdm-fuzz-cases a 10\nxdm-fuzz-cases b 5\ntest ok\n";
/// assert_eq!(xdm_tests::cases::sum_reports(out), (15, 2));
/// ```
pub fn sum_reports(output: &str) -> (u64, usize) {
    let mut total = 0u64;
    let mut properties = 0usize;
    for line in output.lines() {
        let mut parts = line.split_whitespace();
        if parts.next() != Some(REPORT_PREFIX) {
            continue;
        }
        if let Some(n) = parts.nth(1).and_then(|n| n.parse::<u64>().ok()) {
            total += n;
            properties += 1;
        }
    }
    (total, properties)
}

/// Runs the property `test` over `strategy` for [`cases()`] cases, counts them, prints the
/// count (see [`CaseCounter::report`]) and panics with the minimal failing input if any.
///
/// # Panics
///
/// When the property fails (that is the point: it is called from `#[test]`s).
pub fn check<S>(
    name: &'static str,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), proptest::test_runner::TestCaseError>,
) where
    S: proptest::strategy::Strategy,
    S::Value: std::fmt::Debug,
{
    use proptest::test_runner::{Config, TestRunner};
    let config = Config {
        cases: cases(),
        failure_persistence: None,
        max_shrink_iters: 2048,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let counter = CaseCounter::new(name);
    let result = runner.run(&strategy, |value| {
        counter.hit();
        test(value)
    });
    counter.report();
    if let Err(e) = result {
        panic!("property `{name}` failed: {e}");
    }
}
