//! The fault matrix: stream a dataset from the sandbox with one kind of fault injected at a
//! given rate, and compare what arrives with the fault-free run.
//!
//! A cell passes when the stream delivers the clean run's events (same JSON, same order,
//! each once) either in one go, or through typed [`StreamError`]s that each carry a
//! checkpoint from which a resumed stream goes on, until the set is complete.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use dm_fake::{FakeServer, FaultConfig, FaultKind, RateLimitConfig};
use dm_stream::{Checkpoint, Client, StreamError};
use dm_transport::{HyperTransport, RateLimitPolicy, RetryPolicy};
use futures::StreamExt as _;
use serde_json::Value;

/// Events per page in the matrix (small pages: more requests, more faults).
pub const PAGE_SIZE: u32 = 40;

/// The whole-request timeout of the matrix's transport (slow bodies run past it).
pub const REQUEST_TIMEOUT: Duration = Duration::from_millis(300);

/// How many times one cell may resume before it counts as failed.
pub const MAX_RESUMES: u32 = 200;

/// The fault rates (percent) of most rows.
pub const RATES: [u8; 3] = [10, 30, 60];

/// One row of the matrix: a fault kind (or a mix) under a name, at several rates.
#[derive(Clone, Debug)]
pub struct FaultRow {
    /// Short name for the summary.
    pub name: &'static str,
    /// The kinds injected at random.
    pub kinds: Vec<FaultKind>,
    /// The rates (percent) this row runs at.
    pub rates: Vec<u8>,
}

impl FaultRow {
    /// A row named `name` drawing from `kinds`, at [`RATES`].
    pub fn new(name: &'static str, kinds: Vec<FaultKind>) -> Self {
        FaultRow {
            name,
            kinds,
            rates: RATES.to_vec(),
        }
    }

    /// The same row at other rates.
    pub fn at_rates(mut self, rates: &[u8]) -> Self {
        self.rates = rates.to_vec();
        self
    }

    /// The faults of one cell: `rate`% at random, plus the row's first kind on the second
    /// request so that even a low rate injects something.
    pub fn faults(&self, rate: u8) -> FaultConfig {
        let mut config = FaultConfig::random(rate, self.kinds.clone());
        if let Some(first) = self.kinds.first() {
            config = config.at_request(2, first.clone());
        }
        config
    }
}

/// Every fault kind the issue names, one row each.
pub fn rows() -> Vec<FaultRow> {
    vec![
        FaultRow::new(
            "5xx burst",
            vec![
                FaultKind::ServerError(500),
                FaultKind::ServerError(502),
                FaultKind::ServerError(503),
            ],
        ),
        // Each storm waits for a (one-second) rate-limit reset: lower rates keep this quick.
        FaultRow::new("429 storm", vec![FaultKind::RateLimitStorm(2)]).at_rates(&[10, 25, 40]),
        FaultRow::new("reset mid-body", vec![FaultKind::ResetMidBody]),
        FaultRow::new("truncated body", vec![FaultKind::TruncatedBody]),
        FaultRow::new("malformed JSON", vec![FaultKind::MalformedJson]),
        FaultRow::new(
            "slow body > timeout",
            vec![FaultKind::SlowBody(Duration::from_millis(80))],
        ),
        FaultRow::new("repeated next_token", vec![FaultKind::RepeatNextToken]),
        // An expired token sends the walk back to the newest page, so reaching page k needs
        // k pages in a row without expiry: rates above ~30% are not a realistic test.
        FaultRow::new("expired token", vec![FaultKind::ExpiredToken]).at_rates(&[5, 15, 30]),
    ]
}

/// The result of one cell.
#[derive(Clone, Debug)]
pub struct CellReport {
    /// The row's name.
    pub row: &'static str,
    /// The fault rate in percent.
    pub rate: u8,
    /// Faults the sandbox injected.
    pub faults: u64,
    /// Requests the sandbox received.
    pub requests: u64,
    /// Streams that ended with a typed error and were resumed from its checkpoint.
    pub resumes: u32,
    /// Events delivered in total.
    pub events: usize,
    /// `None` when the delivered events equal the clean run's; else what differed.
    pub failure: Option<String>,
}

impl CellReport {
    /// Whether the cell passed.
    pub fn passed(&self) -> bool {
        self.failure.is_none()
    }
}

/// A sandbox for the matrix: `events` events from a fixed seed, a one-second rate-limit
/// window (so 429 storms clear quickly) and `faults`.
///
/// # Errors
///
/// When the sandbox cannot start.
pub async fn sandbox(
    events: usize,
    faults: FaultConfig,
) -> Result<FakeServer, dm_fake::StartError> {
    FakeServer::builder()
        .seed(42)
        .events(events)
        .rate_limit(RateLimitConfig::new(1_000_000, Duration::from_secs(1)))
        .faults(faults)
        .start()
        .await
}

/// The matrix's client for `fake`: quick retries, a short request timeout, tight pacing.
///
/// # Errors
///
/// When the client cannot be built.
pub fn client(fake: &FakeServer) -> Result<Client, dm_stream::Error> {
    let transport = HyperTransport::builder()
        .request_timeout(REQUEST_TIMEOUT)
        .build()?;
    Client::builder()
        .base_url(fake.base_url())
        .bearer_token(fake.token())
        .transport(Arc::new(transport))
        .retry(
            RetryPolicy::new()
                .max_attempts(4)
                .base_delay(Duration::from_millis(2))
                .max_delay(Duration::from_millis(20)),
        )
        .rate_limit(RateLimitPolicy::new().skew_margin(Duration::from_millis(50)))
        .decode_retries(2)
        .build()
}

