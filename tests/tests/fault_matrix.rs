//! The fault matrix, end to end against the sandbox: every fault kind at several rates.

use futures::StreamExt as _;
use xdm_tests::matrix::{self, CellReport};

/// Events in the sandbox (about 375 fall in the last 30 days: ten pages of 40).
const EVENTS: usize = 400;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_kind_at_every_rate_delivers_the_clean_set_exactly() {
    let clean = matrix::clean_run(EVENTS).await.expect("clean run");
    assert!(
        clean.len() > 3 * matrix::PAGE_SIZE as usize,
        "several pages"
    );
    let cells: Vec<_> = matrix::rows()
        .into_iter()
        .flat_map(|row| {
            row.rates
                .clone()
                .into_iter()
                .map(move |rate| (row.clone(), rate))
        })
        .collect();
    let clean_ref = &clean;
    let reports: Vec<CellReport> = futures::stream::iter(cells)
        .map(|(row, rate)| async move { matrix::run_cell(&row, rate, EVENTS, clean_ref).await })
        .buffered(6)
        .collect()
        .await;
    let table = matrix::summary(&reports);
    println!("fault matrix ({} events per run):\n{table}", clean.len());
    let failed: Vec<_> = reports.iter().filter(|r| !r.passed()).collect();
    assert!(failed.is_empty(), "failed cells:\n{table}");
    for r in &reports {
        assert!(
            r.faults > 0,
            "{} at {}%: no fault was injected",
            r.row,
            r.rate
        );
    }
}
