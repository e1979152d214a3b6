//! Decodes the benchmarked page (100 events, every field and expansion) in a loop, for
//! profiling one variant with callgrind, which counts instructions repeatably on a noisy
//! machine:
//!
//! ```sh
//! cargo build --release -p dm-bench --example decode_loop
//! valgrind --tool=callgrind target/release/examples/decode_loop typed 200
//! ```
//!
//! Variants: `typed` (`dm_model::decode::<DmEventsPage>`), `value` (`serde_json::Value`),
//! `minimal` (the minimal structs).

use std::hint::black_box;

type Error = Box<dyn std::error::Error>;

fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let variant = args.next().unwrap_or_else(|| "typed".to_owned());
    let iterations: u32 = args.next().map_or(Ok(200), |n| n.parse())?;
    let body = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(dm_bench::fixture::all_fields_page(1, 2_000))?;
    let decode = dm_bench::decoders::by_name(&variant)
        .ok_or_else(|| format!("unknown variant `{variant}` (typed, value, minimal)"))?;
    for _ in 0..iterations {
        decode(black_box(&body))?;
    }
    eprintln!("{variant}: {iterations} decodes of {} bytes", body.len());
    Ok(())
}