/// What one run delivered: the events' JSON, how many times it resumed, and the errors
/// that made it resume.
#[derive(Debug, Default)]
pub struct Delivery {
    /// Every event delivered, in order, across resumes.
    pub events: Vec<Value>,
    /// Typed errors that ended a stream (each resumed from its checkpoint).
    pub errors: Vec<String>,
}

/// Streams every event (all fields) of `GET /2/dm_events`; whenever the stream ends with a
/// [`StreamError`], resumes a new stream from its checkpoint, up to [`MAX_RESUMES`] times.
///
/// # Errors
///
/// A stream error without a checkpoint, or more than [`MAX_RESUMES`] resumes.
pub async fn deliver(client: &Client) -> Result<Delivery, String> {
    let mut delivery = Delivery::default();
    let mut checkpoint: Option<Checkpoint> = None;
    loop {
        let mut request = client.all_events().all_fields().max_results(PAGE_SIZE);
        if let Some(cp) = checkpoint.take() {
            request = request.resume(cp);
        }
        let mut stream = request.events();
        let mut failed: Option<StreamError> = None;
        while let Some(item) = stream.next().await {
            match item {
                Ok(event) => delivery
                    .events
                    .push(serde_json::to_value(event.event()).map_err(|e| format!("encode: {e}"))?),
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        let Some(error) = failed else {
            return Ok(delivery);
        };
        delivery.errors.push(error.to_string());
        let Some(cp) = error.checkpoint() else {
            return Err(format!("a stream error without a checkpoint: {error}"));
        };
        if delivery.errors.len() as u32 > MAX_RESUMES {
            return Err(format!(
                "still failing after {MAX_RESUMES} resumes: {error}"
            ));
        }
        checkpoint = Some(cp.clone());
    }
}

/// The clean run: every event of the sandbox, no faults.
///
/// # Errors
///
/// When the sandbox or the stream fails.
pub async fn clean_run(events: usize) -> Result<Vec<Value>, String> {
    let fake = sandbox(events, FaultConfig::none())
        .await
        .map_err(|e| e.to_string())?;
    let client = client(&fake).map_err(|e| e.to_string())?;
    let delivery = deliver(&client).await?;
    if !delivery.errors.is_empty() {
        return Err(format!("the clean run failed: {:?}", delivery.errors));
    }
    Ok(delivery.events)
}

/// Runs one cell and compares it with `clean`.
pub async fn run_cell(row: &FaultRow, rate: u8, events: usize, clean: &[Value]) -> CellReport {
    let mut report = CellReport {
        row: row.name,
        rate,
        faults: 0,
        requests: 0,
        resumes: 0,
        events: 0,
        failure: None,
    };
    let fake = match sandbox(events, row.faults(rate)).await {
        Ok(f) => f,
        Err(e) => {
            report.failure = Some(format!("sandbox: {e}"));
            return report;
        }
    };
    let result = match client(&fake) {
        Ok(c) => deliver(&c).await,
        Err(e) => Err(e.to_string()),
    };
    let stats = fake.stats();
    report.faults = stats.faults_injected();
    report.requests = stats.requests;
    match result {
        Err(e) => report.failure = Some(e),
        Ok(delivery) => {
            report.resumes = delivery.errors.len() as u32;
            report.events = delivery.events.len();
            report.failure = compare(&delivery.events, clean);
        }
    }
    report
}

/// `None` when `got` equals `clean`; else the first difference.
pub fn compare(got: &[Value], clean: &[Value]) -> Option<String> {
    let id = |v: &Value| {
        v.get("id")
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_string()
    };
    let mut seen = std::collections::HashSet::new();
    for v in got {
        if !seen.insert(id(v)) {
            return Some(format!("event {} delivered twice", id(v)));
        }
    }
    for (i, (g, c)) in got.iter().zip(clean).enumerate() {
        if g != c {
            return Some(format!("event #{i} differs: got {}, want {}", id(g), id(c)));
        }
    }
    if got.len() != clean.len() {
        return Some(format!(
            "{} events delivered, {} expected",
            got.len(),
            clean.len()
        ));
    }
    None
}

/// The matrix as a table: one line per cell.
pub fn summary(reports: &[CellReport]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<22} {:>5} {:>7} {:>9} {:>8} {:>7}  verdict",
        "fault", "rate%", "faults", "requests", "resumes", "events"
    );
    for r in reports {
        let verdict = match &r.failure {
            None if r.resumes == 0 => "identical".to_string(),
            None => "identical after resume".to_string(),
            Some(f) => format!("FAILED: {f}"),
        };
        let _ = writeln!(
            out,
            "{:<22} {:>5} {:>7} {:>9} {:>8} {:>7}  {verdict}",
            r.row, r.rate, r.faults, r.requests, r.resumes, r.events
        );
    }
    let faults: u64 = reports.iter().map(|r| r.faults).sum();
    let passed = reports.iter().filter(|r| r.passed()).count();
    let _ = writeln!(
        out,
        "{passed}/{} cells passed; {faults} faults survived",
        reports.len()
    );
    out
}
